//! The emulator's state: apps by id, groups with their own fields, app versions and running deployments. Every
//! accepted change makes a deployment; one that changed an app lingers for the configured delay and locks that
//! app.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::error::ApiError;
use crate::ids::Id;
use crate::model::AppDef;

/// Versions kept per app, as Marathon keeps about 50.
const MAX_VERSIONS: usize = 50;

pub struct StoredApp {
    /// The definition as Marathon reads it: ids absolute, defaults filled in.
    pub def: AppDef,
    pub version: String,
    pub last_config_change: String,
    pub last_scaling: String,
    /// Earlier definitions, newest first, with their versions.
    pub versions: Vec<(String, AppDef)>,
    /// Tasks running before the current deployment (reported until it finishes).
    pub running_before: u32,
}

/// A group's own fields; its apps and sub-groups are found by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupMeta {
    pub dependencies: Vec<Id>,
    pub enforce_role: Option<bool>,
}

pub struct Deployment {
    pub id: String,
    pub version: String,
    pub affected: Vec<Id>,
    pub steps: Vec<(&'static str, Id)>,
    pub done_at: Instant,
    /// Definitions before this deployment, to roll back to.
    pub previous: Vec<Change>,
}

pub struct State {
    pub delay: Duration,
    pub apps: BTreeMap<Id, StoredApp>,
    /// Groups created explicitly (a group that holds apps exists without an entry).
    pub groups: BTreeMap<Id, GroupMeta>,
    /// The version of each group's last update.
    pub group_versions: BTreeMap<Id, String>,
    /// The private agents' host names, where tasks run.
    pub agents: Vec<String>,
    pub deployments: Vec<Deployment>,
    /// When the emulator started: the tasks' start time.
    pub started: String,
    clock: time::OffsetDateTime,
    counter: u64,
    pub reads: u64,
    pub writes: u64,
}

/// One app change in a deployment: the id and its new definition, or `None` to remove it.
pub type Change = (Id, Option<AppDef>);

/// Marathon's version form: UTC, always three digits of milliseconds (`2015-09-17T09:32:36.583Z`).
fn timestamp(t: time::OffsetDateTime) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    t.to_offset(time::UtcOffset::UTC).format(&format).unwrap_or_default()
}

impl State {
    pub fn new(delay: Duration, agents: Vec<String>) -> Self {
        let now = time::OffsetDateTime::now_utc();
        State {
            delay,
            apps: BTreeMap::new(),
            groups: BTreeMap::new(),
            group_versions: BTreeMap::new(),
            agents,
            deployments: Vec::new(),
            started: timestamp(now),
            clock: now,
            counter: 0,
            reads: 0,
            writes: 0,
        }
    }

    /// Drops finished deployments.
    pub fn tick(&mut self) {
        let now = Instant::now();
        self.deployments.retain(|d| d.done_at > now);
    }

    /// A fresh version timestamp: always later than the previous one.
    fn next_version(&mut self) -> String {
        let now = time::OffsetDateTime::now_utc();
        self.clock = now.max(self.clock + time::Duration::milliseconds(1));
        timestamp(self.clock)
    }

    fn next_deployment_id(&mut self) -> String {
        self.counter += 1;
        format!(
            "{:08x}-{:04x}-4000-8000-{:012x}",
            self.counter * 2654435761 % 0xffff_ffff,
            self.counter,
            self.counter
        )
    }

    /// The running deployments that touch any of `ids`.
    pub fn locking(&self, ids: &[Id]) -> Vec<String> {
        self.deployments
            .iter()
            .filter(|d| d.affected.iter().any(|a| ids.contains(a)))
            .map(|d| d.id.clone())
            .collect()
    }

    pub fn group_exists(&self, id: &Id) -> bool {
        id.is_root() || self.groups.contains_key(id) || self.apps.keys().any(|a| a.within(id) && a != id)
    }

    /// Whether a change makes a difference: a new or different definition, or the removal of an app.
    pub fn changes_anything(&self, (id, def): &Change) -> bool {
        match (self.apps.get(id), def) {
            (Some(app), Some(def)) => &app.def != def,
            (None, None) => false,
            _ => true,
        }
    }

    /// Applies changes in one deployment. Refused with 409 when a running deployment touches a changed app,
    /// unless `force`, which cancels that deployment.
    pub fn deploy(&mut self, changes: Vec<Change>, force: bool) -> Result<Value, ApiError> {
        self.tick();
        let changed: Vec<Change> = changes.into_iter().filter(|c| self.changes_anything(c)).collect();
        let ids: Vec<Id> = changed.iter().map(|(id, _)| id.clone()).collect();
        let (deployment, version) = self.begin(&ids, force)?;
        let mut steps = Vec::new();
        let mut previous = Vec::new();
        for (app_id, def) in changed {
            previous.push((app_id.clone(), self.apps.get(&app_id).map(|a| a.def.clone())));
            steps.push((self.change_app(&app_id, def, &version), app_id));
        }
        Ok(self.record(deployment, version, steps, previous))
    }

    /// Restarts apps: one deployment that replaces their tasks, definitions unchanged.
    pub fn restart(&mut self, ids: Vec<Id>, force: bool) -> Result<Value, ApiError> {
        self.tick();
        let (deployment, version) = self.begin(&ids, force)?;
        let mut steps = Vec::new();
        for id in ids {
            if let Some(app) = self.apps.get_mut(&id) {
                app.running_before = app.def.instances;
                app.version.clone_from(&version);
                app.last_config_change.clone_from(&version);
            }
            steps.push(("RestartApplication", id));
        }
        Ok(self.record(deployment, version, steps, Vec::new()))
    }

    /// Checks the locks on `ids` (cancelling them when forced) and names the new deployment and version.
    fn begin(&mut self, ids: &[Id], force: bool) -> Result<(String, String), ApiError> {
        let locks = self.locking(ids);
        if !locks.is_empty() {
            if !force {
                return Err(ApiError::locked(&locks));
            }
            self.deployments.retain(|d| !locks.contains(&d.id));
        }
        Ok((self.next_deployment_id(), self.next_version()))
    }

    /// Keeps a deployment running for the configured delay (when it does anything) and answers its result.
    fn record(&mut self, id: String, version: String, steps: Vec<(&'static str, Id)>, previous: Vec<Change>) -> Value {
        let result = json!({ "deploymentId": id, "version": version });
        if !steps.is_empty() {
            self.deployments.push(Deployment {
                id,
                version,
                affected: steps.iter().map(|(_, id)| id.clone()).collect(),
                steps,
                done_at: Instant::now() + self.delay,
                previous,
            });
        }
        result
    }

    /// Stores one app's new definition, or removes it, and names the deployment step.
    fn change_app(&mut self, id: &Id, def: Option<AppDef>, version: &str) -> &'static str {
        let locked = self.deployments.iter().any(|d| d.affected.contains(id));
        let Some(def) = def else {
            self.apps.remove(id);
            return "StopApplication";
        };
        let Some(app) = self.apps.get_mut(id) else {
            self.apps.insert(id.clone(), StoredApp::new(def, version));
            return "StartApplication";
        };
        if !locked {
            app.running_before = app.def.instances;
        }
        let scaled_only = app.def.scaled_only(&def);
        let old = std::mem::replace(&mut app.def, def);
        app.versions.insert(0, (app.version.clone(), old));
        app.versions.truncate(MAX_VERSIONS - 1);
        app.version = version.to_owned();
        app.last_scaling = version.to_owned();
        if scaled_only {
            "ScaleApplication"
        } else {
            app.last_config_change = version.to_owned();
            "RestartApplication"
        }
    }

    /// Rolls a running deployment back (a new deployment restoring the old definitions), or with `force`
    /// cancels it where it stands.
    pub fn cancel(&mut self, id: &str, force: bool) -> Result<Option<Value>, ApiError> {
        self.tick();
        let Some(pos) = self.deployments.iter().position(|d| d.id == id) else {
            return Err(ApiError::not_found(format!("DeploymentPlan {id} does not exist")));
        };
        let deployment = self.deployments.remove(pos);
        if force {
            return Ok(None);
        }
        self.deploy(deployment.previous, true).map(Some)
    }

    /// The tasks an app runs now: during a deployment, as many as before it.
    pub fn running(&self, id: &Id) -> u32 {
        let Some(app) = self.apps.get(id) else {
            return 0;
        };
        if self.deployments.iter().any(|d| d.affected.contains(id)) {
            app.running_before
        } else {
            app.def.instances
        }
    }
}

impl StoredApp {
    fn new(def: AppDef, version: &str) -> StoredApp {
        StoredApp {
            def,
            version: version.to_owned(),
            last_config_change: version.to_owned(),
            last_scaling: version.to_owned(),
            versions: Vec::new(),
            running_before: 0,
        }
    }
}

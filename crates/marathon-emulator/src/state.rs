//! The emulator's state: apps by id, explicit groups, app versions and running deployments. Every accepted
//! change makes a deployment; one that changed an app lingers for the configured delay and locks that app.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use ngp_marathon::PathId;
use serde_json::{json, Map, Value};

use crate::validate::{self, ApiError};

/// Versions kept per app, as Marathon keeps about 50.
const MAX_VERSIONS: usize = 50;

pub struct StoredApp {
    /// The definition as given (normalised ids, `uris` turned into `fetch`, no response-only fields).
    pub def: Map<String, Value>,
    pub version: String,
    pub last_config_change: String,
    pub last_scaling: String,
    /// Earlier definitions, newest first, with their versions.
    pub versions: Vec<(String, Map<String, Value>)>,
    /// Tasks running before the current deployment (reported until it finishes).
    pub running_before: u64,
}

pub struct Deployment {
    pub id: String,
    pub version: String,
    pub affected: Vec<PathId>,
    pub steps: Vec<(String, PathId)>,
    pub done_at: Instant,
    /// Definitions before this deployment, to roll back to.
    pub previous: Vec<(PathId, Option<Map<String, Value>>)>,
}

pub struct State {
    pub delay: Duration,
    pub apps: BTreeMap<PathId, StoredApp>,
    pub groups: BTreeSet<PathId>,
    pub deployments: Vec<Deployment>,
    clock: time::OffsetDateTime,
    counter: u64,
    pub reads: u64,
    pub writes: u64,
}

/// One app change in a deployment: the id and its new definition, or `None` to remove it.
pub type Change = (PathId, Option<Map<String, Value>>);

impl State {
    pub fn new(delay: Duration) -> Self {
        State {
            delay,
            apps: BTreeMap::new(),
            groups: BTreeSet::new(),
            deployments: Vec::new(),
            clock: time::OffsetDateTime::now_utc(),
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
        self.clock = if now > self.clock {
            now
        } else {
            self.clock + time::Duration::milliseconds(1)
        };
        let t = self.clock;
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        )
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
    pub fn locking(&self, ids: &[PathId]) -> Vec<String> {
        self.deployments
            .iter()
            .filter(|d| d.affected.iter().any(|a| ids.contains(a)))
            .map(|d| d.id.clone())
            .collect()
    }

    pub fn group_exists(&self, id: &PathId) -> bool {
        id.is_root() || self.groups.contains(id) || self.apps.keys().any(|a| a.starts_with(id) && a != id)
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
        let changed: Vec<&Change> = changes.iter().filter(|c| self.changes_anything(c)).collect();
        let ids: Vec<PathId> = changed.iter().map(|(id, _)| id.clone()).collect();
        let locks = self.locking(&ids);
        if !locks.is_empty() {
            if !force {
                return Err(ApiError::locked(&locks));
            }
            self.deployments.retain(|d| !locks.contains(&d.id));
        }
        let version = self.next_version();
        let id = self.next_deployment_id();
        let mut steps = Vec::new();
        let mut previous = Vec::new();
        for (app_id, def) in changes.iter().filter(|c| ids.contains(&c.0)) {
            previous.push((app_id.clone(), self.apps.get(app_id).map(|a| a.def.clone())));
            match def {
                None => {
                    self.apps.remove(app_id);
                    steps.push(("StopApplication".to_owned(), app_id.clone()));
                }
                Some(def) => {
                    let instances = def.get("instances").and_then(Value::as_u64).unwrap_or(1);
                    match self.apps.get_mut(app_id) {
                        Some(app) => {
                            let scaled_only = {
                                let mut a = app.def.clone();
                                let mut b = def.clone();
                                a.remove("instances");
                                b.remove("instances");
                                a == b
                            };
                            app.running_before = if self.deployments.iter().any(|d| d.affected.contains(app_id)) {
                                app.running_before
                            } else {
                                app.def.get("instances").and_then(Value::as_u64).unwrap_or(1)
                            };
                            let old = std::mem::replace(&mut app.def, def.clone());
                            app.versions.insert(0, (app.version.clone(), old));
                            app.versions.truncate(MAX_VERSIONS - 1);
                            app.version = version.clone();
                            app.last_scaling = version.clone();
                            if !scaled_only {
                                app.last_config_change = version.clone();
                            }
                            steps.push((
                                if scaled_only {
                                    "ScaleApplication"
                                } else {
                                    "RestartApplication"
                                }
                                .to_owned(),
                                app_id.clone(),
                            ));
                        }
                        None => {
                            self.apps.insert(
                                app_id.clone(),
                                StoredApp {
                                    def: def.clone(),
                                    version: version.clone(),
                                    last_config_change: version.clone(),
                                    last_scaling: version.clone(),
                                    versions: Vec::new(),
                                    running_before: 0,
                                },
                            );
                            steps.push(("StartApplication".to_owned(), app_id.clone()));
                            if instances > 0 {
                                steps.push(("ScaleApplication".to_owned(), app_id.clone()));
                            }
                        }
                    }
                }
            }
        }
        if !ids.is_empty() {
            self.deployments.push(Deployment {
                id: id.clone(),
                version: version.clone(),
                affected: ids,
                steps,
                done_at: Instant::now() + self.delay,
                previous,
            });
        }
        Ok(json!({ "deploymentId": id, "version": version }))
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

    /// An app as Marathon reports it: the definition with Marathon's defaults filled in, plus the
    /// response-only fields.
    pub fn app_json(&self, id: &PathId) -> Option<Value> {
        let app = self.apps.get(id)?;
        let mut out = validate::with_defaults(id, &app.def);
        let deployments: Vec<Value> = self
            .deployments
            .iter()
            .filter(|d| d.affected.contains(id))
            .map(|d| json!({ "id": d.id }))
            .collect();
        let instances = app.def.get("instances").and_then(Value::as_u64).unwrap_or(1);
        let running = if deployments.is_empty() {
            instances
        } else {
            app.running_before
        };
        out.insert("version".into(), json!(app.version));
        out.insert(
            "versionInfo".into(),
            json!({ "lastScalingAt": app.last_scaling, "lastConfigChangeAt": app.last_config_change }),
        );
        out.insert("tasksStaged".into(), json!(0));
        out.insert("tasksRunning".into(), json!(running));
        out.insert("tasksHealthy".into(), json!(running));
        out.insert("tasksUnhealthy".into(), json!(0));
        out.insert("deployments".into(), Value::Array(deployments));
        Some(Value::Object(out))
    }

    /// A group with its apps and sub-groups, the whole tree below it.
    pub fn group_json(&self, id: &PathId) -> Value {
        let depth = id.segments().len();
        let apps: Vec<Value> = self
            .apps
            .keys()
            .filter(|a| a.segments().len() == depth + 1 && a.starts_with(id))
            .filter_map(|a| self.app_json(a))
            .collect();
        let children: BTreeSet<PathId> = self
            .groups
            .iter()
            .chain(self.apps.keys().filter(|a| a.segments().len() > depth + 1))
            .filter(|g| g.starts_with(id) && g.segments().len() > depth)
            .map(|g| PathId::parse(&format!("/{}", g.segments()[..depth + 1].join("/"))).expect("valid"))
            .collect();
        let groups: Vec<Value> = children.iter().map(|g| self.group_json(g)).collect();
        json!({
            "id": id.to_string(),
            "apps": apps,
            "groups": groups,
            "pods": [],
            "dependencies": [],
            "version": self.apps.values().map(|a| a.version.clone()).max().unwrap_or_else(|| "1970-01-01T00:00:00.000Z".into()),
        })
    }

    pub fn deployments_json(&self) -> Value {
        Value::Array(
            self.deployments
                .iter()
                .map(|d| {
                    json!({
                        "id": d.id,
                        "version": d.version,
                        "affectedApps": d.affected.iter().map(ToString::to_string).collect::<Vec<_>>(),
                        "affectedPods": [],
                        "steps": d.steps.iter().map(|(action, app)| json!({"actions": [{"action": action, "app": app.to_string()}]})).collect::<Vec<_>>(),
                        "currentActions": d.steps.iter().map(|(action, app)| json!({"action": action, "app": app.to_string(), "readinessCheckResults": []})).collect::<Vec<_>>(),
                        "currentStep": 1,
                        "totalSteps": d.steps.len().max(1),
                    })
                })
                .collect(),
        )
    }
}

//! Plan (read the live `/ngp` tree once, diff) and apply (one group PUT per changed module, then wait for its
//! deployment to finish).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use ngp_marathon::{App, Client, Error, Group, PathId, UpgradeStrategy};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::collect::{Desired, PER_AGENT_LABEL, ROOT_GROUP, SPEC_LABEL};
use crate::diff::differences;

/// What happens to one app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Create,
    /// The top-level keys that differ.
    Update(Vec<String>),
    Unchanged,
    Remove,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AppPlan {
    pub id: PathId,
    pub action: Action,
}

/// One module's group: what changes in it, and the body that makes it so.
#[derive(Debug, Clone, PartialEq)]
pub struct ModulePlan {
    pub module: String,
    pub group: PathId,
    pub apps: Vec<AppPlan>,
    /// The full group to PUT; `None` when the module is gone and its group is to be deleted.
    pub body: Option<Group>,
}

impl ModulePlan {
    pub fn changed(&self) -> bool {
        self.apps.iter().any(|a| a.action != Action::Unchanged)
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub modules: Vec<ModulePlan>,
}

impl Plan {
    pub fn count(&self, wanted: fn(&Action) -> bool) -> usize {
        self.modules
            .iter()
            .flat_map(|m| &m.apps)
            .filter(|a| wanted(&a.action))
            .count()
    }

    pub fn is_empty(&self) -> bool {
        !self.modules.iter().any(ModulePlan::changed)
    }
}

/// Where a one-per-agent app gets its instance count: Mesos beside Marathon.
fn needs_agents(desired: &Desired) -> bool {
    desired
        .modules
        .values()
        .flatten()
        .any(|a| a.labels.as_ref().is_some_and(|l| l.contains_key(PER_AGENT_LABEL)))
}

/// The app as NGP sends it: a one-per-agent app gets its instances from the live agents, `hostname:UNIQUE`,
/// and the upgrade strategy that cannot stall; the spec label records what NGP meant. Also returns the app's
/// JSON without the label, to compare.
fn finish(mut app: App, agents: (u32, u32)) -> (App, Value) {
    if let Some(kind) = app.labels.as_ref().and_then(|l| l.get(PER_AGENT_LABEL)).cloned() {
        let public = kind == "public";
        app.instances = Some(if public { agents.1 } else { agents.0 });
        app.upgrade_strategy = Some(UpgradeStrategy::ONE_PER_AGENT);
        let unique = vec!["hostname".to_owned(), "UNIQUE".to_owned()];
        let constraints = app.constraints.get_or_insert_with(Vec::new);
        if !constraints.contains(&unique) {
            constraints.push(unique);
        }
        if public {
            app.accepted_resource_roles = Some(vec!["slave_public".to_owned()]);
        }
    }
    if let Some(labels) = app.labels.as_mut() {
        labels.remove(SPEC_LABEL);
    }
    let value = serde_json::to_value(&app).expect("an app serialises");
    let spec = serde_json::to_vec(&value).expect("JSON serialises");
    let digest = hex::encode(Sha256::digest(&spec));
    app.labels
        .get_or_insert_with(Default::default)
        .insert(SPEC_LABEL.to_owned(), digest);
    (app, value)
}

/// Takes the spec label off an app's JSON: the labels compare without it.
fn take_spec(app: &mut Value) -> Option<Value> {
    app.get_mut("labels")
        .and_then(Value::as_object_mut)
        .and_then(|labels| labels.remove(SPEC_LABEL))
}

/// Every group of a live tree (`GET /v2/groups/<id>` with apps and groups embedded), each with its apps by id.
pub fn apps_by_group(tree: Value) -> BTreeMap<PathId, BTreeMap<PathId, Value>> {
    let mut groups = BTreeMap::new();
    live_groups(tree, &mut groups);
    groups
}

/// The live apps of `tree` and of each group below it, by group id, moved out of the tree.
fn live_groups(mut tree: Value, into: &mut BTreeMap<PathId, BTreeMap<PathId, Value>>) {
    let Some(id) = tree
        .get("id")
        .and_then(Value::as_str)
        .and_then(|i| PathId::parse(i).ok())
    else {
        return;
    };
    let apps = into.entry(id).or_default();
    if let Some(Value::Array(list)) = tree.get_mut("apps").map(Value::take) {
        for app in list {
            if let Some(app_id) = app
                .get("id")
                .and_then(Value::as_str)
                .and_then(|i| PathId::parse(i).ok())
            {
                apps.insert(app_id, app);
            }
        }
    }
    if let Some(Value::Array(subgroups)) = tree.get_mut("groups").map(Value::take) {
        for sub in subgroups {
            live_groups(sub, into);
        }
    }
}

/// What happens to an app that runs: compared on every key NGP sets, then on the spec label.
fn compare(app: &App, desired: &Value, live: &mut Value) -> Action {
    let spec = app
        .labels
        .as_ref()
        .and_then(|l| l.get(SPEC_LABEL))
        .map(|s| Value::String(s.clone()));
    let live_spec = take_spec(live);
    let keys = differences(desired, live);
    if !keys.is_empty() {
        Action::Update(keys)
    } else if spec != live_spec {
        // Same on every key NGP sets now: NGP stopped setting a key, or the app was changed outside NGP and back.
        Action::Update(vec!["(a key NGP no longer sets)".to_owned()])
    } else {
        Action::Unchanged
    }
}

/// Compares the desired apps with Marathon: one read of the `/ngp` tree (plus Mesos's agents when an app runs
/// once per agent).
/// One module's plan: its apps as NGP sends them against the live apps of its group; live apps it no longer
/// has are removed.
fn plan_module(
    module: &str,
    group: PathId,
    apps: &[App],
    mut current: BTreeMap<PathId, Value>,
    agents: (u32, u32),
) -> ModulePlan {
    let mut plans = Vec::new();
    let mut bodies = Vec::new();
    for app in apps {
        let (app, desired_value) = finish(app.clone(), agents);
        let id = PathId::parse(&app.id).expect("collect made it valid");
        let action = match current.remove(&id) {
            None => Action::Create,
            Some(mut live_app) => compare(&app, &desired_value, &mut live_app),
        };
        plans.push(AppPlan { id, action });
        bodies.push(app);
    }
    for id in current.into_keys() {
        plans.push(AppPlan {
            id,
            action: Action::Remove,
        });
    }
    ModulePlan {
        module: module.to_owned(),
        group: group.clone(),
        apps: plans,
        body: Some(Group {
            id: group.to_string(),
            apps: bodies,
            ..Group::default()
        }),
    }
}

pub async fn plan(client: &Client, desired: &Desired, mesos: &str) -> Result<Plan, Error> {
    let root = PathId::parse(ROOT_GROUP).expect("a valid id");
    let agents = if needs_agents(desired) {
        client.agent_counts(mesos).await?
    } else {
        (0, 0)
    };
    let mut live = client.group(&root).await?.map(apps_by_group).unwrap_or_default();
    let mut modules: Vec<ModulePlan> = desired
        .modules
        .iter()
        .map(|(module, apps)| {
            let group = root.child(module);
            let current = live.remove(&group).unwrap_or_default();
            plan_module(module, group, apps, current, agents)
        })
        .collect();
    // Groups of modules that no longer export apps: their apps go.
    for (group, apps) in live.into_iter().filter(|(g, _)| g.parent() == root) {
        modules.push(ModulePlan {
            module: group.name().unwrap_or_default().to_owned(),
            group,
            apps: apps
                .into_keys()
                .map(|id| AppPlan {
                    id,
                    action: Action::Remove,
                })
                .collect(),
            body: None,
        });
    }
    // A desired module with no apps and no live group has nothing to do.
    modules.retain(|m| !(m.apps.is_empty() && m.body.as_ref().is_some_and(|b| b.apps.is_empty())));
    Ok(Plan { modules })
}

#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Cancel deployments that lock NGP's apps instead of waiting for them.
    pub force: bool,
    /// How long to wait for a lock, and then for a deployment, before giving up.
    pub timeout: Duration,
    /// How often to ask Marathon whether a deployment finished.
    pub poll: Duration,
}

/// How long NGP waits, by default, for a lock and then for each deployment.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(600);

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            force: false,
            timeout: DEFAULT_WAIT,
            poll: Duration::from_millis(500),
        }
    }
}

/// What apply is doing, for a progress display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    Writing {
        group: String,
    },
    Locked {
        group: String,
        deployments: Vec<String>,
    },
    Waiting {
        group: String,
        deployment: String,
        elapsed: Duration,
    },
    Done {
        group: String,
    },
}

/// What apply did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: Vec<String>,
    pub removed: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Marathon(#[from] Error),
    #[error("{what} did not finish within {}s: Marathon keeps working on it; see {base}/v2/deployments, then run again", .timeout.as_secs())]
    Timeout {
        what: String,
        base: String,
        timeout: Duration,
    },
}

/// Writes each changed module's group in one PUT and waits for its deployment. A 409 waits for the locking
/// deployment (or, with `force`, cancels it).
pub async fn apply(
    client: &Client,
    plan: &Plan,
    options: &ApplyOptions,
    mut progress: impl FnMut(Progress),
) -> Result<Report, ApplyError> {
    let mut report = Report::default();
    for module in &plan.modules {
        for app in &module.apps {
            let list = match app.action {
                Action::Create => &mut report.created,
                Action::Update(_) => &mut report.updated,
                Action::Unchanged => &mut report.unchanged,
                Action::Remove => &mut report.removed,
            };
            list.push(app.id.to_string());
        }
        if !module.changed() {
            continue;
        }
        let group = module.group.to_string();
        let started = Instant::now();
        let force = options.force;
        let result = loop {
            progress(Progress::Writing { group: group.clone() });
            let attempt = match &module.body {
                Some(body) => client.put_group(body, force).await.map(Some),
                None => client.delete_group(&module.group, force).await,
            };
            match attempt {
                Ok(result) => break result,
                // Without --force a lock is waited out; with it, Marathon cancels the deployment itself.
                Err(Error::Locked { deployments, .. }) if !force => {
                    progress(Progress::Locked {
                        group: group.clone(),
                        deployments: deployments.clone(),
                    });
                    wait_for(client, &deployments, &group, started, options, &mut progress).await?;
                }
                Err(e) => return Err(e.into()),
            }
        };
        if let Some(result) = result {
            wait_for(client, &[result.deployment_id], &group, started, options, &mut progress).await?;
        }
        progress(Progress::Done { group });
    }
    Ok(report)
}

/// Polls `/v2/deployments` until none of `ids` is listed.
async fn wait_for(
    client: &Client,
    ids: &[String],
    group: &str,
    started: Instant,
    options: &ApplyOptions,
    progress: &mut impl FnMut(Progress),
) -> Result<(), ApplyError> {
    loop {
        let running = client.deployments().await?;
        let Some(pending) = running.iter().find(|d| ids.contains(&d.id)) else {
            return Ok(());
        };
        if started.elapsed() >= options.timeout {
            return Err(ApplyError::Timeout {
                what: format!("deployment {} of {group}", pending.id),
                base: client.base().to_owned(),
                timeout: options.timeout,
            });
        }
        progress(Progress::Waiting {
            group: group.to_owned(),
            deployment: pending.id.clone(),
            elapsed: started.elapsed(),
        });
        tokio::time::sleep(options.poll).await;
    }
}

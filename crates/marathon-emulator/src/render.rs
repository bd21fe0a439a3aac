//! The emulator's answers: apps with their response-only fields, group trees, deployments, tasks and the launch
//! queue, in the shapes of Marathon's RAML and examples.

use serde_json::{json, Value};

use crate::ids::Id;
use crate::state::State;

impl State {
    /// An app as Marathon reports it: the definition read with its defaults and the ports it chose, and the
    /// response-only fields.
    pub fn app_json(&self, id: &Id) -> Option<Value> {
        let app = self.apps.get(id)?;
        let Ok(Value::Object(mut out)) = serde_json::to_value(&app.def) else {
            return None;
        };
        let running = self.running(id);
        let deployments: Vec<Value> = self
            .deployments
            .iter()
            .filter(|d| d.affected.contains(id))
            .map(|d| json!({ "id": d.id }))
            .collect();
        let Value::Object(response) = json!({
            "version": app.version,
            "versionInfo": { "lastScalingAt": app.last_scaling, "lastConfigChangeAt": app.last_config_change },
            "tasksStaged": 0,
            "tasksRunning": running,
            "tasksHealthy": if app.def.health_checks.is_empty() { 0 } else { running },
            "tasksUnhealthy": 0,
            "deployments": deployments,
        }) else {
            return None;
        };
        out.extend(response);
        Some(Value::Object(out))
    }

    /// A group with its apps and sub-groups, the whole tree below it.
    pub fn group_json(&self, id: &Id) -> Value {
        let depth = id.depth();
        let apps: Vec<Value> = self
            .apps
            .keys()
            .filter(|a| a.depth() == depth + 1 && a.within(id))
            .filter_map(|a| self.app_json(a))
            .collect();
        let children: std::collections::BTreeSet<Id> = self
            .groups
            .keys()
            .chain(self.apps.keys().filter(|a| a.depth() > depth + 1))
            .filter(|g| g.within(id) && g.depth() > depth)
            .map(|g| g.prefix(depth + 1))
            .collect();
        let groups: Vec<Value> = children.iter().map(|g| self.group_json(g)).collect();
        let meta = self.groups.get(id).cloned().unwrap_or_default();
        let version = self
            .apps
            .iter()
            .filter(|(a, _)| a.within(id))
            .map(|(_, a)| &a.version)
            .chain(self.group_versions.get(id))
            .max()
            .unwrap_or(&self.started);
        // Built by moving the parts in: `json!` would copy each sub-tree once more at every level.
        let mut out = serde_json::Map::new();
        out.insert("id".into(), Value::String(id.to_string()));
        out.insert("apps".into(), Value::Array(apps));
        out.insert("groups".into(), Value::Array(groups));
        let dependencies = meta.dependencies.iter().map(|d| Value::String(d.to_string())).collect();
        out.insert("dependencies".into(), Value::Array(dependencies));
        out.insert("version".into(), Value::String(version.clone()));
        if let Some(enforce) = meta.enforce_role {
            out.insert("enforceRole".into(), Value::Bool(enforce));
        }
        Value::Object(out)
    }

    pub fn deployments_json(&self) -> Value {
        let action = |(action, app): &(&str, Id)| json!({"action": action, "app": app.to_string()});
        Value::Array(
            self.deployments
                .iter()
                .map(|d| {
                    json!({
                        "id": d.id,
                        "version": d.version,
                        "affectedApps": d.affected.iter().map(ToString::to_string).collect::<Vec<_>>(),
                        "affectedPods": [],
                        "steps": d.steps.iter().map(|s| json!({"actions": [action(s)]})).collect::<Vec<_>>(),
                        "currentActions": d.steps.iter().map(|s| {
                            let mut a = action(s);
                            a["readinessCheckResults"] = json!([]);
                            a
                        }).collect::<Vec<_>>(),
                        "currentStep": 1,
                        "totalSteps": d.steps.len().max(1),
                    })
                })
                .collect(),
        )
    }

    /// The running tasks of every app (or of one), one per running instance, each on an agent in turn.
    pub fn tasks_json(&self, only: Option<&Id>) -> Vec<Value> {
        let mut tasks = Vec::new();
        for (id, app) in self.apps.iter().filter(|(a, _)| only.is_none_or(|o| o == *a)) {
            let service_ports: Vec<u64> = app
                .def
                .port_definitions
                .iter()
                .flatten()
                .map(|p| u64::from(p.port))
                .collect();
            // A task's id changes with its app's version, as a restarted task is a new one.
            let stamp: String = app.version.chars().filter(char::is_ascii_digit).collect();
            for n in 0..self.running(id) {
                let agent = n as usize % self.agents.len().max(1);
                let host = self.agents.get(agent).cloned().unwrap_or_else(|| "127.0.0.1".into());
                let ports: Vec<u64> = service_ports.iter().map(|p| p + 21000).collect();
                tasks.push(json!({
                    "id": format!("{}.instance-{:08x}-0000-4000-8000-{:0>12}._app.1",
                        id.as_str().trim_start_matches('/').replace('/', "_"), n, &stamp[stamp.len().saturating_sub(12)..]),
                    "appId": id.to_string(),
                    "host": host,
                    "slaveId": format!("ngp-emulator-S{agent}"),
                    "ports": ports,
                    "servicePorts": service_ports,
                    "ipAddresses": [{"ipAddress": host, "protocol": "IPv4"}],
                    "stagedAt": app.version,
                    "startedAt": app.version,
                    "version": app.version,
                    "state": "TASK_RUNNING",
                    "healthCheckResults": [],
                }));
            }
        }
        tasks
    }

    /// Apps waiting for tasks to launch: those in a running deployment that wants more than run.
    pub fn queue_json(&self) -> Value {
        let queue: Vec<Value> = self
            .apps
            .iter()
            .filter_map(|(id, app)| {
                let waiting = app.def.instances.saturating_sub(self.running(id));
                (waiting > 0).then(|| {
                    json!({
                        "app": self.app_json(id),
                        "count": waiting,
                        "delay": {"timeLeftSeconds": 0, "overdue": false},
                        "since": app.version,
                        "processedOffersSummary": {"processedOffersCount": 0, "unusedOffersCount": 0},
                    })
                })
            })
            .collect();
        json!({ "queue": queue })
    }
}

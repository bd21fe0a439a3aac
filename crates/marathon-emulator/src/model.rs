//! The server's app definition, as Marathon reads one: each field of its published schema and RAML, typed, with
//! the documented default filled in where a request is silent. Unknown fields are ignored, as Marathon's server
//! ignores them. This is the emulator's own model, never NGP's client types: a mistake shared by both would be
//! invisible to every test.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

type Labels = BTreeMap<String, String>;
type Object = Map<String, Value>;

macro_rules! default_fn {
    ($($name:ident: $ty:ty = $value:expr;)*) => {
        $(fn $name() -> $ty { $value })*
    };
}

default_fn! {
    one: u32 = 1;
    one_cpu: f64 = 1.0;
    mem_default: f64 = 128.0;
    one_second: u64 = 1;
    backoff_factor: f64 = 1.15;
    max_launch_delay: u64 = 300;
    full: f64 = 1.0;
    yes: bool = true;
    grace_period: u32 = 300;
    interval: u32 = 60;
    timeout: u32 = 20;
    max_failures: u32 = 3;
    delay: u32 = 15;
    relaunch_escalation: u64 = 3600;
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppDef {
    /// Set from the request's path or body by the caller, after checking it.
    #[serde(default)]
    pub id: String,
    pub cmd: Option<String>,
    pub args: Option<Vec<String>>,
    pub user: Option<String>,
    #[serde(default = "one")]
    pub instances: u32,
    #[serde(default = "one_cpu")]
    pub cpus: f64,
    #[serde(default = "mem_default")]
    pub mem: f64,
    #[serde(default)]
    pub disk: f64,
    #[serde(default)]
    pub gpus: u32,
    #[serde(default)]
    pub executor: String,
    pub executor_resources: Option<Object>,
    pub resource_limits: Option<Object>,
    #[serde(default)]
    pub constraints: Vec<Vec<String>>,
    pub accepted_resource_roles: Option<Vec<String>>,
    pub role: Option<String>,
    pub container: Option<Container>,
    #[serde(default)]
    pub networks: Vec<Network>,
    pub ip_address: Option<Object>,
    pub port_definitions: Option<Vec<PortDefinition>>,
    /// The deprecated form of `portDefinitions`: turned into it, never reported.
    #[serde(default, skip_serializing)]
    pub ports: Option<Vec<u16>>,
    #[serde(default)]
    pub require_ports: bool,
    #[serde(default)]
    pub env: BTreeMap<String, EnvVar>,
    #[serde(default)]
    pub secrets: BTreeMap<String, SecretDef>,
    #[serde(default)]
    pub labels: Labels,
    #[serde(default)]
    pub fetch: Vec<Artifact>,
    /// The deprecated form of `fetch`: turned into it, never reported.
    #[serde(default, skip_serializing)]
    pub uris: Option<Vec<String>>,
    #[serde(default)]
    pub health_checks: Vec<HealthCheck>,
    #[serde(default)]
    pub readiness_checks: Vec<Object>,
    pub check: Option<Object>,
    #[serde(default)]
    pub dependencies: Vec<String>,
    #[serde(default)]
    pub upgrade_strategy: Upgrade,
    #[serde(default)]
    pub unreachable_strategy: Unreachable,
    #[serde(default)]
    pub kill_selection: KillSelection,
    pub residency: Option<Residency>,
    #[serde(default = "one_second")]
    pub backoff_seconds: u64,
    #[serde(default = "backoff_factor")]
    pub backoff_factor: f64,
    #[serde(default = "max_launch_delay")]
    pub max_launch_delay_seconds: u64,
    pub task_kill_grace_period_seconds: Option<u64>,
    pub tty: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum EngineType {
    #[default]
    #[serde(rename = "DOCKER")]
    Docker,
    #[serde(rename = "MESOS")]
    Mesos,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    #[serde(default, rename = "type")]
    pub engine: EngineType,
    pub docker: Option<DockerSpec>,
    pub appc: Option<Object>,
    pub linux_info: Option<Object>,
    #[serde(default)]
    pub volumes: Vec<Object>,
    pub port_mappings: Option<Vec<ContainerPort>>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DockerSpec {
    pub image: String,
    pub network: Option<DockerNetwork>,
    pub port_mappings: Option<Vec<ContainerPort>>,
    #[serde(default)]
    pub privileged: bool,
    #[serde(default)]
    pub parameters: Vec<KeyValue>,
    #[serde(default)]
    pub force_pull_image: bool,
    pub credential: Option<Object>,
    pub pull_config: Option<Object>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum DockerNetwork {
    Bridge,
    Host,
    None,
    User,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Protocol {
    #[serde(rename = "tcp")]
    Tcp,
    #[serde(rename = "udp")]
    Udp,
    #[serde(rename = "udp,tcp")]
    UdpTcp,
}

fn tcp_protocol() -> Protocol {
    Protocol::Tcp
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerPort {
    #[serde(default)]
    pub container_port: u16,
    pub host_port: Option<u16>,
    #[serde(default)]
    pub service_port: u16,
    #[serde(default = "tcp_protocol")]
    pub protocol: Protocol,
    pub name: Option<String>,
    pub labels: Option<Labels>,
    pub network_names: Option<Vec<String>>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortDefinition {
    #[serde(default)]
    pub port: u16,
    #[serde(default = "tcp_protocol")]
    pub protocol: Protocol,
    pub name: Option<String>,
    pub labels: Option<Labels>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum NetworkMode {
    #[default]
    #[serde(rename = "container")]
    Container,
    #[serde(rename = "container/bridge")]
    Bridge,
    #[serde(rename = "host")]
    Host,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Network {
    #[serde(default)]
    pub mode: NetworkMode,
    pub name: Option<String>,
    pub labels: Option<Labels>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EnvVar {
    Value(String),
    Secret { secret: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretDef {
    pub source: String,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Artifact {
    pub uri: String,
    #[serde(default = "yes")]
    pub extract: bool,
    #[serde(default)]
    pub executable: bool,
    #[serde(default)]
    pub cache: bool,
    pub dest_path: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CheckProtocol {
    #[default]
    Http,
    Https,
    Tcp,
    Command,
    MesosHttp,
    MesosHttps,
    MesosTcp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IpProtocol {
    IPv4,
    IPv6,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandCheck {
    pub value: String,
}

/// `AppHealthCheck` in the RAML, with its defaults.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheck {
    #[serde(default)]
    pub protocol: CheckProtocol,
    /// IPv4 by default for the network checks; a command check has none.
    pub ip_protocol: Option<IpProtocol>,
    pub command: Option<CommandCheck>,
    pub path: Option<String>,
    pub port: Option<u16>,
    pub port_index: Option<u32>,
    #[serde(default = "grace_period")]
    pub grace_period_seconds: u32,
    #[serde(default = "interval")]
    pub interval_seconds: u32,
    #[serde(default = "timeout")]
    pub timeout_seconds: u32,
    #[serde(default = "max_failures")]
    pub max_consecutive_failures: u32,
    #[serde(default = "delay")]
    pub delay_seconds: u32,
    /// False by default for the HTTP checks; a TCP or command check has none.
    pub ignore_http1xx: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Upgrade {
    #[serde(default = "full")]
    pub minimum_health_capacity: f64,
    #[serde(default = "full")]
    pub maximum_over_capacity: f64,
}

impl Default for Upgrade {
    fn default() -> Self {
        Upgrade {
            minimum_health_capacity: 1.0,
            maximum_over_capacity: 1.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Unreachable {
    Disabled(DisabledWord),
    #[serde(rename_all = "camelCase")]
    Enabled {
        #[serde(default)]
        inactive_after_seconds: u64,
        #[serde(default)]
        expunge_after_seconds: u64,
    },
}

impl Default for Unreachable {
    fn default() -> Self {
        Unreachable::Enabled {
            inactive_after_seconds: 0,
            expunge_after_seconds: 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DisabledWord {
    #[serde(rename = "disabled")]
    Disabled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum KillSelection {
    #[default]
    YoungestFirst,
    OldestFirst,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Residency {
    #[serde(default = "relaunch_escalation")]
    pub relaunch_escalation_timeout_seconds: u64,
    #[serde(default)]
    pub task_lost_behavior: TaskLostBehavior,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskLostBehavior {
    #[default]
    WaitForever,
    RelaunchAfterTimeout,
}

/// A constraint's operators (`AppConstraint` in the RAML).
const OPERATORS: [&str; 7] = ["UNIQUE", "CLUSTER", "GROUP_BY", "LIKE", "UNLIKE", "MAX_PER", "IS"];

impl AppDef {
    /// Reads a request body's app, or says where it is wrong, in Marathon's path form (`/healthChecks(0)/port`).
    pub fn read(body: &Value) -> Result<AppDef, Vec<(String, String)>> {
        let mut app: AppDef = serde_path_to_error::deserialize(body).map_err(|e| {
            let path = e
                .path()
                .to_string()
                .replace('.', "/")
                .replace('[', "(")
                .replace(']', ")");
            vec![(format!("/{}", path.trim_start_matches('/')), e.into_inner().to_string())]
        })?;
        let problems = app.ranges();
        if !problems.is_empty() {
            return Err(problems);
        }
        app.settle();
        Ok(app)
    }

    /// What serde's types cannot say: numeric bounds and constraint shapes.
    fn ranges(&self) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        let mut at_least = |path: &str, value: f64, min: f64| {
            if value.is_nan() || value < min {
                problems.push((path.to_owned(), format!("got {value}, expected {min} or more")));
            }
        };
        at_least("/cpus", self.cpus, 0.0);
        at_least("/mem", self.mem, 0.0);
        at_least("/disk", self.disk, 0.0);
        at_least("/backoffFactor", self.backoff_factor, 1.0);
        for (name, value) in [
            ("minimumHealthCapacity", self.upgrade_strategy.minimum_health_capacity),
            ("maximumOverCapacity", self.upgrade_strategy.maximum_over_capacity),
        ] {
            if !(0.0..=1.0).contains(&value) {
                problems.push((
                    format!("/upgradeStrategy/{name}"),
                    format!("got {value}, expected between 0.0 and 1.0"),
                ));
            }
        }
        for (i, c) in self.constraints.iter().enumerate() {
            let operator_ok = c.get(1).is_some_and(|op| OPERATORS.contains(&op.as_str()));
            if !(2..=3).contains(&c.len()) || !operator_ok {
                problems.push((
                    format!("/constraints({i})"),
                    format!(
                        "expected [field, operator, value?] with an operator of {}",
                        OPERATORS.join(", ")
                    ),
                ));
            }
        }
        problems
    }

    /// The conversions and context-dependent defaults Marathon applies: `uris` become `fetch`, `ports` become
    /// `portDefinitions`, host networking by default, a network check reports IPv4, and an app on host
    /// networking without ports gets one.
    fn settle(&mut self) {
        if let Some(uris) = self.uris.take() {
            self.fetch = uris.into_iter().map(Artifact::plain).collect();
        }
        if let Some(ports) = self.ports.take() {
            self.port_definitions = Some(ports.into_iter().map(PortDefinition::numbered).collect());
        }
        if self.networks.is_empty() {
            self.networks.push(Network {
                mode: NetworkMode::Host,
                name: None,
                labels: None,
            });
        }
        for check in &mut self.health_checks {
            use CheckProtocol::*;
            if check.protocol != Command {
                check.ip_protocol.get_or_insert(IpProtocol::IPv4);
            }
            if matches!(check.protocol, Http | Https | MesosHttp | MesosHttps) {
                check.ignore_http1xx.get_or_insert(false);
            }
        }
        let host = self.networks.iter().any(|n| n.mode == NetworkMode::Host);
        if host && self.port_definitions.is_none() {
            self.port_definitions = Some(vec![PortDefinition::numbered(0)]);
        }
    }

    /// Chooses a service port for each port 0, as Marathon does when it stores an app: stable per app here,
    /// in Marathon's default 10000-20000 range.
    pub fn choose_ports(&mut self, id: &str) {
        let offset = id
            .bytes()
            .fold(0u16, |h, b| (h.wrapping_mul(31).wrapping_add(u16::from(b))) % 2000);
        let chosen = |i: usize| 10000 + offset * 4 + i as u16;
        for (i, port) in self.port_definitions.iter_mut().flatten().enumerate() {
            if port.port == 0 {
                port.port = chosen(i);
            }
        }
        let container = self.container.as_mut();
        for (i, mapping) in container
            .and_then(|c| c.port_mappings.as_mut())
            .into_iter()
            .flatten()
            .enumerate()
        {
            if mapping.service_port == 0 {
                mapping.service_port = chosen(i);
            }
        }
    }

    /// Whether `other` differs only in the instance count: a scale, not a restart.
    pub fn scaled_only(&self, other: &AppDef) -> bool {
        let mut same = other.clone();
        same.instances = self.instances;
        &same == self
    }
}

impl Artifact {
    fn plain(uri: String) -> Artifact {
        Artifact {
            uri,
            extract: true,
            executable: false,
            cache: false,
            dest_path: None,
        }
    }
}

impl PortDefinition {
    fn numbered(port: u16) -> PortDefinition {
        PortDefinition {
            port,
            protocol: Protocol::Tcp,
            name: None,
            labels: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documented_defaults_are_filled() {
        let app = AppDef::read(&json!({
            "healthChecks": [{"protocol": "COMMAND", "command": {"value": "true"}}, {"path": "/health"}],
            "fetch": [{"uri": "https://a/b.tgz"}],
            "upgradeStrategy": {"minimumHealthCapacity": 0.5},
        }))
        .unwrap();
        let out = serde_json::to_value(&app).unwrap();
        assert_eq!(
            out["healthChecks"][0],
            json!({"protocol": "COMMAND", "command": {"value": "true"}, "gracePeriodSeconds": 300,
                   "intervalSeconds": 60, "timeoutSeconds": 20, "maxConsecutiveFailures": 3, "delaySeconds": 15})
        );
        assert_eq!(out["healthChecks"][1]["protocol"], json!("HTTP"));
        assert_eq!(out["healthChecks"][1]["ipProtocol"], json!("IPv4"));
        assert_eq!(
            out["fetch"][0],
            json!({"uri": "https://a/b.tgz", "extract": true, "executable": false, "cache": false})
        );
        assert_eq!(
            out["upgradeStrategy"],
            json!({"minimumHealthCapacity": 0.5, "maximumOverCapacity": 1.0})
        );
        assert_eq!(out["killSelection"], json!("YOUNGEST_FIRST"));
    }

    #[test]
    fn errors_name_the_field_in_marathons_form() {
        let err = |body: Value| AppDef::read(&body).unwrap_err();
        assert_eq!(err(json!({"killSelection": "RANDOM"}))[0].0, "/killSelection");
        assert_eq!(
            err(json!({"upgradeStrategy": {"maximumOverCapacity": 2}}))[0].0,
            "/upgradeStrategy/maximumOverCapacity"
        );
        assert_eq!(
            err(json!({"healthChecks": [{"port": "x"}]}))[0].0,
            "/healthChecks(0)/port"
        );
        assert_eq!(err(json!({"instances": -1}))[0].0, "/instances");
    }
}

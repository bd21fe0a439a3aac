//! Checks an app definition before anything is sent: every key must be one that Marathon's app schema or its
//! later RAML defines, and every value of the right type and range. Marathon's server ignores unknown keys, so a
//! typo (`instaces`) would silently deploy the default; here it is an error, with the nearest valid key.
//!
//! The shapes below are NGP's own description of Marathon's published `AppDefinition` (JSON Schema, release
//! 1.7) and `App` (RAML, later releases), the union of both where they differ.

use serde_json::{Map, Value};

/// What a value must be.
#[derive(Debug)]
enum Shape {
    Text,
    Flag,
    /// An integer within the bounds.
    Int(i64, i64),
    /// A number within the bounds.
    Num(f64, f64),
    /// One of these strings.
    Word(&'static [&'static str]),
    List(&'static Shape),
    /// An object whose keys are the user's, each value of one shape (labels, env, secrets).
    Map(&'static Shape),
    /// An object with these keys only.
    Obj(&'static [(&'static str, Shape)]),
    /// Either shape.
    Or(&'static Shape, &'static Shape),
    /// Any JSON of this kind, not looked into (`"object"`, `"array"`).
    Opaque(&'static str),
}

use Shape::*;

const MAX: i64 = i64::MAX;
const PORT: Shape = Int(0, 65535);
const COUNT: Shape = Int(0, MAX);
const AMOUNT: Shape = Num(0.0, f64::MAX);
const TEXTS: Shape = List(&Text);
const LABELS: Shape = Map(&Text);
const PROTOCOL: Shape = Word(&["tcp", "udp", "udp,tcp"]);

const PORT_MAPPING: Shape = Obj(&[
    ("containerPort", PORT),
    ("hostPort", PORT),
    ("servicePort", PORT),
    ("protocol", PROTOCOL),
    ("name", Text),
    ("labels", LABELS),
    ("networkNames", TEXTS),
]);

const DOCKER: Shape = Obj(&[
    ("image", Text),
    ("network", Word(&["BRIDGE", "HOST", "NONE", "USER"])),
    ("portMappings", List(&PORT_MAPPING)),
    ("privileged", Flag),
    ("parameters", List(&Obj(&[("key", Text), ("value", Text)]))),
    ("forcePullImage", Flag),
    ("credential", Obj(&[("principal", Text), ("secret", Text)])),
    ("pullConfig", Obj(&[("secret", Text)])),
]);

const VOLUME: Shape = Obj(&[
    ("containerPath", Text),
    ("hostPath", Text),
    ("mode", Word(&["RO", "RW"])),
    ("persistent", Opaque("object")),
    ("external", Opaque("object")),
    ("secret", Text),
]);

const CONTAINER: Shape = Obj(&[
    ("type", Word(&["DOCKER", "MESOS"])),
    ("docker", DOCKER),
    ("appc", Opaque("object")),
    ("linuxInfo", Opaque("object")),
    ("volumes", List(&VOLUME)),
    ("portMappings", List(&PORT_MAPPING)),
]);

const HEALTH_CHECK: Shape = Obj(&[
    (
        "protocol",
        Word(&[
            "HTTP",
            "HTTPS",
            "TCP",
            "COMMAND",
            "MESOS_HTTP",
            "MESOS_HTTPS",
            "MESOS_TCP",
        ]),
    ),
    ("ipProtocol", Word(&["IPv4", "IPv6"])),
    ("path", Text),
    ("port", PORT),
    ("portIndex", COUNT),
    ("command", Obj(&[("value", Text)])),
    ("gracePeriodSeconds", COUNT),
    ("intervalSeconds", COUNT),
    ("timeoutSeconds", COUNT),
    ("maxConsecutiveFailures", COUNT),
    ("delaySeconds", COUNT),
    ("ignoreHttp1xx", Flag),
]);

const FETCH: Shape = Obj(&[
    ("uri", Text),
    ("extract", Flag),
    ("executable", Flag),
    ("cache", Flag),
    ("destPath", Text),
]);

const READINESS_CHECK: Shape = Obj(&[
    ("name", Text),
    ("protocol", Word(&["HTTP", "HTTPS"])),
    ("path", Text),
    ("portName", Text),
    ("intervalSeconds", COUNT),
    ("timeoutSeconds", COUNT),
    ("httpStatusCodesForReady", List(&Int(100, 999))),
    ("preserveLastResponse", Flag),
]);

const UNREACHABLE: Shape = Or(
    &Word(&["disabled"]),
    &Obj(&[("inactiveAfterSeconds", COUNT), ("expungeAfterSeconds", COUNT)]),
);

/// The app: Marathon's `AppDefinition` properties plus the RAML's `check`, `resourceLimits`, `role` and `tty`.
const APP: &[(&str, Shape)] = &[
    ("id", Text),
    ("cmd", Text),
    ("args", TEXTS),
    ("user", Text),
    ("instances", COUNT),
    ("cpus", AMOUNT),
    ("mem", AMOUNT),
    ("disk", AMOUNT),
    ("gpus", COUNT),
    ("executor", Text),
    (
        "executorResources",
        Obj(&[("cpus", AMOUNT), ("mem", AMOUNT), ("disk", AMOUNT)]),
    ),
    ("resourceLimits", Opaque("object")),
    ("constraints", List(&TEXTS)),
    ("acceptedResourceRoles", TEXTS),
    ("role", Text),
    ("container", CONTAINER),
    (
        "networks",
        List(&Obj(&[
            ("mode", Word(&["container", "container/bridge", "host"])),
            ("name", Text),
            ("labels", LABELS),
        ])),
    ),
    ("ipAddress", Opaque("object")),
    (
        "portDefinitions",
        List(&Obj(&[
            ("port", PORT),
            ("protocol", PROTOCOL),
            ("name", Text),
            ("labels", LABELS),
        ])),
    ),
    ("ports", List(&PORT)),
    ("requirePorts", Flag),
    ("env", Map(&Or(&Text, &Obj(&[("secret", Text)])))),
    ("secrets", Map(&Obj(&[("source", Text)]))),
    ("labels", LABELS),
    ("fetch", List(&FETCH)),
    ("uris", TEXTS),
    ("healthChecks", List(&HEALTH_CHECK)),
    ("readinessChecks", List(&READINESS_CHECK)),
    ("check", Opaque("object")),
    ("dependencies", TEXTS),
    (
        "upgradeStrategy",
        Obj(&[
            ("minimumHealthCapacity", Num(0.0, 1.0)),
            ("maximumOverCapacity", Num(0.0, 1.0)),
        ]),
    ),
    ("unreachableStrategy", UNREACHABLE),
    ("killSelection", Word(&["YOUNGEST_FIRST", "OLDEST_FIRST"])),
    (
        "residency",
        Obj(&[
            ("relaunchEscalationTimeoutSeconds", COUNT),
            ("taskLostBehavior", Word(&["WAIT_FOREVER", "RELAUNCH_AFTER_TIMEOUT"])),
        ]),
    ),
    ("backoffSeconds", COUNT),
    ("backoffFactor", Num(1.0, f64::MAX)),
    ("maxLaunchDelaySeconds", COUNT),
    ("taskKillGracePeriodSeconds", COUNT),
    ("tty", Flag),
    ("version", Text),
    ("versionInfo", Opaque("object")),
];

/// One problem in a definition: where (`healthChecks[0].protocol`) and what is expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Every problem in an app definition, in document order; empty when Marathon would accept it.
pub fn app(value: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    match value.as_object() {
        Some(object) => keys(object, APP, "", &mut problems),
        None => problems.push(problem("(app)", format!("expected an object, found {}", kind(value)))),
    }
    problems
}

fn keys(object: &Map<String, Value>, fields: &[(&str, Shape)], at: &str, problems: &mut Vec<Problem>) {
    for (key, value) in object {
        let path = if at.is_empty() {
            key.clone()
        } else {
            format!("{at}.{key}")
        };
        match fields.iter().find(|(name, _)| name == key) {
            Some((_, shape)) => check(value, shape, &path, problems),
            None => problems.push(problem(&path, unknown(key, fields))),
        }
    }
}

fn unknown(key: &str, fields: &[(&str, Shape)]) -> String {
    let nearest = fields
        .iter()
        .map(|(name, _)| (strsim::damerau_levenshtein(key, name), *name))
        .min()
        .filter(|(distance, name)| *distance <= 2.max(name.len() / 3));
    match nearest {
        Some((_, name)) => format!("unknown key; did you mean {name:?}?"),
        None => format!(
            "unknown key; expected one of {}",
            fields.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn check(value: &Value, shape: &Shape, path: &str, problems: &mut Vec<Problem>) {
    let expected = match (shape, value) {
        (Text, Value::String(_)) | (Flag, Value::Bool(_)) => return,
        (Int(low, high), Value::Number(n)) if n.is_i64() || n.is_u64() => {
            let n = n.as_i64().unwrap_or(MAX);
            if n < *low || n > *high {
                problems.push(problem(path, range(*low as f64, *high as f64, &n.to_string())));
            }
            return;
        }
        (Num(low, high), Value::Number(n)) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            if !(x >= *low && x <= *high) {
                problems.push(problem(path, range(*low, *high, &n.to_string())));
            }
            return;
        }
        (Word(words), Value::String(s)) if words.contains(&s.as_str()) => return,
        (Word(words), Value::String(s)) => {
            problems.push(problem(path, format!("{s:?} is not one of {}", words.join(", "))));
            return;
        }
        (List(item), Value::Array(items)) => {
            for (i, v) in items.iter().enumerate() {
                check(v, item, &format!("{path}[{i}]"), problems);
            }
            return;
        }
        (Map(item), Value::Object(entries)) => {
            for (k, v) in entries {
                check(v, item, &format!("{path}.{k}"), problems);
            }
            return;
        }
        (Obj(fields), Value::Object(object)) => return keys(object, fields, path, problems),
        (Or(a, b), v) => {
            let mut first = Vec::new();
            check(v, a, path, &mut first);
            if !first.is_empty() {
                let mut second = Vec::new();
                check(v, b, path, &mut second);
                problems.extend(second);
            }
            return;
        }
        (Opaque("object"), Value::Object(_)) | (Opaque("array"), Value::Array(_)) => return,
        (Opaque(what), _) => what.to_string(),
        (Int(..), _) => "an integer".into(),
        (Num(..), _) => "a number".into(),
        (Text | Word(_), _) => "a string".into(),
        (Flag, _) => "true or false".into(),
        (List(_), _) => "a list".into(),
        (Map(_) | Obj(_), _) => "an object".into(),
    };
    problems.push(problem(path, format!("expected {expected}, found {}", kind(value))));
}

fn range(low: f64, high: f64, found: &str) -> String {
    if high >= MAX as f64 {
        format!("must be at least {low}, found {found}")
    } else {
        format!("must be between {low} and {high}, found {found}")
    }
}

fn kind(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn problem(path: &str, message: String) -> Problem {
    Problem {
        path: path.to_owned(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(value: Value) -> String {
        let problems = app(&value);
        assert_eq!(problems.len(), 1, "{problems:?}");
        problems[0].to_string()
    }

    #[test]
    fn a_typo_names_the_nearest_key() {
        assert_eq!(
            one(json!({"id": "a", "instaces": 2})),
            "instaces: unknown key; did you mean \"instances\"?"
        );
        assert_eq!(
            one(json!({"id": "a", "container": {"docker": {"imgae": "x"}}})),
            "container.docker.imgae: unknown key; did you mean \"image\"?"
        );
        assert!(one(json!({"id": "a", "zzzzzzzzzzzz": 1})).contains("expected one of id, cmd"));
    }

    #[test]
    fn types_ranges_and_enumerations() {
        assert_eq!(
            one(json!({"id": "a", "instances": "two"})),
            "instances: expected an integer, found \"two\""
        );
        assert_eq!(
            one(json!({"id": "a", "instances": -1})),
            "instances: must be at least 0, found -1"
        );
        assert_eq!(
            one(json!({"id": "a", "upgradeStrategy": {"maximumOverCapacity": 2}})),
            "upgradeStrategy.maximumOverCapacity: must be between 0 and 1, found 2"
        );
        assert_eq!(
            one(json!({"id": "a", "killSelection": "RANDOM"})),
            "killSelection: \"RANDOM\" is not one of YOUNGEST_FIRST, OLDEST_FIRST"
        );
        assert_eq!(
            one(json!({"id": "a", "healthChecks": [{"protocol": "COMMAND", "ipProtocol": "IPv5"}]})),
            "healthChecks[0].ipProtocol: \"IPv5\" is not one of IPv4, IPv6"
        );
        assert_eq!(
            one(json!({"id": "a", "env": {"A": 1}})),
            "env.A: expected an object, found 1"
        );
    }

    #[test]
    fn partial_objects_that_marathon_allows_pass() {
        let partial = json!({
            "id": "a",
            "upgradeStrategy": {"minimumHealthCapacity": 0.5},
            "container": {"docker": {"image": "x"}},
            "portDefinitions": [{"name": "http"}],
            "networks": [{"name": "dcos"}],
            "unreachableStrategy": "disabled",
            "env": {"A": "1", "B": {"secret": "s"}},
        });
        assert_eq!(app(&partial), vec![]);
    }
}

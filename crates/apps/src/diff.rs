//! Compares a desired app with the live one on the keys NGP sets only. Marathon fills in defaults, and its
//! defaults changed between releases, so a whole-object compare would show false changes forever.

use serde_json::Value;

/// Objects whose keys are the user's (not Marathon's fields): compared whole, so a removed key is a change.
const OWNED_MAPS: &[&str] = &["env", "labels", "secrets"];
/// Port numbers where 0 asks Marathon to choose: any live value matches.
const CHOSEN_PORTS: &[&str] = &["port", "servicePort", "hostPort"];

/// The top-level keys of `desired` whose values differ in `live`, in order.
pub fn differences(desired: &Value, live: &Value) -> Vec<String> {
    let (Some(desired), Some(live)) = (desired.as_object(), live.as_object()) else {
        return vec!["(whole app)".to_owned()];
    };
    desired
        .iter()
        .filter(|(key, value)| !matches(key, value, live.get(key.as_str()).unwrap_or(&Value::Null)))
        .map(|(key, _)| key.clone())
        .collect()
}

fn matches(key: &str, desired: &Value, live: &Value) -> bool {
    if OWNED_MAPS.contains(&key) {
        return desired == live || (desired.as_object().is_some_and(|o| o.is_empty()) && live.is_null());
    }
    if CHOSEN_PORTS.contains(&key) && desired.as_u64() == Some(0) {
        return true;
    }
    same(desired, live)
}

/// `desired` is contained in `live`: objects on desired's keys, arrays element by element, numbers by value.
fn same(desired: &Value, live: &Value) -> bool {
    match (desired, live) {
        (Value::Object(d), Value::Object(l)) => d
            .iter()
            .all(|(k, v)| matches(k, v, l.get(k.as_str()).unwrap_or(&Value::Null))),
        (Value::Array(d), Value::Array(l)) => d.len() == l.len() && d.iter().zip(l).all(|(a, b)| same(a, b)),
        (Value::Number(d), Value::Number(l)) => d.as_f64() == l.as_f64(),
        (d, l) => d == l,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn marathon_defaults_are_not_changes() {
        let desired =
            json!({"id": "/ngp/r/a", "cpus": 0.5, "container": {"type": "DOCKER", "docker": {"image": "registry:2"}}});
        let live = json!({"id": "/ngp/r/a", "cpus": 0.5, "mem": 128, "maxLaunchDelaySeconds": 300,
            "container": {"type": "DOCKER", "docker": {"image": "registry:2", "privileged": false}, "volumes": []}});
        assert!(differences(&desired, &live).is_empty());
    }

    #[test]
    fn a_changed_value_is_named_by_its_top_level_key() {
        let desired = json!({"id": "/a", "mem": 256, "container": {"docker": {"image": "registry:2.8"}}});
        let live = json!({"id": "/a", "mem": 256.0, "container": {"docker": {"image": "registry:2"}}});
        assert_eq!(differences(&desired, &live), vec!["container"]);
    }

    #[test]
    fn labels_and_env_are_compared_whole() {
        let desired = json!({"labels": {"a": "1"}, "env": {}});
        assert_eq!(
            differences(&desired, &json!({"labels": {"a": "1", "b": "2"}, "env": {}})),
            vec!["labels"]
        );
        assert!(differences(&desired, &json!({"labels": {"a": "1"}})).is_empty());
    }

    #[test]
    fn port_zero_matches_the_port_marathon_chose() {
        let desired = json!({"portDefinitions": [{"port": 0, "labels": {"VIP_0": "/r:5000"}}]});
        let live = json!({"portDefinitions": [{"port": 10004, "protocol": "tcp", "labels": {"VIP_0": "/r:5000"}}]});
        assert!(differences(&desired, &live).is_empty());
        let more = json!({"portDefinitions": [{"port": 0}, {"port": 0}]});
        assert_eq!(differences(&more, &live), vec!["portDefinitions"]);
    }
}

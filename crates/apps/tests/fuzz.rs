//! The app-JSON reader never panics: random bytes as a `jsonencode` string, and random JSON values, give
//! apps or an error naming the module.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::Value;

fn outputs(value: Value) -> BTreeMap<String, BTreeMap<String, Value>> {
    BTreeMap::from([("m".to_owned(), BTreeMap::from([("marathon_apps".to_owned(), value)]))])
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "(id|instances|cpus|container|docker|image|labels|NGP_PER_AGENT|version|uris|fetch|[a-z/.]{0,6})"
            .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(
                "(id|instances|cpus|mem|container|docker|image|labels|env|healthChecks|portDefinitions|port|upgradeStrategy|dependencies|uris|fetch|version|[a-z]{1,5})",
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = ngp_apps::collect(&outputs(Value::String(String::from_utf8_lossy(&bytes).into_owned())));
    }

    #[test]
    fn random_json_never_panics(value in json_value()) {
        let _ = ngp_apps::collect(&outputs(Value::Array(vec![value.clone()])));
        let _ = ngp_apps::collect(&outputs(value));
    }
}

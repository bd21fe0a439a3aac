//! From terraform outputs to desired apps: each module's `marathon_apps`, ids made absolute under
//! `/ngp/<module>`.

use std::collections::BTreeMap;

use ngp_marathon::{App, PathId};
use serde_json::Value;

/// Every app NGP manages lives below this group.
pub const ROOT_GROUP: &str = "/ngp";
/// The sha256 of the definition NGP sent: a key NGP stops setting changes it, so that removal is seen too.
pub const SPEC_LABEL: &str = "NGP_SPEC_SHA256";
/// Marks a one-per-agent app: `private` or `public`. NGP sets its instance count from the live agents.
pub const PER_AGENT_LABEL: &str = "NGP_PER_AGENT";

#[derive(Debug, thiserror::Error)]
pub enum AppsError {
    #[error("module {module}: output marathon_apps: {message}")]
    BadOutput { module: String, message: String },
}

/// The apps each module wants, by module name; ids are absolute (`/ngp/<module>/<app>`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Desired {
    pub modules: BTreeMap<String, Vec<App>>,
}

/// Reads `marathon_apps` from each module's outputs (`{module: {output: value}}`). The value is a list of app
/// objects, or that list as a JSON string (a `jsonencode` output).
pub fn collect(outputs: &BTreeMap<String, BTreeMap<String, Value>>) -> Result<Desired, AppsError> {
    let mut desired = Desired::default();
    let root = PathId::parse(ROOT_GROUP).expect("a valid id");
    for (module, outs) in outputs {
        let Some(value) = outs.get("marathon_apps") else {
            continue;
        };
        let bad = |message: String| AppsError::BadOutput {
            module: module.clone(),
            message,
        };
        let value = match value {
            Value::String(text) => serde_json::from_str(text).map_err(|e| bad(format!("not JSON: {e}")))?,
            other => other.clone(),
        };
        let apps: Vec<App> = serde_json::from_value(value)
            .map_err(|e| bad(format!("expected a list of Marathon app definitions: {e}")))?;
        let group = root.child(module);
        let mut seen = std::collections::BTreeSet::new();
        let mut resolved = Vec::new();
        for mut app in apps {
            let id = PathId::parse_app(&app.id, &group).map_err(|e| bad(format!("app id {:?}: {e}", app.id)))?;
            if id.parent() != group {
                return Err(bad(format!(
                    "app id {:?} resolves to {id}, outside the module's group {group}: use a plain name",
                    app.id
                )));
            }
            if !seen.insert(id.clone()) {
                return Err(bad(format!("app {id} appears twice")));
            }
            if app.version.is_some() {
                return Err(bad(format!(
                    "app {id} sets version, which Marathon takes for a rollback: remove it"
                )));
            }
            if app.uris.as_ref().is_some_and(|u| !u.is_empty()) && app.fetch.as_ref().is_some_and(|f| !f.is_empty()) {
                return Err(bad(format!("app {id} sets both uris and fetch: use fetch")));
            }
            if let Some(kind) = app.labels.as_ref().and_then(|l| l.get(PER_AGENT_LABEL)) {
                if kind != "private" && kind != "public" {
                    return Err(bad(format!(
                        "app {id}: label {PER_AGENT_LABEL} must be \"private\" or \"public\", not {kind:?}"
                    )));
                }
            }
            app.id = id.to_string();
            resolved.push(app);
        }
        desired.modules.insert(module.clone(), resolved);
    }
    Ok(desired)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn outputs(module: &str, apps: Value) -> BTreeMap<String, BTreeMap<String, Value>> {
        BTreeMap::from([(module.to_owned(), BTreeMap::from([("marathon_apps".to_owned(), apps)]))])
    }

    #[test]
    fn ids_become_absolute_under_the_module_group() {
        let desired = collect(&outputs("registry", json!([{"id": "registry", "instances": 1}]))).unwrap();
        assert_eq!(desired.modules["registry"][0].id, "/ngp/registry/registry");
        let encoded = json!(json!([{"id": "./api"}]).to_string());
        assert_eq!(
            collect(&outputs("tyk", encoded)).unwrap().modules["tyk"][0].id,
            "/ngp/tyk/api"
        );
    }

    #[test]
    fn bad_outputs_name_the_module_and_the_app() {
        let err = |apps: Value| collect(&outputs("m", apps)).unwrap_err().to_string();
        assert_eq!(
            err(json!([{"id": "/elsewhere/x"}])),
            "module m: output marathon_apps: app id \"/elsewhere/x\" resolves to /elsewhere/x, outside the module's group /ngp/m: use a plain name"
        );
        assert!(err(json!([{"id": "Upper"}])).contains("app id \"Upper\""));
        assert!(err(json!([{"id": "a"}, {"id": "a"}])).ends_with("app /ngp/m/a appears twice"));
        assert!(err(json!([{"id": "a", "version": "2020"}])).contains("rollback"));
        assert!(err(json!({"id": "a"})).contains("expected a list"));
    }
}

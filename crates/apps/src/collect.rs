//! From terraform outputs to desired apps: each module's `marathon_apps`, ids made absolute under
//! `/ngp/<module>`.

use std::collections::{BTreeMap, BTreeSet};

use ngp_marathon::{lint, App, PathId};
use serde_json::Value;

/// Every app NGP manages lives below this group.
pub const ROOT_GROUP: &str = "/ngp";
/// The sha256 of the definition NGP sent: a key NGP stops setting changes it, so that removal is seen too.
pub const SPEC_LABEL: &str = "NGP_SPEC_SHA256";
use ngp_modules::contract::MARATHON_APPS;
/// Marks a one-per-agent app: `private` or `public`. NGP sets its instance count from the live agents.
pub use ngp_modules::contract::PER_AGENT_LABEL;

#[derive(Debug, thiserror::Error)]
pub enum AppsError {
    #[error("module {module}: output {MARATHON_APPS}: {message}")]
    BadOutput { module: String, message: String },
    /// Every problem of every app, one per line; nothing is deployed while there is one.
    #[error("{}, nothing deployed:\n  {}", counted(.0.len(), "problem in the apps", "problems in the apps"), .0.join("\n  "))]
    Invalid(Vec<String>),
}

/// `1 app`, `2 apps`: a count in English.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The apps each module wants, by module name; ids are absolute (`/ngp/<module>/<app>`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Desired {
    pub modules: BTreeMap<String, Vec<App>>,
}

/// Reads `marathon_apps` from each module's outputs (`{module: {output: value}}`). The value is a list of app
/// objects, or that list as a JSON string (a `jsonencode` output). Every app of every module is checked
/// against Marathon's schema first; any problem anywhere stops them all, each problem named by module, app and
/// key.
pub fn collect(outputs: &BTreeMap<String, BTreeMap<String, Value>>) -> Result<Desired, AppsError> {
    let mut desired = Desired::default();
    let mut invalid = Vec::new();
    for (module, outs) in outputs {
        let Some(value) = outs.get(MARATHON_APPS) else {
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
        let Value::Array(items) = value else {
            return Err(bad("expected a list of Marathon app definitions".into()));
        };
        let group = PathId::parse(ROOT_GROUP).expect("a valid id").child(module);
        let mut seen = BTreeSet::new();
        let mut apps = Vec::new();
        for (index, item) in items.into_iter().enumerate() {
            let name = item
                .get("id")
                .and_then(Value::as_str)
                .map_or(format!("[{index}]"), str::to_owned);
            let problems = lint::app(&item);
            if !problems.is_empty() {
                invalid.extend(problems.iter().map(|p| format!("module {module}, app {name}: {p}")));
                continue;
            }
            let app = resolve(item, &group, &mut seen).map_err(bad)?;
            apps.push(app);
        }
        desired.modules.insert(module.clone(), apps);
    }
    if invalid.is_empty() {
        Ok(desired)
    } else {
        Err(AppsError::Invalid(invalid))
    }
}

/// One linted app: its id made absolute within the module's group, and NGP's own rules checked.
fn resolve(item: Value, group: &PathId, seen: &mut BTreeSet<PathId>) -> Result<App, String> {
    let mut app: App = serde_json::from_value(item).map_err(|e| format!("an app: {e}"))?;
    let id = PathId::parse_app(&app.id, group).map_err(|e| format!("app id {:?}: {e}", app.id))?;
    if id.parent() != *group {
        return Err(format!(
            "app id {:?} resolves to {id}, outside the module's group {group}: use a plain name",
            app.id
        ));
    }
    if !seen.insert(id.clone()) {
        return Err(format!("app {id} appears twice"));
    }
    if app.version.is_some() {
        return Err(format!(
            "app {id} sets version, which Marathon takes for a rollback: remove it"
        ));
    }
    let non_empty = |key: &str| {
        app.fields
            .get(key)
            .and_then(Value::as_array)
            .is_some_and(|l| !l.is_empty())
    };
    if non_empty("uris") && non_empty("fetch") {
        return Err(format!("app {id} sets both uris and fetch: use fetch"));
    }
    if let Some(kind) = app.labels.as_ref().and_then(|l| l.get(PER_AGENT_LABEL)) {
        if kind != "private" && kind != "public" {
            return Err(format!(
                "app {id}: label {PER_AGENT_LABEL} must be \"private\" or \"public\", not {kind:?}"
            ));
        }
    }
    app.id = id.to_string();
    marathons_forms(&mut app, group);
    Ok(app)
}

/// Writes the app in the forms Marathon reports, so that the live app compares equal: deprecated `uris` and
/// `ports` become `fetch` and `portDefinitions`, and dependencies are absolute.
fn marathons_forms(app: &mut App, group: &PathId) {
    let mut convert = |old: &str, new: &str, item: fn(Value) -> Value| {
        if let Some(Value::Array(list)) = app.fields.remove(old) {
            app.fields
                .insert(new.to_owned(), Value::Array(list.into_iter().map(item).collect()));
        }
    };
    convert("uris", "fetch", |uri| serde_json::json!({ "uri": uri }));
    convert("ports", "portDefinitions", |port| serde_json::json!({ "port": port }));
    if let Some(Value::Array(deps)) = app.fields.get_mut("dependencies") {
        for dep in deps.iter_mut() {
            if let Some(id) = dep.as_str().and_then(|d| PathId::parse_relative(d, group).ok()) {
                *dep = Value::String(id.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn outputs(module: &str, apps: Value) -> BTreeMap<String, BTreeMap<String, Value>> {
        BTreeMap::from([(module.to_owned(), BTreeMap::from([(MARATHON_APPS.to_owned(), apps)]))])
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

    #[test]
    fn every_invalid_app_is_named_and_none_is_kept() {
        let mut all = outputs("m", json!([{"id": "a", "instaces": 1}, {"id": "ok"}]));
        all.extend(outputs("n", json!([{"id": "b", "killSelection": "RANDOM"}])));
        let err = collect(&all).unwrap_err().to_string();
        assert_eq!(
            err,
            "2 problems in the apps, nothing deployed:\n  \
             module m, app a: instaces: unknown key; did you mean \"instances\"?\n  \
             module n, app b: killSelection: \"RANDOM\" is not one of YOUNGEST_FIRST, OLDEST_FIRST"
        );
    }

    #[test]
    fn fields_no_type_models_are_kept() {
        let app =
            json!({"id": "a", "killSelection": "OLDEST_FIRST", "residency": {"taskLostBehavior": "WAIT_FOREVER"}});
        let desired = collect(&outputs("m", json!([app]))).unwrap();
        let kept = serde_json::to_value(&desired.modules["m"][0]).unwrap();
        assert_eq!(kept["killSelection"], json!("OLDEST_FIRST"));
        assert_eq!(kept["residency"], json!({"taskLostBehavior": "WAIT_FOREVER"}));
    }
}

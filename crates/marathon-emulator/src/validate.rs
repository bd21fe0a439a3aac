//! Request bodies, checked as Marathon checks them: 400 for malformed JSON, 422 with `details` for invalid
//! definitions (ids, reserved names, `uris` with `fetch`, a `version` beside other fields, cyclic dependencies,
//! wrongly typed fields). Unknown fields are accepted, as the server accepts them.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ngp_marathon::{PathId, RESPONSE_ONLY_APP_FIELDS};
use serde_json::{json, Map, Value};

use crate::state::Change;

/// An error answer: a status and Marathon's JSON body.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Value,
}

impl ApiError {
    pub fn invalid(details: Vec<(String, String)>) -> Self {
        let mut by_path: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (path, error) in details {
            by_path.entry(path).or_default().push(error);
        }
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: json!({
                "message": "Object is not valid",
                "details": by_path.into_iter().map(|(path, errors)| json!({"path": path, "errors": errors})).collect::<Vec<_>>(),
            }),
        }
    }

    pub fn one(path: &str, error: impl Into<String>) -> Self {
        Self::invalid(vec![(path.to_owned(), error.into())])
    }

    pub fn message(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: json!({ "message": message.into() }),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::message(StatusCode::NOT_FOUND, message)
    }

    pub fn bad_json(details: String) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: json!({ "message": "Invalid JSON", "details": details }),
        }
    }

    pub fn locked(deployments: &[String]) -> Self {
        ApiError {
            status: StatusCode::CONFLICT,
            body: json!({
                "message": format!(
                    "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/{}'.",
                    deployments.join(",")
                ),
                "deployments": deployments.iter().map(|id| json!({"id": id})).collect::<Vec<_>>(),
            }),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}

/// Parses a request body, or answers 400 as Marathon does.
pub fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::bad_json(e.to_string()))
}

fn expect_object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, ApiError> {
    value
        .as_object()
        .ok_or_else(|| ApiError::one(path, "must be a JSON object"))
}

/// Checks one app definition and returns it normalised: absolute id (relative ids resolve against `base`),
/// absolute dependencies, `uris` turned into `fetch`, response-only fields dropped. `prefix` locates the app in
/// the request body for error paths (e.g. `/apps(0)`).
pub fn app(
    value: &Value,
    base: &PathId,
    prefix: &str,
    id_from_path: Option<&PathId>,
) -> Result<(PathId, Map<String, Value>), ApiError> {
    let obj = expect_object(value, if prefix.is_empty() { "/" } else { prefix })?;
    let mut errors: Vec<(String, String)> = Vec::new();
    let at = |field: &str| format!("{prefix}/{field}");

    let id = match (obj.get("id"), id_from_path) {
        (_, Some(id)) => Some(id.clone()),
        (Some(Value::String(text)), None) => match PathId::parse_app(text, base) {
            Ok(id) => Some(id),
            Err(e) => {
                errors.push((at("id"), e.to_string()));
                None
            }
        },
        (Some(_), None) => {
            errors.push((at("id"), "must be a string".into()));
            None
        }
        (None, None) => {
            errors.push((at("id"), "is required".into()));
            None
        }
    };

    // Typed fields: a wrongly typed value is a 422 naming the field (the typed model is the check).
    let mut def = obj.clone();
    for field in RESPONSE_ONLY_APP_FIELDS {
        def.remove(*field);
    }
    def.remove("id");
    let mut probe = def.clone();
    probe.insert("id".into(), json!("/probe"));
    if let Err(e) = serde_json::from_value::<ngp_marathon::App>(Value::Object(probe)) {
        errors.push((prefix_or_root(prefix), e.to_string()));
    }
    for (field, minimum) in [("instances", 0.0), ("cpus", 0.0), ("mem", 0.0), ("disk", 0.0)] {
        if let Some(n) = def.get(field).and_then(Value::as_f64) {
            if n < minimum {
                errors.push((at(field), format!("must be >= {minimum}")));
            }
        }
    }

    let non_empty = |v: Option<&Value>| v.and_then(Value::as_array).is_some_and(|a| !a.is_empty());
    if non_empty(def.get("uris")) && non_empty(def.get("fetch")) {
        errors.push((
            prefix_or_root(prefix),
            "AppDefinition must not set both uris and fetch".into(),
        ));
    } else if non_empty(def.get("uris")) {
        let fetch: Vec<Value> = def["uris"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| json!({ "uri": u }))
            .collect();
        def.insert("fetch".into(), Value::Array(fetch));
    }
    def.remove("uris");

    let app_base = id.as_ref().map(|i| i.parent()).unwrap_or_else(|| base.clone());
    if let Some(deps) = def.get("dependencies").and_then(Value::as_array).cloned() {
        let mut resolved = Vec::new();
        for (i, dep) in deps.iter().enumerate() {
            match dep.as_str().map(|d| PathId::parse_relative(d, &app_base)) {
                Some(Ok(d)) => resolved.push(json!(d.to_string())),
                Some(Err(e)) => errors.push((format!("{}({i})", at("dependencies")), e.to_string())),
                None => errors.push((format!("{}({i})", at("dependencies")), "must be a string".into())),
            }
        }
        def.insert("dependencies".into(), Value::Array(resolved));
    }

    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let id = id.expect("no errors means an id");
    def.insert("id".into(), json!(id.to_string()));
    Ok((id, def))
}

fn prefix_or_root(prefix: &str) -> String {
    if prefix.is_empty() {
        "/".into()
    } else {
        prefix.into()
    }
}

/// An update of an existing app: a `version` means a rollback, and then nothing but `id` may be beside it.
pub fn rollback_version(value: &Value) -> Result<Option<String>, ApiError> {
    let Some(obj) = value.as_object() else {
        return Ok(None);
    };
    let Some(version) = obj.get("version") else {
        return Ok(None);
    };
    if obj.keys().any(|k| k != "version" && k != "id") {
        return Err(ApiError::one(
            "/",
            "The 'version' field may only be combined with the 'id' field.",
        ));
    }
    Ok(version.as_str().map(str::to_owned))
}

/// Flattens a group update into app changes below `group_id`: every app in the body, and removal of every
/// live app of the subtree that the body no longer holds. Also returns the sub-groups the body names.
pub fn group(
    value: &Value,
    group_id: &PathId,
    live_apps: &BTreeSet<PathId>,
) -> Result<(Vec<Change>, Vec<PathId>), ApiError> {
    let mut changes = Vec::new();
    let mut groups = vec![group_id.clone()];
    collect_group(value, group_id, "", &mut changes, &mut groups)?;
    check_cycles(value, group_id, &changes)?;
    let kept: BTreeSet<PathId> = changes.iter().map(|(id, _)| id.clone()).collect();
    for live in live_apps
        .iter()
        .filter(|a| a.starts_with(group_id) && !kept.contains(a))
    {
        changes.push((live.clone(), None));
    }
    Ok((changes, groups))
}

fn collect_group(
    value: &Value,
    group_id: &PathId,
    prefix: &str,
    changes: &mut Vec<Change>,
    groups: &mut Vec<PathId>,
) -> Result<(), ApiError> {
    let obj = expect_object(value, &prefix_or_root(prefix))?;
    let mut errors = Vec::new();
    if let Some(apps) = obj.get("apps") {
        let Some(apps) = apps.as_array() else {
            return Err(ApiError::one(&format!("{prefix}/apps"), "must be an array"));
        };
        for (i, app_value) in apps.iter().enumerate() {
            let at = format!("{prefix}/apps({i})");
            match app(app_value, group_id, &at, None) {
                Ok((id, def)) if id.parent() == *group_id => changes.push((id, Some(def))),
                Ok((id, _)) => errors.push((format!("{at}/id"), format!("{id} is not a child of group {group_id}"))),
                Err(e) => return Err(e),
            }
        }
    }
    if let Some(subgroups) = obj.get("groups") {
        let Some(subgroups) = subgroups.as_array() else {
            return Err(ApiError::one(&format!("{prefix}/groups"), "must be an array"));
        };
        for (i, sub) in subgroups.iter().enumerate() {
            let at = format!("{prefix}/groups({i})");
            let sub_id = match sub
                .get("id")
                .and_then(Value::as_str)
                .map(|t| PathId::parse_relative(t, group_id))
            {
                Some(Ok(id)) if id.parent() == *group_id => id,
                Some(Ok(id)) => {
                    errors.push((format!("{at}/id"), format!("{id} is not a child of group {group_id}")));
                    continue;
                }
                Some(Err(e)) => {
                    errors.push((format!("{at}/id"), e.to_string()));
                    continue;
                }
                None => {
                    errors.push((format!("{at}/id"), "is required".into()));
                    continue;
                }
            };
            groups.push(sub_id.clone());
            collect_group(sub, &sub_id, &at, changes, groups)?;
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(errors))
    }
}

/// `Dependency graph has cyclic dependencies.` when the apps' dependencies (and their groups') form a cycle.
fn check_cycles(value: &Value, group_id: &PathId, changes: &[Change]) -> Result<(), ApiError> {
    let mut edges: BTreeMap<PathId, Vec<PathId>> = BTreeMap::new();
    for (id, def) in changes {
        let deps = def
            .as_ref()
            .and_then(|d| d.get("dependencies"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|d| d.as_str().and_then(|s| PathId::parse(s).ok()))
                    .collect()
            })
            .unwrap_or_default();
        edges.insert(id.clone(), deps);
    }
    collect_group_deps(value, group_id, &mut edges);
    // Depth-first search with colours; a dependency on a group means every app below it.
    let ids: Vec<PathId> = edges.keys().cloned().collect();
    let expand = |target: &PathId| -> Vec<PathId> { ids.iter().filter(|i| i.starts_with(target)).cloned().collect() };
    let mut state: BTreeMap<PathId, u8> = BTreeMap::new();
    fn visit(
        node: &PathId,
        edges: &BTreeMap<PathId, Vec<PathId>>,
        expand: &dyn Fn(&PathId) -> Vec<PathId>,
        state: &mut BTreeMap<PathId, u8>,
    ) -> bool {
        match state.get(node) {
            Some(1) => return true,
            Some(2) => return false,
            _ => {}
        }
        state.insert(node.clone(), 1);
        for dep in edges.get(node).into_iter().flatten() {
            for target in expand(dep) {
                if target != *node && visit(&target, edges, expand, state) {
                    return true;
                }
            }
        }
        state.insert(node.clone(), 2);
        false
    }
    for id in &ids {
        if visit(id, &edges, &expand, &mut state) {
            return Err(ApiError::one("/", "Dependency graph has cyclic dependencies."));
        }
    }
    Ok(())
}

/// A group's `dependencies` apply to every app in it.
fn collect_group_deps(value: &Value, group_id: &PathId, edges: &mut BTreeMap<PathId, Vec<PathId>>) {
    let deps: Vec<PathId> = value
        .get("dependencies")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|d| d.as_str().and_then(|s| PathId::parse_relative(s, group_id).ok()))
                .collect()
        })
        .unwrap_or_default();
    if !deps.is_empty() {
        for (id, list) in edges.iter_mut() {
            if id.starts_with(group_id) {
                list.extend(deps.iter().cloned());
            }
        }
    }
    for sub in value.get("groups").and_then(Value::as_array).into_iter().flatten() {
        if let Some(Ok(sub_id)) = sub
            .get("id")
            .and_then(Value::as_str)
            .map(|t| PathId::parse_relative(t, group_id))
        {
            collect_group_deps(sub, &sub_id, edges);
        }
    }
}

/// Marathon's defaults, filled in where the definition is silent, as Marathon 1.11 reports them. (Earlier
/// releases had other defaults, e.g. `maxLaunchDelaySeconds` 3600: a reconciler must not compare them.)
pub fn with_defaults(id: &PathId, def: &Map<String, Value>) -> Map<String, Value> {
    let mut out = def.clone();
    // Port 0 asks Marathon for a service port; it reports the one it chose (stable per app here).
    let offset = id.to_string().bytes().fold(0u64, |h, b| (h * 31 + u64::from(b)) % 5000) * 4;
    if let Some(Value::Array(ports)) = out.get_mut("portDefinitions") {
        for (i, port) in ports.iter_mut().enumerate() {
            if port.get("port").and_then(Value::as_u64) == Some(0) {
                port["port"] = json!(10000 + offset + i as u64);
            }
        }
    }
    let defaults = [
        ("instances", json!(1)),
        ("cpus", json!(1.0)),
        ("mem", json!(128.0)),
        ("disk", json!(0)),
        ("gpus", json!(0)),
        ("executor", json!("")),
        ("backoffSeconds", json!(1)),
        ("backoffFactor", json!(1.15)),
        ("maxLaunchDelaySeconds", json!(300)),
        ("constraints", json!([])),
        ("env", json!({})),
        ("labels", json!({})),
        ("fetch", json!([])),
        ("dependencies", json!([])),
        ("healthChecks", json!([])),
        ("readinessChecks", json!([])),
        ("secrets", json!({})),
        ("requirePorts", json!(false)),
        ("killSelection", json!("YOUNGEST_FIRST")),
        (
            "upgradeStrategy",
            json!({"minimumHealthCapacity": 1, "maximumOverCapacity": 1}),
        ),
        (
            "unreachableStrategy",
            json!({"inactiveAfterSeconds": 0, "expungeAfterSeconds": 0}),
        ),
        ("networks", json!([{"mode": "host"}])),
    ];
    for (key, value) in defaults {
        if !out.contains_key(key) {
            out.insert(key.into(), value);
        }
    }
    let bridged = out.get("container").and_then(|c| c.get("portMappings")).is_some();
    if !out.contains_key("portDefinitions") && !bridged {
        out.insert(
            "portDefinitions".into(),
            json!([{"port": 10000, "protocol": "tcp", "name": "default"}]),
        );
    }
    out
}

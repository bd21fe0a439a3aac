//! Request bodies, checked as Marathon checks them: 400 for malformed JSON, 422 with `details` for invalid
//! definitions (ids, reserved names, `uris` with `fetch`, a `version` beside other fields, cyclic dependencies,
//! wrongly typed or out-of-range fields, each named by its path). Unknown fields are ignored, as the server
//! ignores them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::ids::Id;
use crate::model::AppDef;
use crate::state::{Change, GroupMeta};

/// Parses a request body, or answers 400 as Marathon does.
pub fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::bad_json(e.to_string()))
}

fn expect_object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, ApiError> {
    value
        .as_object()
        .ok_or_else(|| ApiError::one(path, "must be a JSON object"))
}

/// Checks one app definition and returns it read: absolute id (relative ids resolve against `base`), absolute
/// dependencies, Marathon's defaults filled in. `prefix` locates the app in the request body for error paths
/// (e.g. `/apps(0)`).
pub fn app(value: &Value, base: &Id, prefix: &str, id_from_path: Option<&Id>) -> Result<(Id, AppDef), ApiError> {
    let obj = expect_object(value, &prefix_or_root(prefix))?;
    let at = |field: &str| format!("{prefix}/{field}");
    let mut errors: Vec<(String, String)> = Vec::new();
    let id = match (obj.get("id"), id_from_path) {
        (_, Some(id)) => Some(id.clone()),
        (Some(Value::String(text)), None) => Id::app(text, base).map_err(|e| errors.push((at("id"), e))).ok(),
        (Some(_), None) => {
            errors.push((at("id"), "must be a string".into()));
            None
        }
        (None, None) => {
            errors.push((at("id"), "is required".into()));
            None
        }
    };
    let non_empty = |key: &str| obj.get(key).and_then(Value::as_array).is_some_and(|a| !a.is_empty());
    if non_empty("uris") && non_empty("fetch") {
        errors.push((
            prefix_or_root(prefix),
            "AppDefinition must not set both uris and fetch".into(),
        ));
    }
    let mut body = obj.clone();
    body.remove("id");
    let mut def = match AppDef::read(&Value::Object(body)) {
        Ok(def) => Some(def),
        Err(problems) => {
            errors.extend(problems.into_iter().map(|(path, e)| (format!("{prefix}{path}"), e)));
            None
        }
    };
    let app_base = id.as_ref().map(Id::parent).unwrap_or_else(|| base.clone());
    if let Some(def) = def.as_mut() {
        for (i, dep) in def.dependencies.iter_mut().enumerate() {
            match Id::resolve(dep, &app_base) {
                Ok(d) => *dep = d.to_string(),
                Err(e) => errors.push((format!("{}({i})", at("dependencies")), e)),
            }
        }
    }
    match (id, def) {
        (Some(id), Some(mut def)) if errors.is_empty() => {
            def.id = id.to_string();
            def.choose_ports(&def.id.clone());
            Ok((id, def))
        }
        _ => Err(ApiError::invalid(errors)),
    }
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

/// A group update read: the app changes below the group (every app in the body, and the removal of every live
/// app of the subtree that the body no longer holds) and every group the body names, with its own fields.
pub struct GroupUpdate {
    pub changes: Vec<Change>,
    pub groups: Vec<(Id, GroupMeta)>,
}

pub fn group(value: &Value, group_id: &Id, live_apps: &BTreeSet<Id>) -> Result<GroupUpdate, ApiError> {
    let mut update = GroupUpdate {
        changes: Vec::new(),
        groups: Vec::new(),
    };
    read_group(value, group_id, "", &mut update)?;
    check_cycles(&update)?;
    let kept: BTreeSet<Id> = update.changes.iter().map(|(id, _)| id.clone()).collect();
    for live in live_apps.iter().filter(|a| a.within(group_id) && !kept.contains(a)) {
        update.changes.push((live.clone(), None));
    }
    Ok(update)
}

fn read_group(value: &Value, group_id: &Id, prefix: &str, update: &mut GroupUpdate) -> Result<(), ApiError> {
    let obj = expect_object(value, &prefix_or_root(prefix))?;
    let mut errors = Vec::new();
    if obj.get("pods").and_then(Value::as_array).is_some_and(|p| !p.is_empty()) {
        return Err(ApiError::one(
            &format!("{prefix}/pods"),
            "pods are not emulated: use apps",
        ));
    }
    let meta = group_meta(obj, group_id, prefix, &mut errors);
    update.groups.push((group_id.clone(), meta));
    for (i, app_value) in list(obj, "apps", prefix)?.iter().enumerate() {
        let at = format!("{prefix}/apps({i})");
        let (id, def) = app(app_value, group_id, &at, None)?;
        if id.parent() == *group_id {
            update.changes.push((id, Some(def)));
        } else {
            errors.push((format!("{at}/id"), format!("{id} is not a child of group {group_id}")));
        }
    }
    for (i, sub) in list(obj, "groups", prefix)?.iter().enumerate() {
        let at = format!("{prefix}/groups({i})");
        match sub.get("id").and_then(Value::as_str).map(|t| Id::resolve(t, group_id)) {
            Some(Ok(id)) if id.parent() == *group_id => read_group(sub, &id, &at, update)?,
            Some(Ok(id)) => errors.push((format!("{at}/id"), format!("{id} is not a child of group {group_id}"))),
            Some(Err(e)) => errors.push((format!("{at}/id"), e)),
            None => errors.push((format!("{at}/id"), "is required".into())),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(errors))
    }
}

fn list<'a>(obj: &'a Map<String, Value>, key: &str, prefix: &str) -> Result<&'a [Value], ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(ApiError::one(&format!("{prefix}/{key}"), "must be an array")),
    }
}

/// A group's own fields: its dependencies (made absolute) and `enforceRole`.
fn group_meta(obj: &Map<String, Value>, id: &Id, prefix: &str, errors: &mut Vec<(String, String)>) -> GroupMeta {
    let mut meta = GroupMeta::default();
    for (i, dep) in obj
        .get("dependencies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        match dep.as_str().map(|d| Id::resolve(d, id)) {
            Some(Ok(d)) => meta.dependencies.push(d),
            Some(Err(e)) => errors.push((format!("{prefix}/dependencies({i})"), e)),
            None => errors.push((format!("{prefix}/dependencies({i})"), "must be a string".into())),
        }
    }
    match obj.get("enforceRole") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => meta.enforce_role = Some(*b),
        Some(_) => errors.push((format!("{prefix}/enforceRole"), "must be a boolean".into())),
    }
    meta
}

/// `Dependency graph has cyclic dependencies.` when the apps' dependencies (and their groups') form a cycle. A
/// dependency on a group means every app below it.
fn check_cycles(update: &GroupUpdate) -> Result<(), ApiError> {
    let mut edges: BTreeMap<&Id, Vec<Id>> = BTreeMap::new();
    for (id, def) in &update.changes {
        let own = def
            .iter()
            .flat_map(|d| &d.dependencies)
            .filter_map(|d| Id::absolute(d).ok());
        let inherited = update
            .groups
            .iter()
            .filter(|(g, _)| id.within(g))
            .flat_map(|(_, meta)| meta.dependencies.iter().cloned());
        edges.insert(id, own.chain(inherited).collect());
    }
    let apps: Vec<&Id> = edges.keys().copied().collect();
    // Kahn's algorithm: whatever cannot be ordered lies on a cycle.
    let targets = |id: &Id| -> Vec<&Id> {
        edges[id]
            .iter()
            .flat_map(|dep| apps.iter().copied().filter(move |a| a.within(dep)))
            .filter(|a| *a != id)
            .collect()
    };
    let mut pending: BTreeMap<&Id, usize> = apps.iter().map(|a| (*a, targets(a).len())).collect();
    loop {
        let ready: Vec<&Id> = pending.iter().filter(|(_, n)| **n == 0).map(|(a, _)| *a).collect();
        if ready.is_empty() {
            break;
        }
        for done in ready {
            pending.remove(done);
            for (app, count) in pending.iter_mut() {
                *count -= targets(app).iter().filter(|t| **t == done).count();
            }
        }
    }
    if pending.is_empty() {
        Ok(())
    } else {
        Err(ApiError::one("/", "Dependency graph has cyclic dependencies."))
    }
}

//! `/v2/groups`: the tree with its apps, sub-groups and dependencies; create or replace a subtree in one
//! deployment (or a dry run of it); delete a subtree.

use std::collections::BTreeSet;

use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxumState};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::ids::Id;
use crate::state::State;
use crate::validate;
use crate::{method_not_allowed, parse_id, with_deployment_header, Flags, Result, Shared};

pub async fn root(shared: AxumState<Shared>, method: Method, flags: Query<Flags>, body: Bytes) -> Result<Response> {
    request(shared, method, Id::root(), flags, body)
}

pub async fn group(
    shared: AxumState<Shared>,
    method: Method,
    Path(raw): Path<String>,
    flags: Query<Flags>,
    body: Bytes,
) -> Result<Response> {
    request(shared, method, parse_id(&raw, "group")?, flags, body)
}

fn request(
    AxumState(shared): AxumState<Shared>,
    method: Method,
    path_id: Id,
    Query(flags): Query<Flags>,
    body: Bytes,
) -> Result<Response> {
    let mut state = shared.lock(&method);
    match method {
        Method::GET => {
            if !state.group_exists(&path_id) {
                return Err(ApiError::not_found(format!("Group '{path_id}' does not exist")));
            }
            Ok(Json(state.group_json(&path_id)).into_response())
        }
        Method::PUT | Method::POST => update(&mut state, method == Method::POST, &path_id, &flags, &body),
        Method::DELETE => delete(&mut state, &path_id, flags.force.unwrap_or(false)),
        _ => Err(method_not_allowed()),
    }
}

/// Which group a PUT or POST writes: POST creates the group named in the body below the path; PUT writes the
/// path's group, and an id in its body must still be valid.
fn target(post: bool, path_id: &Id, obj: &Map<String, Value>) -> Result<Id> {
    let named = obj.get("id").and_then(Value::as_str);
    match (post, named) {
        (true, Some(text)) => Id::resolve(text, path_id).map_err(|e| ApiError::one("/id", e)),
        (true, None) => Err(ApiError::one("/id", "is required")),
        (false, Some(text)) => Id::resolve(text, &path_id.parent())
            .map(|_| path_id.clone())
            .map_err(|e| ApiError::one("/id", e)),
        (false, None) => Ok(path_id.clone()),
    }
}

fn update(state: &mut State, post: bool, path_id: &Id, flags: &Flags, body: &[u8]) -> Result<Response> {
    let value = validate::parse_json(body)?;
    let obj = value
        .as_object()
        .ok_or_else(|| ApiError::one("/", "must be a JSON object"))?;
    let only_control = obj.keys().all(|k| k == "id" || k == "version" || k == "scaleBy");
    if only_control && (obj.contains_key("version") || obj.contains_key("scaleBy")) {
        let message = "group rollback and scaleBy are not emulated";
        return Err(ApiError::message(StatusCode::UNPROCESSABLE_ENTITY, message));
    }
    let group_id = target(post, path_id, obj)?;
    if post && state.group_exists(&group_id) && !group_id.is_root() {
        let message = format!("A group with id [{group_id}] already exists.");
        return Err(ApiError::message(StatusCode::CONFLICT, message));
    }
    let live: BTreeSet<Id> = state.apps.keys().cloned().collect();
    let update = validate::group(&value, &group_id, &live)?;
    if flags.dry_run.unwrap_or(false) {
        return Ok(Json(dry_run(state, &update.changes)).into_response());
    }
    let result = state.deploy(update.changes, flags.force.unwrap_or(false))?;
    state.groups.retain(|g, _| !g.within(&group_id));
    let version = result["version"].as_str().unwrap_or_default().to_owned();
    for (id, meta) in update.groups.into_iter().filter(|(g, _)| !g.is_root()) {
        state.group_versions.insert(id.clone(), version.clone());
        state.groups.insert(id, meta);
    }
    let mut ancestor = group_id.parent();
    while !ancestor.is_root() {
        state.groups.entry(ancestor.clone()).or_default();
        ancestor = ancestor.parent();
    }
    let status = if post { StatusCode::CREATED } else { StatusCode::OK };
    Ok(with_deployment_header(status, result, None))
}

/// The steps a group update would take, without taking them.
fn dry_run(state: &State, changes: &[crate::state::Change]) -> Value {
    let steps: Vec<Value> = changes
        .iter()
        .filter(|c| state.changes_anything(c))
        .map(|(id, def)| {
            let action = match (state.apps.contains_key(id), def) {
                (false, _) => "StartApplication",
                (true, None) => "StopApplication",
                (true, Some(_)) => "RestartApplication",
            };
            json!({"actions": [{"action": action, "app": id.to_string()}]})
        })
        .collect();
    json!({ "steps": steps })
}

fn delete(state: &mut State, path_id: &Id, force: bool) -> Result<Response> {
    if !state.group_exists(path_id) {
        return Err(ApiError::not_found(format!("Group '{path_id}' does not exist")));
    }
    let changes = state
        .apps
        .keys()
        .filter(|a| a.within(path_id))
        .map(|a| (a.clone(), None))
        .collect();
    let result = state.deploy(changes, force)?;
    state.groups.retain(|g, _| !g.within(path_id));
    state.group_versions.retain(|g, _| !g.within(path_id));
    Ok(with_deployment_header(StatusCode::OK, result, None))
}

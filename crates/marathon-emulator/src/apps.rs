//! `/v2/apps`: list, create, update (partial or whole, one app or several), delete, restart, versions, tasks.

use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State as AxumState};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::ids::Id;
use crate::model::AppDef;
use crate::query::AppQuery;
use crate::state::State;
use crate::validate;
use crate::{method_not_allowed, parse_id, with_deployment_header, Flags, Result, Shared};

pub async fn apps(
    AxumState(shared): AxumState<Shared>,
    method: Method,
    Query(flags): Query<Flags>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response> {
    let mut state = shared.lock(&method);
    let force = flags.force.unwrap_or(false);
    match method {
        Method::GET => list(&state, &AppQuery::parse(raw.as_deref())?),
        Method::POST => {
            let value = validate::parse_json(&body)?;
            let (id, def) = validate::app(&value, &Id::root(), "", None)?;
            if state.apps.contains_key(&id) {
                let message = format!("An app with id [{id}] already exists.");
                return Err(ApiError::message(StatusCode::CONFLICT, message));
            }
            if state.group_exists(&id) {
                return Err(ApiError::one("/id", format!("{id} is already a group")));
            }
            state.deploy(vec![(id.clone(), Some(def))], force)?;
            let app = state.app_json(&id).unwrap_or_default();
            Ok(with_deployment_header(
                StatusCode::CREATED,
                app,
                Some(format!("/v2/apps{id}")),
            ))
        }
        Method::PUT | Method::PATCH => {
            let value = validate::parse_json(&body)?;
            let items = value
                .as_array()
                .ok_or_else(|| ApiError::one("/", "expected an array of apps"))?;
            let partial = method == Method::PATCH || flags.partial_update.unwrap_or(true);
            let mut changes = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let id_text = item.get("id").and_then(Value::as_str).unwrap_or("");
                let existing = Id::absolute(id_text).ok().and_then(|id| stored(&state, &id));
                if method == Method::PATCH && existing.is_none() {
                    return Err(ApiError::not_found(format!("App '{id_text}' does not exist")));
                }
                let merged = merge(existing, item, partial);
                let (id, def) = validate::app(&merged, &Id::root(), &format!("({i})"), None)?;
                changes.push((id, Some(def)));
            }
            let result = state.deploy(changes, force)?;
            Ok(with_deployment_header(StatusCode::OK, result, None))
        }
        _ => Err(method_not_allowed()),
    }
}

/// `GET /v2/apps`: the apps that pass the query's filters, with the embeds it asks for.
fn list(state: &State, query: &AppQuery) -> Result<Response> {
    let mut apps = Vec::new();
    for id in state.apps.keys() {
        let Some(mut app) = state.app_json(id).filter(|a| query.matches(a)) else {
            continue;
        };
        if query.embeds_tasks() {
            app["tasks"] = Value::Array(state.tasks_json(Some(id)));
        }
        apps.push(app);
    }
    Ok(Json(json!({ "apps": apps })).into_response())
}

/// A stored definition as JSON, to merge a partial update over.
fn stored(state: &State, id: &Id) -> Option<Map<String, Value>> {
    let app = state.apps.get(id)?;
    match serde_json::to_value(&app.def) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// The body of an update, merged over the existing definition when the update is partial.
fn merge(existing: Option<Map<String, Value>>, update: &Value, partial: bool) -> Value {
    match (existing, update.as_object(), partial) {
        (Some(mut merged), Some(new), true) => {
            merged.extend(new.clone());
            Value::Object(merged)
        }
        _ => update.clone(),
    }
}

/// What the path below `/v2/apps/` names: the app itself, or one of its sub-resources.
enum Target<'a> {
    App(&'a str),
    Restart(&'a str),
    Versions(&'a str, Option<&'a str>),
    Tasks(&'a str, Option<&'a str>),
}

fn target(raw: &str) -> Target<'_> {
    if let Some(app) = raw.strip_suffix("/restart") {
        return Target::Restart(app);
    }
    for (marker, tasks) in [("/versions", false), ("/tasks", true)] {
        if let Some(app) = raw.strip_suffix(marker) {
            return if tasks {
                Target::Tasks(app, None)
            } else {
                Target::Versions(app, None)
            };
        }
        if let Some((app, rest)) = raw.rsplit_once(&format!("{marker}/")) {
            if !rest.contains('/') {
                return if tasks {
                    Target::Tasks(app, Some(rest))
                } else {
                    Target::Versions(app, Some(rest))
                };
            }
        }
    }
    Target::App(raw)
}

pub async fn app(
    AxumState(shared): AxumState<Shared>,
    method: Method,
    Path(raw): Path<String>,
    Query(flags): Query<Flags>,
    body: Bytes,
) -> Result<Response> {
    let mut state = shared.lock(&method);
    match target(&raw) {
        Target::App(text) => one_app(&mut state, method, &parse_id(text, "app")?, &flags, &body),
        Target::Restart(text) if method == Method::POST => {
            let id = existing(&state, text)?;
            let result = state.restart(vec![id], flags.force.unwrap_or(false))?;
            Ok(with_deployment_header(StatusCode::OK, result, None))
        }
        Target::Versions(text, version) if method == Method::GET => versions(&state, &existing(&state, text)?, version),
        Target::Tasks(text, task) => {
            let id = existing(&state, text)?;
            match method {
                Method::GET => Ok(Json(json!({ "tasks": state.tasks_json(Some(&id)) })).into_response()),
                Method::DELETE => crate::misc::kill(&mut state, &id, task, flags.scale.unwrap_or(false)),
                _ => Err(method_not_allowed()),
            }
        }
        _ => Err(method_not_allowed()),
    }
}

fn existing(state: &State, text: &str) -> Result<Id> {
    let id = parse_id(text, "app")?;
    if state.apps.contains_key(&id) {
        Ok(id)
    } else {
        Err(ApiError::not_found(format!("App '{id}' does not exist")))
    }
}

fn versions(state: &State, id: &Id, version: Option<&str>) -> Result<Response> {
    let app = &state.apps[id];
    let Some(wanted) = version else {
        let all: Vec<&String> = std::iter::once(&app.version)
            .chain(app.versions.iter().map(|(v, _)| v))
            .collect();
        return Ok(Json(json!({ "versions": all })).into_response());
    };
    let def: Option<&AppDef> = if wanted == app.version {
        Some(&app.def)
    } else {
        app.versions.iter().find(|(v, _)| v == wanted).map(|(_, d)| d)
    };
    let def = def.ok_or_else(|| ApiError::not_found(format!("App '{id}' does not exist in version {wanted}")))?;
    let mut out = serde_json::to_value(def).unwrap_or_default();
    out["version"] = json!(wanted);
    Ok(Json(out).into_response())
}

fn one_app(state: &mut State, method: Method, id: &Id, flags: &Flags, body: &[u8]) -> Result<Response> {
    let force = flags.force.unwrap_or(false);
    match method {
        Method::GET => state
            .app_json(id)
            .map(|app| Json(json!({ "app": app })).into_response())
            .ok_or_else(|| ApiError::not_found(format!("App '{id}' does not exist"))),
        Method::PUT | Method::PATCH => {
            let value = validate::parse_json(body)?;
            let existing = stored(state, id);
            if method == Method::PATCH && existing.is_none() {
                return Err(ApiError::not_found(format!("App '{id}' does not exist")));
            }
            if let Some(version) = validate::rollback_version(&value)? {
                let app = state
                    .apps
                    .get(id)
                    .ok_or_else(|| ApiError::not_found(format!("App '{id}' does not exist")))?;
                let Some((_, def)) = app.versions.iter().find(|(v, _)| *v == version).cloned() else {
                    return Err(ApiError::not_found(format!(
                        "Version '{version}' of app '{id}' does not exist"
                    )));
                };
                let result = state.deploy(vec![(id.clone(), Some(def))], force)?;
                return Ok(with_deployment_header(StatusCode::OK, result, None));
            }
            let created = existing.is_none();
            let partial = method == Method::PATCH || flags.partial_update.unwrap_or(true);
            let (id, def) = validate::app(&merge(existing, &value, partial), &id.parent(), "", Some(id))?;
            let result = state.deploy(vec![(id.clone(), Some(def))], force)?;
            let status = if created { StatusCode::CREATED } else { StatusCode::OK };
            Ok(with_deployment_header(
                status,
                result,
                created.then(|| format!("/v2/apps{id}")),
            ))
        }
        Method::DELETE => {
            if !state.apps.contains_key(id) {
                return Err(ApiError::not_found(format!("App '{id}' does not exist")));
            }
            // Marathon's app delete forces by default.
            let result = state.deploy(vec![(id.clone(), None)], flags.force.unwrap_or(true))?;
            Ok(with_deployment_header(StatusCode::OK, result, None))
        }
        _ => Err(method_not_allowed()),
    }
}

//! A Marathon REST API v2 emulator for local mode and tests. DC/OS and Mesos are end-of-life, so real Marathon
//! cannot run; this serves the subset NGP relies on, with Marathon's semantics: apps, groups with `embed`,
//! versions, deployments, id normalisation, error bodies and request validation. It runs no tasks: once a
//! deployment finishes (after a configurable delay, so that 409 locking can be exercised), an app reports
//! `tasksRunning` = `instances`. It also answers Mesos's `/mesos/master/slaves` with the configured agents, and
//! `/ngp-emulator/stats` with the number of reads and writes it served.

mod state;
mod validate;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State as AxumState};
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use ngp_marathon::PathId;
use serde_json::{json, Value};

use state::State;
use validate::ApiError;

/// How the emulator behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// How long a deployment that changes something keeps its apps locked.
    pub deployment_delay: Duration,
    pub private_agents: u32,
    pub public_agents: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            deployment_delay: Duration::from_millis(500),
            private_agents: 1,
            public_agents: 1,
        }
    }
}

#[derive(Clone)]
struct Shared {
    state: Arc<Mutex<State>>,
    config: Config,
}

/// The emulator's routes.
pub fn router(config: Config) -> Router {
    let shared = Shared {
        state: Arc::new(Mutex::new(State::new(config.deployment_delay))),
        config,
    };
    Router::new()
        .route("/v2/info", get(info))
        .route("/v2/apps", any(apps))
        .route("/v2/apps/{*id}", any(app))
        .route("/v2/groups", any(groups_root))
        .route("/v2/groups/", any(groups_root))
        .route("/v2/groups/{*id}", any(groups))
        .route("/v2/deployments", get(deployments))
        .route("/v2/deployments/{id}", axum::routing::delete(delete_deployment))
        .route("/mesos/master/slaves", get(agents))
        .route("/ngp-emulator/stats", get(stats))
        .fallback(|| async { ApiError::not_found("Not found") })
        .with_state(shared)
}

/// Serves the emulator on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> std::io::Result<()> {
    axum::serve(listener, router(config)).await
}

type Result<T> = std::result::Result<T, ApiError>;

fn flag(query: &Option<String>, name: &str, default: bool) -> bool {
    query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('=').or(Some((kv, "true"))))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v == "true")
        .unwrap_or(default)
}

fn parse_id(text: &str, what: &str) -> Result<PathId> {
    PathId::parse(text).map_err(|e| ApiError::one("/id", format!("{what} id {text:?}: {e}")))
}

impl Shared {
    fn lock(&self, method: &Method) -> std::sync::MutexGuard<'_, State> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if method == Method::GET {
            state.reads += 1;
        } else {
            state.writes += 1;
        }
        state.tick();
        state
    }
}

async fn info(AxumState(shared): AxumState<Shared>) -> Json<Value> {
    drop(shared.lock(&Method::GET));
    Json(json!({
        "name": "marathon",
        "version": "1.11.24-ngp-emulator",
        "frameworkId": "ngp-emulator",
        "leader": "127.0.0.1:8080",
        "elected": true,
    }))
}

fn with_deployment_header(status: StatusCode, body: Value, location: Option<String>) -> Response {
    let mut response = (status, Json(body.clone())).into_response();
    if let Some(id) = body.get("deploymentId").and_then(Value::as_str) {
        if let Ok(v) = id.parse() {
            response.headers_mut().insert("Marathon-Deployment-Id", v);
        }
    }
    if let Some(location) = location.and_then(|l| l.parse().ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

async fn apps(
    AxumState(shared): AxumState<Shared>,
    method: Method,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response> {
    let mut state = shared.lock(&method);
    let force = flag(&query, "force", false);
    match method {
        Method::GET => {
            let apps: Vec<Value> = state.apps.keys().filter_map(|id| state.app_json(id)).collect();
            Ok(Json(json!({ "apps": apps })).into_response())
        }
        Method::POST => {
            let value = validate::parse_json(&body)?;
            let (id, def) = validate::app(&value, &PathId::root(), "", None)?;
            if state.apps.contains_key(&id) {
                return Err(ApiError::message(
                    StatusCode::CONFLICT,
                    format!("An app with id [{id}] already exists."),
                ));
            }
            if state.group_exists(&id) {
                return Err(ApiError::one("/id", format!("{id} is already a group")));
            }
            state.deploy(vec![(id.clone(), Some(def))], force)?;
            let app = state.app_json(&id).expect("just created");
            Ok(with_deployment_header(
                StatusCode::CREATED,
                app,
                Some(format!("/v2/apps{id}")),
            ))
        }
        Method::PUT | Method::PATCH => {
            let value = validate::parse_json(&body)?;
            let Some(items) = value.as_array() else {
                return Err(ApiError::one("/", "expected an array of apps"));
            };
            let partial = method == Method::PATCH || flag(&query, "partialUpdate", true);
            let mut changes = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let prefix = format!("({i})");
                let id_text = item.get("id").and_then(Value::as_str).unwrap_or("");
                let existing = PathId::parse(id_text)
                    .ok()
                    .and_then(|id| state.apps.get(&id).map(|a| a.def.clone()));
                if method == Method::PATCH && existing.is_none() {
                    return Err(ApiError::not_found(format!("App '{id_text}' does not exist")));
                }
                let merged = merge(existing.as_ref(), item, partial);
                changes.push(validate::app(&merged, &PathId::root(), &prefix, None).map(|(id, def)| (id, Some(def)))?);
            }
            let result = state.deploy(changes, force)?;
            Ok(with_deployment_header(StatusCode::OK, result, None))
        }
        _ => Err(ApiError::message(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed")),
    }
}

/// The body of an update, merged over the existing definition when the update is partial.
fn merge(existing: Option<&serde_json::Map<String, Value>>, update: &Value, partial: bool) -> Value {
    match (existing, update.as_object(), partial) {
        (Some(old), Some(new), true) => {
            let mut merged = old.clone();
            for (k, v) in new {
                merged.insert(k.clone(), v.clone());
            }
            Value::Object(merged)
        }
        _ => update.clone(),
    }
}

async fn app(
    AxumState(shared): AxumState<Shared>,
    method: Method,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response> {
    let mut state = shared.lock(&method);
    if let Some(app_text) = raw.strip_suffix("/versions") {
        let id = parse_id(app_text, "app")?;
        let Some(app) = state.apps.get(&id) else {
            return Err(ApiError::not_found(format!("App '{id}' does not exist")));
        };
        let versions: Vec<&String> = std::iter::once(&app.version)
            .chain(app.versions.iter().map(|(v, _)| v))
            .collect();
        return Ok(Json(json!({ "versions": versions })).into_response());
    }
    let id = parse_id(&raw, "app")?;
    match method {
        Method::GET => state
            .app_json(&id)
            .map(|app| Json(json!({ "app": app })).into_response())
            .ok_or_else(|| ApiError::not_found(format!("App '{id}' does not exist"))),
        Method::PUT | Method::PATCH => {
            let value = validate::parse_json(&body)?;
            let existing = state.apps.get(&id).map(|a| a.def.clone());
            if method == Method::PATCH && existing.is_none() {
                return Err(ApiError::not_found(format!("App '{id}' does not exist")));
            }
            let force = flag(&query, "force", false);
            if let Some(version) = validate::rollback_version(&value)? {
                let Some(app) = state.apps.get(&id) else {
                    return Err(ApiError::not_found(format!("App '{id}' does not exist")));
                };
                let Some((_, def)) = app.versions.iter().find(|(v, _)| *v == version).cloned() else {
                    return Err(ApiError::not_found(format!(
                        "Version '{version}' of app '{id}' does not exist"
                    )));
                };
                let result = state.deploy(vec![(id, Some(def))], force)?;
                return Ok(with_deployment_header(StatusCode::OK, result, None));
            }
            let partial = method == Method::PATCH || flag(&query, "partialUpdate", true);
            let merged = merge(existing.as_ref(), &value, partial);
            let (id, def) = validate::app(&merged, &id.parent(), "", Some(&id))?;
            let created = existing.is_none();
            let result = state.deploy(vec![(id.clone(), Some(def))], force)?;
            let status = if created { StatusCode::CREATED } else { StatusCode::OK };
            Ok(with_deployment_header(
                status,
                result,
                created.then(|| format!("/v2/apps{id}")),
            ))
        }
        Method::DELETE => {
            if !state.apps.contains_key(&id) {
                return Err(ApiError::not_found(format!("App '{id}' does not exist")));
            }
            let result = state.deploy(vec![(id, None)], flag(&query, "force", true))?;
            Ok(with_deployment_header(StatusCode::OK, result, None))
        }
        _ => Err(ApiError::message(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed")),
    }
}

async fn groups_root(shared: AxumState<Shared>, method: Method, query: RawQuery, body: Bytes) -> Result<Response> {
    group_request(shared, method, PathId::root(), query, body).await
}

async fn groups(
    shared: AxumState<Shared>,
    method: Method,
    Path(raw): Path<String>,
    query: RawQuery,
    body: Bytes,
) -> Result<Response> {
    let id = parse_id(&raw, "group")?;
    group_request(shared, method, id, query, body).await
}

async fn group_request(
    AxumState(shared): AxumState<Shared>,
    method: Method,
    path_id: PathId,
    RawQuery(query): RawQuery,
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
        Method::PUT | Method::POST => {
            let value = validate::parse_json(&body)?;
            let obj = value
                .as_object()
                .ok_or_else(|| ApiError::one("/", "must be a JSON object"))?;
            if obj.keys().all(|k| k == "id" || k == "version" || k == "scaleBy")
                && (obj.contains_key("version") || obj.contains_key("scaleBy"))
            {
                return Err(ApiError::message(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "group rollback and scaleBy are not emulated",
                ));
            }
            // POST /v2/groups creates the group named in the body, below the path.
            let group_id = match (method == Method::POST, obj.get("id").and_then(Value::as_str)) {
                (true, Some(text)) => {
                    PathId::parse_relative(text, &path_id).map_err(|e| ApiError::one("/id", e.to_string()))?
                }
                (true, None) => return Err(ApiError::one("/id", "is required")),
                // PUT: the path names the group; an id in the body must still be a valid one.
                (false, Some(text)) => {
                    PathId::parse_relative(text, &path_id.parent()).map_err(|e| ApiError::one("/id", e.to_string()))?;
                    path_id.clone()
                }
                (false, None) => path_id.clone(),
            };
            if method == Method::POST && state.group_exists(&group_id) && !group_id.is_root() {
                return Err(ApiError::message(
                    StatusCode::CONFLICT,
                    format!("A group with id [{group_id}] already exists."),
                ));
            }
            let live: BTreeSet<PathId> = state.apps.keys().cloned().collect();
            let (changes, groups) = validate::group(&value, &group_id, &live)?;
            if flag(&query, "dryRun", false) {
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
                return Ok(Json(json!({ "steps": steps })).into_response());
            }
            let result = state.deploy(changes, flag(&query, "force", false))?;
            let known: Vec<PathId> = state
                .groups
                .iter()
                .filter(|g| g.starts_with(&group_id))
                .cloned()
                .collect();
            for g in known {
                state.groups.remove(&g);
            }
            state.groups.extend(groups.into_iter().filter(|g| !g.is_root()));
            let mut ancestor = group_id.parent();
            while !ancestor.is_root() {
                state.groups.insert(ancestor.clone());
                ancestor = ancestor.parent();
            }
            let status = if method == Method::POST {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok(with_deployment_header(status, result, None))
        }
        Method::DELETE => {
            if !state.group_exists(&path_id) {
                return Err(ApiError::not_found(format!("Group '{path_id}' does not exist")));
            }
            let changes: Vec<(PathId, Option<serde_json::Map<String, Value>>)> = state
                .apps
                .keys()
                .filter(|a| a.starts_with(&path_id))
                .map(|a| (a.clone(), None))
                .collect();
            let result = state.deploy(changes, flag(&query, "force", false))?;
            let gone: Vec<PathId> = state
                .groups
                .iter()
                .filter(|g| g.starts_with(&path_id))
                .cloned()
                .collect();
            for g in gone {
                state.groups.remove(&g);
            }
            Ok(with_deployment_header(StatusCode::OK, result, None))
        }
        _ => Err(ApiError::message(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed")),
    }
}

async fn deployments(AxumState(shared): AxumState<Shared>) -> Json<Value> {
    let state = shared.lock(&Method::GET);
    Json(state.deployments_json())
}

async fn delete_deployment(
    AxumState(shared): AxumState<Shared>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let mut state = shared.lock(&Method::DELETE);
    match state.cancel(&id, flag(&query, "force", false))? {
        None => Ok(StatusCode::ACCEPTED.into_response()),
        Some(result) => Ok(with_deployment_header(StatusCode::OK, result, None)),
    }
}

/// Mesos's agent list, as DC/OS serves it at `/mesos/master/slaves`: public agents hold `slave_public` resources.
async fn agents(AxumState(shared): AxumState<Shared>) -> Json<Value> {
    drop(shared.lock(&Method::GET));
    let agent = |i: u32, public: bool| {
        let mut a = json!({
            "id": format!("ngp-emulator-S{i}"),
            "hostname": format!("10.0.{}.{}", if public { 10 } else { 20 }, 10 + i),
            "active": true,
            "reserved_resources": {},
            "attributes": {},
        });
        if public {
            a["reserved_resources"] = json!({"slave_public": {"cpus": 4.0, "mem": 14000.0}});
        }
        a
    };
    let slaves: Vec<Value> = (0..shared.config.private_agents)
        .map(|i| agent(i, false))
        .chain((0..shared.config.public_agents).map(|i| agent(shared.config.private_agents + i, true)))
        .collect();
    Json(json!({ "slaves": slaves }))
}

/// Reads and writes served so far (this request not counted): what tests and benchmarks count.
async fn stats(AxumState(shared): AxumState<Shared>) -> Json<Value> {
    let state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
    Json(json!({ "reads": state.reads, "writes": state.writes }))
}

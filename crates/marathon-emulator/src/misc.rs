//! The rest of the API that clients call: ping, info, leader, tasks (list and kill), the launch queue,
//! deployments, and clear answers for what the emulator does not do (event subscriptions, events, pods). Also
//! Mesos's agent list and the emulator's own call counts.

use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxumState};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::ids::Id;
use crate::state::State;
use crate::validate;
use crate::{method_not_allowed, with_deployment_header, Flags, Result, Shared};

/// Where the emulator says its leader is.
const LEADER: &str = "127.0.0.1:8080";

pub async fn ping() -> &'static str {
    "pong"
}

pub async fn info(AxumState(shared): AxumState<Shared>) -> Json<Value> {
    drop(shared.lock(&Method::GET));
    Json(json!({
        "name": "marathon",
        "version": "1.11.24-ngp-emulator",
        "buildref": "ngp-emulator",
        "elected": true,
        "leader": LEADER,
        "frameworkId": "ngp-emulator-0000",
        "marathon_config": {
            "checkpoint": true,
            "executor": "//cmd",
            "failover_timeout": 604800,
            "features": [],
            "framework_name": "marathon",
            "ha": false,
            "hostname": "127.0.0.1",
            "local_port_max": 20000,
            "local_port_min": 10000,
            "master": "emulated",
            "mesos_role": "*",
            "mesos_user": "root",
            "webui_url": null,
        },
        "zookeeper_config": {
            "zk": "emulated",
            "zk_compression": true,
            "zk_max_versions": 50,
            "zk_session_timeout": 10000,
            "zk_timeout": 10000,
        },
        "http_config": { "http_port": 8080, "https_port": 8443 },
    }))
}

pub async fn leader(method: Method) -> Result<Json<Value>> {
    match method {
        Method::GET => Ok(Json(json!({ "leader": LEADER }))),
        Method::DELETE => Ok(Json(json!({ "message": "Leadership abdicated" }))),
        _ => Err(method_not_allowed()),
    }
}

pub async fn tasks(AxumState(shared): AxumState<Shared>) -> Json<Value> {
    let state = shared.lock(&Method::GET);
    Json(json!({ "tasks": state.tasks_json(None) }))
}

/// `POST /v2/tasks/delete` with `{"ids": [...]}`: kills the named tasks, each through its app.
pub async fn kill_tasks(
    AxumState(shared): AxumState<Shared>,
    Query(flags): Query<Flags>,
    body: Bytes,
) -> Result<Response> {
    let mut state = shared.lock(&Method::POST);
    let value = validate::parse_json(&body)?;
    let ids = value["ids"]
        .as_array()
        .ok_or_else(|| ApiError::one("/ids", "expected an array of task ids"))?;
    let wanted: Vec<&str> = ids.iter().filter_map(Value::as_str).collect();
    let all = state.tasks_json(None);
    let killed: Vec<Value> = all
        .into_iter()
        .filter(|t| wanted.contains(&t["id"].as_str().unwrap_or("")))
        .collect();
    if flags.scale.unwrap_or(false) {
        return scale_down(&mut state, &killed);
    }
    Ok(Json(json!({ "tasks": killed })).into_response())
}

/// `DELETE /v2/apps/{id}/tasks[/{task}]`: the tasks are replaced (no tasks run here, so nothing changes), or
/// with `scale` the app shrinks by as many in one deployment.
pub fn kill(state: &mut State, id: &Id, task: Option<&str>, scale: bool) -> Result<Response> {
    let tasks = state.tasks_json(Some(id));
    let killed: Vec<Value> = tasks
        .into_iter()
        .filter(|t| task.is_none_or(|k| t["id"] == json!(k)))
        .collect();
    if let Some(task) = task.filter(|_| killed.is_empty()) {
        return Err(ApiError::not_found(format!("Task '{task}' does not exist")));
    }
    if scale {
        return scale_down(state, &killed);
    }
    match task {
        Some(_) => Ok(Json(json!({ "task": killed[0] })).into_response()),
        None => Ok(Json(json!({ "tasks": killed })).into_response()),
    }
}

fn scale_down(state: &mut State, killed: &[Value]) -> Result<Response> {
    let mut changes = Vec::new();
    for (id, app) in &state.apps {
        let n = killed.iter().filter(|t| t["appId"] == json!(id.to_string())).count() as u32;
        if n > 0 {
            let mut def = app.def.clone();
            def.instances = def.instances.saturating_sub(n);
            changes.push((id.clone(), Some(def)));
        }
    }
    let result = state.deploy(changes, true)?;
    Ok(with_deployment_header(StatusCode::OK, result, None))
}

pub async fn queue(AxumState(shared): AxumState<Shared>) -> Json<Value> {
    Json(shared.lock(&Method::GET).queue_json())
}

pub async fn deployments(AxumState(shared): AxumState<Shared>) -> Json<Value> {
    Json(shared.lock(&Method::GET).deployments_json())
}

pub async fn delete_deployment(
    AxumState(shared): AxumState<Shared>,
    Path(id): Path<String>,
    Query(flags): Query<Flags>,
) -> Result<Response> {
    let mut state = shared.lock(&Method::DELETE);
    match state.cancel(&id, flags.force.unwrap_or(false))? {
        None => Ok(StatusCode::ACCEPTED.into_response()),
        Some(result) => Ok(with_deployment_header(StatusCode::OK, result, None)),
    }
}

/// Marathon answers this when started without `--event_subscriber http_callback`; the emulator has none.
pub async fn event_subscriptions() -> ApiError {
    ApiError::message(
        StatusCode::BAD_REQUEST,
        "http event callback system is not running on this Marathon instance. Please re-start this instance with \"--event_subscriber http_callback\".",
    )
}

pub async fn not_emulated(uri: axum::http::Uri) -> ApiError {
    ApiError::message(
        StatusCode::NOT_IMPLEMENTED,
        format!(
            "{} is not emulated: NGP's Marathon emulator serves apps, groups, tasks and deployments",
            uri.path()
        ),
    )
}

/// Mesos's agent list, as DC/OS serves it at `/mesos/master/slaves`: public agents hold `slave_public` resources.
pub async fn agents(AxumState(shared): AxumState<Shared>) -> Json<Value> {
    drop(shared.lock(&Method::GET));
    let slaves: Vec<Value> = shared
        .config
        .hosts()
        .enumerate()
        .map(|(i, (hostname, public))| {
            let reserved = if public {
                json!({"slave_public": {"cpus": 4.0, "mem": 14000.0}})
            } else {
                json!({})
            };
            json!({"id": format!("ngp-emulator-S{i}"), "hostname": hostname, "active": true,
                   "reserved_resources": reserved, "attributes": {}})
        })
        .collect();
    Json(json!({ "slaves": slaves }))
}

/// Reads and writes served so far (this request not counted): what tests and benchmarks count.
pub async fn stats(AxumState(shared): AxumState<Shared>) -> Json<Value> {
    let state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
    Json(json!({ "reads": state.reads, "writes": state.writes }))
}

//! A Marathon REST API v2 emulator for local mode and tests. DC/OS and Mesos are end-of-life, so real Marathon
//! cannot run; this serves what tools built on apps, groups, tasks and deployments call, with Marathon's
//! semantics: apps (with restart, versions and tasks), groups with `embed` and dependencies, tasks, the launch
//! queue, deployments, info, leader and ping, id normalisation, error bodies and request validation. It runs no
//! tasks: once a deployment finishes (after a configurable delay, so that 409 locking can be exercised), an app
//! reports `tasksRunning` = `instances`. It also answers Mesos's `/mesos/master/slaves` with the configured
//! agents, and `/ngp-emulator/stats` with the number of reads and writes it served.
//!
//! It is written apart from NGP's client (`ngp-marathon`) and shares none of its types.

mod apps;
mod error;
mod groups;
mod ids;
mod misc;
mod model;
mod query;
mod render;
mod state;
mod validate;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use error::ApiError;
use ids::Id;
use state::State;

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

impl Config {
    /// The agents' host names: private ones first.
    fn hosts(&self) -> impl Iterator<Item = (String, bool)> + '_ {
        let host = |i: u32, public: bool| (format!("10.0.{}.{}", if public { 10 } else { 20 }, 10 + i), public);
        (0..self.private_agents)
            .map(move |i| host(i, false))
            .chain((0..self.public_agents).map(move |i| host(self.private_agents + i, true)))
    }
}

#[derive(Clone)]
struct Shared {
    state: Arc<Mutex<State>>,
    config: Config,
}

/// The query flags Marathon's endpoints take; each endpoint reads the ones it knows, with its own default.
/// Unknown parameters are ignored, as Marathon (Jersey) ignores them.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Flags {
    #[serde(default, deserialize_with = "jersey_bool")]
    force: Option<bool>,
    #[serde(default, deserialize_with = "jersey_bool")]
    partial_update: Option<bool>,
    #[serde(default, deserialize_with = "jersey_bool")]
    dry_run: Option<bool>,
    #[serde(default, deserialize_with = "jersey_bool")]
    scale: Option<bool>,
}

/// A query `Boolean` as Marathon's Jersey parses it: "true" in any case is true, anything else false (so
/// Python's `force=False` and `force=True` both work).
fn jersey_bool<'de, D: serde::Deserializer<'de>>(value: D) -> std::result::Result<Option<bool>, D::Error> {
    let text = String::deserialize(value)?;
    Ok(Some(text.eq_ignore_ascii_case("true")))
}

/// The emulator's routes.
pub fn router(config: Config) -> Router {
    let private: Vec<String> = config.hosts().filter(|(_, public)| !public).map(|(h, _)| h).collect();
    let shared = Shared {
        state: Arc::new(Mutex::new(State::new(config.deployment_delay, private))),
        config,
    };
    Router::new()
        .route("/ping", get(misc::ping))
        .route("/v2/info", get(misc::info))
        .route("/v2/leader", any(misc::leader))
        .route("/v2/apps", any(apps::apps))
        .route("/v2/apps/{*id}", any(apps::app))
        .route("/v2/groups", any(groups::root))
        .route("/v2/groups/", any(groups::root))
        .route("/v2/groups/{*id}", any(groups::group))
        .route("/v2/tasks", get(misc::tasks))
        .route("/v2/tasks/delete", axum::routing::post(misc::kill_tasks))
        .route("/v2/queue", get(misc::queue))
        .route("/v2/deployments", get(misc::deployments))
        .route("/v2/deployments/{id}", axum::routing::delete(misc::delete_deployment))
        .route("/v2/eventSubscriptions", any(misc::event_subscriptions))
        .route("/v2/events", any(misc::not_emulated))
        .route("/v2/pods", any(misc::not_emulated))
        .route("/v2/pods/{*id}", any(misc::not_emulated))
        .route("/mesos/master/slaves", get(misc::agents))
        .route("/ngp-emulator/stats", get(misc::stats))
        .fallback(|| async { ApiError::not_found("Not found") })
        .with_state(shared)
}

/// Serves the emulator on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> std::io::Result<()> {
    axum::serve(listener, router(config)).await
}

type Result<T> = std::result::Result<T, ApiError>;

fn parse_id(text: &str, what: &str) -> Result<Id> {
    Id::absolute(text).map_err(|e| ApiError::one("/id", format!("{what} id: {e}")))
}

impl Shared {
    /// The state, with the request counted as a read or a write and finished deployments dropped.
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

/// A deployment's answer, with its id in the `Marathon-Deployment-Id` header and, for a creation, a Location.
fn with_deployment_header(status: StatusCode, body: Value, location: Option<String>) -> Response {
    let deployment = body
        .get("deploymentId")
        .and_then(Value::as_str)
        .and_then(|id| id.parse().ok());
    let mut response = (status, Json(body)).into_response();
    if let Some(id) = deployment {
        response.headers_mut().insert("Marathon-Deployment-Id", id);
    }
    if let Some(location) = location.and_then(|l| l.parse().ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

fn method_not_allowed() -> ApiError {
    ApiError::message(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed")
}

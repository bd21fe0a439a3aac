//! Marathon's REST API v2, as NGP uses it: a lossless model of apps and groups (typed where NGP acts on a
//! field, JSON for the rest), a lint of app definitions against Marathon's published schema, path ids with
//! Marathon's normalisation rules, and an async client whose errors say what Marathon said.
//!
//! The semantics follow Marathon's API definition; see `API.md` in NGP's reference material.

mod client;
mod id;
pub mod lint;
mod model;

pub use client::{login, Client, DeploymentRef, Error, ValidationDetail};
pub use id::{PathId, PathIdError};
pub use model::*;

/// Fields Marathon adds to an app in its responses; never to be sent back (`version` would mean a rollback).
pub const RESPONSE_ONLY_APP_FIELDS: &[&str] = &[
    "version",
    "versionInfo",
    "tasksStaged",
    "tasksRunning",
    "tasksHealthy",
    "tasksUnhealthy",
    "deployments",
    "tasks",
    "lastTaskFailure",
    "tasksStats",
];

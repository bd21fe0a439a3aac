//! The app and group model, in Marathon's JSON names. Every field is optional, so a definition serialises to
//! exactly the keys it sets; Marathon fills in the rest with its defaults.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An app definition, lossless. The fields NGP reads or sets itself are typed; every other field Marathon
/// accepts is kept as JSON in `fields`, sent as it came and compared like the rest, so nothing a module sets is
/// ever dropped. What a field may hold is checked before (`crate::lint`), not by these types.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct App {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instances: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraints: Option<Vec<Vec<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted_resource_roles: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upgrade_strategy: Option<UpgradeStrategy>,
    /// Response-only (and a rollback when sent): NGP never sends it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Every other field, by its JSON name.
    #[serde(flatten)]
    pub fields: BTreeMap<String, Value>,
}

/// How Marathon replaces an app's tasks; either key may be left to Marathon's default (1).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpgradeStrategy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_health_capacity: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_over_capacity: Option<f64>,
}

impl UpgradeStrategy {
    /// For one-per-agent apps (`hostname:UNIQUE`): stop the old task before starting the new one, so that an
    /// upgrade never waits for a free agent that does not exist.
    pub const ONE_PER_AGENT: UpgradeStrategy = UpgradeStrategy {
        minimum_health_capacity: Some(0.0),
        maximum_over_capacity: Some(0.0),
    };
}

/// A group (`Group.json`): apps and sub-groups, deployed together by one PUT. Lossless like `App`: fields NGP
/// does not use (`pods`, `enforceRole`, ...) are kept in `fields`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    #[serde(default)]
    pub apps: Vec<App>,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub dependencies: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(flatten)]
    pub fields: BTreeMap<String, Value>,
}

impl App {
    /// The definition without the fields only Marathon's answers carry (above all `version`, which in a
    /// request means a rollback).
    pub fn into_request(mut self) -> App {
        self.version = None;
        for field in crate::RESPONSE_ONLY_APP_FIELDS {
            self.fields.remove(*field);
        }
        self
    }
}

impl Group {
    /// The tree as a body for `PUT /v2/groups/{id}`: response-only fields gone at every level, the rest kept.
    pub fn into_request(mut self) -> Group {
        self.version = None;
        self.apps = self.apps.into_iter().map(App::into_request).collect();
        self.groups = self.groups.into_iter().map(Group::into_request).collect();
        self
    }
}

/// What Marathon answers to an accepted change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentResult {
    pub deployment_id: String,
    pub version: String,
}

/// A running deployment, as `GET /v2/deployments` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    pub id: String,
    pub version: String,
    #[serde(default)]
    pub affected_apps: Vec<String>,
    #[serde(default)]
    pub current_step: u32,
    #[serde(default)]
    pub total_steps: u32,
}

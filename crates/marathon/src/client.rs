//! An async client for Marathon's REST API v2. It counts its requests (reads and writes), so callers can show
//! and test how many calls a run made.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{Deployment, DeploymentResult, Group};
use crate::PathId;

/// What can go wrong talking to Marathon, with what Marathon said.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot reach Marathon at {url}: {reason}")]
    Unreachable { url: String, reason: String },

    #[error("{what} is locked by {} {}: wait, or force (which cancels it)", if .deployments.len() == 1 { "deployment" } else { "deployments" }, .deployments.join(", "))]
    Locked { what: String, deployments: Vec<String> },

    #[error("Marathon rejected {what}: {message}{}", format_details(.details))]
    Invalid {
        what: String,
        message: String,
        details: Vec<ValidationDetail>,
    },

    #[error("Marathon answered {status} to {what}: {body}")]
    Status { what: String, status: u16, body: String },

    #[error("Marathon's answer to {what} is not what its API says: {message}")]
    BadResponse { what: String, message: String },

    #[error("{url} refused the login of {uid}: {status}")]
    LoginRefused { url: String, uid: String, status: u16 },
}

/// DC/OS's login (`POST {uid, password}` to the IAM's `/acs/api/v1/auth/login`): the token it answers, for
/// [`Client::new`].
pub async fn login(url: &str, uid: &str, password: &str) -> Result<String, Error> {
    let unreachable = |e: reqwest::Error| Error::Unreachable {
        url: url.to_owned(),
        reason: e.to_string(),
    };
    let response = reqwest::Client::new()
        .post(url)
        .json(&serde_json::json!({ "uid": uid, "password": password }))
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .map_err(unreachable)?;
    if !response.status().is_success() {
        return Err(Error::LoginRefused {
            url: url.to_owned(),
            uid: uid.to_owned(),
            status: response.status().as_u16(),
        });
    }
    let bad = |message: String| Error::BadResponse {
        what: format!("the login at {url}"),
        message,
    };
    let body: Value = response.json().await.map_err(|e| bad(format!("not JSON: {e}")))?;
    body["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| bad("no token".into()))
}

/// One entry of a 422's `details`: where in the body, and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationDetail {
    pub path: String,
    pub errors: Vec<String>,
}

fn format_details(details: &[ValidationDetail]) -> String {
    details
        .iter()
        .map(|d| format!("; {}: {}", d.path, d.errors.join(", ")))
        .collect()
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    details: Value,
    #[serde(default)]
    deployments: Vec<DeploymentRef>,
}

/// A deployment named in a 409.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentRef {
    pub id: String,
}

pub struct Client {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
    reads: AtomicU64,
    writes: AtomicU64,
}

impl Client {
    /// `base` is Marathon's address: `http://host:8080` standalone, or `<dcos_url>/service/marathon` under DC/OS.
    /// `token` is a DC/OS authentication token, sent as `Authorization: token=<token>`.
    pub fn new(base: &str, token: Option<String>) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| Error::Unreachable {
                url: base.to_owned(),
                reason: e.to_string(),
            })?;
        Ok(Client {
            base: base.trim_end_matches('/').to_owned(),
            http,
            token,
            reads: AtomicU64::new(0),
            writes: AtomicU64::new(0),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Requests made so far: (reads, writes).
    pub fn calls(&self) -> (u64, u64) {
        (self.reads.load(Ordering::Relaxed), self.writes.load(Ordering::Relaxed))
    }

    /// A request to `url`, counted, with the token when there is one.
    fn request(&self, method: Method, url: &str, query: &[(&str, &str)], body: Option<&Value>) -> RequestBuilder {
        if method == Method::GET {
            self.reads.fetch_add(1, Ordering::Relaxed);
        } else {
            self.writes.fetch_add(1, Ordering::Relaxed);
        }
        tracing::debug!(%method, %url, "marathon");
        let mut request = self.http.request(method, url).query(query);
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("token={token}"));
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request
    }

    /// A request to Marathon's API at `path` (below the base URL).
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
        what: &str,
    ) -> Result<Option<T>, Error> {
        let url = format!("{}{path}", self.base);
        self.call_url(method, &url, &self.base, query, body, what).await
    }

    /// Sends a request and turns the error answers into `Error`s; `what` names the object for messages. A 404
    /// is `None`.
    async fn call_url<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        server: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
        what: &str,
    ) -> Result<Option<T>, Error> {
        let (status, text) = send(self.request(method, url, query, body), server).await?;
        let parsed: Option<ErrorBody> = serde_json::from_str(&text).ok();
        if status == StatusCode::NOT_FOUND {
            // Marathon says what does not exist, in JSON; anything else at this address is not Marathon.
            return match parsed {
                Some(_) => Ok(None),
                None => Err(not_marathon(what, url, status.as_u16(), &text)),
            };
        }
        if !status.is_success() {
            return Err(match (status.as_u16(), parsed) {
                (409, Some(b)) if !b.deployments.is_empty() => Error::Locked {
                    what: what.to_owned(),
                    deployments: b.deployments.into_iter().map(|d| d.id).collect(),
                },
                (422, Some(b)) => Error::Invalid {
                    what: what.to_owned(),
                    message: b.message,
                    details: serde_json::from_value(b.details).unwrap_or_default(),
                },
                (400, Some(b)) => Error::Invalid {
                    what: what.to_owned(),
                    message: format!("{} {}", b.message, b.details.as_str().unwrap_or(""))
                        .trim()
                        .to_owned(),
                    details: vec![],
                },
                (code, Some(b)) => Error::Status {
                    what: what.to_owned(),
                    status: code,
                    body: b.message,
                },
                (code, None) => not_marathon(what, url, code, &text),
            });
        }
        match serde_json::from_str::<Value>(&text) {
            Err(_) => Err(not_marathon(what, url, status.as_u16(), &text)),
            Ok(value) => serde_json::from_value(value).map(Some).map_err(|e| Error::BadResponse {
                what: what.to_owned(),
                message: e.to_string(),
            }),
        }
    }

    /// A group with its whole subtree (`embed=group.apps&embed=group.groups`), as raw JSON so that every field
    /// Marathon reports is there to compare; `None` when it does not exist.
    pub async fn group(&self, id: &PathId) -> Result<Option<Value>, Error> {
        self.call(
            Method::GET,
            &format!("/v2/groups{}", path_part(id)),
            &[("embed", "group.apps"), ("embed", "group.groups")],
            None,
            &format!("group {id}"),
        )
        .await
    }

    /// A group's whole tree, lossless (every field Marathon reports, dependencies included); `None` when it
    /// does not exist. `Group::into_request` makes it a body to PUT back.
    pub async fn group_tree(&self, id: &PathId) -> Result<Option<Group>, Error> {
        match self.group(id).await? {
            None => Ok(None),
            Some(tree) => serde_json::from_value(tree).map(Some).map_err(|e| Error::BadResponse {
                what: format!("group {id}"),
                message: e.to_string(),
            }),
        }
    }

    /// Creates or replaces a group's subtree in one deployment. Apps missing from `group` are stopped.
    pub async fn put_group(&self, group: &Group, force: bool) -> Result<DeploymentResult, Error> {
        let query: &[(&str, &str)] = if force { &[("force", "true")] } else { &[] };
        self.send_group(group, query).await
    }

    /// What a group PUT would do, without deploying (`dryRun=true`): Marathon's `{"steps": [...]}`.
    pub async fn put_group_dry_run(&self, group: &Group) -> Result<Value, Error> {
        self.send_group(group, &[("dryRun", "true")]).await
    }

    /// `PUT /v2/groups/{id}` with `group` as the body, and Marathon's answer.
    async fn send_group<T: DeserializeOwned>(&self, group: &Group, query: &[(&str, &str)]) -> Result<T, Error> {
        let id = PathId::parse(&group.id).map_err(|e| Error::Invalid {
            what: format!("group {}", group.id),
            message: e.to_string(),
            details: vec![],
        })?;
        let body = serde_json::to_value(group).expect("a group serialises");
        self.call(
            Method::PUT,
            &format!("/v2/groups{}", path_part(&id)),
            query,
            Some(&body),
            &format!("group {id}"),
        )
        .await?
        .ok_or_else(|| Error::BadResponse {
            what: format!("group {id}"),
            message: "404 to a PUT".into(),
        })
    }

    /// Removes a group and its apps. `None` when it did not exist.
    pub async fn delete_group(&self, id: &PathId, force: bool) -> Result<Option<DeploymentResult>, Error> {
        let query: &[(&str, &str)] = if force { &[("force", "true")] } else { &[] };
        self.call(
            Method::DELETE,
            &format!("/v2/groups{}", path_part(id)),
            query,
            None,
            &format!("group {id}"),
        )
        .await
    }

    /// The running deployments.
    pub async fn deployments(&self) -> Result<Vec<Deployment>, Error> {
        Ok(self
            .call(Method::GET, "/v2/deployments", &[], None, "the deployments")
            .await?
            .unwrap_or_default())
    }

    /// Marathon's `/v2/info`: proves it answers.
    pub async fn info(&self) -> Result<Value, Error> {
        self.call(Method::GET, "/v2/info", &[], None, "the server info")
            .await?
            .ok_or_else(|| Error::BadResponse {
                what: "/v2/info".into(),
                message: "404".into(),
            })
    }

    /// The Mesos agents, as `(private, public)` counts: public agents hold resources reserved for the
    /// `slave_public` role. Read from Mesos's `/master/slaves`, beside Marathon (`<dcos_url>/mesos`).
    pub async fn agent_counts(&self, mesos_base: &str) -> Result<(u32, u32), Error> {
        #[derive(Deserialize)]
        struct Slaves {
            slaves: Vec<Value>,
        }
        let url = format!("{}/master/slaves", mesos_base.trim_end_matches('/'));
        let what = "the Mesos agents";
        let slaves: Slaves = self
            .call_url(Method::GET, &url, mesos_base, &[], None, what)
            .await?
            .ok_or_else(|| Error::BadResponse {
                what: what.into(),
                message: format!("{url} answered 404"),
            })?;
        let public = slaves
            .slaves
            .iter()
            .filter(|s| s["reserved_resources"].get("slave_public").is_some())
            .count() as u32;
        Ok((slaves.slaves.len() as u32 - public, public))
    }
}

/// An answer that is not Marathon's JSON (an HTML page, a proxy's error): named by its status and its first
/// words, never shown whole.
fn not_marathon(what: &str, url: &str, status: u16, text: &str) -> Error {
    let shown = if text.trim_start().starts_with('<') {
        "an HTML page".to_owned()
    } else {
        let first: String = text.split_whitespace().take(8).collect::<Vec<_>>().join(" ");
        format!("{:?}", first.chars().take(60).collect::<String>())
    };
    Error::BadResponse {
        what: what.to_owned(),
        message: format!(
            "{url} answered {status} with something other than Marathon's JSON ({shown}): is this Marathon's address?"
        ),
    }
}

/// `/a/b` for a group path, `` for the root (so `/v2/groups` itself).
fn path_part(id: &PathId) -> String {
    if id.is_root() {
        String::new()
    } else {
        id.to_string()
    }
}

/// Sends a request; `server` names the service in an unreachable error.
async fn send(request: RequestBuilder, server: &str) -> Result<(StatusCode, String), Error> {
    let unreachable = |e: reqwest::Error| Error::Unreachable {
        url: server.to_owned(),
        reason: error_chain(&e),
    };
    let response = request.send().await.map_err(unreachable)?;
    let status = response.status();
    let text = response.text().await.map_err(unreachable)?;
    Ok((status, text))
}

/// An error with its causes, on one line: reqwest's top-level message alone rarely says what failed.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

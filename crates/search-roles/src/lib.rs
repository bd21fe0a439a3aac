//! OpenSearch's fine-grained access control knows IAM principals only through role mappings kept in the domain
//! itself, behind the security plugin's REST API. This crate writes the roles and mappings a module declares
//! ([`Roles`]), as the master user, with one PUT per role and one per mapping: a PUT replaces, so running it
//! again changes nothing. The Lambda (`main.rs`) runs it from inside the VPC, where the domain is.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One role of the security plugin and who is mapped to it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// The role's body as the plugin takes it: `cluster_permissions`, `index_permissions`, ...
    pub role: Value,
    /// IAM role ARNs mapped to the role (the plugin's `backend_roles`).
    pub backend_roles: Vec<String>,
}

/// Role name → role, as the module writes them in `NGP_SECURITY_ROLES`.
pub type Roles = BTreeMap<String, Role>;

/// The master user, with the password read from Secrets Manager.
pub struct Master {
    pub user: String,
    pub password: String,
}

/// What went wrong, naming the call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("PUT {url}: {source}")]
    Http { url: String, source: reqwest::Error },
    #[error("PUT {url} answered {status}: {body}")]
    Refused { url: String, status: u16, body: String },
}

/// Writes every role, then its mapping; returns the paths written, in order.
pub async fn apply(
    http: &reqwest::Client,
    endpoint: &str,
    master: &Master,
    roles: &Roles,
) -> Result<Vec<String>, Error> {
    let base = endpoint.trim_end_matches('/');
    let mut written = Vec::new();
    for (name, role) in roles {
        let mapping = serde_json::json!({ "backend_roles": role.backend_roles });
        for (kind, body) in [("roles", &role.role), ("rolesmapping", &mapping)] {
            let path = format!("/_plugins/_security/api/{kind}/{name}");
            put(http, &format!("{base}{path}"), master, body).await?;
            written.push(path);
        }
    }
    Ok(written)
}

async fn put(http: &reqwest::Client, url: &str, master: &Master, body: &Value) -> Result<(), Error> {
    let http_error = |source| Error::Http {
        url: url.to_owned(),
        source,
    };
    let response = http
        .put(url)
        .basic_auth(&master.user, Some(&master.password))
        .json(body)
        .send()
        .await
        .map_err(http_error)?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let body = response.text().await.unwrap_or_default();
    Err(Error::Refused {
        url: url.to_owned(),
        status: status.as_u16(),
        body: body.chars().take(300).collect(),
    })
}

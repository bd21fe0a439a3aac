//! ECR's login: `GetAuthorizationToken` through the default credential chain (on a node, its instance role).

use anyhow::{bail, Context, Result};
use time::OffsetDateTime;

/// One registry's login: its host, and `base64(AWS:<token>)` as Docker's `auth` field holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub host: String,
    pub auth: String,
    /// When ECR says the token expires (12 hours after issue on AWS; the emulator's is fixed in the past).
    pub expires_at: Option<OffsetDateTime>,
}

/// Asks ECR for a token for the account's registry.
pub async fn fetch(client: &aws_sdk_ecr::Client) -> Result<Vec<Login>> {
    let answer = client
        .get_authorization_token()
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("ECR GetAuthorizationToken: {}", ngp_aws::one_line(&e)))?;
    let logins: Vec<Login> = answer
        .authorization_data()
        .iter()
        .map(|data| {
            let endpoint = data.proxy_endpoint().context("ECR answered without a proxyEndpoint")?;
            let token = data.authorization_token().context("ECR answered without a token")?;
            Ok(Login {
                host: endpoint.trim_start_matches("https://").trim_end_matches('/').to_owned(),
                auth: token.to_owned(),
                expires_at: data
                    .expires_at()
                    .and_then(|t| OffsetDateTime::from_unix_timestamp(t.secs()).ok()),
            })
        })
        .collect::<Result<_>>()?;
    if logins.is_empty() {
        bail!("ECR answered GetAuthorizationToken with no authorization data");
    }
    Ok(logins)
}

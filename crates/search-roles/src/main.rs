//! `bootstrap`: the elk module's security-roles Lambda on `provided.al2023`. Terraform invokes it once per change
//! of the roles (`aws_lambda_invocation`); it reads the master user's password from Secrets Manager (its
//! environment holds the secret's ARN only) and writes the roles and mappings of `NGP_SECURITY_ROLES`.

use std::collections::HashMap;

use lambda_runtime::{service_fn, LambdaEvent};
use ngp_search_roles::{apply, Master, Roles};
use serde_json::{json, Value};

/// The function's environment, read once.
struct Settings {
    endpoint: String,
    user: String,
    password_secret: String,
    /// Secrets Manager's VPC endpoint (the module's own, without private DNS).
    secrets_endpoint: Option<String>,
    roles: Roles,
}

impl Settings {
    fn from_vars(vars: &HashMap<String, String>) -> Result<Settings, String> {
        let need = |name: &str| {
            vars.get(name)
                .filter(|v| !v.is_empty())
                .cloned()
                .ok_or_else(|| format!("the function's environment lacks {name}"))
        };
        let roles = serde_json::from_str(&need("NGP_SECURITY_ROLES")?)
            .map_err(|e| format!("NGP_SECURITY_ROLES is not a map of roles: {e}"))?;
        Ok(Settings {
            endpoint: need("NGP_OPENSEARCH_URL")?,
            user: need("NGP_MASTER_USER")?,
            password_secret: need("NGP_MASTER_PASSWORD_SECRET")?,
            secrets_endpoint: vars.get("NGP_SECRETS_ENDPOINT").filter(|v| !v.is_empty()).cloned(),
            roles,
        })
    }
}

async fn password(config: &aws_config::SdkConfig, endpoint: Option<&str>, arn: &str) -> Result<String, String> {
    let mut secrets = aws_sdk_secretsmanager::config::Builder::from(config);
    if let Some(endpoint) = endpoint {
        secrets = secrets.endpoint_url(endpoint);
    }
    let secrets = aws_sdk_secretsmanager::Client::from_conf(secrets.build());
    let value = secrets
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(|e| format!("cannot read {arn}: {}", ngp_aws::one_line(&e)))?;
    value
        .secret_string()
        .map(str::to_owned)
        .ok_or_else(|| format!("{arn} holds no string"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    ngp_daemon::init_logs(false);
    let config = ngp_aws::environment_config().await;
    let settings = Settings::from_vars(&std::env::vars().collect())?;
    let http = reqwest::Client::builder().use_rustls_tls().build()?;
    let (settings, config, http) = (&settings, &config, &http);
    lambda_runtime::run(service_fn(move |_event: LambdaEvent<Value>| async move {
        let master = Master {
            user: settings.user.clone(),
            password: password(config, settings.secrets_endpoint.as_deref(), &settings.password_secret).await?,
        };
        let written = apply(http, &settings.endpoint, &master, &settings.roles).await?;
        tracing::info!(?written, "security roles written");
        Ok::<Value, lambda_runtime::Error>(json!({ "written": written }))
    }))
    .await
}

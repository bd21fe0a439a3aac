//! The function's settings, from the environment the marathon-snapshot module gives it, and the [`Context`]
//! they make: the store, and a Marathon client logged in to DC/OS with the password it reads from Secrets
//! Manager. No secret is ever in the environment: only the secret's ARN.

use std::collections::HashMap;
use std::time::Duration;

use ngp_snapshot::Store;

use crate::Context;

/// What the function reads from its environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// `NGP_SNAPSHOT_BUCKET`, `NGP_SNAPSHOT_PREFIX`, `NGP_SNAPSHOT_CLUSTER`: where snapshots are kept.
    pub bucket: String,
    pub prefix: String,
    pub cluster: String,
    /// `NGP_MARATHON_URL`: Marathon's API (through Admin Router).
    pub marathon_url: String,
    /// `NGP_MARATHON_LOGIN_URL`, `NGP_MARATHON_UID`, `NGP_MARATHON_PASSWORD_SECRET`: DC/OS's login, the user,
    /// and the ARN of the secret with its password. All three, or none (a Marathon without authentication).
    pub login: Option<Login>,
    /// `NGP_SECRETS_ENDPOINT`: Secrets Manager's URL where it is not the region's public one (a VPC endpoint).
    pub secrets_endpoint: Option<String>,
    /// `NGP_TIMEOUT_SECONDS`: how long a restore waits for Marathon's deployment (default 600).
    pub timeout: Duration,
}

/// DC/OS's login, with the password still in Secrets Manager.
#[derive(Debug, Clone, PartialEq)]
pub struct Login {
    pub url: String,
    pub uid: String,
    pub password_secret: String,
}

impl Settings {
    /// The settings from `vars` (the process environment, in the function); a missing one is named.
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Settings, String> {
        let need = |name: &str| {
            vars.get(name)
                .filter(|v| !v.is_empty())
                .cloned()
                .ok_or_else(|| format!("the function's environment lacks {name}"))
        };
        let login_names = [
            "NGP_MARATHON_LOGIN_URL",
            "NGP_MARATHON_UID",
            "NGP_MARATHON_PASSWORD_SECRET",
        ];
        let login = match login_names.iter().filter(|n| vars.contains_key(**n)).count() {
            0 => None,
            3 => Some(Login {
                url: need(login_names[0])?,
                uid: need(login_names[1])?,
                password_secret: need(login_names[2])?,
            }),
            _ => {
                return Err(format!(
                    "the function's environment needs all of {} or none",
                    login_names.join(", ")
                ))
            }
        };
        let timeout = match vars.get("NGP_TIMEOUT_SECONDS") {
            None => 600,
            Some(s) => s
                .parse::<u64>()
                .map_err(|_| format!("NGP_TIMEOUT_SECONDS is {s:?}, not a number of seconds"))?,
        };
        Ok(Settings {
            bucket: need("NGP_SNAPSHOT_BUCKET")?,
            prefix: need("NGP_SNAPSHOT_PREFIX")?,
            cluster: need("NGP_SNAPSHOT_CLUSTER")?,
            marathon_url: need("NGP_MARATHON_URL")?,
            login,
            secrets_endpoint: vars.get("NGP_SECRETS_ENDPOINT").filter(|v| !v.is_empty()).cloned(),
            timeout: Duration::from_secs(timeout),
        })
    }

    /// The context these settings make, logged in (when there is a login). The function connects on every
    /// invocation: a DC/OS token lasts five days, and a warm function may outlive one.
    pub async fn connect(&self, config: &aws_config::SdkConfig, s3: aws_sdk_s3::Client) -> Result<Context, String> {
        let token = match &self.login {
            None => None,
            Some(login) => Some(self.log_in(config, login).await?),
        };
        let marathon = ngp_marathon::Client::new(&self.marathon_url, token).map_err(|e| e.to_string())?;
        let store = Store {
            s3,
            bucket: self.bucket.clone(),
            prefix: self.prefix.clone(),
            cluster: self.cluster.clone(),
        };
        Ok(Context {
            marathon,
            store,
            timeout: self.timeout,
        })
    }

    async fn log_in(&self, config: &aws_config::SdkConfig, login: &Login) -> Result<String, String> {
        let mut secrets = aws_sdk_secretsmanager::config::Builder::from(config);
        if let Some(endpoint) = &self.secrets_endpoint {
            secrets = secrets.endpoint_url(endpoint);
        }
        let secrets = aws_sdk_secretsmanager::Client::from_conf(secrets.build());
        let value = secrets
            .get_secret_value()
            .secret_id(&login.password_secret)
            .send()
            .await
            .map_err(|e| format!("cannot read {}: {}", login.password_secret, ngp_aws::one_line(&e)))?;
        let password = value
            .secret_string()
            .ok_or_else(|| format!("{} holds no string", login.password_secret))?;
        ngp_marathon::login(&login.url, &login.uid, password)
            .await
            .map_err(|e| e.to_string())
    }
}

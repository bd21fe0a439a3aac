//! The registry's side: push, pull and verify, delete, over TLS trusting the registry's own CA, with basic auth.

use std::time::Duration;

use oci_client::client::{Certificate, CertificateEncoding, ClientConfig, ClientProtocol};
use oci_client::errors::OciDistributionError;
use oci_client::manifest::IMAGE_LAYER_GZIP_MEDIA_TYPE;
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};

use crate::error::{root_cause, StepError};
use crate::image::{digest, TinyImage};

/// Where the registry is and how to get in.
pub struct Registry {
    /// `host:port`.
    pub address: String,
    pub user: String,
    pub password: String,
    /// The CA that signed the registry's certificate, PEM; `None`: the public roots (ECR).
    pub ca_pem: Option<String>,
}

/// A client for one repository and tag of the registry.
pub struct Session {
    client: Client,
    http: reqwest::Client,
    auth: RegistryAuth,
    reference: Reference,
    registry: Registry,
}

impl Registry {
    /// A session for `repository:tag`; fails at step "ca" when the CA is not a PEM certificate.
    pub fn session(self, repository: &str, tag: &str) -> Result<Session, StepError> {
        let mut http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30));
        let mut extra = Vec::new();
        if let Some(pem) = &self.ca_pem {
            http = http.add_root_certificate(ca_certificate(pem)?);
            extra.push(Certificate {
                encoding: CertificateEncoding::Pem,
                data: pem.clone().into_bytes(),
            });
        }
        let http = http
            .build()
            .map_err(|e| StepError::new("ca", format!("cannot set up TLS: {}", root_cause(&e)), "the CA"))?;
        let client = Client::new(ClientConfig {
            protocol: ClientProtocol::Https,
            extra_root_certificates: extra,
            connect_timeout: Some(Duration::from_secs(10)),
            read_timeout: Some(Duration::from_secs(30)),
            ..Default::default()
        });
        Ok(Session {
            client,
            http,
            auth: RegistryAuth::Basic(self.user.clone(), self.password.clone()),
            reference: Reference::with_tag(self.address.clone(), repository.to_owned(), tag.to_owned()),
            registry: self,
        })
    }
}

/// The registry's CA as reqwest takes it; step "ca" fails when it is not a PEM certificate.
fn ca_certificate(pem: &str) -> Result<reqwest::Certificate, StepError> {
    let no_ca = |what: String| {
        StepError::new(
            "ca",
            what,
            "that `ngp apply` finished: ngp generates the registry's CA after apply (registry_ca_secret_arn)",
        )
    };
    if !pem.contains("-----BEGIN CERTIFICATE-----") {
        return Err(no_ca("the registry's CA holds no PEM certificate".into()));
    }
    reqwest::Certificate::from_pem(pem.as_bytes()).map_err(|e| {
        no_ca(format!(
            "the registry's CA is not a valid certificate: {}",
            root_cause(&e)
        ))
    })
}

impl Session {
    pub fn reference(&self) -> String {
        self.reference.whole()
    }

    /// Pushes the image; returns the manifest's digest as the registry names it.
    pub async fn push(&self, image: &TinyImage) -> Result<String, StepError> {
        self.client
            .push(
                &self.reference,
                std::slice::from_ref(&image.layer),
                image.config.clone(),
                &self.auth,
                Some(image.manifest.clone()),
            )
            .await
            .map_err(|e| self.classify("push", e))?;
        self.client
            .fetch_manifest_digest(&self.reference, &self.auth)
            .await
            .map_err(|e| self.classify("push", e))
    }

    /// Pulls the image back and compares every digest with what was pushed.
    pub async fn pull_and_verify(&self, image: &TinyImage, manifest_digest: &str) -> Result<(), StepError> {
        let pulled = self
            .client
            .pull(&self.reference, &self.auth, vec![IMAGE_LAYER_GZIP_MEDIA_TYPE])
            .await
            .map_err(|e| self.classify("pull", e))?;
        let [layer_digest, config_digest] = image.blob_digests();
        let got = [
            (
                "manifest",
                pulled.digest.unwrap_or_default(),
                manifest_digest.to_owned(),
            ),
            (
                "layer",
                pulled.layers.first().map(|l| digest(&l.data)).unwrap_or_default(),
                layer_digest,
            ),
            ("config", digest(&pulled.config.data), config_digest),
        ];
        for (what, came, sent) in got {
            if came != sent {
                return Err(StepError::new(
                    "pull",
                    format!("the {what} came back as {came}, not {sent}"),
                    "the registry's storage and anything between (a proxy that rewrites content)",
                ));
            }
        }
        Ok(())
    }

    /// Deletes the image's manifest. `Ok(false)` when the registry has deletion turned off (405).
    pub async fn delete(&self, manifest_digest: &str) -> Result<bool, StepError> {
        let url = format!(
            "https://{}/v2/{}/manifests/{manifest_digest}",
            self.registry.address,
            self.reference.repository()
        );
        let answer = self
            .http
            .delete(&url)
            .basic_auth(&self.registry.user, Some(&self.registry.password))
            .send()
            .await
            .map_err(|e| self.request_error("delete", &e))?;
        match answer.status().as_u16() {
            200..=299 => Ok(true),
            405 => Ok(false),
            code => Err(StepError::new(
                "delete",
                format!("the registry answered {code} to DELETE {url}"),
                "the registry's log",
            )),
        }
    }

    fn classify(&self, step: &'static str, err: OciDistributionError) -> StepError {
        match err {
            OciDistributionError::UnauthorizedError { .. } | OciDistributionError::AuthenticationFailure(_) => {
                self.unauthorized(step)
            }
            OciDistributionError::RequestError(e) => self.request_error(step, &e),
            OciDistributionError::ServerError { code: 401, .. } => self.unauthorized(step),
            OciDistributionError::ServerError { code, message, .. } => {
                let (summary, storage) = summarize(&message);
                if storage {
                    StepError::new(
                        step,
                        format!("the registry's storage failed ({code}: {summary})"),
                        "that the registry's bucket exists (registry_bucket) and that the agents' role may write it",
                    )
                } else {
                    StepError::new(
                        step,
                        format!("the registry answered {code}: {summary}"),
                        "the registry's log",
                    )
                }
            }
            OciDistributionError::RegistryError { envelope, .. } => StepError::new(
                step,
                format!(
                    "the registry refused: {}",
                    envelope
                        .errors
                        .iter()
                        .map(|e| format!("{:?} {}", e.code, e.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                "the registry's log",
            ),
            other => StepError::new(step, other.to_string(), "the registry's log"),
        }
    }

    fn unauthorized(&self, step: &'static str) -> StepError {
        StepError::new(
            step,
            format!("the registry refused user {}'s password (401)", self.registry.user),
            "the password in Secrets Manager (registry_password_secret_arn) against the htpasswd the agents wrote",
        )
    }

    fn request_error(&self, step: &'static str, err: &reqwest::Error) -> StepError {
        let cause = root_cause(err);
        let address = &self.registry.address;
        let lower = cause.to_lowercase();
        if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
            StepError::new(
                step,
                format!("TLS with {address} failed: {cause}"),
                "that the registry's certificate is signed by its CA (registry_ca_secret_arn) and names this address",
            )
        } else if err.is_connect() || err.is_timeout() {
            StepError::new(
                step,
                format!("cannot connect to {address}: {cause}"),
                "that the registry runs and listens there (--address; the app in `ngp apps status`)",
            )
        } else {
            StepError::new(
                step,
                format!("request to {address} failed: {cause}"),
                "the registry's log",
            )
        }
    }
}

/// A registry's error body in a few words: the codes and messages of its `errors`, and whether its storage
/// driver is what failed. Anything else, trimmed.
fn summarize(body: &str) -> (String, bool) {
    let Ok(parsed) = serde_json::from_str::<serde_json::Value>(body) else {
        return (body.trim().chars().take(200).collect(), false);
    };
    let errors = parsed["errors"].as_array().cloned().unwrap_or_default();
    let storage = errors.iter().any(|e| e["detail"]["DriverName"].is_string());
    let words: Vec<String> = errors
        .iter()
        .map(|e| {
            let driver = e["detail"]["DriverName"]
                .as_str()
                .map(|d| format!(" in driver {d}"))
                .unwrap_or_default();
            format!(
                "{} {}{driver}",
                e["code"].as_str().unwrap_or("?"),
                e["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    (words.join("; "), storage)
}

#[cfg(test)]
mod tests {
    use super::summarize;

    #[test]
    fn a_registry_error_body_is_summed_up_and_storage_failures_are_told_apart() {
        let s3 = r#"{"errors":[{"code":"UNKNOWN","message":"unknown error","detail":{"DriverName":"s3aws"}}]}"#;
        assert_eq!(
            summarize(s3),
            ("UNKNOWN unknown error in driver s3aws".to_owned(), true)
        );
        let other = r#"{"errors":[{"code":"NAME_INVALID","message":"invalid repository name"}]}"#;
        assert_eq!(
            summarize(other),
            ("NAME_INVALID invalid repository name".to_owned(), false)
        );
        assert_eq!(
            summarize("<html>bad gateway</html>\n"),
            ("<html>bad gateway</html>".to_owned(), false)
        );
    }
}

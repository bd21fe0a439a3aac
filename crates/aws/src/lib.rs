//! The AWS SDK's configuration for NGP, in one place, so that every client (the CLI's and the tests') uses the
//! same single TLS backend: rustls on ring, the one ring that rcgen and reqwest already use. The SDK's default
//! HTTPS client would compile aws-lc-rs beside it.

use std::error::Error as StdError;
use std::fmt;

pub use aws_config::SdkConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// The SDK's HTTPS client: rustls with ring.
pub fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// The configuration the environment gives, with NGP's HTTPS client: a Lambda's or a node's role and region.
pub async fn environment_config() -> SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(https_client())
        .load()
        .await
}

/// The configuration for `region`: the default credential chain, or with `emulator` (local mode) its endpoint
/// and the emulator's test credentials.
pub async fn sdk_config(region: &str, emulator: Option<&str>) -> SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(https_client())
        .region(aws_config::Region::new(region.to_owned()));
    if let Some(endpoint) = emulator {
        loader = loader
            .endpoint_url(endpoint)
            .credentials_provider(aws_credential_types::Credentials::new(
                "test",
                "test",
                None,
                None,
                "ngp-local",
            ));
    }
    loader.load().await
}

/// An SDK error in one line: the service's code and message, or why no request could be made. Never the SDK's
/// debug dump of the request or response.
pub fn one_line<E, R>(err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + StdError + 'static,
    R: fmt::Debug,
{
    match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            format!(
                "{}: {}",
                e.code().unwrap_or("error"),
                e.message().unwrap_or("no message")
            )
        }
        SdkError::ResponseError(_) => "the endpoint answered with something that is not an AWS API answer (an HTML \
                                       page?): check AWS_ENDPOINT_URL and any proxy"
            .to_owned(),
        SdkError::TimeoutError(_) => "the request timed out".to_owned(),
        _ => {
            let mut causes = Vec::new();
            let mut source: Option<&dyn StdError> = Some(err);
            while let Some(e) = source {
                causes.push(e.to_string());
                source = e.source();
            }
            let full = causes.join(": ");
            if full.contains("no credentials found") || full.contains("CredentialsNotLoaded") {
                "no AWS credentials found: tried the environment, the profile, web identity, ECS and instance metadata"
                    .to_owned()
            } else {
                full.chars().take(300).collect()
            }
        }
    }
}

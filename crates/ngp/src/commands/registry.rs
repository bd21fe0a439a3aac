//! `ngp registry check`: the private registry (or an ECR repository) proven end to end with a real push. The
//! registry is found through the contract (`registry_address` and its companions); its CA and password come from
//! Secrets Manager. Each step is reported with the time it took; a failure is one line naming its step.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use serde_json::Value;

use ngp_modules::contract::{
    self, REGISTRY_ADDRESS, REGISTRY_BUCKET, REGISTRY_CA_SECRET_ARN, REGISTRY_PASSWORD_SECRET_ARN,
    REGISTRY_ROOT_DIRECTORY, REGISTRY_USER,
};
use ngp_registry_check::{expected_objects, find_objects, Registry, Session, StepError, TinyImage};

use crate::pipeline::outputs;
use crate::project::Project;

/// The repository the check pushes to; its tag is new every run.
const PROBE_REPOSITORY: &str = "ngp/registry-check";

pub struct CheckRequest<'a> {
    pub env: &'a str,
    pub address: Option<&'a str>,
    pub ecr: Option<&'a str>,
}

/// The steps done so far, printed as they finish.
struct Steps(Vec<(&'static str, Duration, String)>);

impl Steps {
    fn done(&mut self, step: &'static str, started: Instant, detail: impl Into<String>) {
        let took = started.elapsed();
        let detail = detail.into();
        println!("{step:<12} {:>8.2}s  {detail}", took.as_secs_f64());
        self.0.push((step, took, detail));
    }
}

pub fn check(project: &Project, req: &CheckRequest) -> Result<()> {
    let outputs = outputs::values(project, req.env)?;
    let emulator = super::local::ensure_emulator(project, req.env)?;
    let region = contract::provider(&outputs, ngp_modules::REGION_VARIABLE)
        .map_err(|e| anyhow!(e))?
        .and_then(|(_, outs)| outs.get(ngp_modules::REGION_VARIABLE)?.as_str().map(str::to_owned))
        .context("no module outputs aws_region: run `ngp apply` first")?;
    let mut steps = Steps(Vec::new());
    let started = Instant::now();
    crate::runtime()?
        .block_on(async {
            let aws = ngp_aws::sdk_config(&region, emulator.as_deref()).await;
            match req.ecr {
                Some(repository) => ecr(&aws, repository, emulator.is_some(), &mut steps).await,
                None => private_registry(&aws, &outputs, req.address, &mut steps).await,
            }
        })
        .map_err(|e| anyhow!("registry check failed at {e}"))?;
    let skipped = steps.0.iter().filter(|(_, _, d)| d.starts_with("skipped")).count();
    let note = if skipped > 0 {
        format!(" ({skipped} skipped)")
    } else {
        String::new()
    };
    println!(
        "registry check passed: {} steps in {:.1}s{note}",
        steps.0.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The outputs of the module in the registry's role, by the contract.
fn registry_outputs(outputs: &contract::Outputs) -> Result<&BTreeMap<String, Value>, StepError> {
    let found = contract::provider(outputs, REGISTRY_ADDRESS)
        .map_err(|e| StepError::new("outputs", e, "that one enabled module has registry_address"))?;
    found.map(|(_, outs)| outs).ok_or_else(|| {
        StepError::new(
            "outputs",
            "no module outputs registry_address",
            "that a module with registry_address (the private registry's) is enabled and applied",
        )
    })
}

fn text<'a>(outs: &'a BTreeMap<String, Value>, key: &str) -> Result<&'a str, StepError> {
    outs.get(key).and_then(Value::as_str).ok_or_else(|| {
        StepError::new(
            "outputs",
            format!("the registry's module has no {key} output"),
            "docs/modules.md: a registry module outputs registry_address and its companions",
        )
    })
}

async fn secret(
    client: &aws_sdk_secretsmanager::Client,
    arn: &str,
    what: &str,
    step: &'static str,
) -> Result<String, StepError> {
    let value = client.get_secret_value().secret_id(arn).send().await.map_err(|e| {
        StepError::new(
            step,
            format!("cannot read the {what} from Secrets Manager: {}", ngp_aws::one_line(&e)),
            "that `ngp apply` finished, and the credentials ngp uses",
        )
    })?;
    Ok(value.secret_string().unwrap_or_default().to_owned())
}

async fn private_registry(
    aws: &ngp_aws::SdkConfig,
    outputs: &contract::Outputs,
    address: Option<&str>,
    steps: &mut Steps,
) -> Result<(), StepError> {
    let outs = registry_outputs(outputs)?;
    let start = Instant::now();
    let secrets = aws_sdk_secretsmanager::Client::new(aws);
    let registry = Registry {
        address: address.unwrap_or(text(outs, REGISTRY_ADDRESS)?).to_owned(),
        user: text(outs, REGISTRY_USER)?.to_owned(),
        password: secret(
            &secrets,
            text(outs, REGISTRY_PASSWORD_SECRET_ARN)?,
            "registry's password",
            "credentials",
        )
        .await?,
        ca_pem: Some(secret(&secrets, text(outs, REGISTRY_CA_SECRET_ARN)?, "registry's CA", "ca").await?),
    };
    let address = registry.address.clone();
    let tag = format!("check-{}", unique_tag());
    let session = registry.session(PROBE_REPOSITORY, &tag)?;
    steps.done(
        "credentials",
        start,
        format!("user and CA from Secrets Manager, for {address}"),
    );

    let (image, manifest) = push_and_pull(&session, steps).await?;

    let start = Instant::now();
    let bucket = text(outs, REGISTRY_BUCKET)?;
    let keys = expected_objects(
        text(outs, REGISTRY_ROOT_DIRECTORY)?,
        PROBE_REPOSITORY,
        &image.blob_digests(),
        &manifest,
    );
    find_objects(&aws_sdk_s3::Client::new(aws), bucket, &keys).await?;
    steps.done("storage", start, format!("{} objects in s3://{bucket}", keys.len()));

    let start = Instant::now();
    let deleted = session.delete(&manifest).await?;
    steps.done(
        "delete",
        start,
        if deleted {
            "the test image's manifest deleted"
        } else {
            "skipped: the registry has deletion off (registry_delete_enabled)"
        },
    );
    Ok(())
}

/// A new tiny image pushed and pulled back, digests compared: the image and its manifest's digest.
async fn push_and_pull(session: &Session, steps: &mut Steps) -> Result<(TinyImage, String), StepError> {
    let image =
        TinyImage::new().map_err(|e| StepError::new("image", e.to_string(), "free space for temporary files"))?;
    let start = Instant::now();
    let manifest = session.push(&image).await?;
    steps.done("push", start, format!("{} ({manifest})", session.reference()));
    let start = Instant::now();
    session.pull_and_verify(&image, &manifest).await?;
    steps.done("pull", start, "manifest, layer and config digests match");
    Ok((image, manifest))
}

/// A tag unique enough for one run: the time in milliseconds.
fn unique_tag() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    now.as_millis().to_string()
}

async fn ecr(aws: &ngp_aws::SdkConfig, repository: &str, emulator: bool, steps: &mut Steps) -> Result<(), StepError> {
    let start = Instant::now();
    let client = aws_sdk_ecr::Client::new(aws);
    // The refresher's login: the same call, the same host and token, parsed once.
    let login = ngp_ecr_refresher::login::fetch(&client)
        .await
        .map_err(|e| StepError::new("ecr login", format!("{e:#}"), "the credentials and region ngp uses"))?
        .swap_remove(0);
    let (host, decoded) = (login.host, base64_decode(&login.auth).unwrap_or_default());
    let Some(("AWS", password)) = decoded.split_once(':') else {
        return Err(StepError::new(
            "ecr login",
            "ECR's token is not AWS:<password>",
            "the endpoint (AWS_ENDPOINT_URL)",
        ));
    };
    steps.done("ecr login", start, format!("a token for {host}"));
    if emulator {
        steps.done(
            "push",
            Instant::now(),
            format!("skipped: not supported by this endpoint (the local emulator's ECR has no layer upload); {repository} itself is not in question"),
        );
        return Ok(());
    }
    let registry = Registry {
        address: host,
        user: "AWS".into(),
        password: password.to_owned(),
        ca_pem: None,
    };
    let session = registry.session(repository, &format!("ngp-check-{}", unique_tag()))?;
    let (_, manifest) = push_and_pull(&session, steps).await?;
    let start = Instant::now();
    client
        .batch_delete_image()
        .repository_name(repository)
        .image_ids(
            aws_sdk_ecr::types::ImageIdentifier::builder()
                .image_digest(&manifest)
                .build(),
        )
        .send()
        .await
        .map_err(|e| {
            StepError::new(
                "delete",
                ngp_aws::one_line(&e),
                "ecr:BatchDeleteImage on the repository",
            )
        })?;
    steps.done("delete", start, "the test image deleted");
    Ok(())
}

fn base64_decode(text: &str) -> Option<String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(text).ok()?;
    String::from_utf8(bytes).ok()
}

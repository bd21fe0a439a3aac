//! `ngp doctor`: checks an environment's prerequisites before an apply, one line per check, and fails when any
//! check fails. Against AWS: terraform, the tfvars, the region and credentials (STS), the hosted zone, the AMI
//! lookups (which also prove the Marketplace terms were accepted) and the downloads the modules pin. In local
//! mode the emulator takes the place of the account.

use std::fmt;

use anyhow::{anyhow, bail, Context, Result};
use ngp_modules::{contract, REGION_VARIABLE};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::pipeline::workspace::{terraform_for, Values, Workspace};
use crate::project::{Project, LOCAL_ENV};

/// The oldest Terraform the generated root accepts (its `required_version`).
const MIN_TERRAFORM: (u64, u64) = (1, 5);

enum Outcome {
    Ok(String),
    Fail(String),
    Skip(String),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (tag, text) = match self {
            Outcome::Ok(t) => (console::style("ok  ").green(), t),
            Outcome::Fail(t) => (console::style("FAIL").red().bold(), t),
            Outcome::Skip(t) => (console::style("skip").dim(), t),
        };
        write!(f, "{tag}  {text}")
    }
}

/// Prints each check as it completes (or, for --json, keeps it) and counts the failures.
struct Report {
    failed: usize,
    /// Kept for --json: `{check, status, detail}` each.
    json: Option<Vec<serde_json::Value>>,
}

impl Report {
    fn check(&mut self, what: &str, outcome: Outcome) -> bool {
        let passed = !matches!(outcome, Outcome::Fail(_));
        if !passed {
            self.failed += 1;
        }
        if let Some(checks) = self.json.as_mut() {
            let (status, detail) = match &outcome {
                Outcome::Ok(t) => ("ok", t),
                Outcome::Fail(t) => ("fail", t),
                Outcome::Skip(t) => ("skip", t),
            };
            checks.push(serde_json::json!({"check": what, "status": status, "detail": detail}));
            return passed;
        }
        let line = match outcome {
            Outcome::Ok(t) => Outcome::Ok(format!("{what}: {t}")),
            Outcome::Fail(t) => Outcome::Fail(format!("{what}: {t}")),
            Outcome::Skip(t) => Outcome::Skip(format!("{what}: {t}")),
        };
        println!("{line}");
        passed
    }

    fn result(&mut self, what: &str, result: Result<String>) -> bool {
        match result {
            Ok(t) => self.check(what, Outcome::Ok(t)),
            Err(e) => self.check(what, Outcome::Fail(format!("{e:#}"))),
        }
    }
}

pub struct DoctorRequest<'a> {
    pub env: &'a str,
    /// Download what the modules pin and compare its sha256 (it may be large, so this is opt-in).
    pub download: bool,
    /// Print the checks as JSON at the end instead of one line each as they run.
    pub json: bool,
}

pub fn doctor(project: &Project, req: &DoctorRequest) -> Result<()> {
    let env = req.env;
    let mut report = Report {
        failed: 0,
        json: req.json.then(Vec::new),
    };
    let runtime = crate::runtime()?;

    report.result("terraform", terraform_version(project));
    let local = env == LOCAL_ENV;
    let emulator = if local {
        check_emulator(project, &mut report)?
    } else {
        None
    };
    let Some(ws) = check_configuration(project, env, local, emulator.as_deref(), &mut report) else {
        return finish(report, env);
    };
    let values = Values::read(&ws.dir)?;
    let credentials_ok = check_account(&runtime, &ws, &values, &mut report);

    // The AMI lookups, read by terraform exactly as the plan will read them.
    let targets = ami_targets(&ws);
    if targets.is_empty() {
        report.check("images", Outcome::Skip("no module looks up an AMI".into()));
    } else if !credentials_ok {
        report.check("images", Outcome::Skip("needs working credentials".into()));
    } else {
        report.result("images", read_data_sources(&ws, &targets));
    }

    check_downloads(&ws, &values, &runtime, req.download, &mut report);
    finish(report, env)
}

/// The downloads the enabled modules pin (their `downloads` metadata): each answers at its URL, and with
/// `--download` matches its sha256. Local mode never fetches them.
fn check_downloads(
    ws: &Workspace,
    values: &Values,
    runtime: &tokio::runtime::Runtime,
    download: bool,
    report: &mut Report,
) {
    let pinned = ws
        .modules
        .iter()
        .filter_map(|m| ws.catalog.modules.get(m))
        .flat_map(|m| m.meta.downloads.iter());
    for pin in pinned {
        let outcome = match (values.string(&pin.url), values.string(&pin.sha256)) {
            _ if ws.env == LOCAL_ENV => Outcome::Skip("never fetched in local mode".into()),
            (Some(url), Some(sha256)) => {
                let checked = runtime.block_on(check_download(&url, &sha256, &pin.sha256, download));
                match checked {
                    Ok(text) => Outcome::Ok(text),
                    Err(e) => Outcome::Fail(format!("{e:#}")),
                }
            }
            _ => Outcome::Fail(format!("{} and {} must both be set", pin.url, pin.sha256)),
        };
        report.check(&pin.check, outcome);
    }
}

/// In local mode: the AWS emulator answers. Returns its endpoint when it does.
fn check_emulator(project: &Project, report: &mut Report) -> Result<Option<String>> {
    Ok(match project.local_mode().status()? {
        Some(e) if ngp_local::answers(e.port) => {
            report.check(
                "emulator",
                Outcome::Ok(format!("answers at {} (pid {})", e.endpoint(), e.pid)),
            );
            Some(e.endpoint())
        }
        Some(e) => {
            report.check(
                "emulator",
                Outcome::Fail(format!(
                    "pid {} is recorded but nothing answers at {}: run `ngp local down`, then `ngp local up`",
                    e.pid,
                    e.endpoint()
                )),
            );
            None
        }
        None => {
            report.check(
                "emulator",
                Outcome::Fail("not running: start it with `ngp local up` (or `ngp up --env local`)".into()),
            );
            None
        }
    })
}

/// The configuration: the tfvars are complete and the root module generates.
fn check_configuration(
    project: &Project,
    env: &str,
    local: bool,
    emulator: Option<&str>,
    report: &mut Report,
) -> Option<Workspace> {
    if local && emulator.is_none() {
        report.check("configuration", Outcome::Skip("needs the emulator".into()));
        return None;
    }
    match Workspace::prepare(project, env, emulator) {
        Ok(ws) => {
            report.check(
                "configuration",
                Outcome::Ok(format!("every input of {} is set", ws.modules.join(", "))),
            );
            Some(ws)
        }
        Err(e) => {
            report.check("configuration", Outcome::Fail(format!("{e:#}")));
            None
        }
    }
}

/// The region and the credentials, proven by STS, then (on real AWS) the hosted zone. True when the
/// credentials work.
fn check_account(runtime: &tokio::runtime::Runtime, ws: &Workspace, values: &Values, report: &mut Report) -> bool {
    let emulator = ws.emulator.as_deref();
    let Some(region) = Some(ws.region.clone()).filter(|r| !r.is_empty()) else {
        return report.check(
            "region",
            Outcome::Fail(format!("{REGION_VARIABLE} is not set: set it in the tfvars")),
        );
    };
    report.check("region", Outcome::Ok(region.clone()));
    let sdk = runtime.block_on(ngp_aws::sdk_config(&region, emulator));
    let identity = runtime.block_on(caller_identity(&sdk));
    let ok = report.result("credentials", identity);
    if emulator.is_some() {
        report.check("hosted zone", Outcome::Skip("local mode creates its own zone".into()));
    } else if ok {
        match runtime.block_on(hosted_zone(&sdk, values)) {
            Ok(Some(text)) => report.check("hosted zone", Outcome::Ok(text)),
            Ok(None) => report.check(
                "hosted zone",
                Outcome::Skip("no domain, or ngp creates the zone".into()),
            ),
            Err(e) => report.check("hosted zone", Outcome::Fail(format!("{e:#}"))),
        };
    }
    ok
}

fn finish(report: Report, env: &str) -> Result<()> {
    if let Some(checks) = &report.json {
        println!("{}", serde_json::to_string_pretty(checks)?);
    }
    if report.failed > 0 {
        let failed = ngp_apps::counted(report.failed, "check", "checks");
        bail!("{failed} failed for environment {env}");
    }
    if report.json.is_none() {
        println!("Environment {env} is ready to apply.");
    }
    Ok(())
}

fn terraform_version(project: &Project) -> Result<String> {
    let terraform = terraform_for(project, &project.dir)?;
    let text = terraform.output(&["version", "-json"])?;
    let doc: Value = serde_json::from_str(&text).context("cannot read `terraform version -json`")?;
    let version = doc["terraform_version"]
        .as_str()
        .context("`terraform version -json` has no terraform_version")?;
    let mut parts = version.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if found < MIN_TERRAFORM {
        bail!(
            "{version} is too old: NGP needs {}.{} or later",
            MIN_TERRAFORM.0,
            MIN_TERRAFORM.1
        );
    }
    Ok(format!(
        "{version} (needs {}.{} or later)",
        MIN_TERRAFORM.0, MIN_TERRAFORM.1
    ))
}

async fn caller_identity(sdk: &ngp_aws::SdkConfig) -> Result<String> {
    let sts = aws_sdk_sts::Client::new(sdk);
    let identity = sts.get_caller_identity().send().await.map_err(|e| {
        anyhow!(
            "STS GetCallerIdentity failed ({}): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
             or log in with `aws sso login`",
            ngp_aws::one_line(&e)
        )
    })?;
    Ok(format!(
        "account {} as {}",
        identity.account().unwrap_or("?"),
        identity.arn().unwrap_or("?")
    ))
}

/// The hosted zone for `domain`, when the configuration expects one to exist already.
async fn hosted_zone(sdk: &ngp_aws::SdkConfig, values: &Values) -> Result<Option<String>> {
    let Some(domain) = values.string(contract::DOMAIN) else {
        return Ok(None);
    };
    if values.get(contract::CREATE_DNS_ZONE) == Some(Value::Bool(true)) {
        return Ok(None);
    }
    let wanted = format!("{}.", domain.trim_end_matches('.'));
    let route53 = aws_sdk_route53::Client::new(sdk);
    let zones = route53
        .list_hosted_zones_by_name()
        .dns_name(&wanted)
        .send()
        .await
        .map_err(|e| anyhow!("Route53 ListHostedZonesByName failed: {}", ngp_aws::one_line(&e)))?;
    let found: Vec<_> = zones
        .hosted_zones()
        .iter()
        .filter(|z| z.name() == wanted && !z.config().is_some_and(|c| c.private_zone()))
        .collect();
    match found.as_slice() {
        [] => bail!("no public hosted zone {wanted} in this account: create it, or set create_dns_zone = true"),
        [zone] => Ok(Some(format!(
            "{wanted} is {}",
            zone.id().trim_start_matches("/hostedzone/")
        ))),
        several => bail!(
            "{} public hosted zones are named {wanted}: keep one, so that the records land where clients look",
            several.len()
        ),
    }
}

/// `module.<m>.data.aws_ami.<name>` for every AMI lookup in the enabled modules.
fn ami_targets(ws: &Workspace) -> Vec<String> {
    ws.modules
        .iter()
        .filter_map(|m| ws.catalog.modules.get(m).map(|module| (m, module)))
        .flat_map(|(m, module)| {
            module
                .data_sources
                .iter()
                .filter(|(kind, _)| kind == "aws_ami")
                .map(move |(_, name)| format!("module.{m}.data.aws_ami.{name}"))
        })
        .collect()
}

/// Plans only the lookups: terraform reads each data source, and an AMI that does not resolve is its error.
fn read_data_sources(ws: &Workspace, targets: &[String]) -> Result<String> {
    let mut args = vec![
        "plan".to_owned(),
        "-json".to_owned(),
        "-input=false".to_owned(),
        "-lock=false".to_owned(),
    ];
    args.extend(targets.iter().map(|t| format!("-target={t}")));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ws.terraform.run_json(&args, &[0], |_| {}).map_err(|e| {
        anyhow!("{e}; an image from the AWS Marketplace also needs its terms accepted once per account")
    })?;
    let lookups = ngp_apps::counted(targets.len(), "lookup resolves", "lookups resolve");
    Ok(lookups)
}

/// A download answers at its URL; with `download`, its sha256 matches the pinned one (the input `pinned_by`).
async fn check_download(url: &str, sha256: &str, pinned_by: &str, download: bool) -> Result<String> {
    let client = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(15))
        .build()
        .context("cannot set up the HTTP client")?;
    if !download {
        let response = client
            .head(url)
            .send()
            .await
            .with_context(|| format!("{url} does not answer"))?;
        if !response.status().is_success() {
            bail!("HEAD {url} answered {}", response.status());
        }
        let size = response
            .content_length()
            .map(|n| format!(", {} MB", n / 1_000_000))
            .unwrap_or_default();
        return Ok(format!("{url} answers{size} (pass --download to check its sha256)"));
    }
    let mut response = client
        .get(url)
        .send()
        .await
        .with_context(|| format!("{url} does not answer"))?;
    if !response.status().is_success() {
        bail!("GET {url} answered {}", response.status());
    }
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    while let Some(chunk) = response
        .chunk()
        .await
        .with_context(|| format!("the download of {url} broke off"))?
    {
        size += chunk.len() as u64;
        hasher.update(&chunk);
    }
    let actual = hex::encode(hasher.finalize());
    if actual != sha256 {
        bail!("{url} has sha256 {actual}, not the pinned {pinned_by} {sha256}");
    }
    Ok(format!("{url} matches its sha256 ({size} bytes)"))
}

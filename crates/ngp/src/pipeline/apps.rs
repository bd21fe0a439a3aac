//! The apps step of the pipeline: the modules' `marathon_apps` outputs → Marathon, by diff. After terraform
//! it deploys when the cluster's Marathon answers; before a destroy it removes them. `ngp apps` runs it on
//! demand.

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::{Context, Result};
use ngp_apps::{Action, ApplyOptions, Desired, Plan, Progress};
use ngp_marathon::Client;
use serde_json::Value;

use ngp_modules::contract::{self, Outputs, MARATHON_LOGIN, MARATHON_URL, MESOS_URL};

use super::outputs;
use crate::project::{marathon_port, LOCAL_ENV};
use crate::runtime;

/// Where the apps go, and how to read them from the outputs.
pub struct AppsRequest<'a> {
    pub env: &'a str,
    /// Marathon's URL; default: the local emulator in local mode, else the contract's `marathon_url` output.
    pub marathon_url: Option<&'a str>,
    pub force: bool,
    pub timeout: Duration,
}

impl<'a> AppsRequest<'a> {
    /// The request of a pipeline step: the contract's Marathon, the default wait; `force` cancels a lock.
    fn pipeline(env: &'a str, force: bool) -> Self {
        AppsRequest {
            env,
            marathon_url: None,
            force,
            timeout: ngp_apps::DEFAULT_WAIT,
        }
    }
}

pub struct Target {
    pub client: Client,
    pub mesos: String,
}

/// The desired apps, from the environment's outputs.
pub fn desired(outputs: &Outputs) -> Result<Desired> {
    Ok(ngp_apps::collect(outputs)?)
}

/// Marathon's API and Mesos's beside it: the flag, local mode's emulator, or the module with the contract's
/// `marathon_url` output (logging in with its `marathon_login` unless NGP_DCOS_TOKEN is set).
pub async fn target(req: &AppsRequest<'_>, outputs: &Outputs) -> Result<Target> {
    if let Some(url) = req.marathon_url {
        let base = url.trim_end_matches('/');
        let mesos = match base.strip_suffix("/service/marathon") {
            Some(admin_router) => format!("{admin_router}/mesos"),
            None => format!("{base}/mesos"),
        };
        return Ok(Target {
            client: Client::new(base, std::env::var("NGP_DCOS_TOKEN").ok())?,
            mesos,
        });
    }
    if req.env == LOCAL_ENV {
        let base = format!("http://127.0.0.1:{}", marathon_port()?);
        return Ok(Target {
            client: Client::new(&base, None)?,
            mesos: format!("{base}/mesos"),
        });
    }
    let (module, outs) = contract::provider(outputs, MARATHON_URL)
        .map_err(anyhow::Error::msg)?
        .with_context(|| {
            format!("no Marathon to talk to: no enabled module has a {MARATHON_URL} output; pass --marathon-url")
        })?;
    let text = |key: &str| {
        outs.get(key)
            .and_then(Value::as_str)
            .map(|s| s.trim_end_matches('/').to_owned())
    };
    let base = text(MARATHON_URL).context("marathon_url is not a string")?;
    let mesos =
        text(MESOS_URL).with_context(|| format!("module {module} has {MARATHON_URL} but no {MESOS_URL} output"))?;
    let token = match (std::env::var("NGP_DCOS_TOKEN"), outs.get(MARATHON_LOGIN)) {
        (Ok(token), _) => Some(token),
        (Err(_), Some(login)) => Some(login_token(module, login).await?),
        (Err(_), None) => None,
    };
    Ok(Target {
        client: Client::new(&base, token)?,
        mesos,
    })
}

/// The contract's `marathon_login`: `{ url, uid, password }`.
#[derive(serde::Deserialize)]
struct Login {
    url: String,
    uid: String,
    password: String,
}

/// Logs in at the module's `marathon_login` endpoint and returns the token.
async fn login_token(module: &str, login: &Value) -> Result<String> {
    let login: Login = serde_json::from_value(login.clone())
        .map_err(|e| anyhow::anyhow!("module {module}: output {MARATHON_LOGIN}: {e}; set NGP_DCOS_TOKEN"))?;
    match ngp_marathon::login(&login.url, &login.uid, &login.password).await {
        Err(e @ ngp_marathon::Error::Unreachable { .. }) => {
            Err(anyhow::Error::new(e).context(unreachable_hint(&login.url)))
        }
        other => Ok(other?),
    }
}

fn unreachable_hint(url: &str) -> String {
    format!(
        "cannot reach {url}: the cluster is private, so run ngp from inside the VPC or over the VPN \
         (`ngp vpn profile > client.ovpn`)"
    )
}

pub fn print_plan(plan: &Plan) {
    for module in &plan.modules {
        for app in &module.apps {
            let line = match &app.action {
                Action::Create => format!("  + {} (create)", app.id),
                Action::Update(keys) => format!("  ~ {} (update: {})", app.id, keys.join(", ")),
                Action::Unchanged => continue,
                Action::Remove => format!("  - {} (remove)", app.id),
            };
            println!("{line}");
        }
    }
    println!(
        "Apps: {} to create, {} to update, {} to remove, {} unchanged.",
        plan.count(|a| *a == Action::Create),
        plan.count(|a| matches!(a, Action::Update(_))),
        plan.count(|a| *a == Action::Remove),
        plan.count(|a| *a == Action::Unchanged),
    );
}

pub async fn reconcile(req: &AppsRequest<'_>, target: &Target, desired: &Desired) -> Result<()> {
    let plan = ngp_apps::plan(&target.client, desired, &target.mesos).await?;
    print_plan(&plan);
    let options = ApplyOptions {
        force: req.force,
        timeout: req.timeout,
        ..ApplyOptions::default()
    };
    let report = ngp_apps::apply(&target.client, &plan, &options, progress_display()).await?;
    let (reads, writes) = target.client.calls();
    println!(
        "Apps reconciled: {} created, {} updated, {} unchanged, {} removed ({}, {}).",
        report.created.len(),
        report.updated.len(),
        report.unchanged.len(),
        report.removed.len(),
        ngp_apps::counted(reads as usize, "read", "reads"),
        ngp_apps::counted(writes as usize, "write", "writes"),
    );
    Ok(())
}

/// A spinner per group on a terminal; plain lines otherwise.
fn progress_display() -> impl FnMut(Progress) {
    let tty = std::io::stderr().is_terminal();
    let mut spinner: Option<indicatif::ProgressBar> = None;
    move |event| match event {
        Progress::Writing { group } => {
            if tty {
                let bar = indicatif::ProgressBar::new_spinner();
                bar.enable_steady_tick(Duration::from_millis(120));
                bar.set_message(format!("{group}: writing"));
                spinner = Some(bar);
            } else {
                eprintln!("{group}: writing");
            }
        }
        Progress::Locked { group, deployments } => {
            let text = format!(
                "{group}: locked by {}; waiting (--force cancels it)",
                deployments.join(", ")
            );
            match &spinner {
                Some(bar) => bar.set_message(text),
                None => eprintln!("{text}"),
            }
        }
        Progress::Waiting {
            group,
            deployment,
            elapsed,
        } => {
            if let Some(bar) = &spinner {
                bar.set_message(format!("{group}: deployment {deployment} ({}s)", elapsed.as_secs()));
            }
        }
        Progress::Done { group } => match spinner.take() {
            Some(bar) => bar.finish_with_message(format!("{group}: deployed")),
            None => eprintln!("{group}: deployed"),
        },
    }
}

/// Marathon when it answers. One connection (and, on DC/OS, one login) serves both this check and what follows.
async fn reachable(req: &AppsRequest<'_>, outputs: &Outputs) -> Option<Target> {
    match target(req, outputs).await {
        Ok(t) if t.client.info().await.is_ok() => Some(t),
        _ => None,
    }
}

/// Before a terraform destroy: the modules' apps go first, while Marathon still runs. When it cannot be reached
/// (or there are no outputs), say so and go on: the infrastructure's destroy takes the cluster with it.
pub fn before_destroy(ws: &super::workspace::Workspace) -> Result<()> {
    let Ok(shown) = outputs::read_with(&ws.terraform, &ws.dir) else {
        return Ok(());
    };
    let outputs = outputs::plain(&shown);
    let req = AppsRequest::pipeline(&ws.env, true);
    runtime()?.block_on(async {
        match reachable(&req, &outputs).await {
            Some(target) => reconcile(&req, &target, &Desired::default()).await,
            None => {
                println!("The cluster's Marathon is not reachable from here: its apps go with the cluster.");
                Ok(())
            }
        }
    })
}

/// After a terraform apply: reconcile when some module exports apps and Marathon answers; otherwise say how.
pub fn after_terraform(env: &str, outputs: &Outputs) -> Result<()> {
    let desired = desired(outputs)?;
    if desired.modules.is_empty() {
        return Ok(());
    }
    let req = AppsRequest::pipeline(env, false);
    runtime()?.block_on(async {
        let Some(target) = reachable(&req, outputs).await else {
            println!(
                "The cluster's Marathon is not reachable from here, so the apps were not deployed. Run \
                 `ngp apps apply --env {env}` from inside the VPC or over the VPN (`ngp vpn profile > client.ovpn`)."
            );
            return Ok(());
        };
        reconcile(&req, &target, &desired).await
    })
}

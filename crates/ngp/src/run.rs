//! `ngp validate | plan | apply | destroy | up`: Terraform runs on a prepared workspace.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use ngp_terraform::{ApplyProgress, Changes, PlanSummary};

use crate::project::{local_port, marathon_port, Project, LOCAL_ENV};
use crate::workspace::{Workspace, PLAN_FILE};

/// In local mode: the emulator's endpoint, starting it if needed.
pub fn ensure_emulator(project: &Project, env: &str) -> Result<Option<String>> {
    if env != LOCAL_ENV {
        return Ok(None);
    }
    let (emulator, started) = start_emulators(project, local_port()?)?;
    if started {
        eprintln!(
            "started the AWS emulator at {} (pid {})",
            emulator.endpoint(),
            emulator.pid
        );
    }
    Ok(Some(emulator.endpoint()))
}

/// Starts both emulators (moto on `port`, Marathon beside it) when they are not running. A freshly started
/// AWS emulator is empty, so the local state, which describes the previous one's resources, is cleared. A
/// failed start leaves nothing running: an AWS emulator started here is stopped again.
pub fn start_emulators(project: &Project, port: u16) -> Result<(ngp_local::Emulator, bool)> {
    let local = project.local_mode();
    let (emulator, started) = local.up(port, |msg| eprintln!("{msg}"))?;
    if let Err(e) = ensure_marathon(project) {
        if started {
            let _ = local.down();
        }
        return Err(e);
    }
    if started {
        clear_local_state(project);
    }
    Ok((emulator, started))
}

/// In local mode: the Marathon emulator beside moto, started if needed.
pub fn ensure_marathon(project: &Project) -> Result<()> {
    let exe = std::env::current_exe().context("cannot find the ngp program to run the Marathon emulator")?;
    let (marathon, started) = project.local_mode().marathon_up(&exe, marathon_port()?)?;
    if started {
        eprintln!(
            "started the Marathon emulator at {} (pid {})",
            marathon.endpoint(),
            marathon.pid
        );
    }
    Ok(())
}

/// Removes the local environment's state and saved plan: they describe an emulator that is gone.
pub fn clear_local_state(project: &Project) {
    let dir = project.workspace(LOCAL_ENV);
    for name in [
        "terraform.tfstate",
        "terraform.tfstate.backup",
        PLAN_FILE,
        "ngp.tfplan.sha256",
    ] {
        let _ = std::fs::remove_file(dir.join(name));
    }
}

pub fn validate(project: &Project, env: &str) -> Result<()> {
    // Validating needs no running emulator, only the endpoint the provider would use.
    let endpoint = (env == LOCAL_ENV)
        .then(|| local_port().map(|p| format!("http://127.0.0.1:{p}")))
        .transpose()?;
    let ws = Workspace::prepare(project, env, endpoint.as_deref())?;
    ws.terraform.output(&["validate", "-no-color"])?;
    ws.check_values()?;
    println!(
        "The configuration of environment {env} is valid (modules: {}).",
        ws.modules.join(", ")
    );
    Ok(())
}

/// Plans into the workspace's plan file and returns the summary. A plan with no changes needs no
/// `terraform show`: its summary is empty. A failed plan leaves no saved plan behind.
fn make_plan(ws: &Workspace) -> Result<PlanSummary> {
    let mut progress = ApplyProgress::spinner("plan");
    let planned = ws.terraform.run_json(
        &[
            "plan",
            "-json",
            "-input=false",
            "-detailed-exitcode",
            &format!("-out={PLAN_FILE}"),
        ],
        &[0, 2],
        |e| progress.handle(e),
    );
    progress.finish();
    let code = match planned {
        Ok(code) => code,
        // Another run holds the state, and maybe this plan file: leave both alone.
        Err(e @ ngp_terraform::Error::Locked { .. }) => return Err(e.into()),
        Err(e) => {
            ws.forget_plan();
            return Err(ws.explain(e));
        }
    };
    let summary = if code == 0 {
        PlanSummary::default()
    } else {
        PlanSummary::from_show_json(&ws.terraform.output(&["show", "-json", PLAN_FILE])?)?
    };
    ws.save_plan_fingerprint()?;
    Ok(summary)
}

/// A plan that would tear the whole environment down is not an apply: it needs `ngp destroy`.
fn refuse_total_destroy(ws: &Workspace, summary: &PlanSummary) -> Result<()> {
    if !summary.destroys_everything {
        return Ok(());
    }
    ws.forget_plan();
    let env = &ws.env;
    let text = format!(
        "this plan destroys every resource of environment {env} (are the modules or tfvars right?); \
         to tear the environment down, run `ngp destroy --env {env}`"
    );
    bail!("{}", console::style(text).red().for_stderr())
}

fn color() -> bool {
    console::colors_enabled()
}

pub fn plan(project: &Project, env: &str, detailed_exitcode: bool, json: bool) -> Result<ExitCode> {
    let endpoint = ensure_emulator(project, env)?;
    let ws = Workspace::prepare(project, env, endpoint.as_deref())?;
    let summary = make_plan(&ws)?;
    refuse_total_destroy(&ws, &summary)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", summary.render(color()));
    }
    if summary.has_changes() && !json {
        println!("\nSaved this plan; `ngp apply --env {env} --saved-plan` applies exactly it.");
    }
    Ok(match (detailed_exitcode, summary.has_changes()) {
        (true, true) => ExitCode::from(2),
        _ => ExitCode::SUCCESS,
    })
}

/// `terraform force-unlock`, in the environment's workspace as it is (nothing regenerated, no emulator started).
pub fn force_unlock(project: &Project, env: &str, id: &str, auto_approve: bool) -> Result<()> {
    ngp_config::validate_env_name(env)?;
    let dir = project.workspace(env);
    if !dir.join(".terraform").is_dir() {
        bail!("environment {env} has no workspace yet, so no lock to release");
    }
    let question =
        format!("Release lock {id} of environment {env}? Only do this when the run that holds it is gone. Type yes:");
    if !auto_approve && !confirm(&question, "yes")? {
        bail!("force-unlock cancelled; the lock is kept");
    }
    crate::workspace::terraform_for(project, &dir)?.output(&["force-unlock", "-force", id])?;
    println!("Released lock {id} of environment {env}.");
    Ok(())
}

/// Whether the environment has state to act on: a local state file with resources, or a remote backend.
fn has_state(project: &Project, env: &str) -> bool {
    if project.dir.join(format!("ngp.{env}.tfbackend")).is_file() {
        return true;
    }
    let state = std::fs::read(project.workspace(env).join("terraform.tfstate")).unwrap_or_default();
    serde_json::from_slice::<serde_json::Value>(&state)
        .is_ok_and(|s| s["resources"].as_array().is_some_and(|r| !r.is_empty()))
}

/// Asks on the terminal; refuses when there is none to ask.
pub fn confirm(question: &str, expected: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        bail!("not a terminal, so nobody can confirm: pass --auto-approve to go ahead without asking");
    }
    print!("{question} ");
    std::io::stdout().flush().ok();
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(answer.trim() == expected)
}

/// Applies the plan file in the workspace, with a progress bar; returns Terraform's final summary.
fn apply_plan_file(ws: &Workspace, summary: &PlanSummary) -> Result<Option<Changes>> {
    let mut progress = ApplyProgress::new("apply", Some(summary.totals().operations()));
    let mut result = None;
    let outcome = ws
        .terraform
        .run_json(&["apply", "-json", "-input=false", PLAN_FILE], &[0], |e| {
            progress.handle(e);
            if e.kind == "change_summary" {
                result = e.changes;
            }
        });
    progress.finish();
    // A plan file is applied once, whatever happened.
    ws.forget_plan();
    outcome?;
    Ok(result)
}

fn report(env: &str, changes: Option<Changes>) {
    if let Some(c) = changes {
        println!(
            "Apply complete for environment {env}: {} added, {} changed, {} destroyed.",
            c.add, c.change, c.remove
        );
    }
}

/// Plans (or takes the saved plan), confirms where needed, applies, then runs the steps that follow terraform
/// (certificates, apps). `headline` ends with the block of what a user came for.
pub fn apply(project: &Project, env: &str, auto_approve: bool, saved_plan: bool, headline: bool) -> Result<()> {
    let endpoint = ensure_emulator(project, env)?;
    let ws = Workspace::prepare(project, env, endpoint.as_deref())?;
    if saved_plan {
        ws.check_saved_plan()?;
        let show = ws.terraform.output(&["show", "-json", PLAN_FILE])?;
        let summary = PlanSummary::from_show_json(&show)?;
        refuse_total_destroy(&ws, &summary)?;
        report(env, apply_plan_file(&ws, &summary)?);
        return after_apply(&ws, headline);
    }
    let summary = make_plan(&ws)?;
    refuse_total_destroy(&ws, &summary)?;
    print!("{}", summary.render(color()));
    if summary.has_changes() {
        // Local mode builds without asking, unless the plan takes something down.
        let totals = summary.totals();
        let approved = auto_approve || (env == LOCAL_ENV && totals.destroy + totals.replace == 0);
        if !approved && !confirm(&format!("\nApply these changes to environment {env}? Type yes:"), "yes")? {
            ws.forget_plan();
            bail!("apply cancelled; nothing was changed");
        }
        report(env, apply_plan_file(&ws, &summary)?);
    } else {
        ws.forget_plan();
    }
    after_apply(&ws, headline)
}

/// The steps that follow terraform, on the outputs read once: the certificates modules ask for (`ngp_tls`),
/// then their apps (`marathon_apps`); then, when asked, what the user came for.
fn after_apply(ws: &Workspace, headline: bool) -> Result<()> {
    let shown = crate::output::read_with(&ws.terraform, &ws.dir)?;
    let outputs = crate::output::plain(&shown);
    // Certificates first: the nodes and the apps read them from Secrets Manager.
    crate::certificates::ensure(ws, &outputs)?;
    crate::apps_cmd::after_terraform(&ws.env, &outputs)?;
    if headline {
        crate::output::print_headline(&ws.catalog, &shown);
    }
    Ok(())
}

pub fn destroy(project: &Project, env: &str, auto_approve: bool) -> Result<()> {
    ngp_config::validate_env_name(env)?;
    if !has_state(project, env) {
        bail!("environment {env} has no state, so nothing to destroy (no {}/terraform.tfstate and no ngp.{env}.tfbackend)", project.workspace(env).display());
    }
    let endpoint = ensure_emulator(project, env)?;
    let ws = Workspace::prepare(project, env, endpoint.as_deref())?;
    if !auto_approve
        && !confirm(
            &format!("Destroy every resource of environment {env}? Type the environment name to confirm:"),
            env,
        )?
    {
        bail!("destroy cancelled; nothing was changed");
    }
    ws.forget_plan();
    crate::apps_cmd::before_destroy(&ws)?;
    let mut progress = ApplyProgress::new("destroy", None);
    let mut result = None;
    let outcome = ws.terraform.run_json(
        &["apply", "-destroy", "-json", "-input=false", "-auto-approve"],
        &[0],
        |e| {
            progress.handle(e);
            if e.kind == "change_summary" {
                result = e.changes;
            }
        },
    );
    progress.finish();
    outcome?;
    let removed = result.map_or(0, |c| c.remove);
    println!("Destroy complete for environment {env}: {removed} destroyed.");
    Ok(())
}

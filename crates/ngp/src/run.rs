//! `ngp validate | plan | apply | destroy | up`: Terraform runs on a prepared workspace.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use ngp_terraform::{ApplyProgress, Changes, PlanSummary};

use crate::project::{local_port, marathon_port, Project, LOCAL_ENV};
use crate::workspace::{Workspace, PLAN_FILE};

/// In local mode: the emulator's endpoint, starting it if needed. A freshly started emulator is empty, so the
/// local state, which describes the previous one's resources, is cleared.
pub fn ensure_emulator(project: &Project, env: &str) -> Result<Option<String>> {
    if env != LOCAL_ENV {
        return Ok(None);
    }
    let local = project.local_mode();
    let (emulator, started) = local.up(local_port()?, |msg| eprintln!("{msg}"))?;
    if started {
        eprintln!(
            "started the AWS emulator at {} (pid {})",
            emulator.endpoint(),
            emulator.pid
        );
        clear_local_state(project);
    }
    ensure_marathon(project)?;
    Ok(Some(emulator.endpoint()))
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
    println!(
        "The configuration of environment {env} is valid (modules: {}).",
        ws.modules.join(", ")
    );
    Ok(())
}

/// Plans into the workspace's plan file and returns the summary.
fn make_plan(ws: &Workspace) -> Result<PlanSummary> {
    let mut progress = ApplyProgress::spinner("plan");
    ws.terraform.run_json(
        &[
            "plan",
            "-json",
            "-input=false",
            "-detailed-exitcode",
            &format!("-out={PLAN_FILE}"),
        ],
        &[0, 2],
        |e| progress.handle(e),
    )?;
    progress.finish();
    let show = ws.terraform.output(&["show", "-json", PLAN_FILE])?;
    let summary = PlanSummary::from_show_json(&show)?;
    ws.save_plan_fingerprint()?;
    Ok(summary)
}

fn color() -> bool {
    console::colors_enabled()
}

pub fn plan(project: &Project, env: &str, detailed_exitcode: bool) -> Result<ExitCode> {
    let endpoint = ensure_emulator(project, env)?;
    let ws = Workspace::prepare(project, env, endpoint.as_deref())?;
    let summary = make_plan(&ws)?;
    print!("{}", summary.render(color()));
    if summary.has_changes() {
        println!("\nSaved this plan; `ngp apply --env {env} --saved-plan` applies exactly it.");
    }
    Ok(match (detailed_exitcode, summary.has_changes()) {
        (true, true) => ExitCode::from(2),
        _ => ExitCode::SUCCESS,
    })
}

/// Asks on the terminal; refuses when there is none to ask.
fn confirm(question: &str, expected: &str) -> Result<bool> {
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

pub fn apply(project: &Project, env: &str, auto_approve: bool, saved_plan: bool) -> Result<()> {
    let endpoint = ensure_emulator(project, env)?;
    let ws = Workspace::prepare(project, env, endpoint.as_deref())?;
    if saved_plan {
        ws.check_saved_plan()?;
        let show = ws.terraform.output(&["show", "-json", PLAN_FILE])?;
        let summary = PlanSummary::from_show_json(&show)?;
        report(env, apply_plan_file(&ws, &summary)?);
        return crate::apps_cmd::after_terraform(project, env);
    }
    let summary = make_plan(&ws)?;
    print!("{}", summary.render(color()));
    if summary.has_changes() {
        let approved = auto_approve || env == LOCAL_ENV;
        if !approved && !confirm(&format!("\nApply these changes to environment {env}? Type yes:"), "yes")? {
            ws.forget_plan();
            bail!("apply cancelled; nothing was changed");
        }
        report(env, apply_plan_file(&ws, &summary)?);
    } else {
        ws.forget_plan();
    }
    // The cluster's apps follow the infrastructure.
    crate::apps_cmd::after_terraform(project, env)
}

pub fn destroy(project: &Project, env: &str, auto_approve: bool) -> Result<()> {
    let endpoint = ensure_emulator(project, env)?;
    let ws = Workspace::prepare(project, env, endpoint.as_deref())?;
    let approved = auto_approve || env == LOCAL_ENV;
    if !approved
        && !confirm(
            &format!("Destroy every resource of environment {env}? Type the environment name to confirm:"),
            env,
        )?
    {
        bail!("destroy cancelled; nothing was changed");
    }
    ws.forget_plan();
    crate::apps_cmd::before_destroy(project, env)?;
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

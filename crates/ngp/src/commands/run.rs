//! `ngp validate | plan | apply | destroy | up | force-unlock`: the pipeline (`crate::pipeline`) run on an
//! environment, with the confirmations each command needs.

use std::process::ExitCode;

use anyhow::{bail, Result};
use ngp_terraform::PlanSummary;

use crate::commands::local::ensure_emulator;
use crate::pipeline::terraform::{apply_plan_file, destroy_all, make_plan, refuse_total_destroy, report};
use crate::pipeline::workspace::{Workspace, PLAN_FILE};
use crate::pipeline::{after_apply, apps, Applied};
use crate::project::{local_port, Project, LOCAL_ENV};
use crate::terminal::{color, confirm};

/// `ngp up`: init when there is no ngp.tfvars yet, apply, then every output.
pub fn up(project: &Project, env: &str, auto_approve: bool) -> Result<()> {
    if !project.dir.join(ngp_config::BASE_FILE).exists() {
        crate::commands::init::init(project, None, None)?;
    }
    let applied = apply(project, env, auto_approve, false)?;
    println!();
    crate::commands::output::print_listing(env, &applied.catalog, &applied.outputs, false)
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
    crate::pipeline::workspace::terraform_for(project, &dir)?.output(&["force-unlock", "-force", id])?;
    println!("Released lock {id} of environment {env}.");
    Ok(())
}

/// Whether the environment has state to act on: a local state file with resources, or a remote backend.
/// Why an environment has nothing to destroy, or `None` when it has: a remote backend, or a local state that holds
/// resources or outputs (an environment whose modules only deploy apps has outputs and no resources).
fn nothing_to_destroy(project: &Project, env: &str) -> Option<String> {
    if project.dir.join(format!("ngp.{env}.tfbackend")).is_file() {
        return None;
    }
    let path = project.workspace(env).join("terraform.tfstate");
    let Ok(bytes) = std::fs::read(&path) else {
        return Some(format!(
            "{} does not exist, and there is no ngp.{env}.tfbackend",
            path.display()
        ));
    };
    let state: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let resources = state["resources"].as_array().is_some_and(|r| !r.is_empty());
    let outputs = state["outputs"].as_object().is_some_and(|o| !o.is_empty());
    (!resources && !outputs).then(|| format!("{} holds no resources and no outputs", path.display()))
}

/// Plans (or takes the saved plan), confirms where needed, applies, then runs the steps that follow terraform
/// (certificates, apps); returns the outputs they read, for the summary.
pub fn apply(project: &Project, env: &str, auto_approve: bool, saved_plan: bool) -> Result<Applied> {
    let endpoint = ensure_emulator(project, env)?;
    let ws = Workspace::prepare(project, env, endpoint.as_deref())?;
    if saved_plan {
        ws.check_saved_plan()?;
        let show = ws.terraform.output(&["show", "-json", PLAN_FILE])?;
        let summary = PlanSummary::from_show_json(&show)?;
        refuse_total_destroy(&ws, &summary)?;
        report(env, apply_plan_file(&ws, &summary)?);
        return after_apply(ws);
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
    after_apply(ws)
}

pub fn destroy(project: &Project, env: &str, auto_approve: bool) -> Result<()> {
    ngp_config::validate_env_name(env)?;
    if let Some(why) = nothing_to_destroy(project, env) {
        bail!("environment {env} has no state, so nothing to destroy: {why}");
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
    apps::before_destroy(&ws)?;
    let removed = destroy_all(&ws)?;
    println!("Destroy complete for environment {env}: {removed} destroyed.");
    Ok(())
}

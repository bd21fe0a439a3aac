//! The terraform runs of the pipeline, on a prepared workspace: plan into the saved plan file, refuse a plan
//! that destroys everything, apply the plan file with a progress bar.

use anyhow::{bail, Result};
use ngp_terraform::{ApplyProgress, Changes, PlanSummary};

use super::adopt;
use super::workspace::{Workspace, PLAN_FILE};

/// Plans into the workspace's plan file and returns the summary. A plan with no changes needs no
/// `terraform show`: its summary is empty. A failed plan leaves no saved plan behind.
pub fn make_plan(ws: &Workspace) -> Result<PlanSummary> {
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
pub fn refuse_total_destroy(ws: &Workspace, summary: &PlanSummary) -> Result<()> {
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

/// Applies the plan file in the workspace, with a progress bar; returns Terraform's final summary. When the
/// apply finds objects that an interrupted apply created but never recorded, it adopts them (see [`adopt`]) and
/// applies once more.
pub fn apply_plan_file(ws: &Workspace, summary: &PlanSummary) -> Result<Option<Changes>> {
    let err = match apply_once(ws, summary) {
        Ok(changes) => {
            adopt::settled(&ws.dir);
            return Ok(changes);
        }
        Err(err) => err,
    };
    let orphans = match err.downcast_ref::<adopt::OrphansFound>() {
        Some(found) if adopt::was_interrupted(&ws.dir) => found.0.clone(),
        _ => return Err(err),
    };
    println!("The last apply was interrupted, and left objects it never recorded: adopting them.");
    make_plan(ws)?;
    let plan: serde_json::Value = serde_json::from_str(&ws.terraform.output(&["show", "-json", PLAN_FILE])?)?;
    ws.forget_plan();
    adopt::write_imports(ws, &plan, &orphans)?;
    let summary = make_plan(ws)?;
    let outcome = apply_once(ws, &summary);
    if outcome.is_ok() {
        adopt::settled(&ws.dir);
    }
    outcome
}

/// One apply of the plan file; an interrupted one leaves its marker, for the next apply to adopt what it made.
fn apply_once(ws: &Workspace, summary: &PlanSummary) -> Result<Option<Changes>> {
    let outcome = run_with_progress(
        ws,
        "apply",
        Some(summary.totals().operations()),
        &["apply", "-json", "-input=false", PLAN_FILE],
    );
    // A plan file is applied once, whatever happened.
    ws.forget_plan();
    let interrupted = outcome
        .as_ref()
        .err()
        .and_then(|e| e.downcast_ref::<ngp_terraform::Error>());
    if matches!(interrupted, Some(ngp_terraform::Error::Interrupted { .. })) {
        adopt::mark_interrupted(&ws.dir)?;
    }
    outcome
}

/// Destroys every resource of the workspace, with a progress bar; returns how many were destroyed.
pub fn destroy_all(ws: &Workspace) -> Result<u64> {
    let args = ["apply", "-destroy", "-json", "-input=false", "-auto-approve"];
    let changes = run_with_progress(ws, "destroy", None, &args)?;
    Ok(changes.map_or(0, |c| c.remove))
}

/// A terraform run that reports JSON events, shown as a progress bar; returns terraform's final summary.
fn run_with_progress(ws: &Workspace, what: &str, total: Option<u64>, args: &[&str]) -> Result<Option<Changes>> {
    let mut progress = ApplyProgress::new(what, total);
    let mut result = None;
    let mut diagnostics = Vec::new();
    let outcome = ws.terraform.run_json(args, &[0], |e| {
        progress.handle(e);
        if e.kind == "change_summary" {
            result = e.changes;
        }
        diagnostics.extend(e.diagnostic.clone());
    });
    progress.finish();
    if let Err(err) = outcome {
        let orphans = adopt::orphans(&diagnostics);
        if orphans.is_empty() {
            return Err(err.into());
        }
        return Err(anyhow::Error::from(err).context(adopt::OrphansFound(orphans)));
    }
    Ok(result)
}

pub fn report(env: &str, changes: Option<Changes>) {
    if let Some(c) = changes {
        println!(
            "Apply complete for environment {env}: {} added, {} changed, {} destroyed.",
            c.add, c.change, c.remove
        );
    }
}

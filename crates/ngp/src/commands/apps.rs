//! `ngp apps plan | apply | status | remove`: the modules' `marathon_apps` outputs → Marathon, by diff, on
//! demand. `ngp apply` runs the same reconcile as a step of the pipeline.

use anyhow::{bail, Result};
use ngp_apps::{Action, Desired, Plan};
use ngp_marathon::PathId;
use serde_json::Value;

use crate::cli::{AppsArgs, AppsCommand};
use crate::pipeline::apps::{desired, print_plan, reconcile, target, AppsRequest};
use crate::pipeline::outputs;
use crate::project::Project;
use crate::runtime;

/// `ngp apps ...`: the request from the shared arguments, then the subcommand.
pub fn apps(project: &Project, command: AppsCommand) -> Result<()> {
    let (args, force) = match &command {
        AppsCommand::Plan { args, .. } | AppsCommand::Status { args, .. } => (args, false),
        AppsCommand::Apply { args, force } | AppsCommand::Remove { args, force, .. } => (args, *force),
    };
    let req = apps_request(args, force);
    match command {
        AppsCommand::Plan { json, .. } => plan(project, &req, json)?,
        AppsCommand::Apply { .. } => apply(project, &req)?,
        AppsCommand::Status { json, .. } => status(project, &req, json)?,
        AppsCommand::Remove { auto_approve, .. } => remove(project, &req, auto_approve)?,
    }
    Ok(())
}

fn apps_request(args: &AppsArgs, force: bool) -> AppsRequest<'_> {
    AppsRequest {
        env: &args.env.env,
        marathon_url: args.marathon_url.as_deref(),
        force,
        timeout: std::time::Duration::from_secs(args.timeout),
    }
}

fn plan(project: &Project, req: &AppsRequest, json: bool) -> Result<()> {
    let outputs = outputs::values(project, req.env)?;
    let desired = desired(&outputs)?;
    runtime()?.block_on(async {
        let target = target(req, &outputs).await?;
        let plan = ngp_apps::plan(&target.client, &desired, &target.mesos).await?;
        if json {
            println!("{}", serde_json::to_string_pretty(&plan_json(&plan))?);
        } else {
            print_plan(&plan);
        }
        Ok(())
    })
}

/// The plan as JSON: per module, each app's action (with the keys that differ) and the group body NGP writes.
fn plan_json(plan: &Plan) -> Value {
    let modules: Vec<Value> = plan
        .modules
        .iter()
        .map(|m| {
            let apps: Vec<Value> = m
                .apps
                .iter()
                .map(|a| {
                    let (action, keys) = match &a.action {
                        Action::Create => ("create", vec![]),
                        Action::Update(keys) => ("update", keys.clone()),
                        Action::Unchanged => ("unchanged", vec![]),
                        Action::Remove => ("remove", vec![]),
                    };
                    serde_json::json!({ "id": a.id.to_string(), "action": action, "keys": keys })
                })
                .collect();
            serde_json::json!({
                "module": m.module,
                "group": m.group.to_string(),
                "apps": apps,
                "body": m.body,
            })
        })
        .collect();
    serde_json::json!({ "modules": modules })
}

fn apply(project: &Project, req: &AppsRequest) -> Result<()> {
    let outputs = outputs::values(project, req.env)?;
    let desired = desired(&outputs)?;
    runtime()?.block_on(async { reconcile(req, &target(req, &outputs).await?, &desired).await })
}

fn status(project: &Project, req: &AppsRequest, json: bool) -> Result<()> {
    let outputs = outputs::values(project, req.env)?;
    runtime()?.block_on(async {
        let target = target(req, &outputs).await?;
        let root = PathId::parse(ngp_apps::ROOT_GROUP).expect("valid");
        let groups = target.client.group(&root).await?.map(ngp_apps::apps_by_group);
        let apps: Vec<Value> = groups
            .into_iter()
            .flatten()
            .flat_map(|(_, apps)| apps.into_values())
            .collect();
        let rows: Vec<Value> = apps
            .iter()
            .map(|app| {
                serde_json::json!({
                    "id": app["id"],
                    "instances": app["instances"],
                    "running": app["tasksRunning"],
                    "deployments": app["deployments"].as_array().map_or(0, Vec::len),
                })
            })
            .collect();
        if json {
            println!("{}", serde_json::to_string_pretty(&rows)?);
        } else if rows.is_empty() {
            println!("No NGP apps on Marathon at {}.", target.client.base());
        } else {
            let cell = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            let columns = ["id", "instances", "running", "deployments"];
            let table = rows
                .iter()
                .map(|r| columns.iter().map(|c| cell(&r[*c])).collect())
                .collect();
            crate::terminal::print(&columns, &["instances", "running", "deployments"], table);
        }
        Ok(())
    })
}

/// Removes NGP's groups (every `/ngp/<module>`), and nothing else, once confirmed.
fn remove(project: &Project, req: &AppsRequest, auto_approve: bool) -> Result<()> {
    let outputs = outputs::values(project, req.env)?;
    runtime()?.block_on(async {
        let target = target(req, &outputs).await?;
        let question = format!(
            "Remove every NGP app of environment {} from Marathon at {}? Type yes:",
            req.env,
            target.client.base()
        );
        if !auto_approve && !crate::terminal::confirm(&question, "yes")? {
            bail!("apps remove cancelled; nothing was changed");
        }
        // Nothing desired: every live group below /ngp goes.
        reconcile(req, &target, &Desired::default()).await
    })
}

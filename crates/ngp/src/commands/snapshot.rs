//! `ngp snapshot take | list | show | restore`: Marathon's whole tree kept in S3 (crates/snapshot, the library
//! the snapshot Lambda runs too). Marathon is found as `ngp apps` finds it; the bucket, prefix and cluster come
//! from the contract's `snapshot_*` outputs unless given.

use anyhow::{anyhow, bail, Context, Result};
use ngp_marathon::PathId;
use ngp_modules::contract::{self, Outputs, SNAPSHOT_BUCKET, SNAPSHOT_CLUSTER, SNAPSHOT_PREFIX};
use ngp_snapshot::tree::Change;
use ngp_snapshot::{RestoreOptions, Store};

use crate::cli::{SnapshotArgs, SnapshotCommand};
use crate::pipeline::apps::{target, AppsRequest};
use crate::pipeline::outputs;
use crate::project::Project;

pub fn snapshot(project: &Project, command: SnapshotCommand) -> Result<()> {
    match command {
        SnapshotCommand::Take { args, json } => take(project, &args, json),
        SnapshotCommand::List { args, limit, json } => list(project, &args, limit, json),
        SnapshotCommand::Show { args, id, tree } => show(project, &args, &id, tree),
        SnapshotCommand::Restore {
            args,
            id,
            only,
            dry_run,
            prune,
            force,
            auto_approve,
        } => {
            let only = PathId::parse(&only).map_err(|e| anyhow!("--only {only}: {e}"))?;
            let timeout = std::time::Duration::from_secs(args.apps.timeout);
            let options = RestoreOptions {
                only,
                dry_run,
                prune,
                force,
                timeout,
                poll: ngp_apps::ApplyOptions::default().poll,
            };
            restore(project, &args, &id, &options, auto_approve)
        }
    }
}

/// Where the snapshots are, from the flags or the outputs; read before the async runtime starts, since reading
/// the outputs and starting the emulator block.
struct Location {
    outputs: Outputs,
    bucket: String,
    prefix: String,
    cluster: String,
    region: String,
    emulator: Option<String>,
}

fn locate(project: &Project, args: &SnapshotArgs) -> Result<Location> {
    let env = &args.apps.env.env;
    let outputs = outputs::values(project, env)?;
    let output = |name: &str| -> Result<Option<String>> {
        let found = contract::provider(&outputs, name).map_err(anyhow::Error::msg)?;
        Ok(found.and_then(|(_, outs)| outs.get(name)?.as_str().map(str::to_owned)))
    };
    let bucket = match &args.bucket {
        Some(b) => b.clone(),
        None => output(SNAPSHOT_BUCKET)?.with_context(|| {
            format!("no bucket for snapshots: no enabled module has a {SNAPSHOT_BUCKET} output; pass --bucket")
        })?,
    };
    let prefix = args
        .prefix
        .clone()
        .or(output(SNAPSHOT_PREFIX)?)
        .unwrap_or_else(|| "marathon".into());
    let cluster = args
        .cluster
        .clone()
        .or(output(SNAPSHOT_CLUSTER)?)
        .unwrap_or_else(|| env.clone());
    let region =
        output(ngp_modules::REGION_VARIABLE)?.context("no module outputs aws_region: run `ngp apply` first")?;
    let emulator = super::local::ensure_emulator(project, env)?;
    Ok(Location {
        outputs,
        bucket,
        prefix,
        cluster,
        region,
        emulator,
    })
}

impl Location {
    async fn store(&self) -> Store {
        let config = ngp_aws::sdk_config(&self.region, self.emulator.as_deref()).await;
        let s3 = aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(self.emulator.is_some())
            .build();
        Store {
            s3: aws_sdk_s3::Client::from_conf(s3),
            bucket: self.bucket.clone(),
            prefix: self.prefix.clone(),
            cluster: self.cluster.clone(),
        }
    }
}

fn request(args: &SnapshotArgs) -> AppsRequest<'_> {
    AppsRequest {
        env: &args.apps.env.env,
        marathon_url: args.apps.marathon_url.as_deref(),
        force: false,
        timeout: std::time::Duration::from_secs(args.apps.timeout),
    }
}

fn take(project: &Project, args: &SnapshotArgs, json: bool) -> Result<()> {
    let location = locate(project, args)?;
    crate::runtime()?.block_on(async {
        let store = location.store().await;
        let target = target(&request(args), &location.outputs).await?;
        let (id, doc) = ngp_snapshot::take(&target.client, &store).await?;
        if json {
            let out = serde_json::json!({"id": id, "apps": doc.apps, "groups": doc.groups, "sha256": doc.sha256});
            println!("{}", serde_json::to_string_pretty(&out)?);
        } else {
            println!(
                "Snapshot {id} taken: {} of Marathon {} → s3://{}/{}/{}/{id}.json",
                counts(doc.apps, doc.groups),
                doc.marathon_version,
                store.bucket,
                store.prefix.trim_matches('/'),
                store.cluster
            );
        }
        Ok(())
    })
}

fn counts(apps: usize, groups: usize) -> String {
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!("{}, {}", plural(apps, "app", "apps"), plural(groups, "group", "groups"))
}

fn list(project: &Project, args: &SnapshotArgs, limit: usize, json: bool) -> Result<()> {
    let location = locate(project, args)?;
    crate::runtime()?.block_on(async {
        let store = location.store().await;
        let entries = store.list(limit).await?;
        if json {
            println!("{}", serde_json::to_string_pretty(&entries)?);
        } else if entries.is_empty() {
            println!(
                "No snapshots of {} in s3://{}/{}.",
                store.cluster, store.bucket, store.prefix
            );
        } else {
            let cell = |n: Option<u64>| n.map_or_else(|| "?".into(), |n| n.to_string());
            let rows = entries
                .iter()
                .map(|e| vec![e.id.clone(), cell(e.apps), cell(e.groups), e.size.to_string()])
                .collect();
            crate::terminal::print(&["id", "apps", "groups", "bytes"], &["apps", "groups", "bytes"], rows);
        }
        Ok(())
    })
}

fn show(project: &Project, args: &SnapshotArgs, id: &str, tree: bool) -> Result<()> {
    let location = locate(project, args)?;
    crate::runtime()?.block_on(async {
        let store = location.store().await;
        let (id, doc) = ngp_snapshot::show(&store, id).await?;
        if tree {
            println!("{}", serde_json::to_string_pretty(&doc.tree)?);
            return Ok(());
        }
        println!(
            "id        {id}\ncluster   {}\ntaken at  {}\nmarathon  {}",
            doc.cluster, doc.taken_at, doc.marathon_version
        );
        println!(
            "contents  {}\nsha256    {} (verified)",
            counts(doc.apps, doc.groups),
            doc.sha256
        );
        Ok(())
    })
}

fn restore(
    project: &Project,
    args: &SnapshotArgs,
    id: &str,
    options: &RestoreOptions,
    auto_approve: bool,
) -> Result<()> {
    let location = locate(project, args)?;
    crate::runtime()?.block_on(async {
        let store = location.store().await;
        let target = target(&request(args), &location.outputs).await?;
        // What would change first, always: a restore is confirmed knowing it. The plan read once is the one
        // written.
        let plan = ngp_snapshot::plan_restore(&target.client, &store, id, &options.only, options.prune).await?;
        print_changes(&plan.changes);
        if options.dry_run {
            let steps = target.client.put_group_dry_run(&plan.body).await?;
            let steps = steps["steps"].as_array().map_or(0, Vec::len);
            println!(
                "Dry run of snapshot {}: nothing changed (Marathon plans {steps} deployment steps).",
                plan.id
            );
            return Ok(());
        }
        if plan.changes.is_empty() {
            println!(
                "Marathon already matches snapshot {} below {}; nothing to do.",
                plan.id, options.only
            );
            return Ok(());
        }
        let question = format!(
            "Restore snapshot {} below {} on Marathon at {}? Type yes:",
            plan.id,
            options.only,
            target.client.base()
        );
        if !auto_approve && !crate::terminal::confirm(&question, "yes")? {
            bail!("restore cancelled; nothing was changed");
        }
        ngp_snapshot::apply_restore(&target.client, &store, &plan, options).await?;
        let report = plan;
        let n = |f: fn(&Change) -> bool| report.changes.iter().filter(|c| f(c)).count();
        println!(
            "Restored snapshot {}: {} created, {} updated, {} removed.",
            report.id,
            n(|c| matches!(c, Change::Create(_))),
            n(|c| matches!(c, Change::Update(..))),
            n(|c| matches!(c, Change::Remove(_)))
        );
        Ok(())
    })
}

fn print_changes(changes: &[Change]) {
    for change in changes {
        match change {
            Change::Create(id) => println!("  + {id} (create)"),
            Change::Update(id, keys) => println!("  ~ {id} (update: {})", keys.join(", ")),
            Change::Remove(id) => println!("  - {id} (remove)"),
        }
    }
}

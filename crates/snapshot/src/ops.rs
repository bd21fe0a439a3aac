//! Take and restore, against a Marathon client and a store.

use std::time::{Duration, Instant};

use ngp_marathon::{Client, Group, PathId};

use crate::document::{Document, DocumentError};
use crate::store::{id_for, StoreError};
use crate::tree::{self, Change};
use crate::Store;

/// Why a take or a restore failed; nothing was written to Marathon unless it says so.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Marathon(#[from] ngp_marathon::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("snapshot {id}: {source}")]
    Document { id: String, source: DocumentError },
    #[error("snapshot {id} has no group {only}")]
    NoSuchGroup { id: String, only: String },
    #[error("snapshot {id}: its tree is not a Marathon group: {message}")]
    NotAGroup { id: String, message: String },
    #[error("Marathon answered no tree for /")]
    NoRoot,
    #[error("deployment {0} still runs after {1:?}; it goes on in Marathon")]
    Timeout(String, Duration),
}

/// Runs `work` holding the cluster's lock ([`Store::lock`]), and gives the lock back whatever `work` answered.
async fn locked<T>(
    store: &Store,
    holder: &str,
    work: impl std::future::Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    let lock = store.lock(holder).await?;
    let result = work.await;
    let unlocked = store.unlock(lock).await;
    let value = result?;
    unlocked?;
    Ok(value)
}

/// Reads the whole tree and writes it as one document, holding the cluster's lock; returns the id and the
/// document.
pub async fn take(client: &Client, store: &Store) -> Result<(String, Document), Error> {
    locked(store, "a snapshot", take_unlocked(client, store)).await
}

async fn take_unlocked(client: &Client, store: &Store) -> Result<(String, Document), Error> {
    let tree = client.group(&PathId::root()).await?.ok_or(Error::NoRoot)?;
    let info = client.info().await?;
    let version = info.get("version").and_then(|v| v.as_str()).unwrap_or("unknown");
    let now = time::OffsetDateTime::now_utc();
    let doc = Document::new(&store.cluster, version, now, tree);
    let id = store.put(&doc, &id_for(now)).await?;
    Ok((id, doc))
}

/// A stored snapshot, checked (whole, of this schema, its checksum matching).
pub async fn show(store: &Store, id: &str) -> Result<(String, Document), Error> {
    let id = store.resolve(id).await?;
    let bytes = store.get(&id).await?;
    let doc = Document::parse(&bytes).map_err(|source| Error::Document { id: id.clone(), source })?;
    Ok((id, doc))
}

/// How to restore.
#[derive(Clone, Debug)]
pub struct RestoreOptions {
    /// Restore this group only (`/` for the whole tree).
    pub only: PathId,
    /// Show what would change (with Marathon's own dry run), change nothing.
    pub dry_run: bool,
    /// Also remove live apps and groups the snapshot lacks.
    pub prune: bool,
    /// Cancel a deployment that holds an app.
    pub force: bool,
    pub timeout: Duration,
    pub poll: Duration,
}

/// What a restore did, or would do.
#[derive(Debug)]
pub struct RestoreReport {
    pub id: String,
    pub changes: Vec<Change>,
    /// Marathon's dry-run steps, with `dry_run`.
    pub steps: Option<serde_json::Value>,
    pub deployment: Option<String>,
}

/// A restore worked out and not yet written: the group body to PUT and what it changes.
#[derive(Debug)]
pub struct RestorePlan {
    pub id: String,
    pub body: Group,
    pub changes: Vec<Change>,
}

/// Works out a restore of snapshot `id` below `only`: the snapshot in request form (no `version`, tasks, counts,
/// ...), laid over the live group unless `prune`. Reads the snapshot and the live group once; writes nothing.
pub async fn plan_restore(
    client: &Client,
    store: &Store,
    id: &str,
    only: &PathId,
    prune: bool,
) -> Result<RestorePlan, Error> {
    let (id, doc) = show(store, id).await?;
    let snap: Group = serde_json::from_value(doc.tree).map_err(|e| Error::NotAGroup {
        id: id.clone(),
        message: e.to_string(),
    })?;
    let snap = tree::select(snap.into_request(), only).ok_or_else(|| Error::NoSuchGroup {
        id: id.clone(),
        only: only.to_string(),
    })?;
    let live = client.group_tree(only).await?.map(Group::into_request);
    let live = live.unwrap_or_else(|| Group {
        id: snap.id.clone(),
        ..Group::default()
    });
    let body = if prune { snap } else { tree::merge(live.clone(), snap) };
    let changes = tree::changes(&live, &body);
    Ok(RestorePlan { id, body, changes })
}

/// Writes a planned restore with one group PUT, so that groups and dependencies come back with the apps, and
/// waits for its deployment, holding the cluster's lock; returns the deployment's id.
pub async fn apply_restore(
    client: &Client,
    store: &Store,
    plan: &RestorePlan,
    options: &RestoreOptions,
) -> Result<String, Error> {
    locked(store, "a restore", write_restore(client, plan, options)).await
}

async fn write_restore(client: &Client, plan: &RestorePlan, options: &RestoreOptions) -> Result<String, Error> {
    let result = client.put_group(&plan.body, options.force).await?;
    wait(client, &result.deployment_id, options).await?;
    Ok(result.deployment_id)
}

/// Plans a restore, then asks Marathon's dry run (`dry_run`) or writes it.
pub async fn restore(
    client: &Client,
    store: &Store,
    id: &str,
    options: &RestoreOptions,
) -> Result<RestoreReport, Error> {
    let plan = plan_restore(client, store, id, &options.only, options.prune).await?;
    if options.dry_run {
        let steps = client.put_group_dry_run(&plan.body).await?;
        return Ok(RestoreReport {
            id: plan.id,
            changes: plan.changes,
            steps: Some(steps),
            deployment: None,
        });
    }
    let deployment = apply_restore(client, store, &plan, options).await?;
    Ok(RestoreReport {
        id: plan.id,
        changes: plan.changes,
        steps: None,
        deployment: Some(deployment),
    })
}

async fn wait(client: &Client, deployment: &str, options: &RestoreOptions) -> Result<(), Error> {
    let started = Instant::now();
    while client.deployments().await?.iter().any(|d| d.id == deployment) {
        if started.elapsed() >= options.timeout {
            return Err(Error::Timeout(deployment.to_owned(), options.timeout));
        }
        tokio::time::sleep(options.poll).await;
    }
    Ok(())
}

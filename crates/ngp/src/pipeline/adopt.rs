//! When to adopt (see crates/adopt for how): an interrupted apply leaves a marker in the workspace; when the next
//! apply fails on objects that "already exist", ngp plans again (to know their names), writes the import blocks
//! beside the root module, and applies once more. What it cannot find is one line: the address, the object, and
//! the command that imports it by hand.

use std::path::Path;

use anyhow::{anyhow, Result};
use hcl::structure::Body;
use ngp_adopt::Orphan;
use serde_json::Value;

use super::workspace::Workspace;
use crate::project::write_atomic;

pub use ngp_adopt::{orphans, OrphansFound};

/// The marker an interrupted apply leaves in the workspace; a completed apply removes it.
pub const INTERRUPTED: &str = "apply-interrupted";
/// The import blocks of one adoption, removed once the apply that uses them has run.
pub const IMPORTS_FILE: &str = "ngp-adopt.tf";

pub fn mark_interrupted(dir: &Path) -> Result<()> {
    write_atomic(&dir.join(INTERRUPTED), b"the last apply was interrupted\n")
}

pub fn was_interrupted(dir: &Path) -> bool {
    dir.join(INTERRUPTED).is_file()
}

/// Forgets the interruption and any import blocks: the apply that follows it has run.
pub fn settled(dir: &Path) {
    let _ = std::fs::remove_file(dir.join(INTERRUPTED));
    let _ = std::fs::remove_file(dir.join(IMPORTS_FILE));
}

/// Finds every orphan's object and writes the import blocks; an orphan that cannot be found is an error naming
/// the address, the object and the command that imports it by hand. `plan` is `terraform show -json` of a plan
/// made after the failure (so the objects' names are known).
pub fn write_imports(ws: &Workspace, plan: &Value, orphans: &[Orphan]) -> Result<()> {
    let body = crate::runtime()?.block_on(import_blocks(ws, plan, orphans))?;
    let text = format!(
        "# Written by ngp: objects an interrupted apply created but never recorded, adopted into the state.\n{}",
        hcl::to_string(&body)?
    );
    write_atomic(&ws.dir.join(IMPORTS_FILE), text.as_bytes())
}

/// One import block per orphan, each object looked up with one SDK configuration.
async fn import_blocks(ws: &Workspace, plan: &Value, orphans: &[Orphan]) -> Result<Body> {
    let sdk = ngp_aws::sdk_config(&ws.region, ws.emulator.as_deref()).await;
    let mut body = Body::builder();
    for orphan in orphans {
        let (kind, after) = ngp_adopt::planned(plan, &orphan.address).ok_or_else(|| {
            anyhow!(
                "{}: {}; it is not in the new plan, so ngp cannot adopt it",
                orphan.address,
                orphan.message
            )
        })?;
        let found = ngp_adopt::import_id(&sdk, kind, after).await;
        let why = match found.and_then(|id| ngp_adopt::import_block(&orphan.address, &id).map(|b| (id, b))) {
            Ok((id, block)) => {
                println!("Adopting {} ({id}), created by the interrupted apply.", orphan.address);
                body = body.add_block(block);
                continue;
            }
            Err(why) => why,
        };
        let name = after["name"].as_str().unwrap_or("ID");
        return Err(anyhow!(
            "{}: {}; ngp cannot adopt it ({why}): import it with `cd {} && terraform import '{}' {name}`, then apply again",
            orphan.address,
            orphan.message,
            ws.dir.display(),
            orphan.address
        ));
    }
    Ok(body.build())
}

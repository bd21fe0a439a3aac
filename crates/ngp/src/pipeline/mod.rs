//! The pipeline every command that changes an environment follows, downward once:
//!
//! settings (`ngp*.tfvars`, `TF_VAR_*`) → [`workspace`] (the generated root module, terraform ready)
//! → [`terraform`] (plan, apply) → [`outputs`] (read once) → the after-apply steps that modules declare by
//! contract: [`certificates`] (`ngp_tls`), then [`apps`] (`marathon_apps`) → the summary (`headline`).
//!
//! No step reaches back for what an earlier one had: each takes the workspace and the outputs it is given.

pub mod adopt;
pub mod apps;
pub mod builds;
pub mod certificates;
pub mod local_secrets;
pub mod outputs;
pub mod terraform;
pub mod workspace;

use anyhow::Result;

use workspace::Workspace;

/// What an apply leaves: the modules, as the workspace discovered them, and their outputs, read once.
pub struct Applied {
    pub catalog: ngp_modules::Catalog,
    pub outputs: outputs::ShownOutputs,
}

/// The steps that follow terraform, on the outputs read once: the certificates modules ask for (`ngp_tls`),
/// then their apps (`marathon_apps`). Returns the outputs for the summary.
pub fn after_apply(ws: Workspace) -> Result<Applied> {
    let shown = outputs::read_with(&ws.terraform, &ws.dir)?;
    let plain = outputs::plain(&shown);
    // Certificates first: the nodes and the apps read them from Secrets Manager.
    certificates::ensure(&ws, &plain)?;
    apps::after_terraform(&ws.env, &plain)?;
    Ok(Applied {
        catalog: ws.catalog,
        outputs: shown,
    })
}

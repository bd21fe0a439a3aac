//! `ngp setup`: prepares a machine for ngp and for plain `terraform` in the generated workspaces.

use std::path::PathBuf;

use anyhow::{Context, Result};
use ngp_terraform::{find_mirror, mirror_cli_config};

use crate::project::Project;

pub fn setup(project: &Project) -> Result<()> {
    // 1. Terraform's CLI config: only where there is a local mirror and the user has no config of their own.
    let target = std::env::var_os("TF_CLI_CONFIG_FILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".terraformrc")));
    match (find_mirror(), target) {
        (Some(mirror), Some(target)) if !target.exists() => {
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
            }
            std::fs::write(&target, mirror_cli_config(&mirror))
                .with_context(|| format!("cannot write {}", target.display()))?;
            println!(
                "terraform: wrote {} to install providers from the mirror at {}",
                target.display(),
                mirror.display()
            );
        }
        (Some(_), Some(target)) => println!("terraform: keeping your CLI config at {}", target.display()),
        (None, _) | (_, None) => println!("terraform: no local provider mirror; the Terraform registry will be used"),
    }
    // 2. The emulator for local mode.
    let local = project.local_mode();
    local.ensure_installed(|m| println!("{m}"))?;
    println!("local mode: moto is installed in {}", local.venv.display());
    Ok(())
}

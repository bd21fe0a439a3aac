//! `ngp setup`: prepares a machine for ngp and for plain `terraform` in the generated workspaces.

use anyhow::Result;
use ngp_terraform::{find_mirror, mirror_cli_config, user_config_path};

use crate::project::{write_shared, Project};

pub fn setup(project: &Project) -> Result<()> {
    // 1. Terraform's CLI config: only where there is a local mirror and the user has no config of their own.
    match (find_mirror(), user_config_path()) {
        (Some(mirror), Some(target)) if !target.exists() => {
            write_shared(&target, mirror_cli_config(&mirror).as_bytes())?;
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

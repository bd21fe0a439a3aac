//! Terraform's CLI configuration where the registry cannot be reached: a filesystem mirror of the providers,
//! written for ngp's runs (or by `ngp setup` for the user's), never over a configuration the user has.

use std::path::{Path, PathBuf};

use crate::Error;

/// The environment variable that names a provider mirror folder explicitly.
pub const MIRROR_ENV: &str = "NGP_PROVIDER_MIRROR";

/// Where offline machines keep a filesystem mirror of the providers (a `registry.terraform.io/...` tree).
/// Terraform already searches its own implied mirror folders (`~/.terraform.d/plugins`,
/// `/usr/share/terraform/plugins`, ...), so only the others need configuring.
pub const MIRROR_CANDIDATES: &[&str] = &["/opt/tf-plugins"];

/// Which CLI configuration terraform should run with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliConfig {
    /// The user has one (`$TF_CLI_CONFIG_FILE` or `~/.terraformrc`): leave it alone.
    User(PathBuf),
    /// No user config, but a local mirror: use this generated file.
    Mirror { file: PathBuf, mirror: PathBuf },
    /// Neither: the normal registry.
    Registry,
}

impl CliConfig {
    /// The `TF_CLI_CONFIG_FILE` value terraform needs, if ngp must set one.
    pub fn env_value(&self) -> Option<&Path> {
        match self {
            CliConfig::Mirror { file, .. } => Some(file),
            _ => None,
        }
    }
}

fn holds_aws_provider(dir: &Path) -> bool {
    dir.join("registry.terraform.io/hashicorp/aws").is_dir()
}

/// Finds a provider mirror folder: `$NGP_PROVIDER_MIRROR`, else the first candidate that holds the AWS
/// provider.
pub fn find_mirror() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(MIRROR_ENV) {
        return Some(PathBuf::from(dir));
    }
    MIRROR_CANDIDATES
        .iter()
        .map(PathBuf::from)
        .find(|d| holds_aws_provider(d))
}

/// Where terraform reads the user's CLI configuration: `$TF_CLI_CONFIG_FILE`, else `~/.terraformrc`, whether
/// or not the file exists yet.
pub fn user_config_path() -> Option<PathBuf> {
    std::env::var_os("TF_CLI_CONFIG_FILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".terraformrc")))
}

/// The user's CLI configuration, when there is one. A `$TF_CLI_CONFIG_FILE` naming a missing file is ignored
/// by terraform (with a warning), and so here: `~/.terraformrc` is looked at instead.
fn user_config() -> Option<PathBuf> {
    let named = std::env::var_os("TF_CLI_CONFIG_FILE").map(PathBuf::from);
    let home = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".terraformrc"));
    named.into_iter().chain(home).find(|f| f.is_file())
}

/// The text of a CLI configuration that installs every registry provider from `mirror`.
pub fn mirror_cli_config(mirror: &Path) -> String {
    format!(
        "# Written by ngp: install providers from the local mirror, as this machine cannot reach the registry.\n\
         provider_installation {{\n  filesystem_mirror {{\n    path    = {path:?}\n    include = [\"registry.terraform.io/*/*\"]\n  }}\n  direct {{\n    exclude = [\"registry.terraform.io/*/*\"]\n  }}\n}}\n",
        path = mirror.display().to_string()
    )
}

/// Decides the CLI configuration, writing `<dir>/terraform.rc` when a mirror is to be used.
pub fn cli_config(dir: &Path) -> Result<CliConfig, Error> {
    if let Some(file) = user_config() {
        return Ok(CliConfig::User(file));
    }
    let Some(mirror) = find_mirror() else {
        return Ok(CliConfig::Registry);
    };
    let file = dir.join("terraform.rc");
    let text = mirror_cli_config(&mirror);
    if std::fs::read_to_string(&file).ok().as_deref() != Some(text.as_str()) {
        std::fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.to_owned(),
            source,
        })?;
        // Temp file, then rename: an interrupted run leaves the old config or the new one, never half of it.
        ngp_fs::write_atomic(&file, text.as_bytes(), ngp_fs::Mode::Keep).map_err(|source| Error::Write {
            path: file.clone(),
            source,
        })?;
    }
    Ok(CliConfig::Mirror { file, mirror })
}

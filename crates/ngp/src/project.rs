//! The project folder: `modules/`, the user's `ngp*.tfvars`, and `.ngp/` with one workspace per environment.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use ngp_local::LocalMode;

/// The name of the environment that runs on the local AWS emulator.
pub const LOCAL_ENV: &str = "local";

#[derive(Debug, Clone)]
pub struct Project {
    pub dir: PathBuf,
}

impl Project {
    /// `explicit`, else the nearest folder from the current one upwards that holds `modules/`.
    pub fn find(explicit: Option<&Path>) -> Result<Self> {
        if let Some(dir) = explicit {
            if !dir.join("modules").is_dir() {
                bail!(
                    "{} has no modules/ folder: --project-dir must name the NGP project folder",
                    dir.display()
                );
            }
            return Ok(Self { dir: dir.to_owned() });
        }
        let cwd = std::env::current_dir().context("cannot read the current folder")?;
        for dir in cwd.ancestors() {
            if dir.join("modules").is_dir() {
                return Ok(Self { dir: dir.to_owned() });
            }
        }
        bail!(
            "no modules/ folder here or above {}: run ngp inside the NGP project, or pass --project-dir",
            cwd.display()
        )
    }

    pub fn modules_dir(&self) -> PathBuf {
        self.dir.join("modules")
    }

    /// `.ngp/`: workspaces, the emulator, backups. Git-ignored.
    pub fn state_dir(&self) -> PathBuf {
        self.dir.join(".ngp")
    }

    /// `.ngp/<env>/`: the generated root module and, without remote state, the state.
    pub fn workspace(&self, env: &str) -> PathBuf {
        self.state_dir().join(env)
    }

    /// Local mode's emulator files. `NGP_LOCAL_VENV` may point several projects (or test runs) at one venv.
    pub fn local_mode(&self) -> LocalMode {
        let venv = std::env::var_os("NGP_LOCAL_VENV")
            .map(PathBuf::from)
            .unwrap_or_else(|| self.state_dir().join("venv"));
        let python = std::env::var("NGP_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        LocalMode {
            venv,
            state_dir: self.state_dir().join("emulator"),
            python,
        }
    }
}

/// The emulator port: `$NGP_LOCAL_PORT`, else the default.
pub fn local_port() -> Result<u16> {
    match std::env::var("NGP_LOCAL_PORT") {
        Ok(v) => v
            .parse()
            .with_context(|| format!("NGP_LOCAL_PORT is {v:?}: expected a port number (1-65535)")),
        Err(_) => Ok(ngp_local::DEFAULT_PORT),
    }
}

/// The Marathon emulator's port in local mode: NGP_LOCAL_MARATHON_PORT, else the AWS emulator's port + 1.
pub fn marathon_port() -> Result<u16> {
    match std::env::var("NGP_LOCAL_MARATHON_PORT") {
        Ok(v) => v
            .parse()
            .with_context(|| format!("NGP_LOCAL_MARATHON_PORT is {v:?}: expected a port number (1-65535)")),
        Err(_) => local_port()?
            .checked_add(1)
            .context("NGP_LOCAL_PORT is 65535: set NGP_LOCAL_MARATHON_PORT"),
    }
}

/// Writes a file by writing a temporary file beside it and renaming it over, so no reader ever sees half.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = path.parent().context("a file path has a parent")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = path.with_extension("ngp-tmp");
    std::fs::write(&tmp, contents).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

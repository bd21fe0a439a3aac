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
        // A `modules/` that is a Rust crate (as in ngp's own source tree) is not a project's.
        for dir in cwd.ancestors() {
            if dir.join("modules").is_dir() && !dir.join("modules/Cargo.toml").exists() {
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

    /// The modules found in `modules/`.
    pub fn catalog(&self) -> Result<ngp_modules::Catalog> {
        Ok(ngp_modules::Catalog::discover(&self.modules_dir())?)
    }

    /// `.ngp/`: workspaces, the emulator, backups. Git-ignored.
    pub fn state_dir(&self) -> PathBuf {
        self.dir.join(".ngp")
    }

    /// Keeps `.ngp/` readable by the user only (it holds state, plans and backups). ngp creates it so
    /// (`write_atomic`); this mends one made otherwise.
    pub fn secure_state_dir(&self) -> Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let dir = self.state_dir();
        match std::fs::metadata(&dir) {
            Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
                    .with_context(|| format!("cannot make {} private", dir.display()))
            }
            _ => Ok(()),
        }
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

/// An environment held by this run: an exclusive `flock` on `.ngp/<env>/.ngp.lock`, released when the run ends, even
/// by a crash or a kill. Two ngp runs on one environment would otherwise overwrite each other's generated files
/// and saved plan, which terraform's state lock does not cover.
pub struct EnvLock {
    _file: std::fs::File,
}

impl Project {
    /// Takes the environment's lock, or says that another run holds it.
    pub fn lock_env(&self, env: &str) -> Result<EnvLock> {
        use rustix::fs::{flock, FlockOperation};
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        let dir = self.workspace(env);
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join(".ngp.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        if flock(&file, FlockOperation::NonBlockingLockExclusive).is_err() {
            bail!("environment {env} is in use by another ngp run: wait for it to finish, or stop it");
        }
        Ok(EnvLock { _file: file })
    }
}

/// The emulator port: `$NGP_LOCAL_PORT`, else the default.
pub fn local_port() -> Result<u16> {
    match std::env::var("NGP_LOCAL_PORT") {
        Ok(v) => port_number("NGP_LOCAL_PORT", &v),
        Err(_) => Ok(ngp_local::DEFAULT_PORT),
    }
}

/// A loopback port from the variable `name`: 1-65535 (0 would let the system pick one ngp could not find again).
fn port_number(name: &str, value: &str) -> Result<u16> {
    match value.parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => bail!("{name} is {value:?}: expected a port number (1-65535)"),
    }
}

/// The Marathon emulator's port in local mode: NGP_LOCAL_MARATHON_PORT, else the AWS emulator's port + 1.
pub fn marathon_port() -> Result<u16> {
    match std::env::var("NGP_LOCAL_MARATHON_PORT") {
        Ok(v) => port_number("NGP_LOCAL_MARATHON_PORT", &v),
        Err(_) => local_port()?
            .checked_add(1)
            .context("NGP_LOCAL_PORT is 65535: set NGP_LOCAL_MARATHON_PORT"),
    }
}

/// Writes a file by writing a temporary file beside it (readable by its owner only, created without following
/// links), flushing it to disk and renaming it over, so no reader ever sees half and a crash leaves the old
/// file. A file that exists keeps its permissions; a new one is 0600. Missing folders are made 0700.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    write_with_mode(path, contents, None)
}

/// As `write_atomic`, and readable by its owner only whatever the file was before: it holds a secret.
pub fn write_private(path: &Path, contents: &[u8]) -> Result<()> {
    write_with_mode(path, contents, Some(0o600))
}

/// As `write_atomic`, readable by everyone: a file of the project that goes into git (a README, a module).
pub fn write_shared(path: &Path, contents: &[u8]) -> Result<()> {
    write_with_mode(path, contents, Some(0o644))
}

fn write_with_mode(path: &Path, contents: &[u8], mode: Option<u32>) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    let dir = path.parent().context("a file path has a parent")?;
    // A missing folder is as private as the file: 0700, or 0755 for a file everyone reads.
    let folder_mode = if mode.is_some_and(|m| m & 0o044 != 0) {
        0o755
    } else {
        0o700
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(folder_mode)
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let mode = mode.map_or(ngp_fs::Mode::Keep, ngp_fs::Mode::Set);
    ngp_fs::write_atomic(path, contents, mode).with_context(|| format!("cannot write {}", path.display()))
}

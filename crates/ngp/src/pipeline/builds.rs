//! The static binaries modules upload (their `builds`): each compiled from its crate in ngp's own source tree,
//! for `x86_64-unknown-linux-musl`, so that it runs on any node OS and on Lambda's `provided.al2023`, and its
//! path handed to the module's input. Cargo rebuilds only what changed.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use ngp_config::Settings;
use ngp_modules::Catalog;

/// The target every uploaded binary is built for.
pub const TARGET: &str = "x86_64-unknown-linux-musl";
/// The Cargo profile for them (the workspace's Cargo.toml): release, small, stripped.
const PROFILE: &str = "static";

/// Builds what the enabled modules need, where the user has not given the input a path, and sets the inputs.
pub fn supply(catalog: &Catalog, modules: &[String], settings: &mut Settings) -> Result<()> {
    for name in modules {
        for build in &catalog.modules[name].meta.builds {
            if settings.get(&build.input).is_some() {
                continue;
            }
            let path = static_binary(&build.package).with_context(|| {
                format!(
                    "module {name}: {} (or set {} to a built binary)",
                    build.package, build.input
                )
            })?;
            let path = path.display().to_string();
            settings.add_default(&build.input, path.into(), format!("built by ngp for module {name}"));
        }
    }
    Ok(())
}

/// ngp's source tree, where the crates are: the one this ngp was built from.
fn source_tree() -> Result<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    if !root.join("Cargo.toml").is_file() {
        bail!(
            "ngp's source tree is not at {} any more, so ngp cannot build it",
            root.display()
        );
    }
    Ok(root.canonicalize()?)
}

/// `cargo build` of `package`'s binary for the static target; its path. Says so when the build takes a while
/// (a first build), and nothing when cargo finds the binary current.
fn static_binary(package: &str) -> Result<PathBuf> {
    let root = source_tree()?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let log = tempfile::tempfile().context("cannot create a temporary file for cargo's output")?;
    let mut child = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--locked",
            "--profile",
            PROFILE,
            "--target",
            TARGET,
            "-p",
            package,
        ])
        .current_dir(&root)
        .stdout(Stdio::null())
        .stderr(log.try_clone()?)
        .spawn()
        .context("cannot run cargo")?;
    let started = Instant::now();
    let mut said = false;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if !said && started.elapsed() > Duration::from_secs(2) {
            eprintln!("building {package} ({TARGET}, profile {PROFILE}); a first build takes a few minutes...");
            said = true;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    if !status.success() {
        let mut stderr = String::new();
        let mut log = log;
        log.seek(SeekFrom::Start(0))?;
        log.read_to_string(&mut stderr)?;
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no output");
        bail!(
            "cargo build failed: {last}; the target needs `rustup target add {TARGET}` and a musl C compiler \
             (Debian: apt install musl-tools)"
        );
    }
    let target_dir = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let binary = target_dir.join(TARGET).join(PROFILE).join(package);
    if !binary.is_file() {
        bail!("cargo built, but {} is not there", binary.display());
    }
    Ok(binary)
}

//! The static binaries modules upload: each compiled from its crate in ngp's own source tree, for
//! `x86_64-unknown-linux-musl`, so that it runs on any node OS and on Lambda's `provided.al2023`; and, for a
//! Lambda, a zip that holds the binary alone. Cargo rebuilds only what changed; the zip is the same bytes for
//! the same binary, so a re-plan shows no change.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// The target every uploaded binary is built for.
pub const TARGET: &str = "x86_64-unknown-linux-musl";
/// The Cargo profile for them (the workspace's Cargo.toml): release, small, stripped.
pub const PROFILE: &str = "static";

/// ngp's source tree, where the crates are: the one this ngp was built from.
pub fn source_tree() -> Result<PathBuf> {
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
pub fn static_binary(package: &str, binary: &str) -> Result<PathBuf> {
    let mut built = static_binaries(&[(package, binary)])?;
    Ok(built.remove(0))
}

/// One `cargo build` of every `(package, binary)` for the static target; their paths, in order. One run, so
/// the dependencies they share are compiled once, with the features of all of them: builds of a different
/// set would compile those again, with other features, and give other binaries.
pub fn static_binaries(builds: &[(&str, &str)]) -> Result<Vec<PathBuf>> {
    let root = source_tree()?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let log = tempfile::tempfile().context("cannot create a temporary file for cargo's output")?;
    let mut command = Command::new(cargo);
    command.args(["build", "--quiet", "--locked", "--profile", PROFILE, "--target", TARGET]);
    for (package, _) in builds {
        command.args(["-p", package]);
    }
    let mut child = command
        .current_dir(&root)
        .stdout(Stdio::null())
        .stderr(log.try_clone()?)
        .spawn()
        .context("cannot run cargo")?;
    let names: Vec<&str> = builds.iter().map(|(package, _)| *package).collect();
    let started = Instant::now();
    let mut said = false;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if !said && started.elapsed() > Duration::from_secs(2) {
            let names = names.join(", ");
            eprintln!("building {names} ({TARGET}, profile {PROFILE}); a first build takes a few minutes...");
            said = true;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    if said && status.success() {
        eprintln!("built {} in {:.0} s", names.join(", "), started.elapsed().as_secs_f64());
    }
    if !status.success() {
        bail!(
            "cargo build failed: {}; the target needs `rustup target add {TARGET}` and a musl C compiler \
             (Debian: apt install musl-tools)",
            last_line(log)?
        );
    }
    let target_dir = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let built = |(_, binary): &(&str, &str)| {
        let path = target_dir.join(TARGET).join(PROFILE).join(binary);
        if !path.is_file() {
            bail!("cargo built, but {} is not there", path.display());
        }
        Ok(path)
    };
    builds.iter().map(built).collect()
}

/// The last line that says something in cargo's output.
fn last_line(mut log: std::fs::File) -> Result<String> {
    let mut stderr = String::new();
    log.seek(SeekFrom::Start(0))?;
    log.read_to_string(&mut stderr)?;
    let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
    Ok(last.unwrap_or("no output").to_owned())
}

/// `<binary>.zip` beside the binary: the binary alone at the zip's root, under its own name, mode 0755, with
/// the zip format's earliest timestamp, so the same binary gives the same bytes. Written whole (ngp-fs), so an
/// interrupted build never leaves half a zip.
pub fn zip_alone(binary: &Path) -> Result<PathBuf> {
    use std::io::Write;
    let name = binary
        .file_name()
        .and_then(|n| n.to_str())
        .context("the binary has no file name")?;
    let dir = binary.parent().context("the binary has no folder")?;
    let bytes = std::fs::read(binary).with_context(|| format!("cannot read {}", binary.display()))?;
    let mut buffer = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buffer);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o755);
    zip.start_file(name, options).context("cannot start the zip")?;
    zip.write_all(&bytes).context("cannot write the zip")?;
    zip.finish().context("cannot finish the zip")?;
    let path = dir.join(format!("{name}.zip"));
    ngp_fs::write_atomic(&path, buffer.get_ref(), ngp_fs::Mode::Set(0o644))
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The zip holds the binary alone, at its root, under its own name, executable, byte for byte; zipping
    /// the same binary again gives the same bytes (so the module's source_code_hash does not change).
    #[test]
    fn the_zip_holds_the_binary_alone_and_is_reproducible() {
        let dir = tempfile::tempdir().unwrap();
        let binary = dir.path().join("bootstrap");
        let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&binary, &content).unwrap();
        let path = zip_alone(&binary).unwrap();
        assert_eq!(path, dir.path().join("bootstrap.zip"));
        let first = std::fs::read(&path).unwrap();

        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&first)).unwrap();
        assert_eq!(archive.len(), 1);
        let mut entry = archive.by_index(0).unwrap();
        assert_eq!(entry.name().unwrap(), "bootstrap");
        assert_eq!(entry.unix_mode().map(|m| m & 0o777), Some(0o755));
        let mut read = Vec::new();
        entry.read_to_end(&mut read).unwrap();
        assert_eq!(read, content);
        drop(entry);

        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(std::fs::read(zip_alone(&binary).unwrap()).unwrap(), first);
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left.len(), 2, "no temporary file is left: {left:?}");
    }
}

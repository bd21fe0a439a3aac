//! Local mode for tests: a project's emulators on free loopback ports, stopped when the test ends.

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

use super::{ngp, repo, run, stderr, stdout};

/// Stops the emulator when the test ends, passed or failed.
pub struct EmulatorGuard<'a>(pub &'a Path);

impl Drop for EmulatorGuard<'_> {
    fn drop(&mut self) {
        let _ = ngp(self.0).args(["local", "down"]).output();
    }
}

#[allow(unused_imports)]
pub use ngp_testing::free_port;

pub fn local(dir: &Path, port: u16) -> Command {
    let mut cmd = ngp(dir);
    // One venv for every run of the suite: `ngp setup` (or the first run) installs it.
    cmd.env("NGP_LOCAL_VENV", repo().join(".ngp/venv"))
        .env("NGP_LOCAL_PORT", port.to_string())
        .env("NGP_LOCAL_MARATHON_PORT", marathon_port(port).to_string());
    cmd
}

/// The Marathon emulator's port for the AWS emulator's `port`: the next free one, chosen once.
pub fn marathon_port(port: u16) -> u16 {
    static CHOSEN: std::sync::OnceLock<u16> = std::sync::OnceLock::new();
    *CHOSEN.get_or_init(|| {
        (port + 1..u16::MAX)
            .find(|p| TcpListener::bind(("127.0.0.1", *p)).is_ok())
            .unwrap()
    })
}

pub fn ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{:?} failed ({:?}): {}",
        cmd,
        out.status,
        stderr(&out)
    );
    stdout(&out)
}

/// Terraform processes still running in `dir`'s workspace.
pub fn terraform_processes(dir: &Path) -> Vec<String> {
    let workspace = dir.canonicalize().unwrap();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().chars().all(|c| c.is_ascii_digit()))
        .filter_map(|e| {
            let cwd = std::fs::read_link(e.path().join("cwd")).ok()?;
            let cmdline = std::fs::read_to_string(e.path().join("cmdline")).ok()?;
            (cwd.starts_with(&workspace) && cmdline.contains("terraform")).then(|| cmdline.replace('\0', " "))
        })
        .collect()
}

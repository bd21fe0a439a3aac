//! Local mode for tests: a project's emulators on free loopback ports, stopped when the test ends.

use std::collections::BTreeMap;
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

/// The Marathon emulator's port for the AWS emulator's `port`: another free one, chosen once per `port`, so tests
/// of one binary that run at the same time each have their own pair.
pub fn marathon_port(port: u16) -> u16 {
    static CHOSEN: std::sync::Mutex<BTreeMap<u16, u16>> = std::sync::Mutex::new(BTreeMap::new());
    let mut chosen = CHOSEN.lock().unwrap_or_else(|e| e.into_inner());
    let taken: Vec<u16> = chosen.iter().flat_map(|(a, m)| [*a, *m]).collect();
    *chosen.entry(port).or_insert_with(|| {
        std::iter::repeat_with(free_port)
            .find(|p| *p != port && !taken.contains(p))
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

/// A throwaway project with copies of `modules`, initialised with them, on free loopback ports; its emulators
/// stop when it is dropped.
pub struct LocalProject {
    project: tempfile::TempDir,
    pub port: u16,
}

impl LocalProject {
    pub fn new(modules: &[&str]) -> Self {
        let project = super::project_with(modules);
        let port = free_port();
        let local_project = LocalProject { project, port };
        ok(local(local_project.dir(), port).args(["init", "--modules", &modules.join(",")]));
        local_project
    }

    pub fn dir(&self) -> &Path {
        self.project.path()
    }
}

impl Drop for LocalProject {
    fn drop(&mut self) {
        let _ = ngp(self.project.path()).args(["local", "down"]).output();
    }
}

//! Helpers for running the real `ngp` binary on a throwaway project.
#![allow(dead_code)]

pub mod access_server;
pub mod local;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's own folder.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A temporary project holding copies of the named repository modules, and the submodules they share.
pub fn project_with(modules: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in modules.iter().chain([".shared"].iter()) {
        copy_dir(
            &repo().join("modules").join(name),
            &dir.path().join("modules").join(name),
        );
    }
    std::fs::create_dir_all(dir.path().join("modules")).unwrap();
    dir
}

/// A temporary project holding copies of every repository module.
pub fn project_with_every_module() -> tempfile::TempDir {
    let modules: Vec<String> = std::fs::read_dir(repo().join("modules"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect();
    project_with(&modules.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Renames module `from` to `to` in the project: its folder and its four files.
pub fn rename_module(dir: &Path, from: &str, to: &str) {
    let modules = dir.join("modules");
    std::fs::rename(modules.join(from), modules.join(to)).unwrap();
    for suffix in [".tf", ".dummy", "-variables.tf", "-output.tf"] {
        let folder = modules.join(to);
        std::fs::rename(
            folder.join(format!("{from}{suffix}")),
            folder.join(format!("{to}{suffix}")),
        )
        .unwrap();
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `ngp --project-dir <dir> args...`, with a clean ngp environment.
pub fn ngp(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ngp"));
    cmd.arg("--project-dir").arg(dir);
    for var in [
        "NGP_ENV",
        "NGP_LOCAL_PORT",
        "NGP_TERRAFORM",
        "NGP_LOG",
        "NGP_PROJECT_DIR",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("NO_COLOR", "1");
    cmd
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("ngp runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the run failed with exactly one line, `error: ...`, that starts with `expected`; no panic.
pub fn assert_one_error(out: &Output, expected: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "exit code; stderr: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "a panic: {err}"
    );
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line of error, got: {err}");
    assert!(
        lines[0].starts_with(&format!("error: {expected}")),
        "expected `error: {expected}...`, got: {err}"
    );
}

/// Whether terraform and the AWS provider can be used here (CI and a set-up machine: yes).
/// True (after saying so) when terraform is missing and the test should skip; under `NGP_REQUIRE_TOOLS` a
/// missing terraform fails the test instead.
pub fn skip_without_terraform() -> bool {
    if terraform_available() {
        return false;
    }
    assert!(
        std::env::var_os("NGP_REQUIRE_TOOLS").is_none(),
        "terraform is required here"
    );
    eprintln!("skipped: terraform is not installed");
    true
}

pub fn terraform_available() -> bool {
    Command::new("terraform")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The tfvars of a project with the vault module alone.
pub const VAULT_TFVARS: &str = "modules = [\"vault\"]\naws_region = \"eu-west-1\"\nlabel = \"demo\"\n";

/// A project holding the vault module, with `ngp.tfvars` = VAULT_TFVARS + `extra`.
pub fn vault_project(extra: &str) -> tempfile::TempDir {
    let project = project_with(&[]);
    vault_module(project.path());
    std::fs::write(project.path().join("ngp.tfvars"), format!("{VAULT_TFVARS}{extra}")).unwrap();
    project
}

/// Writes `modules/vault`: no resources, one plain and one sensitive output, so applying it needs no AWS.
pub fn vault_module(dir: &Path) {
    let d = dir.join("modules/vault");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(
        d.join("vault.tf"),
        "locals {\n  ngp_module = { description = \"test secrets\", default_enabled = true }\n}\n",
    )
    .unwrap();
    std::fs::write(d.join("vault.dummy"), "# vault\nlabel = \"demo\"\n").unwrap();
    std::fs::write(
        d.join("vault-variables.tf"),
        "variable \"label\" {\n  description = \"A label.\"\n  type        = string\n}\n\nvariable \"token\" {\n  description = \"A secret.\"\n  type        = string\n  sensitive   = true\n}\n",
    )
    .unwrap();
    std::fs::write(
        d.join("vault-output.tf"),
        "output \"label\" {\n  description = \"The label.\"\n  value       = var.label\n}\n\noutput \"token\" {\n  description = \"The secret.\"\n  value       = var.token\n  sensitive   = true\n}\n",
    )
    .unwrap();
}

/// Serves `router` on a loopback port from a thread of its own, for as long as the test runs; returns its URL.
#[allow(dead_code)]
pub fn serve(router: axum::Router) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    url
}

/// `path` when that program is installed; else `None` after saying the test is skipped, or a failure under
/// `NGP_REQUIRE_TOOLS`, where every tool the tests use must be there.
pub fn installed_tool(path: &str, package: &str) -> Option<std::path::PathBuf> {
    let path = std::path::PathBuf::from(path);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("NGP_REQUIRE_TOOLS").is_none(),
        "{package} is required here"
    );
    eprintln!("skipped: the {package} package is not installed");
    None
}

//! Benchmark: what `ngp plan` costs beyond `terraform plan`, on the same workspace with nothing to change.
//!
//! It builds a project with the manager module in local mode (moto from `.ngp/venv`, as `ngp setup` installs
//! it), applies it once, then times `ngp plan --env local` and plain `terraform plan` in the generated workspace,
//! alternately, RUNS times each, and prints the ratio of the medians. Run it with
//! `cargo bench -p ngp --bench plan_overhead` (needs terraform and the provider mirror, as the tests do).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 7;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A free port whose next one is free too (the Marathon emulator's).
fn free_port() -> u16 {
    loop {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        if port < u16::MAX && TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
}

/// `ngp` on the project, its emulators on `port` and `port + 1`.
fn ngp(dir: &Path, port: u16) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ngp"));
    cmd.arg("--project-dir")
        .arg(dir)
        .env("NGP_LOCAL_VENV", repo().join(".ngp/venv"))
        .env("NGP_LOCAL_PORT", port.to_string())
        .env("NO_COLOR", "1");
    cmd
}

fn run(cmd: &mut Command) -> Duration {
    let started = Instant::now();
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    started.elapsed()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    for module in ["manager", ".shared"] {
        copy_dir(&repo().join("modules").join(module), &dir.join("modules").join(module));
    }
    let port = free_port();
    run(ngp(dir, port).args(["init", "--modules", "manager"]));
    run(ngp(dir, port).args(["apply", "--env", "local", "--auto-approve"]));
    let workspace = dir.join(".ngp/local");
    // Plain terraform gets what ngp gives it: the CLI config for the provider mirror, if ngp wrote one.
    let mut terraform = Command::new("terraform");
    terraform
        .current_dir(&workspace)
        .args(["plan", "-input=false", "-detailed-exitcode"]);
    let rc = dir.join(".ngp/terraform.rc");
    if rc.is_file() {
        terraform.env("TF_CLI_CONFIG_FILE", rc);
    }
    let (mut ours, mut plain) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        ours.push(run(ngp(dir, port).args([
            "plan",
            "--env",
            "local",
            "--detailed-exitcode",
        ])));
        plain.push(run(&mut terraform));
    }
    let _ = ngp(dir, port).args(["local", "down"]).output();
    let (ours, plain) = (median(ours), median(plain));
    println!(
        "no-change plan, median of {RUNS}: ngp plan {:.2} s, terraform plan {:.2} s: ngp costs {:.2}x terraform ({:+.0}%)",
        ours.as_secs_f64(),
        plain.as_secs_f64(),
        ours.as_secs_f64() / plain.as_secs_f64(),
        (ours.as_secs_f64() / plain.as_secs_f64() - 1.0) * 100.0
    );
}

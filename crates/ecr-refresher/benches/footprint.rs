//! The refresher's footprint on a node: the size of the static binary that Marathon fetches, and its resident
//! memory at steady state (goal < 15 MB), once it has written the archive and waits for the next refresh with
//! `/health` served. Runs the static musl build against the local AWS emulator.
//!
//! `cargo bench -p ngp-ecr-refresher --bench footprint`

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    let binary = static_binary();
    let size = std::fs::metadata(&binary).unwrap().len();
    println!("static binary: {:.1} MB ({})", size as f64 / 1e6, binary.display());

    let state = tempfile::tempdir().unwrap();
    let Some(moto) = support::moto(state.path()) else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let archive = out.path().join("docker.tar.gz");
    let mut child = support::refresher(&binary, &moto.1, &archive)
        .args(["--interval", "6h", "--listen", "127.0.0.1:0"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !archive.exists() {
        assert!(started.elapsed() < Duration::from_secs(30), "no archive after 30 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    println!("first archive written after {:.2} s", started.elapsed().as_secs_f64());
    // Steady state: the login is done, the timer waits; sample for 5 s.
    let mut samples = Vec::new();
    for _ in 0..10 {
        std::thread::sleep(Duration::from_millis(500));
        samples.push(status_kb(child.id(), "VmRSS:"));
    }
    let peak = status_kb(child.id(), "VmHWM:");
    child.kill().unwrap();
    child.wait().unwrap();
    let rss = *samples.iter().max().unwrap();
    println!(
        "steady-state RSS: {:.1} MB (max of {} samples over 5 s), peak RSS: {:.1} MB; goal < 15 MB",
        rss as f64 / 1024.0,
        samples.len(),
        peak as f64 / 1024.0
    );
}

/// The static build that the `ecr` module uploads (cargo's check is quick when it is current).
fn static_binary() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let status = Command::new(env!("CARGO"))
        .current_dir(&root)
        .args(["build", "-q", "-p", "ngp-ecr-refresher", "--profile", "static"])
        .args(["--target", "x86_64-unknown-linux-musl"])
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "the static build failed (rustup target add x86_64-unknown-linux-musl)"
    );
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    target.join("x86_64-unknown-linux-musl/static/ngp-ecr-refresher")
}

/// A `/proc/<pid>/status` field, in kB.
fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

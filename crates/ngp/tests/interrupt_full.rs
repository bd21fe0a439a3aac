//! Ctrl-C across a whole local-mode platform apply, at 10 points: each apply resumes the one before and is
//! interrupted once it has created something more, so the signals land among the creations, early (security
//! groups, IAM roles, keys), in the middle (load balancers, the search domain, the cluster) and late. After each, the state is valid JSON, no terraform is
//! left running and the next apply never fails on an object that "already exists" (ngp adopts what an interrupted
//! apply created but never recorded); the last apply converges and a re-plan is clean.
//!
//! It takes a full platform apply and more, so it runs only with `NGP_FULL_INTERRUPT=1`
//! (`NGP_FULL_INTERRUPT=1 cargo test -p ngp --test interrupt_full`); `tests/interrupt.rs` runs in every suite.

mod common;

use std::time::Duration;

use common::local::*;
use common::*;
use rustix::process::{kill_process, Pid, Signal};

#[test]
fn ten_interrupts_across_a_full_apply_then_it_converges() {
    if std::env::var_os("NGP_FULL_INTERRUPT").is_none() {
        eprintln!("skipped: set NGP_FULL_INTERRUPT=1 to interrupt a full platform apply at 10 points");
        return;
    }
    if skip_without_terraform() {
        return;
    }
    let project = project_with_every_module();
    let dir = project.path();
    let port = free_port();
    let _guard = EmulatorGuard(dir);
    ok(local(dir, port).args(["init"]));
    ok(local(dir, port).args(["local", "up"]));
    let state_file = dir.join(".ngp/local/terraform.tfstate");
    let count = || -> usize {
        let text = std::fs::read_to_string(&state_file).unwrap_or_else(|_| "{}".into());
        let state: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        state["resources"].as_array().map_or(0, Vec::len)
    };
    let mut resources = Vec::new();
    // Each signal comes once the apply has created something more than the last one left (so it lands among the
    // creations, not in the plan before them), then after a delay that varies from point to point.
    for (point, delay_ms) in [0, 300, 700, 1200, 0, 2000, 500, 3000, 1500, 4000]
        .into_iter()
        .enumerate()
    {
        let before = count();
        let mut child = local(dir, port)
            .args(["apply", "--env", "local", "--auto-approve"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(900);
        while count() <= before && child.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = kill_process(Pid::from_child(&child), Signal::INT);
        let out = child.wait_with_output().unwrap();
        let printed = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(130) | Some(0)),
            "point {point}: {printed}"
        );
        assert!(!printed.contains("already exists"), "point {point}: {printed}");
        let text = std::fs::read_to_string(&state_file).unwrap();
        let state: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("point {point}: the state is not valid JSON: {e}"));
        resources.push(state["resources"].as_array().map_or(0, Vec::len));
        assert_eq!(
            terraform_processes(dir),
            Vec::<String>::new(),
            "point {point}: terraform left running"
        );
    }
    eprintln!("resources in the state after each interrupt: {resources:?}");
    let applied = ok(local(dir, port).args(["apply", "--env", "local", "--auto-approve"]));
    assert!(!applied.contains("already exists"), "{applied}");
    let replan = run(local(dir, port).args(["plan", "--env", "local", "--detailed-exitcode"]));
    assert_eq!(replan.status.code(), Some(0), "{}", stdout(&replan));
    ok(local(dir, port).args(["destroy", "--env", "local", "--auto-approve"]));
}

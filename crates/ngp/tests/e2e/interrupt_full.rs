//! Ctrl-C across a whole local-mode platform apply, at 10 points. Each apply resumes the one before and is
//! interrupted once it has reported a share of the creations left, so the signals are spread over the whole
//! apply: early (security groups, IAM roles, keys), in the middle (load balancers, the search domain, the
//! cluster) and late. After each, ngp exits 130, the state is valid JSON, no terraform is left running and the
//! next apply never fails on an object that "already exists" (ngp adopts what an interrupted apply created but
//! never recorded). The last apply converges and a re-plan is clean.
//!
//! It takes a full platform apply and more, so it runs only with `NGP_FULL_INTERRUPT=1`
//! (`NGP_FULL_INTERRUPT=1 cargo test -p ngp --test e2e interrupt_full -- --nocapture`); `interrupt.rs` runs in
//! every suite.

use std::io::BufRead;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::common::local::*;
use crate::common::*;
use rustix::process::{kill_process, Pid, Signal};

const POINTS: usize = 10;

#[test]
fn ten_interrupts_across_a_full_apply_then_it_converges() {
    if std::env::var_os("NGP_FULL_INTERRUPT").is_none() {
        eprintln!("skipped: set NGP_FULL_INTERRUPT=1 to interrupt a full platform apply at {POINTS} points");
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
    // Each point's output and state, kept for a failure's post-mortem (the project is deleted when the test ends).
    let kept = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("interrupt-full");
    let _ = std::fs::remove_dir_all(&kept);
    std::fs::create_dir_all(&kept).unwrap();
    for point in 0..POINTS {
        let delay = Duration::from_millis([0, 300, 700, 1200, 0, 2000, 500, 3000, 1500, 4000][point]);
        let child = local(dir, port)
            .args(["apply", "--env", "local", "--auto-approve"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stopped = interrupt_after_share(child, POINTS + 1 - point, delay);
        let state = dir.join(".ngp/local/terraform.tfstate");
        std::fs::write(kept.join(format!("point-{point}.log")), &stopped.printed).unwrap();
        let _ = std::fs::copy(&state, kept.join(format!("point-{point}.tfstate")));
        eprintln!(
            "point {point}: exit {:?} after {} of {} done (last: {}); in the state: {}",
            stopped.code,
            stopped.done,
            stopped.total,
            stopped.last,
            unsettled(&state)
        );
        assert_eq!(stopped.code, Some(130), "point {point}: {}", stopped.printed);
        assert!(
            !stopped.printed.contains("already exists"),
            "point {point}: {}",
            stopped.printed
        );
        assert_state_whole(dir, point);
        assert_eq!(
            terraform_processes(dir),
            Vec::<String>::new(),
            "point {point}: terraform left running"
        );
    }
    let applied = ok(local(dir, port).args(["apply", "--env", "local", "--auto-approve"]));
    assert!(!applied.contains("already exists"), "{applied}");
    let replan = run(local(dir, port).args(["plan", "--env", "local", "--detailed-exitcode"]));
    assert_eq!(replan.status.code(), Some(0), "{}", stdout(&replan));
    ok(local(dir, port).args(["destroy", "--env", "local", "--auto-approve"]));
}

/// The state's instances that are not simply current: tainted, or deposed (a replaced object not yet deleted).
fn unsettled(state: &std::path::Path) -> String {
    let text = std::fs::read_to_string(state).unwrap_or_default();
    let state: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let mut found = Vec::new();
    for resource in state["resources"].as_array().into_iter().flatten() {
        let address = format!(
            "{}.{}.{}",
            resource["module"].as_str().unwrap_or(""),
            resource["type"],
            resource["name"]
        );
        for instance in resource["instances"].as_array().into_iter().flatten() {
            if instance["status"] == "tainted" || instance.get("deposed").is_some() {
                found.push(format!("{address} ({}{})", instance["status"], instance["deposed"]));
            }
        }
    }
    format!(
        "{} resources, unsettled: {found:?}",
        state["resources"].as_array().map_or(0, Vec::len)
    )
}

/// How an interrupted apply ended: its exit code, what it printed, and how far it had got.
struct Stopped {
    code: Option<i32>,
    printed: String,
    done: u64,
    total: u64,
    last: String,
}

/// Reads the apply's progress lines (`  [done/total] address: Creation complete ...`, printed where stderr is not
/// a terminal) and sends SIGINT `delay` after it has done `1/share` of its total.
fn interrupt_after_share(mut child: Child, share: usize, delay: Duration) -> Stopped {
    let lines = stream_lines(&mut child);
    let (mut printed, mut done, mut total, mut last) = (String::new(), 0, 0, String::new());
    for line in lines.iter() {
        printed.push_str(&line);
        printed.push('\n');
        if let Some((d, t)) = progress(&line) {
            (done, total, last) = (d, t, line.trim().to_owned());
            if done * share as u64 >= total {
                std::thread::sleep(delay);
                break;
            }
        }
    }
    let _ = kill_process(Pid::from_child(&child), Signal::INT);
    let status = child.wait().unwrap();
    printed.extend(lines.iter().map(|l| l + "\n"));
    Stopped {
        code: status.code(),
        printed,
        done,
        total,
        last,
    }
}

/// Both output streams, merged line by line, read on threads so that neither pipe fills.
fn stream_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let out = child.stdout.take().unwrap();
    let err = child.stderr.take().unwrap();
    for reader in [Box::new(out) as Box<dyn std::io::Read + Send>, Box::new(err)] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(reader).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    rx
}

/// `  [12/299] module.x.aws_y.z: Creation complete after 1s` → (12, 299).
fn progress(line: &str) -> Option<(u64, u64)> {
    let inner = line.trim_start().strip_prefix('[')?.split(']').next()?;
    let (done, total) = inner.split_once('/')?;
    Some((done.parse().ok()?, total.parse().ok()?))
}

fn assert_state_whole(dir: &std::path::Path, point: usize) {
    let text = std::fs::read_to_string(dir.join(".ngp/local/terraform.tfstate")).unwrap();
    let state: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("point {point}: the state is not valid JSON: {e}"));
    assert!(state["resources"].is_array(), "point {point}");
}

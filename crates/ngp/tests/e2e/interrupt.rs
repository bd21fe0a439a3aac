//! Ctrl-C during `ngp apply`, in local mode with the manager module: at several points of the apply, SIGINT
//! goes to ngp alone (as `kill -INT` sends it). Each time ngp waits for terraform, the state is valid JSON, no
//! terraform process is left, and the next apply and a `--detailed-exitcode` re-plan converge. While the apply
//! runs, a second ngp run says the environment is in use; while another program holds terraform's state lock,
//! ngp says who holds it and how to release it.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::local::*;
use crate::common::*;
use rustix::process::{kill_process, Pid, Signal};

#[test]
fn an_interrupted_apply_keeps_its_state_and_the_next_one_converges() {
    if skip_without_terraform() {
        return;
    }
    let project = LocalProject::new(&["manager"]);
    let (dir, port) = (project.dir(), project.port);
    ok(local(dir, port).args(["local", "up"]));
    let state_file = dir.join(".ngp/local/terraform.tfstate");
    // Early (init and refresh), in the middle of the creations, and late (the slow ones in flight).
    let mut stopped = 0;
    for (i, after) in [3, 9, 16].into_iter().map(Duration::from_secs).enumerate() {
        let child = local(dir, port)
            .args(["apply", "--env", "local", "--auto-approve"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(after);
        if i == 1 {
            // Meanwhile the environment is in use: another ngp run says so in one line, and touches nothing.
            let planned = run(local(dir, port).args(["plan", "--env", "local"]));
            assert_one_error(&planned, "environment local is in use by another ngp run");
        }
        kill_process(Pid::from_child(&child), Signal::INT).unwrap();
        let out = child.wait_with_output().unwrap();
        let printed = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        // 130 when stopped; 0 only when the apply had finished before the signal came.
        assert!(
            code == Some(130) || code == Some(0),
            "point {i}: exit {code:?}: {printed}"
        );
        let in_terraform = printed.contains("Stopping safely");
        if code == Some(130) && in_terraform {
            assert!(printed.contains("interrupted: terraform"), "point {i}: {printed}");
        }
        // A signal between two terraform runs is as legitimate: ngp stops at once ("Interrupted."), as every file it
        // writes is whole. What matters is checked below, whichever way it stopped; and most signals must reach a
        // running terraform (the count after the loop), or this test would not test the hand-over.
        if code == Some(130) && !in_terraform {
            assert!(printed.contains("Interrupted."), "point {i}: {printed}");
        }
        stopped += usize::from(in_terraform);
        assert_eq!(
            terraform_processes(dir),
            Vec::<String>::new(),
            "point {i}: ngp left terraform running"
        );
        if let Ok(text) = std::fs::read_to_string(&state_file) {
            let state: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("point {i}: the state is not valid JSON ({e}): {text:?}"));
            assert!(state["resources"].is_array(), "point {i}");
        }
        let applied = ok(local(dir, port).args(["apply", "--env", "local", "--auto-approve"]));
        // What the runs wrote is private: .ngp/ 0700, the state and the generated values 0600.
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir.join(".ngp")), 0o700);
        assert_eq!(mode(&state_file), 0o600);
        assert_eq!(mode(&dir.join(".ngp/local/terraform.tfvars.json")), 0o600);
        assert!(!applied.contains("already exists"), "point {i}: {applied}");
        let replan = run(local(dir, port).args(["plan", "--env", "local", "--detailed-exitcode"]));
        assert_eq!(replan.status.code(), Some(0), "point {i}: {}", stdout(&replan));
        if i < 2 {
            ok(local(dir, port).args(["destroy", "--env", "local", "--auto-approve"]));
        }
    }
    assert!(
        stopped >= 2,
        "only {stopped} of the 3 signals reached a running terraform"
    );
    state_locked_by_another_program(dir, port);
}

/// A terraform of someone else's (`terraform console` holds the state lock while it runs) locks the state: ngp
/// says by whom, and how to release it, in one line.
fn state_locked_by_another_program(dir: &Path, port: u16) {
    let workspace = dir.join(".ngp/local");
    let mut console = std::process::Command::new("terraform");
    console
        .arg("console")
        .current_dir(&workspace)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let rc = dir.join(".ngp/terraform.rc");
    if rc.is_file() {
        console.env("TF_CLI_CONFIG_FILE", rc);
    }
    let mut console = console.spawn().unwrap();
    let lock_info = workspace.join(".terraform.tfstate.lock.info");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !lock_info.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let planned = run(local(dir, port).args(["plan", "--env", "local"]));
    // End of input ends the console, which stops its provider first; a kill would leave the provider running.
    drop(console.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(30);
    while console.try_wait().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = console.kill();
    let _ = console.wait();
    assert_eq!(
        terraform_processes(dir),
        Vec::<String>::new(),
        "terraform console left a provider running"
    );
    assert_one_error(&planned, "the state of environment local is locked by ");
    assert!(
        stderr(&planned).contains("`ngp force-unlock --env local "),
        "{}",
        stderr(&planned)
    );
}

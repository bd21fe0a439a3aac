//! What an interrupted apply can leave behind, adopted: objects AWS created whose ids the state never learned.

use std::path::Path;

use crate::common::local::*;
use crate::common::*;

/// `terraform <args>` in `dir`'s local workspace, with ngp's CLI config; its stdout.
fn terraform_in(dir: &Path, args: &[&str]) -> String {
    let mut cmd = std::process::Command::new("terraform");
    cmd.args(args).current_dir(dir.join(".ngp/local"));
    let rc = dir.join(".ngp/terraform.rc");
    if rc.is_file() {
        cmd.env("TF_CLI_CONFIG_FILE", rc);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "terraform {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What an interrupted apply can leave: objects AWS created whose ids the state never learned (here, a security
/// group and an IAM role dropped from the state, with the marker an interrupted apply writes). The next apply
/// adopts them by the names their module gives them, and converges; a re-plan is clean.
#[test]
fn objects_an_interrupted_apply_never_recorded_are_adopted() {
    if skip_without_terraform() {
        return;
    }
    let project = LocalProject::new(&["manager"]);
    let (dir, port) = (project.dir(), project.port);
    ok(local(dir, port).args(["apply", "--env", "local", "--auto-approve"]));
    let listed = terraform_in(dir, &["state", "list"]);
    let first = |kind: &str| {
        listed
            .lines()
            .find(|l| l.starts_with("module.manager.") && l.contains(&format!(".{kind}.")))
            .unwrap_or_else(|| panic!("no {kind} in {listed}"))
            .to_owned()
    };
    let orphans = [first("aws_security_group"), first("aws_iam_role")];
    terraform_in(
        dir,
        &[
            &["state", "rm"][..],
            &orphans.iter().map(String::as_str).collect::<Vec<_>>(),
        ]
        .concat(),
    );
    std::fs::write(
        dir.join(".ngp/local/apply-interrupted"),
        "the last apply was interrupted\n",
    )
    .unwrap();

    let applied = ok(local(dir, port).args(["apply", "--env", "local", "--auto-approve"]));
    for address in &orphans {
        assert!(
            applied.contains(&format!("Adopting {address} (")),
            "{address}: {applied}"
        );
    }
    let listed = terraform_in(dir, &["state", "list"]);
    assert!(orphans.iter().all(|a| listed.lines().any(|l| l == a)), "{listed}");
    assert!(!dir.join(".ngp/local/apply-interrupted").exists() && !dir.join(".ngp/local/ngp-adopt.tf").exists());
    let replan = run(local(dir, port).args(["plan", "--env", "local", "--detailed-exitcode"]));
    assert_eq!(replan.status.code(), Some(0), "{}", stdout(&replan));
}

//! `ngp output`: grouped by module, secrets hidden unless --show-secrets. Uses a module without resources, so
//! a real terraform apply needs no AWS at all.

mod common;

use common::*;

#[test]
fn secrets_are_hidden_unless_asked_for() {
    if skip_without_terraform() {
        return;
    }
    let project = vault_project("");
    let dir = project.path();
    let secret = "s3cr3t-from-the-environment";
    let with_secret = |args: &[&str]| {
        let mut cmd = ngp(dir);
        cmd.args(args).env("TF_VAR_token", secret);
        run(&mut cmd)
    };

    let out = with_secret(&["apply", "--env", "scratch", "--auto-approve"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // TF_VAR_ values reach Terraform but never ngp's files.
    let tfvars = std::fs::read_to_string(dir.join(".ngp/scratch/terraform.tfvars.json")).unwrap();
    assert!(!tfvars.contains(secret) && tfvars.contains("demo"), "{tfvars}");

    let out = with_secret(&["output", "--env", "scratch"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "vault:\n  label = \"demo\"\n  token = (sensitive)\n");
    assert!(
        stderr(&out).contains("1 sensitive output hidden; pass --show-secrets"),
        "{}",
        stderr(&out)
    );

    let json: serde_json::Value =
        serde_json::from_str(&stdout(&with_secret(&["output", "--env", "scratch", "--json"]))).unwrap();
    assert_eq!(json, serde_json::json!({"vault": {"label": "demo", "token": null}}));
    let json: serde_json::Value = serde_json::from_str(&stdout(&with_secret(&[
        "output",
        "--env",
        "scratch",
        "--json",
        "--show-secrets",
    ])))
    .unwrap();
    assert_eq!(json["vault"]["token"], serde_json::json!(secret));

    assert_one_error(
        &with_secret(&["output", "--env", "scratch", "token"]),
        "token is sensitive: pass --show-secrets to print it",
    );
    assert_eq!(
        stdout(&with_secret(&[
            "output",
            "--env",
            "scratch",
            "vault.token",
            "--show-secrets"
        ])),
        format!("{secret}\n")
    );
    assert_one_error(
        &with_secret(&["output", "--env", "scratch", "nope"]),
        "environment scratch has no output \"nope\"",
    );
    assert_one_error(
        &with_secret(&["output", "--env", "other"]),
        "environment other has no workspace yet",
    );
}

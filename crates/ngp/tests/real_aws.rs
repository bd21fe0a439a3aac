//! The rules real AWS enforces and the emulators do not (docs/real-aws.md), asserted at plan level: `terraform
//! test` plans the modules in `tests/real-aws/` against a mock of the AWS provider, with no account and no
//! emulator. A second test keeps the document and the tests in step: every row names a test that exists.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

/// `terraform <args>` in tests/real-aws, its working data in `data`, providers from the mirror where there is one.
fn terraform(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    let config = ngp_terraform::cli_config(data).expect("terraform's CLI config");
    let mut command = Command::new("terraform");
    command
        .current_dir(common::repo().join("tests/real-aws"))
        .env("TF_DATA_DIR", data.join("terraform"))
        .env("TF_IN_AUTOMATION", "1")
        .args(args);
    if let Some(file) = config.env_value() {
        command.env("TF_CLI_CONFIG_FILE", file);
    }
    command.output().expect("terraform runs")
}

#[test]
fn every_rule_the_emulators_miss_holds_at_plan_level() {
    if common::skip_without_terraform() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let init = terraform(data.path(), &["init", "-input=false", "-no-color"]);
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    let test = terraform(data.path(), &["test", "-no-color", "-test-directory=."]);
    let out = String::from_utf8_lossy(&test.stdout);
    assert!(test.status.success(), "{out}{}", String::from_utf8_lossy(&test.stderr));
    let ran = out
        .lines()
        .filter(|l| l.trim_start().starts_with("run \"") && l.ends_with("pass"))
        .count();
    assert_eq!(ran, run_names().len(), "every run passed: {out}");
}

/// `file: run` for every run block of tests/real-aws.
fn run_names() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(common::repo().join("tests/real-aws")).unwrap() {
        let path = entry.unwrap().path();
        let Some(file) = path
            .file_name()
            .and_then(|f| f.to_str())
            .filter(|f| f.ends_with(".tftest.hcl"))
        else {
            continue;
        };
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            if let Some(name) = line.strip_prefix("run \"").and_then(|l| l.split('"').next()) {
                names.insert(format!("{file}: {name}"));
            }
        }
    }
    names
}

#[test]
fn docs_real_aws_names_a_test_for_every_row_and_every_test_has_a_row() {
    let doc = std::fs::read_to_string(common::repo().join("docs/real-aws.md")).unwrap();
    let rows: Vec<&str> = doc
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| #") && !l.starts_with("|--"))
        .collect();
    assert!(
        rows.len() >= 13,
        "the 11 rows of issue 26 and the earlier KMS and user-data rules: {}",
        rows.len()
    );
    for row in &rows {
        assert!(row.contains('`'), "a row without a test: {row}");
    }
    let tests = common::repo().join("crates/ngp/tests");
    let runs = run_names();
    for row in &rows {
        for cited in row.split('`').skip(1).step_by(2) {
            if let Some((file, function)) = cited.split_once(".rs: ") {
                let source = std::fs::read_to_string(tests.join(format!("{file}.rs"))).unwrap();
                assert!(
                    source.contains(&format!("fn {function}(")),
                    "docs/real-aws.md cites {cited}, which does not exist"
                );
            } else if cited.contains(".tftest.hcl: ") {
                assert!(
                    runs.contains(cited),
                    "docs/real-aws.md cites {cited}, which does not exist"
                );
            }
        }
    }
    for name in runs {
        assert!(
            doc.contains(&format!("`{name}`")),
            "{name} has no row in docs/real-aws.md"
        );
    }
}

#[test]
fn flatcar_nodes_stay_on_cgroup_v1_and_never_update_themselves() {
    let script = std::fs::read_to_string(common::repo().join("modules/dcos/scripts/node.sh.tftpl")).unwrap();
    for needle in [
        "SERVER=disabled",
        "systemctl mask --now update-engine.service locksmithd.service",
        "systemd.unified_cgroup_hierarchy=0 systemd.legacy_systemd_cgroup_controller",
        "NTP=169.254.169.123",
    ] {
        assert!(script.contains(needle), "the node's user-data lacks {needle}");
    }
    let switch = script.find("unified_cgroup_hierarchy=0").unwrap();
    let install = script.find("dcos_install.sh").unwrap();
    assert!(
        switch < install,
        "the node must switch to cgroup v1 before it installs DC/OS"
    );
}

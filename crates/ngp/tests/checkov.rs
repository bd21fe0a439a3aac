//! checkov on every module: no failed check, and every waiver in the module gives its reason.
//! Uses `$NGP_CHECKOV`, else `checkov` on PATH; CI sets `NGP_REQUIRE_TOOLS=1` so a missing tool fails.

mod common;

use std::path::PathBuf;
use std::process::Command;

fn checkov() -> Option<PathBuf> {
    let candidate = std::env::var_os("NGP_CHECKOV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("checkov"));
    let works = Command::new(&candidate)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !works && std::env::var_os("NGP_REQUIRE_TOOLS").is_some() {
        panic!(
            "checkov is required here (NGP_REQUIRE_TOOLS is set) but {} does not run",
            candidate.display()
        );
    }
    works.then_some(candidate)
}

#[test]
fn every_module_passes_checkov_and_every_waiver_has_a_reason() {
    let Some(checkov) = checkov() else {
        eprintln!("skipped: checkov is not installed (pip install checkov, or set NGP_CHECKOV)");
        return;
    };
    let modules = common::repo().join("modules");
    for entry in std::fs::read_dir(&modules).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let out = Command::new(&checkov)
            .args([
                "--framework",
                "terraform",
                "--skip-download",
                "--quiet",
                "--compact",
                "-o",
                "json",
                "-d",
            ])
            .arg(&dir)
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "checkov printed no JSON for {}: {e}: {}",
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let summary = &report["summary"];
        assert_eq!(
            summary["failed"],
            0,
            "{}: {}",
            dir.display(),
            serde_json::to_string_pretty(&report["results"]["failed_checks"]).unwrap()
        );
        assert!(
            summary["passed"].as_u64().unwrap() > 0,
            "checkov checked nothing in {}",
            dir.display()
        );

        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for line in text.lines().filter(|l| l.contains("checkov:skip=")) {
                let rest = line.split("checkov:skip=").nth(1).unwrap();
                let reason = rest.split_once(':').map(|(_, r)| r.trim()).unwrap_or("");
                assert!(
                    reason.len() > 10,
                    "{}: a waiver without a reason: {line}",
                    path.display()
                );
            }
        }
    }
}

/// docs/security.md lists every waiver in modules/, by check, file and reason, and no other: its table and the
/// code hold each other to account.
#[test]
fn docs_security_lists_every_waiver() {
    let mut in_code = Vec::new();
    for entry in walkdir::WalkDir::new(common::repo().join("modules")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|x| x != "tf") {
            continue;
        }
        let relative = entry.path().strip_prefix(common::repo()).unwrap().display().to_string();
        for line in std::fs::read_to_string(entry.path()).unwrap().lines() {
            if let Some(rest) = line.trim().strip_prefix("# checkov:skip=") {
                let (check, reason) = rest.split_once(':').unwrap();
                in_code.push(format!("| `{check}` | `{relative}` | {} |", reason.trim()));
            }
        }
    }
    let doc = std::fs::read_to_string(common::repo().join("docs/security.md")).unwrap();
    let in_doc: Vec<&str> = doc.lines().filter(|l| l.starts_with("| `CKV")).collect();
    for waiver in &in_code {
        assert!(
            doc.contains(waiver.as_str()),
            "docs/security.md does not list the waiver {waiver}"
        );
    }
    assert_eq!(
        in_doc.len(),
        in_code.len(),
        "docs/security.md lists waivers the code no longer has"
    );
    assert!(
        doc.contains(&format!("## Waivers ({})", in_code.len())),
        "the waiver count in docs/security.md is stale"
    );
}

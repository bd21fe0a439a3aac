//! An environment whose only module deploys an app and creates no AWS resource: `ngp apply` deploys the app, and
//! `ngp destroy` takes it off Marathon and exits 0 (its state holds outputs, not resources).

mod common;

use common::local::{free_port, local, marathon_port, ok, EmulatorGuard};
use common::*;

fn webapps_module(dir: &std::path::Path) {
    let d = dir.join("modules/webapps");
    std::fs::create_dir_all(&d).unwrap();
    let files = [
        ("webapps.tf", "locals {\n  ngp_module = { description = \"one web app\", default_enabled = true }\n}\n"),
        ("webapps.dummy", "# webapps\n"),
        ("webapps-variables.tf", ""),
        (
            "webapps-output.tf",
            "output \"marathon_apps\" {\n  description = \"The app.\"\n  value       = [{ id = \"hello\", cmd = \"sleep 1000\", cpus = 0.1, mem = 32, instances = 1 }]\n}\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(d.join(name), text).unwrap();
    }
}

fn ngp_apps(port: u16) -> Vec<String> {
    let url = format!("http://127.0.0.1:{}/v2/apps", marathon_port(port));
    let apps: serde_json::Value = reqwest::blocking::get(url).unwrap().json().unwrap();
    apps["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn an_apps_only_environment_applies_and_destroys() {
    if skip_without_terraform() {
        return;
    }
    let project = project_with(&[]);
    let dir = project.path();
    webapps_module(dir);
    std::fs::write(
        dir.join("ngp.tfvars"),
        "modules = [\"webapps\"]\naws_region = \"eu-west-1\"\n",
    )
    .unwrap();
    let port = free_port();
    let _guard = EmulatorGuard(dir);
    ok(local(dir, port).args(["apply", "--env", "local", "--auto-approve"]));
    assert_eq!(ngp_apps(port), ["/ngp/webapps/hello"]);
    let destroyed = ok(local(dir, port).args(["destroy", "--env", "local", "--auto-approve"]));
    assert!(destroyed.contains("/ngp/webapps/hello (remove)"), "{destroyed}");
    assert_eq!(ngp_apps(port), Vec::<String>::new(), "no /ngp app is left");
    // Destroyed, the state holds nothing: a second destroy says exactly that.
    let again = run(local(dir, port).args(["destroy", "--env", "local", "--auto-approve"]));
    let err = stderr(&again);
    assert!(
        err.contains("has no state, so nothing to destroy") && err.contains("holds no resources and no outputs"),
        "{err}"
    );
}

//! The CLI knows modules only through the contract of docs/modules.md: no module's name, and no output name
//! outside the contract, appears in crates/ngp/src; every name of the contract is documented.

use std::collections::BTreeSet;

use ngp_modules::contract::NAMES;

mod common;

/// Whether `name` occurs in `line` as a word of its own (names are made of letters, digits, `_` and `-`).
fn mentions(line: &str, name: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    line.match_indices(name).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + name.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

#[test]
fn the_cli_names_no_module_and_no_output_outside_the_contract() {
    let catalog = ngp_modules::Catalog::discover(&common::repo().join("modules")).unwrap();
    let mut names: BTreeSet<String> = catalog.modules.keys().cloned().collect();
    for module in catalog.modules.values() {
        names.extend(module.outputs.iter().map(|o| o.name.clone()));
    }
    names.retain(|n| !NAMES.contains(&n.as_str()));
    // `ngp registry check --ecr REPO` talks to the AWS service ECR, whichever module made the repository: the
    // word is the service's. Looking a module up by that name would take the string "ecr", which stays refused.
    let services = ["ecr"];
    assert!(names.contains("dcos") && names.contains("dcos_url"), "{names:?}");

    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(common::repo().join("crates/ngp/src")) {
        let entry = entry.unwrap();
        if entry.file_type().is_dir() {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for (number, line) in text.lines().enumerate() {
            let named = |n: &&String| {
                mentions(line, n) && (!services.contains(&n.as_str()) || line.contains(&format!("\"{n}\"")))
            };
            for name in names.iter().filter(named) {
                found.push(format!("{}:{}: {name}", entry.path().display(), number + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "names outside docs/modules.md's contract:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_name_of_the_contract_is_documented() {
    let doc = std::fs::read_to_string(common::repo().join("docs/modules.md")).unwrap();
    let missing: Vec<&&str> = NAMES.iter().filter(|n| !doc.contains(&format!("`{n}`"))).collect();
    assert!(missing.is_empty(), "not in docs/modules.md: {missing:?}");
}

#[test]
fn a_word_is_found_only_whole() {
    assert!(mentions("outputs.get(\"dcos\")", "dcos"));
    assert!(!mentions("dcos_url", "dcos"));
    assert!(!mentions("the aws_sdk_secretsmanager client", "manager"));
    assert!(!mentions("docker-registry", "registry"));
}

/// A module with no resources in Marathon's role, under a name the CLI has never seen: `ngp apply` finds
/// Marathon by the `marathon_url` output, logs in with `marathon_login`, sizes a one-per-agent app from
/// `mesos_url` and deploys the module's apps.
#[test]
fn apps_reach_marathon_through_the_contract_outputs() {
    use axum::routing::post;
    use std::sync::{Arc, Mutex};
    if common::skip_without_terraform() {
        return;
    }
    let logins: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
    let seen = logins.clone();
    let login = axum::Router::new().route(
        "/acs/api/v1/auth/login",
        post(move |axum::Json(body): axum::Json<serde_json::Value>| async move {
            seen.lock().unwrap().push(body);
            axum::Json(serde_json::json!({ "token": "t0ken" }))
        }),
    );
    let config = ngp_marathon_emulator::Config {
        private_agents: 3,
        ..Default::default()
    };
    let url = common::serve(ngp_marathon_emulator::router(config).merge(login));

    let project = common::project_with(&[]);
    let dir = project.path();
    let module = dir.join("modules/orchestrator");
    std::fs::create_dir_all(&module).unwrap();
    let files = [
        ("orchestrator.tf", "locals {\n  ngp_module = { description = \"a stand-in\" }\n}\n".to_owned()),
        ("orchestrator.dummy", "# nothing\n".to_owned()),
        (
            "orchestrator-variables.tf",
            "variable \"endpoint\" {\n  description = \"Where Marathon answers.\"\n  type        = string\n}\n".to_owned(),
        ),
        (
            "orchestrator-output.tf",
            [
                "output \"marathon_url\" {\n  value = var.endpoint\n}\n",
                "output \"mesos_url\" {\n  value = \"${var.endpoint}/mesos\"\n}\n",
                "output \"marathon_login\" {\n  value     = { url = \"${var.endpoint}/acs/api/v1/auth/login\", uid = \"admin\", password = \"pw\" }\n  sensitive = true\n}\n",
                "output \"marathon_apps\" {\n  value = [{ id = \"agent\", cmd = \"sleep 1000\", cpus = 0.1, mem = 32, labels = { NGP_PER_AGENT = \"private\" } }]\n}\n",
            ]
            .concat(),
        ),
    ];
    for (name, text) in files {
        std::fs::write(module.join(name), text).unwrap();
    }
    std::fs::write(
        dir.join("ngp.tfvars"),
        format!("modules = [\"orchestrator\"]\naws_region = \"eu-west-1\"\nendpoint = \"{url}\"\n"),
    )
    .unwrap();

    let out = common::run(common::ngp(dir).args(["apply", "--env", "scratch", "--auto-approve"]));
    assert!(out.status.success(), "{}", common::stderr(&out));
    let printed = common::stdout(&out);
    assert!(printed.contains("  + /ngp/orchestrator/agent (create)"), "{printed}");
    assert_eq!(
        *logins.lock().unwrap(),
        vec![serde_json::json!({ "uid": "admin", "password": "pw" })]
    );
    let out = common::run(common::ngp(dir).args(["apps", "status", "--env", "scratch", "--json"]));
    let status: serde_json::Value = serde_json::from_str(&common::stdout(&out)).unwrap();
    assert_eq!(status[0]["id"], serde_json::json!("/ngp/orchestrator/agent"));
    assert_eq!(status[0]["instances"], serde_json::json!(3), "one per private agent");
}

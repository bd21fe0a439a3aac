//! ELK (the `elk` module): Filebeat finds the sandboxes, the search domain is private, and the master password
//! stays out of the apps and the plain outputs.

use crate::fixture::*;

/// The OpenSearch master password is in no app and in no output shown without --show-secrets.
pub async fn master_password_stays_hidden(p: &Platform) {
    let master = p.secret_output("elk.opensearch_master_password");
    assert!(master.len() >= 16, "{master}");
    assert!(
        !p.rendered.to_string().contains(&master),
        "the master password is in an app"
    );
    let shown = p.ngp(&["output", "--env", "local"]);
    assert!(
        !shown.contains(&master) && shown.contains("opensearch_master_password"),
        "{shown}"
    );
}

/// Filebeat's configuration, as the elk module renders it into its app: every filestream input has an id of its
/// own, and the sandbox globs find each task's current stdout and stderr, once, in a tree laid out as Mesos writes
/// it (`runs/latest` links the current run). Globs match as Go's filepath.Match does: `*` never crosses a `/`.
pub async fn filebeat_finds_the_sandboxes(p: &Platform) {
    let rendered = &p.rendered;
    let elk = apps_of(rendered, "elk");
    let filebeat = elk
        .iter()
        .find(|a| a["id"] == "/ngp/elk/filebeat-private")
        .expect("filebeat on the private agents");
    let config: serde_json::Value =
        serde_norway::from_str(filebeat["env"]["NGP_FILEBEAT_CONFIG"].as_str().unwrap()).unwrap();
    let inputs = config["filebeat.inputs"].as_array().unwrap();
    let mut ids: Vec<&str> = inputs.iter().map(|i| i["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    let count = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), count, "filestream ids must be unique: {ids:?}");

    let root = tempfile::tempdir().unwrap();
    let work = root.path().join("var/lib/mesos/slave");
    let executor = work.join("slaves/S0/frameworks/F0/executors/web.1/runs");
    for run in ["R1", "R2"] {
        std::fs::create_dir_all(executor.join(run)).unwrap();
        for file in ["stdout", "stderr", "stdout.logrotate.conf"] {
            std::fs::write(executor.join(run).join(file), "x").unwrap();
        }
    }
    std::os::unix::fs::symlink(executor.join("R2"), executor.join("latest")).unwrap();
    let sandbox = inputs.iter().find(|i| i["id"] == "ngp-mesos-sandboxes").unwrap();
    let mut found = Vec::new();
    for pattern in sandbox["paths"].as_array().unwrap() {
        let pattern = format!("{}{}", root.path().display(), pattern.as_str().unwrap());
        for hit in glob::glob(&pattern).unwrap() {
            found.push(hit.unwrap().strip_prefix(root.path()).unwrap().display().to_string());
        }
    }
    found.sort();
    let runs = "var/lib/mesos/slave/slaves/S0/frameworks/F0/executors/web.1/runs/latest";
    assert_eq!(found, [format!("{runs}/stderr"), format!("{runs}/stdout")]);
    assert_eq!(
        sandbox["prospector.scanner.symlinks"],
        serde_json::json!(true),
        "runs/latest is a link"
    );
}

/// The search domain is in the VPC and takes HTTPS only; nothing of it is open to the world (the security
/// groups are checked with the rest).
pub async fn search_domain_is_private(p: &Platform) {
    let aws = &p.aws;
    let domain = aws
        .search
        .describe_domain()
        .domain_name("ngp-logs-dev")
        .send()
        .await
        .unwrap();
    let status = domain.domain_status().unwrap();
    let vpc = status.vpc_options().expect("the domain is in a VPC");
    assert!(
        !vpc.subnet_ids().is_empty() && !vpc.security_group_ids().is_empty(),
        "{vpc:?}"
    );
    let endpoint = status.domain_endpoint_options().unwrap();
    assert_eq!(endpoint.enforce_https(), Some(true));
    assert_eq!(
        status.encryption_at_rest_options().and_then(|e| e.enabled()),
        Some(true)
    );
    assert_eq!(
        status.node_to_node_encryption_options().and_then(|e| e.enabled()),
        Some(true)
    );
}

//! Every example in examples/ plans in local mode: the minimal dev platform, the prod one with its overlay,
//! and the platform with a module of its own. One emulator serves the three plans.

use crate::common::local::{free_port, local, ok, EmulatorGuard};
use crate::common::*;

/// Plans `tfvars` (and `overlay`, read as the local environment's) and returns the modules the plan creates in.
fn plan(dir: &std::path::Path, port: u16, tfvars: &str, overlay: Option<&str>) -> Vec<String> {
    std::fs::write(dir.join("ngp.tfvars"), tfvars).unwrap();
    let overlay_path = dir.join("ngp.local.tfvars");
    match overlay {
        Some(text) => std::fs::write(&overlay_path, text).unwrap(),
        None => {
            let _ = std::fs::remove_file(&overlay_path);
        }
    }
    let planned: serde_json::Value =
        serde_json::from_str(&ok(local(dir, port).args(["plan", "--env", "local", "--json"]))).unwrap();
    let modules = planned["modules"].as_object().expect("a plan by module");
    modules
        .iter()
        .filter(|(_, m)| m["create"].as_u64().unwrap_or(0) > 0)
        .map(|(name, _)| name.clone())
        .collect()
}

#[tokio::test(flavor = "current_thread")]
async fn every_example_plans_in_local_mode() {
    if skip_without_terraform() {
        return;
    }
    let examples = repo().join("examples");
    let project = project_with_every_module();
    let dir = project.path();
    copy_dir(
        &examples.join("custom-module/modules/hello"),
        &dir.join("modules/hello"),
    );
    let port = free_port();
    let _guard = EmulatorGuard(dir);
    let read = |path: &str| std::fs::read_to_string(examples.join(path)).unwrap();

    let dev = plan(dir, port, &read("dev/ngp.tfvars"), None);
    assert_eq!(dev, ["dcos", "docker-registry", "manager", "openvpn"]);

    // Prod uses a public zone that exists already: make it in the emulator first, as it would be in the account.
    let aws = ngp_aws::sdk_config("us-east-1", Some(&format!("http://127.0.0.1:{port}"))).await;
    aws_sdk_route53::Client::new(&aws)
        .create_hosted_zone()
        .name("platform.example.com")
        .caller_reference("ngp-examples")
        .send()
        .await
        .unwrap();
    let prod = plan(dir, port, &read("prod/ngp.tfvars"), Some(&read("prod/ngp.prod.tfvars")));
    assert_eq!(
        prod,
        [
            "api-gateway",
            "dcos",
            "docker-registry",
            "ecr",
            "elasticache",
            "elk",
            "jenkins",
            "manager",
            "marathon-snapshot",
            "monitoring",
            "openvpn"
        ]
    );

    let custom = plan(dir, port, &read("custom-module/ngp.tfvars"), None);
    assert_eq!(custom, ["dcos", "hello", "manager"]);
}

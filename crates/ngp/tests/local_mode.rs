//! The whole path in local mode, from a fresh project: up → no-change plan → plain terraform → outputs →
//! stale-plan refusal → destroy, with the emulator checked through the AWS API (aws-sdk-rust) at each end.

mod common;

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

use aws_sdk_ec2::types::{Filter, HttpTokensState};
use common::*;

/// Stops the emulator when the test ends, passed or failed.
struct EmulatorGuard<'a>(&'a Path);

impl Drop for EmulatorGuard<'_> {
    fn drop(&mut self) {
        let _ = ngp(self.0).args(["local", "down"]).output();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn local(dir: &Path, port: u16) -> Command {
    let mut cmd = ngp(dir);
    // One venv for every run of the suite: `ngp setup` (or the first run) installs it.
    cmd.env("NGP_LOCAL_VENV", repo().join(".ngp/venv"))
        .env("NGP_LOCAL_PORT", port.to_string());
    cmd
}

fn ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{:?} failed ({:?}): {}",
        cmd,
        out.status,
        stderr(&out)
    );
    stdout(&out)
}

async fn clients(port: u16) -> (aws_sdk_ec2::Client, aws_sdk_iam::Client) {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_ec2::config::Credentials::new(
            "test", "test", None, None, "ngp-e2e",
        ))
        .load()
        .await;
    (aws_sdk_ec2::Client::new(&config), aws_sdk_iam::Client::new(&config))
}

fn ours() -> Filter {
    Filter::builder().name("tag:ManagedBy").values("ngp").build()
}

/// Everything of ours the emulator holds: VPCs, subnets, security groups, live instances, roles, profiles.
async fn inventory(ec2: &aws_sdk_ec2::Client, iam: &aws_sdk_iam::Client) -> Vec<String> {
    let mut found = Vec::new();
    for vpc in ec2.describe_vpcs().send().await.unwrap().vpcs() {
        if !vpc.is_default().unwrap_or(false) {
            found.push(format!("vpc {}", vpc.vpc_id().unwrap()));
        }
    }
    for subnet in ec2.describe_subnets().filters(ours()).send().await.unwrap().subnets() {
        found.push(format!("subnet {}", subnet.subnet_id().unwrap()));
    }
    for sg in ec2.describe_security_groups().send().await.unwrap().security_groups() {
        if sg.group_name().unwrap_or("").starts_with("ngp-") || sg.tags().iter().any(|t| t.key() == Some("ManagedBy")) {
            found.push(format!("security group {}", sg.group_id().unwrap()));
        }
    }
    for reservation in ec2
        .describe_instances()
        .filters(ours())
        .send()
        .await
        .unwrap()
        .reservations()
    {
        for instance in reservation.instances() {
            let state = instance
                .state()
                .and_then(|s| s.name())
                .map(|n| n.as_str().to_owned())
                .unwrap_or_default();
            if state != "terminated" {
                found.push(format!("instance {} ({state})", instance.instance_id().unwrap()));
            }
        }
    }
    for role in iam.list_roles().send().await.unwrap().roles() {
        if role.role_name().starts_with("ngp-") {
            found.push(format!("role {}", role.role_name()));
        }
    }
    for profile in iam.list_instance_profiles().send().await.unwrap().instance_profiles() {
        if profile.instance_profile_name().starts_with("ngp-") {
            found.push(format!("instance profile {}", profile.instance_profile_name()));
        }
    }
    found
}

#[tokio::test(flavor = "current_thread")]
async fn local_mode_from_up_to_destroy() {
    if !terraform_available() {
        assert!(
            std::env::var_os("NGP_REQUIRE_TOOLS").is_none(),
            "terraform is required here"
        );
        eprintln!("skipped: terraform is not installed");
        return;
    }
    let project = project_with(&["manager"]);
    let dir = project.path();
    let port = free_port();
    let _guard = EmulatorGuard(dir);

    // The main job: init with the default modules, start the emulator, apply, print the outputs.
    let printed = ok(local(dir, port).args(["up", "--env", "local"]));
    assert!(printed.contains("manager:") && printed.contains("vpc_id"), "{printed}");

    let (ec2, iam) = clients(port).await;
    let vpcs = ec2.describe_vpcs().filters(ours()).send().await.unwrap();
    assert_eq!(vpcs.vpcs().len(), 1);
    let vpc_id = vpcs.vpcs()[0].vpc_id().unwrap().to_owned();

    // The manager node: IMDSv2 required, root volume encrypted; SSH never open to the world.
    let reservations = ec2.describe_instances().filters(ours()).send().await.unwrap();
    let instance = reservations.reservations()[0].instances()[0].clone();
    assert_eq!(
        instance.metadata_options().unwrap().http_tokens(),
        Some(&HttpTokensState::Required)
    );
    let volume_ids: Vec<String> = instance
        .block_device_mappings()
        .iter()
        .filter_map(|m| m.ebs().and_then(|e| e.volume_id()).map(str::to_owned))
        .collect();
    let volumes = ec2
        .describe_volumes()
        .set_volume_ids(Some(volume_ids))
        .send()
        .await
        .unwrap();
    assert!(!volumes.volumes().is_empty() && volumes.volumes().iter().all(|v| v.encrypted() == Some(true)));
    let groups = ec2.describe_security_groups().filters(ours()).send().await.unwrap();
    for group in groups.security_groups() {
        for rule in group.ip_permissions() {
            assert!(
                rule.ip_ranges().iter().all(|r| r.cidr_ip() != Some("0.0.0.0/0")),
                "{group:?}"
            );
        }
    }
    assert!(inventory(&ec2, &iam).await.len() >= 6);

    // Right after: no changes, by ngp and by plain terraform in the workspace.
    let out = run(local(dir, port).args(["plan", "--env", "local", "--detailed-exitcode"]));
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let mut plain = Command::new("terraform");
    plain
        .args(["plan", "-detailed-exitcode", "-input=false", "-no-color"])
        .current_dir(dir.join(".ngp/local"));
    if dir.join(".ngp/terraform.rc").exists() {
        plain.env("TF_CLI_CONFIG_FILE", dir.join(".ngp/terraform.rc"));
    }
    let out = plain.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "plain terraform plan: {}",
        String::from_utf8_lossy(&out.stdout)
    );

    let json: serde_json::Value =
        serde_json::from_str(&ok(local(dir, port).args(["output", "--env", "local", "--json"]))).unwrap();
    assert_eq!(json["manager"]["vpc_id"], serde_json::json!(vpc_id));
    assert_eq!(
        ok(local(dir, port).args(["output", "--env", "local", "manager.vpc_id"])).trim(),
        vpc_id
    );

    // A saved plan applies only to the configuration it was made from.
    let overlay = dir.join("ngp.local.tfvars");
    std::fs::write(&overlay, "tag_version = \"0.2.0\"\n").unwrap();
    let out = run(local(dir, port).args(["plan", "--env", "local", "--detailed-exitcode"]));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stdout(&out)
            .lines()
            .any(|l| l.starts_with("manager") && !l.contains(" 0      0")),
        "{}",
        stdout(&out)
    );
    std::fs::write(&overlay, "tag_version = \"0.3.0\"\n").unwrap();
    assert_one_error(
        &run(local(dir, port).args(["apply", "--env", "local", "--saved-plan"])),
        "the saved plan for environment local is stale",
    );
    ok(local(dir, port).args(["plan", "--env", "local"]));
    ok(local(dir, port).args(["apply", "--env", "local", "--saved-plan"]));
    let out = run(local(dir, port).args(["plan", "--env", "local", "--detailed-exitcode"]));
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // Remote state: an S3 backend with locking, here on the emulator's S3, holds another environment's state.
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_ec2::config::Credentials::new(
            "test", "test", None, None, "ngp-e2e",
        ))
        .load()
        .await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket().bucket("ngp-state").send().await.unwrap();
    vault_module(dir);
    std::fs::write(
        dir.join("ngp.staging.tfvars"),
        "modules = [\"vault\"]\naws_region = \"us-east-1\"\nlabel = \"staging\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("ngp.staging.tfbackend"),
        format!(
            "bucket = \"ngp-state\"\nkey = \"staging/terraform.tfstate\"\nregion = \"us-east-1\"\n\
             access_key = \"test\"\nsecret_key = \"test\"\nskip_credentials_validation = true\n\
             skip_requesting_account_id = true\nuse_path_style = true\nendpoints = {{ s3 = \"http://127.0.0.1:{port}\" }}\n"
        ),
    )
    .unwrap();
    ok(local(dir, port)
        .args(["apply", "--env", "staging", "--auto-approve"])
        .env("TF_VAR_token", "x"));
    let main = std::fs::read_to_string(dir.join(".ngp/staging/main.tf")).unwrap();
    assert!(
        main.contains("backend \"s3\"") && main.contains("use_lockfile") && main.contains("encrypt"),
        "{main}"
    );
    assert!(
        !dir.join(".ngp/staging/terraform.tfstate").exists(),
        "the state is remote, not local"
    );
    let state = s3
        .get_object()
        .bucket("ngp-state")
        .key("staging/terraform.tfstate")
        .send()
        .await
        .unwrap();
    let state: serde_json::Value = serde_json::from_slice(&state.body.collect().await.unwrap().into_bytes()).unwrap();
    assert_eq!(state["outputs"]["vault_label"]["value"], serde_json::json!("staging"));

    // Destroy leaves nothing of ours behind.
    ok(local(dir, port).args(["destroy", "--env", "local"]));
    assert_eq!(inventory(&ec2, &iam).await, Vec::<String>::new());

    ok(local(dir, port).args(["local", "down"]));
    assert_eq!(run(local(dir, port).args(["local", "status"])).status.code(), Some(3));
}

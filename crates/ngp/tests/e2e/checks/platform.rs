//! What spans modules: what `ngp up` prints, the apps on Marathon, the network's exposure, the nodes' scripts,
//! the keys' policies, and the lifecycle after the apply (re-plan, saved plans, remote state, apps removal,
//! destroy, plan-time validation), which runs last, in this order.

use std::process::{Command, Stdio};

use crate::common::local::*;
use crate::common::*;
use crate::fixture::*;

/// `ngp up` prints the outputs by module, sums up bulky values, ends with one block of where things are, and
/// reconciles the apps onto the Marathon emulator.
pub async fn up_prints_where_things_are(p: &Platform) {
    let printed = &p.up;
    assert!(printed.contains("manager:") && printed.contains("vpc_id"), "{printed}");
    assert!(
        printed.contains("lines: `ngp output cluster.dcos_config_yaml`)"),
        "{printed}"
    );
    assert_eq!(printed.matches("Where things are:").count(), 1, "{printed}");
    assert!(
        printed.contains("  dcos_url ")
            && printed.contains("  vpn_connect_url ")
            && printed.contains("https://tyk.ngp.test"),
        "{printed}"
    );
    assert!(
        printed.contains("  + /ngp/docker-registry/registry (create)"),
        "{printed}"
    );
    assert!(
        printed.contains("Apps reconciled: 12 created, 0 updated, 0 unchanged, 0 removed"),
        "{printed}"
    );
}

/// Right after the apply, the apps plan finds nothing to do, and `apps status` shows every instance running.
pub async fn apps_plan_is_clean_and_running(p: &Platform) {
    let plan = p.ngp(&["apps", "plan", "--env", "local"]);
    assert_eq!(
        plan.trim(),
        "Apps: 0 to create, 0 to update, 0 to remove, 12 unchanged."
    );
    let status = p.ngp(&["apps", "status", "--env", "local"]);
    assert!(status.contains("/ngp/docker-registry/registry"), "{status}");
    let status: serde_json::Value =
        serde_json::from_str(&p.ngp(&["apps", "status", "--env", "local", "--json"])).unwrap();
    let registry = status
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "/ngp/docker-registry/registry")
        .expect("the registry's status");
    assert_eq!(registry["running"], registry["instances"]);
}

/// Every app NGP renders (the group bodies it writes) validates against Marathon's own schema (draft 4; its
/// `$schema` would only send the validator to the network).
pub async fn apps_validate_against_marathons_schema(p: &Platform) {
    let Some(mut schema) = marathon_app_schema() else {
        return;
    };
    schema.as_object_mut().unwrap().remove("$schema");
    let validator = jsonschema::draft4::new(&schema).unwrap();
    let mut checked = 0;
    for module in p.rendered["modules"].as_array().unwrap() {
        for app in module["body"]["apps"].as_array().unwrap() {
            let errors: Vec<String> = validator
                .iter_errors(app)
                .map(|e| format!("{}: {e}", e.instance_path))
                .collect();
            assert!(errors.is_empty(), "{} does not validate: {errors:?}", app["id"]);
            checked += 1;
        }
    }
    assert!(checked >= 1, "{}", p.rendered);
}

/// Nothing is open to the world but the VPN (443/tcp, 1194/udp) and the API gateway's load balancer (443): no
/// app of the default platform publishes a port on the public agents, so they have no open rule.
pub async fn only_the_vpn_and_the_gateway_face_the_world(p: &Platform) {
    let mut open = Vec::new();
    for group in p
        .aws
        .ec2
        .describe_security_groups()
        .send()
        .await
        .unwrap()
        .security_groups()
    {
        for rule in group.ip_permissions() {
            let world = rule.ip_ranges().iter().any(|r| r.cidr_ip() == Some("0.0.0.0/0"))
                || rule.ipv6_ranges().iter().any(|r| r.cidr_ipv6() == Some("::/0"));
            if world {
                let name = group.group_name().unwrap().to_owned();
                open.push((
                    name,
                    rule.ip_protocol().unwrap().to_owned(),
                    rule.from_port().unwrap_or(-1),
                ));
            }
        }
    }
    open.sort();
    let expected = [
        ("ngp-tyk-lb-dev", "tcp", 443),
        ("ngp-vpn-dev", "tcp", 443),
        ("ngp-vpn-dev", "udp", 1194),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(g, p, port)| (g.to_string(), p.to_string(), *port))
        .collect();
    assert_eq!(open, expected, "ingress open to 0.0.0.0/0");
}

/// The inventory the destroy check compares against holds every kind of thing the platform makes.
pub async fn inventory_holds_every_kind(p: &Platform) {
    let before = inventory(&p.aws).await;
    for kind in [
        "load balancer",
        "replication group",
        "secret",
        "bucket",
        "hosted zone",
        "vpc endpoint",
    ] {
        assert!(before.iter().any(|r| r.starts_with(kind)), "no {kind} in {before:?}");
    }
}

/// Marathon's JSON Schema for app definitions, from the reference material beside the repository.
fn marathon_app_schema() -> Option<serde_json::Value> {
    let path = ngp_testing::reference("marathon/schema/AppDefinition.json")?;
    Some(serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap())
}

/// Runs shellcheck on each user-data script (base64 of gzip, or of plain text). Required in CI.
pub async fn user_data_passes_shellcheck(p: &Platform) {
    let scripts = &p.user_data;
    if Command::new("shellcheck").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("NGP_REQUIRE_TOOLS").is_none(),
            "shellcheck is required here"
        );
        eprintln!("skipped shellcheck: not installed");
        return;
    }
    for (name, encoded) in scripts {
        let script = decode_user_data(encoded);
        assert!(
            script.starts_with(b"#!/bin/bash"),
            "{name}: {}",
            String::from_utf8_lossy(&script)
        );
        let out = decode(Command::new("shellcheck").args(["-s", "bash", "-"]), &script);
        assert!(
            out.status.success(),
            "shellcheck on {name}:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// Every env file a module asks the agents to write (node_files, 0600) holds values that no app carries: the
/// Tyk credentials, Redis's token and Sysdig's access key reach their tasks only through Docker's --env-file.
pub async fn env_files_stay_out_of_marathon(p: &Platform) {
    let (rendered, outputs, aws) = (&p.rendered, &p.outputs, &p.aws);
    let apps = rendered.to_string();
    let mut checked = Vec::new();
    for (module, outs) in outputs.as_object().unwrap() {
        let Some(files) = outs["node_files"].as_array() else {
            continue;
        };
        for file in files.iter().filter(|f| f["path"].as_str().unwrap().ends_with(".env")) {
            assert_eq!(file["mode"], "0600", "{module}: {file}");
            let arn = file["secret_arn"].as_str().unwrap();
            let value = aws.secret(arn).await;
            for line in value.lines() {
                let (name, value) = line.split_once('=').unwrap();
                assert!(
                    value.len() >= 16 && !apps.contains(value),
                    "{module}: {name} is in an app"
                );
                checked.push(name.to_owned());
            }
        }
    }
    checked.sort();
    for name in [
        "ACCESS_KEY",
        "TYK_GW_SLAVEOPTIONS_APIKEY",
        "TYK_PMP_PUMPS_HYBRID_META_APIKEY",
        "JENKINS_ADMIN_PASSWORD",
    ] {
        assert!(checked.iter().any(|c| c == name), "{name} among {checked:?}");
    }
}

/// The platform key lets EC2 Auto Scaling's service-linked role use it for the nodes' volumes, as the Auto
/// Scaling guide requires (the emulator does not check key policies; the state holds what Terraform sent).
pub async fn autoscaling_may_use_the_platform_key(p: &Platform) {
    let dir = p.dir();
    let state = local_state(dir);
    let key = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "aws_kms_key" && r["name"] == "platform")
        .expect("the platform key in the state");
    let policy: serde_json::Value =
        serde_json::from_str(key["instances"][0]["attributes"]["policy"].as_str().unwrap()).unwrap();
    let statement = |sid: &str| {
        policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Sid"] == sid)
            .unwrap_or_else(|| panic!("no statement {sid} in {policy}"))
            .clone()
    };
    let role = "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";
    let uses = statement("AutoScalingUsesTheKeyForVolumes");
    assert!(uses["Principal"]["AWS"].as_str().unwrap().ends_with(role), "{uses}");
    let mut actions: Vec<&str> = uses["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        [
            "kms:Decrypt",
            "kms:DescribeKey",
            "kms:Encrypt",
            "kms:GenerateDataKey*",
            "kms:ReEncrypt*"
        ]
    );
    let grants = statement("AutoScalingAttachesEncryptedVolumes");
    assert!(grants["Principal"]["AWS"].as_str().unwrap().ends_with(role), "{grants}");
    assert_eq!(grants["Action"], serde_json::json!("kms:CreateGrant"));
    assert_eq!(
        grants["Condition"]["Bool"]["kms:GrantIsForAWSResource"],
        serde_json::json!("true")
    );
}

/// Every log group encrypted with the platform key is one the key lets CloudWatch Logs use: on AWS a group the
/// key policy does not name cannot be written (WAF's, API Gateway's, a Lambda's), while the emulator checks no
/// key policy at all.
pub async fn log_groups_may_use_the_platform_key(p: &Platform) {
    let dir = p.dir();
    let state = local_state(dir);
    let resources = state["resources"].as_array().unwrap();
    let key = resources
        .iter()
        .find(|r| r["type"] == "aws_kms_key" && r["name"] == "platform")
        .expect("the platform key in the state");
    let attributes = &key["instances"][0]["attributes"];
    let policy: serde_json::Value = serde_json::from_str(attributes["policy"].as_str().unwrap()).unwrap();
    let logs = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "CloudWatchLogsUsesTheKey")
        .expect("a statement for CloudWatch Logs");
    let patterns: Vec<glob::Pattern> = logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| glob::Pattern::new(p.as_str().unwrap()).unwrap())
        .collect();
    let groups: Vec<&serde_json::Value> = resources
        .iter()
        .filter(|r| r["type"] == "aws_cloudwatch_log_group" && r["mode"] == "managed")
        .flat_map(|r| r["instances"].as_array().unwrap())
        .map(|i| &i["attributes"])
        .filter(|a| a["kms_key_id"] == attributes["arn"])
        .collect();
    assert!(
        groups.len() >= 5,
        "the platform's encrypted log groups: {}",
        groups.len()
    );
    for group in groups {
        let arn = group["arn"].as_str().unwrap();
        assert!(
            patterns.iter().any(|p| p.matches(arn)),
            "the platform key does not let CloudWatch Logs use it for {arn}"
        );
    }
}

/// The Tyk gateway's public load balancer and the regional restore API each sit behind a web ACL of their own,
/// which rate-limits each address, runs AWS's known-bad-inputs group (Log4Shell) and logs every request to an
/// aws-waf-logs- group with the Authorization header redacted.
pub async fn public_fronts_sit_behind_waf(p: &Platform) {
    let dir = p.dir();
    let state = local_state(dir);
    let resources = state["resources"].as_array().unwrap();
    let find = |module: &str, type_name: &str, name: &str| -> serde_json::Value {
        resources
            .iter()
            .find(|r| r["module"] == module && r["type"] == type_name && r["name"] == name)
            .unwrap_or_else(|| panic!("no {type_name}.{name} in {module}"))["instances"][0]["attributes"]
            .clone()
    };
    // The gateway's load balancer is its shared front's (https-alb); the module associates the web ACL with it.
    let fronts = [
        (
            "module.api-gateway",
            "module.api-gateway.module.web_acl",
            find("module.api-gateway.module.front", "aws_lb", "this"),
        ),
        (
            "module.marathon-snapshot",
            "module.marathon-snapshot.module.web_acl[0]",
            find("module.marathon-snapshot", "aws_api_gateway_stage", "restore"),
        ),
    ];
    for (module, acl_module, front) in fronts {
        let acl = find(acl_module, "aws_wafv2_web_acl", "this");
        let association = resources
            .iter()
            .find(|r| r["module"] == module && r["type"] == "aws_wafv2_web_acl_association")
            .unwrap_or_else(|| panic!("no web ACL association in {module}"))["instances"][0]["attributes"]
            .clone();
        assert_eq!(
            (&association["resource_arn"], &association["web_acl_arn"]),
            (&front["arn"], &acl["arn"])
        );
        let rules = acl["rule"].as_array().unwrap();
        let statement = |key: &'static str| rules.iter().filter_map(move |r| r["statement"][0][key].get(0));
        assert!(
            statement("rate_based_statement").any(|s| s["aggregate_key_type"] == "IP"),
            "{module}"
        );
        assert!(
            statement("managed_rule_group_statement").any(|s| s["name"] == "AWSManagedRulesKnownBadInputsRuleSet"),
            "{module}"
        );
        let logging = find(acl_module, "aws_wafv2_web_acl_logging_configuration", "this");
        let group = find(acl_module, "aws_cloudwatch_log_group", "this");
        assert_eq!(logging["log_destination_configs"], serde_json::json!([group["arn"]]));
        assert!(group["name"].as_str().unwrap().starts_with("aws-waf-logs-"));
        let redacted: Vec<&serde_json::Value> = logging["redacted_fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| &f["single_header"][0]["name"])
            .collect();
        assert!(redacted.contains(&&serde_json::json!("authorization")), "{redacted:?}");
    }
}

// The lifecycle after the apply: these change the platform, so the table runs them last, in this order.

/// Right after: no changes, by ngp (`--detailed-exitcode` with `--json`, in one plan) and by plain terraform in the
/// workspace, which gets the secrets as ngp passes them (TF_VAR_*), never from the workspace's files; doctor finds
/// no fault.
pub async fn replan_is_clean(p: &Platform) {
    let out = p.run(&["plan", "--env", "local", "--detailed-exitcode", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let planned: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(planned["modules"], serde_json::json!({}), "{planned}");
    let doctor: serde_json::Value = serde_json::from_str(&p.ngp(&["doctor", "--env", "local", "--json"])).unwrap();
    assert!(
        doctor.as_array().unwrap().iter().all(|c| c["status"] != "fail"),
        "{doctor}"
    );
    let dir = p.dir();
    let mut plain = Command::new("terraform");
    plain
        .args(["plan", "-detailed-exitcode", "-input=false", "-no-color"])
        .current_dir(dir.join(".ngp/local"));
    if dir.join(".ngp/terraform.rc").exists() {
        plain.env("TF_CLI_CONFIG_FILE", dir.join(".ngp/terraform.rc"));
    }
    let drawn: std::collections::BTreeMap<String, String> =
        serde_json::from_slice(&std::fs::read(dir.join(".ngp/local/local-secrets.json")).unwrap()).unwrap();
    for (name, value) in drawn {
        plain.env(format!("TF_VAR_{name}"), value);
    }
    let out = plain.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "plain terraform plan: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// A saved plan applies only to the configuration it was made from: a tfvars change after the plan makes it
/// stale; planned again, it applies, and the re-plan is clean. The change is one log group's retention, so the
/// apply is one update.
pub async fn saved_plan_applies_only_to_its_configuration(p: &Platform) {
    let overlay = p.dir().join("ngp.local.tfvars");
    let retention = |days: u32| format!("flow_log_retention_days = {days}\n");
    std::fs::write(&overlay, retention(400)).unwrap();
    let out = p.run(&["plan", "--env", "local", "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let changed = stdout(&out)
        .lines()
        .any(|l| l.starts_with("manager") && !l.contains(" 0      0"));
    assert!(changed, "{}", stdout(&out));
    std::fs::write(&overlay, retention(545)).unwrap();
    let stale = p.run(&["apply", "--env", "local", "--saved-plan"]);
    assert_one_error(&stale, "the saved plan for environment local is stale");
    p.ngp(&["plan", "--env", "local"]);
    p.ngp(&["apply", "--env", "local", "--saved-plan"]);
    let out = p.run(&["plan", "--env", "local", "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

/// An S3 backend with locking, here on the emulator's S3, holds another environment's state.
pub async fn remote_state_on_s3(p: &Platform) {
    let (dir, port, s3) = (p.dir(), p.port, &p.aws.s3);
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
}

/// `ngp apps remove` takes NGP's groups off Marathon, and only those; without a terminal to confirm on, and
/// without --auto-approve, nothing is removed. `apps apply` puts them back.
pub async fn apps_remove_and_apply(p: &Platform) {
    let refused = run(local(p.dir(), p.port)
        .args(["apps", "remove", "--env", "local"])
        .stdin(Stdio::null()));
    assert_one_error(&refused, "not a terminal, so nobody can confirm: pass --auto-approve");
    let removed = p.ngp(&["apps", "remove", "--env", "local", "--auto-approve"]);
    assert!(
        removed.contains("  - /ngp/docker-registry/registry (remove)")
            && removed.contains("Apps reconciled: 0 created, 0 updated, 0 unchanged, 12 removed"),
        "{removed}"
    );
    let status = p.ngp(&["apps", "status", "--env", "local"]);
    assert!(!status.contains("/ngp/docker-registry/registry"), "{status}");
    let reapplied = p.ngp(&["apps", "apply", "--env", "local"]);
    assert!(reapplied.contains("12 created"), "{reapplied}");
}

/// Destroy asks (and refuses without a terminal), takes the modules' apps off Marathon first, then leaves nothing
/// of ours behind in either emulator.
pub async fn destroy_leaves_nothing(p: &Platform) {
    let refused = run(local(p.dir(), p.port)
        .args(["destroy", "--env", "local"])
        .stdin(Stdio::null()));
    assert_one_error(&refused, "not a terminal, so nobody can confirm: pass --auto-approve");
    let destroyed = p.ngp(&["destroy", "--env", "local", "--auto-approve"]);
    assert!(
        destroyed.contains("  - /ngp/docker-registry/registry (remove)"),
        "{destroyed}"
    );
    assert_eq!(inventory(&p.aws).await, Vec::<String>::new());
    let marathon = format!("http://127.0.0.1:{}/v2/apps", marathon_port(p.port));
    let apps: serde_json::Value = reqwest::get(&marathon).await.unwrap().json().await.unwrap();
    assert_eq!(apps, serde_json::json!({"apps": []}));
}

/// Bad values fail at plan time, through the modules' variable validations, all of them in one line, each named
/// where the user set it; a failed plan leaves no saved plan. One plan holds the five, as terraform reports every
/// failed validation of a run.
pub async fn bad_values_fail_at_plan_time(p: &Platform) {
    let overlay_path = p.dir().join("ngp.local.tfvars");
    let cases = [
        ("num_masters = 4", "num_masters must be 1, 3 or 5"),
        (
            "public_subnet_cidrs = [\"10.0.10.0/24\", \"10.0.11.0/24\"]\nprivate_subnet_cidrs = [\"10.0.11.0/24\", \"10.0.20.0/22\"]",
            "public_subnet_cidrs and private_subnet_cidrs must not overlap one another",
        ),
        ("dcos_installer_sha256 = \"abc123\"", "dcos_installer_sha256 must be 64 lower-case hex characters"),
        ("dns_records = true\ndomain = null\ncreate_dns_zone = false", "dns_records = true needs domain"),
        ("redis_automatic_failover = true", "redis_automatic_failover needs redis_nodes = 2 or more"),
    ];
    let overlay: String = cases.iter().map(|(values, _)| format!("{values}\n")).collect();
    std::fs::write(&overlay_path, overlay).unwrap();
    let out = p.run(&["plan", "--env", "local"]);
    std::fs::remove_file(&overlay_path).unwrap();
    assert_one_error(&out, &format!("{}:", overlay_path.display()));
    let printed = stderr(&out);
    for (_, expected) in cases {
        assert!(printed.contains(expected), "expected {expected:?} in {printed}");
    }
    let named = printed.matches(&format!("{}:", overlay_path.display())).count();
    assert!(named >= cases.len(), "each value named where it was set: {printed}");
    assert!(!printed.contains("variables.tf"), "{printed}");
    assert!(
        !p.dir().join(".ngp/local/ngp.tfplan").exists(),
        "a failed plan leaves no saved plan"
    );
}

/// `ngp local down` stops the emulators: `local status` then exits 3.
pub async fn local_down_stops_the_emulators(p: &Platform) {
    p.ngp(&["local", "down"]);
    assert_eq!(p.run(&["local", "status"]).status.code(), Some(3));
}

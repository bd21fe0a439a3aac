//! The whole platform in local mode, from a fresh project with every repository module: up → security checks
//! through the AWS API (aws-sdk-rust) → no-change plan → plain terraform → outputs → stale-plan refusal →
//! remote state → destroy, leaving nothing behind → plan-time validation errors.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use aws_sdk_ec2::types::{Filter, HttpTokensState};
use common::local::*;
use common::*;

/// The emulator's AWS API, one client per service the modules use.
struct Aws {
    ec2: aws_sdk_ec2::Client,
    iam: aws_sdk_iam::Client,
    s3: aws_sdk_s3::Client,
    elb: aws_sdk_elasticloadbalancingv2::Client,
    cache: aws_sdk_elasticache::Client,
    secrets: aws_sdk_secretsmanager::Client,
    route53: aws_sdk_route53::Client,
    search: aws_sdk_opensearch::Client,
    ecr: aws_sdk_ecr::Client,
    efs: aws_sdk_efs::Client,
}

impl Aws {
    /// A secret's string value, read through the emulator's Secrets Manager.
    async fn secret(&self, arn: &str) -> String {
        let value = self.secrets.get_secret_value().secret_id(arn).send().await.unwrap();
        value.secret_string().unwrap().to_owned()
    }
}

/// The node file of a module's outputs whose path ends with `path_end`.
fn node_file<'a>(module: &'a serde_json::Value, path_end: &str) -> &'a serde_json::Value {
    module["node_files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with(path_end))
        .unwrap_or_else(|| panic!("no node file {path_end}"))
}

async fn clients(port: u16) -> Aws {
    let config = ngp_aws::sdk_config("us-east-1", Some(&format!("http://127.0.0.1:{port}"))).await;
    Aws {
        ec2: aws_sdk_ec2::Client::new(&config),
        iam: aws_sdk_iam::Client::new(&config),
        s3: aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config)
                .force_path_style(true)
                .build(),
        ),
        elb: aws_sdk_elasticloadbalancingv2::Client::new(&config),
        cache: aws_sdk_elasticache::Client::new(&config),
        secrets: aws_sdk_secretsmanager::Client::new(&config),
        route53: aws_sdk_route53::Client::new(&config),
        search: aws_sdk_opensearch::Client::new(&config),
        ecr: aws_sdk_ecr::Client::new(&config),
        efs: aws_sdk_efs::Client::new(&config),
    }
}

/// Marathon's JSON Schema for app definitions, from the reference material beside the repository.
fn marathon_app_schema() -> Option<serde_json::Value> {
    let path = ngp_testing::reference("marathon/schema/AppDefinition.json")?;
    Some(serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap())
}

/// Pipes `input` through a command and returns what it printed.
fn decode(cmd: &mut Command, input: &[u8]) -> std::process::Output {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// A user-data script as EC2 returns it: base64 of gzip, or of plain text.
fn decode_user_data(encoded: &str) -> Vec<u8> {
    let raw = decode(Command::new("base64").arg("-d"), encoded.as_bytes()).stdout;
    let gunzipped = decode(Command::new("gzip").arg("-dc"), &raw);
    if gunzipped.status.success() {
        gunzipped.stdout
    } else {
        raw
    }
}

/// Runs shellcheck on each user-data script (base64 of gzip, or of plain text). Required in CI.
fn shellcheck_user_data(scripts: &[(String, String)]) {
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

fn ours() -> Filter {
    Filter::builder().name("tag:ManagedBy").values("ngp").build()
}

/// Everything of ours the emulator holds, listed through the AWS API: network, instances, templates, IAM,
/// load balancers, Redis, secrets (not scheduled for deletion), buckets and DNS zones.
async fn inventory(aws: &Aws) -> Vec<String> {
    let (ec2, iam) = (&aws.ec2, &aws.iam);
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
    for nat in ec2.describe_nat_gateways().send().await.unwrap().nat_gateways() {
        let state = nat.state().map(|s| s.as_str().to_owned()).unwrap_or_default();
        if state != "deleted" {
            found.push(format!("nat gateway {} ({state})", nat.nat_gateway_id().unwrap()));
        }
    }
    for address in ec2.describe_addresses().send().await.unwrap().addresses() {
        found.push(format!("elastic ip {}", address.public_ip().unwrap_or("?")));
    }
    for eni in ec2
        .describe_network_interfaces()
        .filters(ours())
        .send()
        .await
        .unwrap()
        .network_interfaces()
    {
        found.push(format!("network interface {}", eni.network_interface_id().unwrap()));
    }
    for template in ec2.describe_launch_templates().send().await.unwrap().launch_templates() {
        found.push(format!("launch template {}", template.launch_template_name().unwrap()));
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
    for endpoint in ec2.describe_vpc_endpoints().send().await.unwrap().vpc_endpoints() {
        let state = endpoint.state().map(|s| s.as_str().to_owned()).unwrap_or_default();
        if state != "deleted" {
            found.push(format!("vpc endpoint {}", endpoint.vpc_endpoint_id().unwrap()));
        }
    }
    for lb in aws.elb.describe_load_balancers().send().await.unwrap().load_balancers() {
        found.push(format!("load balancer {}", lb.load_balancer_name().unwrap()));
    }
    for tg in aws.elb.describe_target_groups().send().await.unwrap().target_groups() {
        found.push(format!("target group {}", tg.target_group_name().unwrap()));
    }
    let groups = aws.cache.describe_replication_groups().send().await.unwrap();
    for group in groups.replication_groups() {
        found.push(format!("replication group {}", group.replication_group_id().unwrap()));
    }
    for cluster in aws
        .cache
        .describe_cache_clusters()
        .send()
        .await
        .unwrap()
        .cache_clusters()
    {
        found.push(format!("cache cluster {}", cluster.cache_cluster_id().unwrap()));
    }
    for secret in aws.secrets.list_secrets().send().await.unwrap().secret_list() {
        if secret.deleted_date().is_none() {
            found.push(format!("secret {}", secret.name().unwrap()));
        }
    }
    for bucket in aws.s3.list_buckets().send().await.unwrap().buckets() {
        // The remote-state bucket is the test's own, made before apply.
        if bucket.name() != Some("ngp-state") {
            found.push(format!("bucket {}", bucket.name().unwrap()));
        }
    }
    for zone in aws.route53.list_hosted_zones().send().await.unwrap().hosted_zones() {
        found.push(format!("hosted zone {}", zone.name()));
    }
    found
}

/// Admins reach the masters through Admin Router alone. The internal NLB listens on 443 and on the three ports the
/// nodes discover the masters through (2181, 5050, 8181: DC/OS's master_http_loadbalancer), and its own security
/// group admits the four from the cluster's nodes only. People and in-VPC clients (local mode has DNS records)
/// come through the admin ALB at dcos.<domain>, on 443 alone; the masters admit the four ports from the NLB's
/// group, and 443 from the ALB's too.
async fn masters_take_admin_router_only(ec2: &aws_sdk_ec2::Client, elb: &aws_sdk_elasticloadbalancingv2::Client) {
    let lbs = elb.describe_load_balancers().send().await.unwrap();
    let masters = lbs
        .load_balancers()
        .iter()
        .find(|lb| lb.load_balancer_name().is_some_and(|n| n.contains("masters")))
        .expect("the masters' load balancer");
    let listeners = elb
        .describe_listeners()
        .load_balancer_arn(masters.load_balancer_arn().unwrap())
        .send()
        .await
        .unwrap();
    let mut ports: Vec<i32> = listeners.listeners().iter().filter_map(|l| l.port()).collect();
    ports.sort_unstable();
    assert_eq!(ports, vec![443, 2181, 5050, 8181], "the masters' listeners");
    for listener in listeners.listeners() {
        let group = listener.default_actions()[0].target_group_arn().unwrap();
        let attributes = elb
            .describe_target_group_attributes()
            .target_group_arn(group)
            .send()
            .await
            .unwrap();
        let preserved = attributes
            .attributes()
            .iter()
            .find(|a| a.key() == Some("preserve_client_ip.enabled"))
            .and_then(|a| a.value());
        let expected = if listener.port() == Some(443) { "true" } else { "false" };
        assert_eq!(
            preserved,
            Some(expected),
            "client IP preservation on {:?}",
            listener.port()
        );
    }
    let group = |name: &'static str| async move {
        let named = Filter::builder().name("group-name").values(name).build();
        let groups = ec2.describe_security_groups().filters(named).send().await.unwrap();
        groups.security_groups()[0].clone()
    };
    let (lb_group, admin_group, master, cluster) = (
        group("ngp-dcos-masters-lb-dev").await,
        group("ngp-dcos-admin-lb-dev").await,
        group("ngp-dcos-master-dev").await,
        group("ngp-dcos-cluster-dev").await,
    );
    assert_eq!(masters.security_groups(), [lb_group.group_id().unwrap().to_owned()]);
    // Each port with its sources (groups by id, CIDRs), however the rules are split.
    type Sources = std::collections::BTreeMap<i32, (Vec<String>, Vec<String>)>;
    let rules = |g: &aws_sdk_ec2::types::SecurityGroup| -> Sources {
        let mut ports = Sources::new();
        for rule in g.ip_permissions() {
            assert_eq!(rule.ip_protocol(), Some("tcp"), "{rule:?}");
            assert_eq!(rule.from_port(), rule.to_port(), "{rule:?}");
            let (groups, cidrs) = ports.entry(rule.from_port().unwrap()).or_default();
            groups.extend(
                rule.user_id_group_pairs()
                    .iter()
                    .filter_map(|p| p.group_id())
                    .map(str::to_owned),
            );
            cidrs.extend(rule.ip_ranges().iter().filter_map(|c| c.cidr_ip()).map(str::to_owned));
            groups.sort();
        }
        ports
    };
    let id = |g: &aws_sdk_ec2::types::SecurityGroup| g.group_id().unwrap().to_owned();
    // The masters: every port from the NLB's group, and Admin Router from the admin ALB's group too.
    let from_lb = (vec![id(&lb_group)], vec![]);
    let mut expected: Sources = [443, 2181, 5050, 8181].map(|p| (p, from_lb.clone())).into();
    let mut both = vec![id(&lb_group), id(&admin_group)];
    both.sort();
    expected.insert(443, (both, vec![]));
    assert_eq!(rules(&master), expected, "the masters' own ingress rules");
    // The NLB: the cluster's nodes only, on every port; people come through the ALB.
    let nodes_only = (vec![id(&cluster)], vec![]);
    let expected: Sources = [443, 2181, 5050, 8181].map(|p| (p, nodes_only.clone())).into();
    assert_eq!(rules(&lb_group), expected, "the NLB's ingress rules");
    // The admin ALB: 443 alone, from the manager's and the VPN's groups and from admin and private CIDRs.
    let admin_rules = rules(&admin_group);
    assert_eq!(
        admin_rules.keys().copied().collect::<Vec<_>>(),
        [443],
        "{admin_rules:?}"
    );
    let (groups, cidrs) = &admin_rules[&443];
    assert!(
        groups.len() == 2 && !groups.contains(&id(&cluster)),
        "443 from {groups:?}"
    );
    assert!(
        !cidrs.is_empty() && !cidrs.iter().any(|c| c.ends_with("/0")),
        "443 from {cidrs:?}"
    );
    admin_alb_terminates_tls(elb, &lbs, &id(&admin_group)).await;
}

/// The admin ALB: internal, in its own group, one HTTPS listener on 443 with a certificate and a TLS 1.2+
/// policy, forwarding to Admin Router over HTTPS.
async fn admin_alb_terminates_tls(
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    lbs: &aws_sdk_elasticloadbalancingv2::operation::describe_load_balancers::DescribeLoadBalancersOutput,
    group: &str,
) {
    let admin = lbs
        .load_balancers()
        .iter()
        .find(|lb| lb.load_balancer_name().is_some_and(|n| n.contains("dcos-admin")))
        .expect("Admin Router's application load balancer");
    assert_eq!(admin.scheme().map(|s| s.as_str()), Some("internal"));
    assert_eq!(admin.security_groups(), [group.to_owned()]);
    let listeners = elb
        .describe_listeners()
        .load_balancer_arn(admin.load_balancer_arn().unwrap())
        .send()
        .await
        .unwrap();
    let [listener] = listeners.listeners() else {
        panic!("one listener: {listeners:?}")
    };
    assert_eq!(
        (listener.port(), listener.protocol().map(|p| p.as_str())),
        (Some(443), Some("HTTPS"))
    );
    assert_eq!(listener.ssl_policy(), Some("ELBSecurityPolicy-TLS13-1-2-2021-06"));
    assert!(listener
        .certificates()
        .iter()
        .any(|c| c.certificate_arn().is_some_and(|a| a.contains(":acm:"))));
    let target = listener.default_actions()[0].target_group_arn().unwrap();
    let groups = elb
        .describe_target_groups()
        .target_group_arns(target)
        .send()
        .await
        .unwrap();
    let target = &groups.target_groups()[0];
    assert_eq!(
        (target.port(), target.protocol().map(|p| p.as_str())),
        (Some(443), Some("HTTPS"))
    );
}

/// The registry asks for a password (htpasswd, bcrypt) that is generated into Secrets Manager; the agents get
/// the Docker auth for it as a root-only file, which the refresher puts in the credentials archive. Neither the
/// password nor its hash is in the app.
async fn registry_requires_its_password(
    dir: &std::path::Path,
    port: u16,
    rendered: &serde_json::Value,
    outputs: &serde_json::Value,
    aws: &Aws,
) {
    let registry = &outputs["docker-registry"];
    let password = ok(local(dir, port).args([
        "output",
        "--env",
        "local",
        "--show-secrets",
        "docker-registry.registry_password",
    ]));
    let password = password.trim();
    assert!(password.len() >= 32, "{password}");
    let secret = |path_end: &'static str| {
        let file = node_file(registry, path_end).clone();
        async move {
            let value = aws.secret(file["secret_arn"].as_str().unwrap()).await;
            (file, value)
        }
    };
    let (htpasswd, hash) = secret("/htpasswd").await;
    assert_eq!(
        (htpasswd["mode"].as_str(), &htpasswd["roles"]),
        (Some("0600"), &serde_json::json!(["private_agent"]))
    );
    assert!(
        hash.starts_with("ngp:$2a$10$") && hash.ends_with('\n') && !hash.contains(password),
        "{hash}"
    );
    let (auth_file, auth) = secret("/docker-registry.json").await;
    assert_eq!(auth_file["roles"], serde_json::json!(["private_agent", "public_agent"]));
    let auth: serde_json::Value = serde_json::from_str(&auth).unwrap();
    let encoded = auth["192.168.0.1:5000"]["auth"].as_str().unwrap();
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).unwrap();
    assert_eq!(String::from_utf8(decoded).unwrap(), format!("ngp:{password}"));

    let apps = rendered.to_string();
    assert!(
        !apps.contains(password) && !apps.contains(encoded) && !apps.contains("$2a$"),
        "a registry credential is in an app"
    );
    let app = rendered["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["module"] == "docker-registry")
        .unwrap();
    let env = &app["body"]["apps"][0]["env"];
    assert_eq!(
        (
            env["REGISTRY_AUTH"].as_str(),
            env["REGISTRY_AUTH_HTPASSWD_PATH"].as_str()
        ),
        (Some("htpasswd"), Some("/certs/htpasswd"))
    );
}

/// A registry process, stopped and waited for when dropped (a failed assertion included).
struct Served(std::process::Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the real registry (Debian's `docker-registry`) on loopback with the storage, TLS and authentication the
/// docker-registry module renders for its app (the S3 driver pointed at the emulator), plus `overrides`.
fn start_registry(
    rendered: &serde_json::Value,
    files: &std::path::Path,
    port: u16,
    moto: u16,
    overrides: &[(&str, &str)],
) -> Option<Served> {
    let binary = installed_tool("/usr/bin/docker-registry", "docker-registry")?;
    let app = rendered["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["module"] == "docker-registry")
        .unwrap();
    let env = app["body"]["apps"][0]["env"].as_object().unwrap();
    let config = files.join("config.yml");
    std::fs::write(&config, "version: 0.1\nlog:\n  level: warn\n").unwrap();
    let mut cmd = Command::new(binary);
    cmd.arg("serve").arg(&config).env_clear().env("PATH", "/usr/bin:/bin");
    for (key, value) in env {
        cmd.env(key, value.as_str().unwrap());
    }
    let addr = format!("127.0.0.1:{port}");
    let endpoint = format!("http://127.0.0.1:{moto}");
    let path = |name: &str| files.join(name).display().to_string();
    let (cert, key, htpasswd) = (path("tls.crt"), path("tls.key"), path("htpasswd"));
    let local = [
        ("REGISTRY_HTTP_ADDR", addr.as_str()),
        ("REGISTRY_HTTP_TLS_CERTIFICATE", cert.as_str()),
        ("REGISTRY_HTTP_TLS_KEY", key.as_str()),
        ("REGISTRY_AUTH_HTPASSWD_PATH", htpasswd.as_str()),
        ("REGISTRY_STORAGE_S3_REGIONENDPOINT", endpoint.as_str()),
        ("REGISTRY_STORAGE_S3_ACCESSKEY", "test"),
        ("REGISTRY_STORAGE_S3_SECRETKEY", "test"),
    ];
    for (key, value) in local.iter().chain(overrides) {
        cmd.env(key, value);
    }
    let served = Served(cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap());
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(served);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the registry did not start on {addr}");
}

/// `ngp registry check` against the real registry, run as the module renders it: a push, a pull, the objects
/// in the bucket; then each way it can fail, one line naming the step.
async fn registry_check_end_to_end(
    dir: &std::path::Path,
    port: u16,
    rendered: &serde_json::Value,
    outputs: &serde_json::Value,
    aws: &Aws,
) {
    let registry = &outputs["docker-registry"];
    let files = tempfile::tempdir().unwrap();
    let htpasswd = node_file(registry, "/htpasswd");
    for (name, arn) in [
        ("tls.crt", &registry["registry_tls_secret_arns"]["certificate"]),
        ("tls.key", &registry["registry_tls_secret_arns"]["private_key"]),
        ("htpasswd", &htpasswd["secret_arn"]),
    ] {
        std::fs::write(files.path().join(name), aws.secret(arn.as_str().unwrap()).await).unwrap();
    }
    let registry_port = free_port();
    let Some(served) = start_registry(rendered, files.path(), registry_port, port, &[]) else {
        return;
    };
    let address = format!("127.0.0.1:{registry_port}");
    let check = |extra: &[&str]| {
        let mut cmd = local(dir, port);
        cmd.args(["registry", "check", "--env", "local"]).args(extra);
        run(&mut cmd)
    };

    let out = check(&["--address", &address]);
    let printed = stdout(&out);
    assert!(out.status.success(), "{printed}{}", stderr(&out));
    for step in ["credentials", "push", "pull", "storage", "delete"] {
        assert!(printed.lines().any(|l| l.starts_with(step)), "{step} in {printed}");
    }
    assert!(printed.contains("skipped: the registry has deletion off"), "{printed}");
    // The objects the check found are really there, under the module's root directory.
    let listed = aws
        .s3
        .list_objects_v2()
        .bucket(registry["registry_bucket"].as_str().unwrap())
        .prefix("docker-registry/docker/registry/v2/")
        .send()
        .await
        .unwrap();
    assert!(listed.contents().len() >= 3, "{listed:?}");

    // Each failure: one line, naming the step.
    let one_line = |out: &std::process::Output, expected: &str| {
        assert!(!out.status.success());
        let err = stderr(out);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains(expected), "expected {expected:?} in {err}");
    };
    let nobody = format!("127.0.0.1:{}", free_port());
    one_line(&check(&["--address", &nobody]), "push: cannot connect to 127.0.0.1:");
    one_line(
        &check(&["--address", &format!("localhost:{registry_port}")]),
        "push: TLS with localhost:",
    );
    let put_secret = |arn: &str, value: &str| {
        let request = aws.secrets.put_secret_value().secret_id(arn).secret_string(value);
        async move { request.send().await.unwrap() }
    };
    let password_arn = registry["registry_password_secret_arn"].as_str().unwrap();
    let password = aws
        .secret(registry["registry_password_secret_arn"].as_str().unwrap())
        .await;
    put_secret(password_arn, "wrong-password").await;
    one_line(
        &check(&["--address", &address]),
        "push: the registry refused user ngp's password (401)",
    );
    put_secret(password_arn, &password).await;
    let ca_arn = registry["registry_ca_secret_arn"].as_str().unwrap();
    let ca = aws.secret(registry["registry_ca_secret_arn"].as_str().unwrap()).await;
    put_secret(ca_arn, "not a certificate").await;
    one_line(
        &check(&["--address", &address]),
        "ca: the registry's CA holds no PEM certificate",
    );
    put_secret(ca_arn, &ca).await;
    drop(served);
    let restart = |overrides: &[(&str, &str)]| {
        start_registry(rendered, files.path(), registry_port, port, overrides).expect("it ran a moment ago")
    };
    // A registry whose bucket is missing fails the push, and the line points at its storage.
    let served = restart(&[("REGISTRY_STORAGE_S3_BUCKET", "ngp-no-such-bucket")]);
    one_line(
        &check(&["--address", &address]),
        "push: the registry's storage failed (500",
    );
    drop(served);
    // With deletion on, the check takes its image away again.
    let served = restart(&[("REGISTRY_STORAGE_DELETE_ENABLED", "true")]);
    let out = check(&["--address", &address]);
    assert!(
        stdout(&out).contains("the test image's manifest deleted"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    drop(served);

    // ECR against the emulator: the login works; the push is not supported there, which says nothing of the
    // repository.
    let out = check(&["--ecr", "platform/app"]);
    let printed = stdout(&out);
    assert!(out.status.success(), "{printed}{}", stderr(&out));
    assert!(
        printed.contains("ecr login") && printed.contains("not supported by this endpoint"),
        "{printed}"
    );
    assert!(!printed.to_lowercase().contains("fail"), "{printed}");
}

/// ECR: the example repository is immutable, scans on push, is encrypted with the platform key and expires old
/// images; the refresher runs once per agent, fetched from its bucket, which serves it through the VPC's S3
/// endpoint only, unsigned, so the object is SSE-S3.
async fn ecr_and_its_refresher(rendered: &serde_json::Value, outputs: &serde_json::Value, aws: &Aws) {
    let repos = aws.ecr.describe_repositories().send().await.unwrap();
    let [repo] = repos.repositories() else {
        panic!("{repos:?}")
    };
    assert_eq!(repo.repository_name(), Some("platform/app"));
    assert_eq!(repo.image_tag_mutability().map(|m| m.as_str()), Some("IMMUTABLE"));
    assert_eq!(
        repo.image_scanning_configuration().map(|c| c.scan_on_push()),
        Some(true)
    );
    let encryption = repo.encryption_configuration().unwrap();
    assert_eq!(encryption.encryption_type().as_str(), "KMS");
    let policy = aws
        .ecr
        .get_lifecycle_policy()
        .repository_name("platform/app")
        .send()
        .await
        .unwrap();
    let policy: serde_json::Value = serde_json::from_str(policy.lifecycle_policy_text().unwrap()).unwrap();
    assert_eq!(policy["rules"][0]["selection"]["tagStatus"], "untagged");
    assert_eq!(policy["rules"][1]["selection"]["countType"], "imageCountMoreThan");
    assert_eq!(
        outputs["ecr"]["ecr_repository_urls"]["platform/app"].as_str(),
        repo.repository_uri()
    );

    let apps = rendered["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["module"] == "ecr")
        .unwrap();
    let apps = apps["body"]["apps"].as_array().unwrap();
    assert_eq!(apps.len(), 2, "a refresher per kind of agent");
    let uri = apps[0]["fetch"][0]["uri"].as_str().unwrap();
    assert!(apps[0]["cmd"].as_str().unwrap().contains("--output /etc/docker.tar.gz"));
    let (bucket, key) = uri
        .strip_prefix("https://")
        .and_then(|u| u.split_once(".s3.us-east-1.amazonaws.com/"))
        .unwrap();
    let object = aws.s3.head_object().bucket(bucket).key(key).send().await.unwrap();
    assert_eq!(object.server_side_encryption().map(|e| e.as_str()), Some("AES256"));
    assert!(object.content_length().unwrap() > 1_000_000, "a static binary");
    let policy = aws.s3.get_bucket_policy().bucket(bucket).send().await.unwrap();
    let policy = policy.policy().unwrap();
    assert!(
        policy.contains("aws:SourceVpce") && policy.contains("/refresher/*"),
        "{policy}"
    );
}

/// Jenkins's home, read back through the emulator's EFS API: encrypted, a mount target in each private subnet
/// (NFS from the cluster's nodes only), an access point whose POSIX user and root directory are the image's uid,
/// a policy that refuses plain NFS; the apps mount that access point through the tunnel; the load balancer is
/// internal.
async fn jenkins_home_on_efs(rendered: &serde_json::Value, outputs: &serde_json::Value, aws: &Aws) {
    let jenkins = &outputs["jenkins"];
    let fs_id = jenkins["jenkins_file_system_id"].as_str().unwrap();
    let ap_id = jenkins["jenkins_access_point_id"].as_str().unwrap();
    let systems = aws
        .efs
        .describe_file_systems()
        .file_system_id(fs_id)
        .send()
        .await
        .unwrap();
    assert_eq!(systems.file_systems()[0].encrypted(), Some(true));
    let points = aws
        .efs
        .describe_access_points()
        .access_point_id(ap_id)
        .send()
        .await
        .unwrap();
    let point = &points.access_points()[0];
    let user = point.posix_user().unwrap();
    assert_eq!(
        (user.uid(), user.gid()),
        (1000, 1000),
        "the jenkins image runs as 1000:1000"
    );
    let root = point.root_directory().unwrap();
    let info = root.creation_info().unwrap();
    assert_eq!((info.owner_uid(), info.owner_gid()), (1000, 1000));
    assert_eq!(root.path(), Some("/jenkins"));
    let targets = aws
        .efs
        .describe_mount_targets()
        .file_system_id(fs_id)
        .send()
        .await
        .unwrap();
    let subnets = outputs["cluster"]["private_subnet_ids"].as_array().unwrap();
    assert_eq!(
        targets.mount_targets().len(),
        subnets.len(),
        "a mount target per private subnet"
    );
    for target in targets.mount_targets() {
        assert!(subnets.iter().any(|s| s.as_str() == Some(target.subnet_id())));
        let groups = aws
            .efs
            .describe_mount_target_security_groups()
            .mount_target_id(target.mount_target_id())
            .send()
            .await
            .unwrap();
        let [group] = groups.security_groups() else {
            panic!("{groups:?}")
        };
        let described = aws
            .ec2
            .describe_security_groups()
            .group_ids(group)
            .send()
            .await
            .unwrap();
        let rules = described.security_groups()[0].ip_permissions();
        assert!(
            rules
                .iter()
                .all(|r| r.from_port() == Some(2049) && r.ip_ranges().is_empty()),
            "{rules:?}"
        );
    }
    let policy = aws
        .efs
        .describe_file_system_policy()
        .file_system_id(fs_id)
        .send()
        .await
        .unwrap();
    let policy = policy.policy().unwrap();
    assert!(
        policy.contains("aws:SecureTransport") && policy.contains(ap_id),
        "{policy}"
    );

    let module = rendered["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["module"] == "jenkins")
        .unwrap();
    let apps = module["body"]["apps"].as_array().unwrap();
    let app = |id: &str| apps.iter().find(|a| a["id"] == format!("/ngp/jenkins/{id}")).unwrap();
    let tunnel = app("efs-tunnel");
    let cmd = tunnel["cmd"].as_str().unwrap();
    assert!(
        cmd.contains(&format!("--file-system {fs_id}")) && cmd.contains(&format!("--access-point {ap_id}")),
        "{cmd}"
    );
    assert!(
        tunnel["constraints"].to_string().contains("UNIQUE"),
        "one tunnel per private agent"
    );
    let jenkins_app = app("jenkins");
    let mount = jenkins_app["container"]["docker"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "mount")
        .unwrap();
    assert!(
        mount["value"]
            .as_str()
            .unwrap()
            .contains("addr=127.0.0.1,port=20490,nfsvers=4.1"),
        "{mount}"
    );
    assert_eq!(jenkins_app["healthChecks"][0]["path"], "/login");
    assert_eq!(
        jenkins_app["dependencies"],
        serde_json::json!(["/ngp/jenkins/efs-tunnel"])
    );
    let password = aws
        .secret(jenkins["jenkins_admin_password_secret_arn"].as_str().unwrap())
        .await;
    assert!(password.len() >= 32 && !rendered.to_string().contains(&password));

    let lbs = aws.elb.describe_load_balancers().send().await.unwrap();
    let lb = lbs
        .load_balancers()
        .iter()
        .find(|l| l.dns_name() == jenkins["jenkins_lb_dns_name"].as_str())
        .unwrap();
    assert_eq!(lb.scheme().map(|s| s.as_str()), Some("internal"));
}

/// `ngp snapshot` on the marathon-snapshot module's bucket: take the live tree, wipe NGP's apps, restore the
/// latest snapshot; the tree is back, every field of every app, and the reconciler finds nothing to do. A dry run
/// and a bad id change nothing.
async fn snapshot_take_wipe_restore(dir: &std::path::Path, port: u16, outputs: &serde_json::Value) {
    let snap = |args: &[&str]| {
        let mut cmd = local(dir, port);
        cmd.args(["snapshot"]).args(args).args(["--env", "local"]);
        cmd
    };
    let module = &outputs["marathon-snapshot"];
    let (bucket, cluster) = (
        module["snapshot_bucket"].as_str().unwrap(),
        module["snapshot_cluster"].as_str().unwrap(),
    );
    let marathon = ngp_marathon::Client::new(&format!("http://127.0.0.1:{}", marathon_port(port)), None).unwrap();
    let tree = || async {
        let root = marathon
            .group_tree(&ngp_marathon::PathId::root())
            .await
            .unwrap()
            .unwrap();
        serde_json::to_value(root.into_request()).unwrap()
    };
    let before = tree().await;
    let taken = ok(&mut snap(&["take"]));
    assert!(
        taken.starts_with("Snapshot ") && taken.contains(" taken: 12 apps"),
        "{taken}"
    );
    let listed = ok(&mut snap(&["list"]));
    let id = taken.split_whitespace().nth(1).unwrap();
    assert!(listed.contains(id) && listed.contains("12"), "{listed}");
    ok(local(dir, port).args(["apps", "remove", "--env", "local", "--auto-approve"]));
    let dry = ok(&mut snap(&["restore", "latest", "--dry-run"]));
    assert!(
        dry.contains("+ /ngp/jenkins/jenkins (create)") && dry.contains("nothing changed"),
        "{dry}"
    );
    let missing = run(&mut snap(&["restore", "19990101T000000.000Z", "--auto-approve"]));
    assert!(!missing.status.success());
    assert_eq!(
        String::from_utf8_lossy(&missing.stderr).trim(),
        format!("error: no snapshot 19990101T000000.000Z in s3://{bucket}/marathon/{cluster}/: `ngp snapshot list` shows the ids")
    );
    let restored = ok(&mut snap(&["restore", "latest", "--auto-approve"]));
    assert!(
        restored.contains(&format!("Restored snapshot {id}: 12 created")),
        "{restored}"
    );
    assert_eq!(
        tree().await,
        before,
        "every field of every app, and the groups, are back"
    );
    let plan = ok(local(dir, port).args(["apps", "plan", "--env", "local"]));
    assert_eq!(
        plan.trim(),
        "Apps: 0 to create, 0 to update, 0 to remove, 12 unchanged."
    );
}

/// The attributes of the one resource `type_name` of `module` in the workspace's state, as the provider read
/// them back from the emulator.
fn state_resource(dir: &std::path::Path, module: &str, type_name: &str) -> serde_json::Value {
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join(".ngp/local/terraform.tfstate")).unwrap()).unwrap();
    let resource = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["module"] == format!("module.{module}") && r["type"] == type_name)
        .unwrap_or_else(|| panic!("no {type_name} in module {module}"));
    resource["instances"][0]["attributes"].clone()
}

/// The deployment package ngp built and handed to the module: one static executable named `bootstrap`, the very
/// zip the function runs. The function is in the private subnets, its security group reaches 443 on Admin Router's
/// load balancer, its Secrets Manager endpoint and S3's prefix list only, and its environment names DC/OS's
/// password secret without holding the password.
async fn snapshot_function_deployed(dir: &std::path::Path, outputs: &serde_json::Value, aws: &Aws) {
    let inputs: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join(".ngp/local/terraform.tfvars.json")).unwrap()).unwrap();
    let zip_path = inputs["lambda_zip"].as_str().unwrap();
    let zip_bytes = std::fs::read(zip_path).unwrap();
    assert!(zip_bytes.len() < 15 << 20, "the zip is {} bytes", zip_bytes.len());
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&zip_bytes)).unwrap();
    assert_eq!(archive.len(), 1, "one file in the zip");
    let mut entry = archive.by_index(0).unwrap();
    assert_eq!(
        (entry.name().unwrap().as_ref(), entry.unix_mode().map(|m| m & 0o777)),
        ("bootstrap", Some(0o755))
    );
    let mut binary = Vec::new();
    std::io::Read::read_to_end(&mut entry, &mut binary).unwrap();
    assert_static_executable(&binary);

    let function = state_resource(dir, "marathon-snapshot", "aws_lambda_function");
    use base64::Engine as _;
    let digest = base64::engine::general_purpose::STANDARD.encode(<sha2::Sha256 as sha2::Digest>::digest(&zip_bytes));
    assert_eq!(function["code_sha256"], digest, "the function runs that zip");
    assert_eq!(
        (function["runtime"].as_str(), function["handler"].as_str()),
        (Some("provided.al2023"), Some("bootstrap"))
    );
    let cluster = &outputs["cluster"];
    // subnet_ids is a set: compared as one.
    let sorted = |v: &serde_json::Value| {
        let mut ids: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(
        sorted(&function["vpc_config"][0]["subnet_ids"]),
        sorted(&cluster["private_subnet_ids"])
    );
    let env = &function["environment"][0]["variables"];
    let secret_arn = cluster["dcos_superuser_password_secret_arn"].as_str().unwrap();
    assert_eq!(env["NGP_MARATHON_PASSWORD_SECRET"], secret_arn);
    let password = aws.secret(secret_arn).await;
    assert!(
        !env.to_string().contains(&password),
        "DC/OS's password is in the function's environment"
    );

    let sg = function["vpc_config"][0]["security_group_ids"][0].as_str().unwrap();
    let rules = aws
        .ec2
        .describe_security_group_rules()
        .filters(Filter::builder().name("group-id").values(sg).build())
        .send()
        .await
        .unwrap();
    // 443 out to three targets, each named by its group or prefix list: Admin Router's load balancer, the
    // module's own Secrets Manager endpoint, and S3. No CIDR, so no other service in the VPC.
    let endpoint = state_resource(dir, "marathon-snapshot", "aws_vpc_endpoint");
    let mut expected = vec![
        cluster["admin_router_security_group_id"].as_str().unwrap().to_owned(),
        endpoint["security_group_ids"][0].as_str().unwrap().to_owned(),
        cluster["s3_prefix_list_id"].as_str().unwrap().to_owned(),
    ];
    let mut targets = Vec::new();
    for rule in rules.security_group_rules() {
        assert_eq!(
            (rule.is_egress(), rule.ip_protocol(), rule.from_port(), rule.to_port()),
            (Some(true), Some("tcp"), Some(443), Some(443))
        );
        assert_eq!((rule.cidr_ipv4(), rule.cidr_ipv6()), (None, None), "{rule:?}");
        let group = rule.referenced_group_info().and_then(|g| g.group_id());
        targets.push(
            group
                .or(rule.prefix_list_id())
                .expect("a group or a prefix list")
                .to_owned(),
        );
    }
    targets.sort();
    expected.sort();
    assert_eq!(targets, expected);

    let method = state_resource(dir, "marathon-snapshot", "aws_api_gateway_method");
    assert_eq!(
        (method["http_method"].as_str(), method["authorization"].as_str()),
        (Some("POST"), Some("AWS_IAM"))
    );
    let policy = state_resource(dir, "marathon-snapshot", "aws_api_gateway_rest_api_policy");
    let policy: serde_json::Value = serde_json::from_str(policy["policy"].as_str().unwrap()).unwrap();
    let denial = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "NoOtherAccount")
        .unwrap();
    assert_eq!(denial["Effect"], "Deny");
    assert_eq!(
        denial["Condition"]["StringNotEquals"]["aws:PrincipalAccount"],
        "123456789012"
    );
    let url = outputs["marathon-snapshot"]["snapshot_restore_url"].as_str().unwrap();
    assert!(url.starts_with("https://") && url.ends_with("/v1/restore"), "{url}");
}

/// A static executable: ELF for x86-64, an entry point, no program interpreter and no shared library needed.
fn assert_static_executable(binary: &[u8]) {
    use object::read::elf::{ElfFile64, FileHeader, ProgramHeader};
    use object::{Object, ObjectKind};
    let elf = ElfFile64::<object::Endianness>::parse(binary).expect("bootstrap is an ELF64 file");
    assert_eq!(elf.architecture(), object::Architecture::X86_64);
    assert!(matches!(elf.kind(), ObjectKind::Executable | ObjectKind::Dynamic) && elf.entry() != 0);
    let endian = elf.endian();
    let segments = elf.elf_header().program_headers(endian, binary).unwrap();
    assert!(
        segments.iter().all(|s| s.p_type(endian) != object::elf::PT_INTERP),
        "bootstrap asks for a dynamic loader"
    );
    assert!(
        elf.imports().unwrap().next().is_none(),
        "bootstrap imports symbols from shared libraries"
    );
}

/// Every env file a module asks the agents to write (node_files, 0600) holds values that no app carries: the
/// Tyk credentials, Redis's token and Sysdig's access key reach their tasks only through Docker's --env-file.
async fn env_files_stay_out_of_marathon(rendered: &serde_json::Value, outputs: &serde_json::Value, aws: &Aws) {
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

/// The API gateway: its secrets (the local stand-ins for Tyk Cloud's credentials, Redis's token) reach the
/// gateway only through the settings secret the public agents write 0600 and Docker reads; the app carries no
/// secret; the public load balancer takes HTTPS only, with a certificate, and sends it to the public agents.
async fn gateway_keeps_its_secrets(
    dir: &std::path::Path,
    rendered: &serde_json::Value,
    outputs: &serde_json::Value,
    aws: &Aws,
) {
    use std::os::unix::fs::PermissionsExt;
    let kept = dir.join(".ngp/local/local-secrets.json");
    assert_eq!(std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777, 0o600);
    let kept: serde_json::Value = serde_json::from_slice(&std::fs::read(&kept).unwrap()).unwrap();
    let api_key = kept["tyk_api_key"].as_str().unwrap();
    assert!(api_key.len() >= 32 && kept["tyk_org_id"].is_string(), "{kept}");

    let gateway = &outputs["api-gateway"];
    let files = gateway["node_files"].as_array().unwrap();
    let env_file = files
        .iter()
        .find(|f| f["roles"] == serde_json::json!(["public_agent"]))
        .unwrap();
    assert_eq!(env_file["mode"], "0600");
    let settings = aws.secret(env_file["secret_arn"].as_str().unwrap()).await;
    assert!(
        settings.contains(&format!("TYK_GW_SLAVEOPTIONS_APIKEY={api_key}\n")),
        "the gateway's settings"
    );
    assert!(settings.contains("TYK_GW_STORAGE_PASSWORD=") && settings.contains("TYK_GW_SECRET="));

    // The app: the settings by --env-file, and no secret of any kind in its definition.
    let apps = rendered["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["module"] == "api-gateway")
        .unwrap();
    let app = apps["body"]["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "/ngp/api-gateway/gateway")
        .unwrap();
    assert_eq!(
        app["container"]["docker"]["parameters"],
        serde_json::json!([{ "key": "env-file", "value": env_file["path"] }])
    );
    assert_eq!(app["acceptedResourceRoles"], serde_json::json!(["slave_public"]));
    assert_eq!(app["healthChecks"][0]["path"], "/hello");
    assert!(!std::fs::read_to_string(dir.join(".ngp/local/terraform.tfvars.json"))
        .unwrap()
        .contains(api_key));

    // The load balancer: one HTTPS listener with a certificate, forwarding to the public agents.
    let lbs = aws.elb.describe_load_balancers().send().await.unwrap();
    let lb = lbs
        .load_balancers()
        .iter()
        .find(|lb| lb.load_balancer_name() == Some("ngp-tyk-dev"))
        .unwrap();
    let listeners = aws
        .elb
        .describe_listeners()
        .load_balancer_arn(lb.load_balancer_arn().unwrap())
        .send()
        .await
        .unwrap();
    let [listener] = listeners.listeners() else {
        panic!("{listeners:?}")
    };
    assert_eq!(
        (listener.port(), listener.protocol().map(|p| p.as_str())),
        (Some(443), Some("HTTPS"))
    );
    assert!(listener
        .certificates()
        .iter()
        .any(|c| c.certificate_arn().is_some_and(|a| a.contains(":acm:"))));
    let group = listener.default_actions()[0].target_group_arn().unwrap();
    let targets = aws
        .elb
        .describe_target_health()
        .target_group_arn(group)
        .send()
        .await
        .unwrap();
    let public_agents = outputs["cluster"]["public_agent_count"].as_u64().unwrap() as usize;
    assert_eq!(
        targets.target_health_descriptions().len(),
        public_agents,
        "every public agent is the gateway's target"
    );
}

/// The platform key lets EC2 Auto Scaling's service-linked role use it for the nodes' volumes, as the Auto
/// Scaling guide requires (the emulator does not check key policies; the state holds what Terraform sent).
fn autoscaling_may_use_the_platform_key(dir: &std::path::Path) {
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(".ngp/local/terraform.tfstate")).unwrap()).unwrap();
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
fn log_groups_may_use_the_platform_key(dir: &std::path::Path) {
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(".ngp/local/terraform.tfstate")).unwrap()).unwrap();
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
fn public_fronts_sit_behind_waf(dir: &std::path::Path) {
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(".ngp/local/terraform.tfstate")).unwrap()).unwrap();
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

/// Filebeat's configuration, as the elk module renders it into its app: every filestream input has an id of its
/// own, and the sandbox globs find each task's current stdout and stderr, once, in a tree laid out as Mesos writes
/// it (`runs/latest` links the current run). Globs match as Go's filepath.Match does: `*` never crosses a `/`.
fn filebeat_finds_the_sandboxes(rendered: &serde_json::Value) {
    let elk = rendered["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["module"] == "elk")
        .expect("the elk module's apps");
    let filebeat = elk["body"]["apps"]
        .as_array()
        .unwrap()
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
async fn search_domain_is_private(aws: &Aws) {
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

/// The user-data of the instance tagged `Role = role`, base64 as EC2 returns it.
async fn instance_user_data(ec2: &aws_sdk_ec2::Client, role: &str) -> String {
    let tagged = Filter::builder().name("tag:Role").values(role).build();
    let reservations = ec2.describe_instances().filters(tagged).send().await.unwrap();
    let id = reservations.reservations()[0].instances()[0]
        .instance_id()
        .unwrap()
        .to_owned();
    let attribute = ec2
        .describe_instance_attribute()
        .instance_id(&id)
        .attribute(aws_sdk_ec2::types::InstanceAttributeName::UserData)
        .send()
        .await
        .unwrap();
    attribute.user_data().unwrap().value().unwrap().to_owned()
}

#[tokio::test(flavor = "current_thread")]
async fn local_mode_from_up_to_destroy() {
    if skip_without_terraform() {
        return;
    }
    let project = project_with_every_module();
    let dir = project.path();
    // The CLI knows modules only through docs/modules.md's contract: under other names, the cluster and the VPN
    // serve apps, `vpn profile`, `doctor` and the headline block as before.
    rename_module(dir, "dcos", "cluster");
    rename_module(dir, "openvpn", "vpn-gateway");
    let port = free_port();
    let _guard = EmulatorGuard(dir);

    // The main job: init with the default modules, start the emulator, apply, print the outputs.
    let printed = ok(local(dir, port).args(["up", "--env", "local"]));
    assert!(printed.contains("manager:") && printed.contains("vpc_id"), "{printed}");
    // Bulky values are summed up, and the block of what a user came for ends it, once.
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
    // The apps follow: the registry is on the Marathon emulator, and a second look finds nothing to do.
    assert!(
        printed.contains("  + /ngp/docker-registry/registry (create)"),
        "{printed}"
    );
    assert!(
        printed.contains("Apps reconciled: 12 created, 0 updated, 0 unchanged, 0 removed"),
        "{printed}"
    );
    let apps = |args: &[&str]| ok(local(dir, port).args(args));
    let aws = clients(port).await;
    // The registry's TLS: ngp generated a CA and a certificate into Secrets Manager; no key is in the state.
    assert!(
        printed.contains("docker-registry: generated a CA and a TLS certificate for registry.ngp into Secrets Manager"),
        "{printed}"
    );
    let state = std::fs::read_to_string(dir.join(".ngp/local/terraform.tfstate")).unwrap();
    assert!(
        !state.contains("PRIVATE KEY"),
        "a private key is in the Terraform state"
    );
    let outputs: serde_json::Value =
        serde_json::from_str(&ok(local(dir, port).args(["output", "--env", "local", "--json"]))).unwrap();
    let registry = &outputs["docker-registry"];
    let ca_pem = aws.secret(registry["registry_ca_secret_arn"].as_str().unwrap()).await;
    let server_pem = aws
        .secret(registry["registry_tls_secret_arns"]["certificate"].as_str().unwrap())
        .await;
    let key_pem = aws
        .secret(registry["registry_tls_secret_arns"]["private_key"].as_str().unwrap())
        .await;
    assert!(ca_pem.starts_with("-----BEGIN CERTIFICATE-----") && key_pem.contains("PRIVATE KEY"));
    let openssl = which::which("openssl");
    assert!(
        openssl.is_ok() || std::env::var_os("NGP_REQUIRE_TOOLS").is_none(),
        "openssl is required here"
    );
    if let Ok(openssl) = openssl {
        let certs = tempfile::tempdir().unwrap();
        std::fs::write(certs.path().join("ca.pem"), &ca_pem).unwrap();
        std::fs::write(certs.path().join("server.pem"), &server_pem).unwrap();
        let verified = Command::new(openssl)
            .args(["verify", "-CAfile", "ca.pem", "-verify_ip", "192.168.0.1", "server.pem"])
            .current_dir(certs.path())
            .output()
            .unwrap();
        assert!(
            verified.status.success(),
            "{}",
            String::from_utf8_lossy(&verified.stderr)
        );
    }
    let plan = apps(&["apps", "plan", "--env", "local"]);
    assert_eq!(
        plan.trim(),
        "Apps: 0 to create, 0 to update, 0 to remove, 12 unchanged."
    );
    // One registry value changed in the tfvars changes exactly that app, in exactly that key.
    std::fs::write(dir.join("ngp.local.tfvars"), "registry_mem = 1024\n").unwrap();
    let applied = apps(&["apply", "--env", "local"]);
    assert!(
        applied.contains("  ~ /ngp/docker-registry/registry (update: mem)")
            && applied.contains("Apps reconciled: 0 created, 1 updated, 11 unchanged, 0 removed")
            && applied.contains("docker-registry: TLS certificates exist; unchanged"),
        "{applied}"
    );
    // Every app NGP renders (the group bodies it writes) validates against Marathon's own schema.
    let rendered: serde_json::Value =
        serde_json::from_str(&apps(&["apps", "plan", "--env", "local", "--json"])).unwrap();
    match marathon_app_schema() {
        None => {}
        Some(schema) => {
            // Draft 4, as Marathon's schema is; its `$schema` would only send the validator to the network.
            let mut schema = schema;
            schema.as_object_mut().unwrap().remove("$schema");
            let validator = jsonschema::draft4::new(&schema).unwrap();
            let mut checked = 0;
            for module in rendered["modules"].as_array().unwrap() {
                for app in module["body"]["apps"].as_array().unwrap() {
                    let errors: Vec<String> = validator
                        .iter_errors(app)
                        .map(|e| format!("{}: {e}", e.instance_path))
                        .collect();
                    assert!(errors.is_empty(), "{} does not validate: {errors:?}", app["id"]);
                    checked += 1;
                }
            }
            assert!(checked >= 1, "{rendered}");
        }
    }
    filebeat_finds_the_sandboxes(&rendered);
    gateway_keeps_its_secrets(dir, &rendered, &outputs, &aws).await;
    env_files_stay_out_of_marathon(&rendered, &outputs, &aws).await;
    ecr_and_its_refresher(&rendered, &outputs, &aws).await;
    jenkins_home_on_efs(&rendered, &outputs, &aws).await;
    snapshot_function_deployed(dir, &outputs, &aws).await;
    snapshot_take_wipe_restore(dir, port, &outputs).await;
    registry_requires_its_password(dir, port, &rendered, &outputs, &aws).await;
    registry_check_end_to_end(dir, port, &rendered, &outputs, &aws).await;
    // The OpenSearch master password is in no app and in no output shown without --show-secrets.
    let master = ok(local(dir, port).args([
        "output",
        "--env",
        "local",
        "--show-secrets",
        "elk.opensearch_master_password",
    ]));
    assert!(master.trim().len() >= 16, "{master}");
    assert!(
        !rendered.to_string().contains(master.trim()),
        "the master password is in an app"
    );
    let shown = ok(local(dir, port).args(["output", "--env", "local"]));
    assert!(
        !shown.contains(master.trim()) && shown.contains("opensearch_master_password"),
        "{shown}"
    );
    search_domain_is_private(&aws).await;
    let status = apps(&["apps", "status", "--env", "local"]);
    assert!(status.contains("/ngp/docker-registry/registry"), "{status}");
    let status: serde_json::Value =
        serde_json::from_str(&apps(&["apps", "status", "--env", "local", "--json"])).unwrap();
    let registry = status
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "/ngp/docker-registry/registry")
        .expect("the registry's status");
    assert_eq!(registry["running"], registry["instances"]);
    // And back: the value leaves the tfvars, the app returns to the module's default.
    std::fs::remove_file(dir.join("ngp.local.tfvars")).unwrap();
    let applied = apps(&["apply", "--env", "local"]);
    assert!(
        applied.contains("  ~ /ngp/docker-registry/registry (update: mem)"),
        "{applied}"
    );

    let ec2 = &aws.ec2;
    let vpcs = ec2.describe_vpcs().filters(ours()).send().await.unwrap();
    assert_eq!(vpcs.vpcs().len(), 1);
    let vpc_id = vpcs.vpcs()[0].vpc_id().unwrap().to_owned();

    // The manager node: IMDSv2 required, root volume encrypted.
    let manager = Filter::builder().name("tag:Role").values("manager").build();
    let reservations = ec2
        .describe_instances()
        .filters(ours())
        .filters(manager)
        .send()
        .await
        .unwrap();
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
    // Nothing is open to the world but the VPN (443/tcp, 1194/udp) and the API gateway's load balancer (443): no
    // app of the default platform publishes a port on the public agents, so they have no open rule (and no
    // public load balancer).
    let allowed = [
        ("ngp-tyk-lb-dev", "tcp", 443),
        ("ngp-vpn-dev", "tcp", 443),
        ("ngp-vpn-dev", "udp", 1194),
    ];
    let mut open = Vec::new();
    for group in ec2.describe_security_groups().send().await.unwrap().security_groups() {
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
    let mut expected: Vec<(String, String, i32)> = allowed
        .iter()
        .map(|(g, p, port)| (g.to_string(), p.to_string(), *port))
        .collect();
    expected.sort();
    assert_eq!(open, expected, "ingress open to 0.0.0.0/0");

    // Every launch template but the masters' requires IMDSv2 (moto does not pass it on to the ASGs' instances).
    let templates = ec2.describe_launch_templates().send().await.unwrap();
    let mut user_data = Vec::new();
    for template in templates.launch_templates() {
        let id = template.launch_template_id().unwrap();
        let versions = ec2
            .describe_launch_template_versions()
            .launch_template_id(id)
            .send()
            .await
            .unwrap();
        let data = versions.launch_template_versions()[0].launch_template_data().unwrap();
        let metadata = data.metadata_options().unwrap();
        let tokens = metadata.http_tokens().map(|t| t.as_str().to_owned());
        // The platform runs 3 masters (ngp.tfvars from the dcos module's example values), which accept IMDSv1 for
        // Exhibitor's SDK (docs/real-aws.md, row 9); every other node requires tokens.
        let name = template.launch_template_name().unwrap();
        let expected = if name.contains("-dcos-master-") {
            "optional"
        } else {
            "required"
        };
        assert_eq!(tokens.as_deref(), Some(expected), "{template:?}");
        // Hop limit 1: bridge-networked containers cannot reach the node's role.
        assert_eq!(metadata.http_put_response_hop_limit(), Some(1), "{template:?}");
        user_data.push((
            template.launch_template_name().unwrap().to_owned(),
            data.user_data().unwrap().to_owned(),
        ));
    }
    assert_eq!(user_data.len(), 3, "masters, private agents, public agents");
    for role in ["manager", "vpn", "dcos-bootstrap"] {
        let tagged = Filter::builder().name("tag:Role").values(role).build();
        let found = ec2.describe_instances().filters(tagged).send().await.unwrap();
        let metadata = found.reservations()[0].instances()[0]
            .metadata_options()
            .unwrap()
            .clone();
        assert_eq!(metadata.http_put_response_hop_limit(), Some(1), "{role}");
        assert_eq!(metadata.http_tokens(), Some(&HttpTokensState::Required), "{role}");
    }
    masters_take_admin_router_only(ec2, &aws.elb).await;
    autoscaling_may_use_the_platform_key(dir);
    log_groups_may_use_the_platform_key(dir);
    public_fronts_sit_behind_waf(dir);
    for (name, role) in [("bootstrap", "dcos-bootstrap"), ("vpn", "vpn")] {
        user_data.push((name.to_owned(), instance_user_data(ec2, role).await));
    }
    shellcheck_user_data(&user_data);
    // The registry's node_files reach the nodes through the cluster's gathered input: every node trusts the CA,
    // and the private agents' user-data writes the registry's key.
    let scripts: Vec<String> = user_data
        .iter()
        .map(|(_, encoded)| String::from_utf8_lossy(&decode_user_data(encoded)).into_owned())
        .collect();
    let writing = |path: &str| {
        scripts
            .iter()
            .filter(|s| s.contains(&format!("write_file '{path}'")))
            .count()
    };
    assert!(
        writing("/etc/docker/certs.d/192.168.0.1:5000/ca.crt") >= 3,
        "{scripts:?}"
    );
    assert_eq!(writing("/etc/ngp/docker-registry/tls.key"), 1, "{scripts:?}");
    // Every registry instance reads the one shared upload secret (docs/real-aws.md, row 6).
    assert_eq!(writing("/etc/ngp/docker-registry.env"), 1, "{scripts:?}");
    // The nodes reach the Sysdig collector's port, which the monitoring module declares (row 3).
    let cluster = ec2
        .describe_security_groups()
        .filters(
            Filter::builder()
                .name("group-name")
                .values("ngp-dcos-cluster-dev")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let egress_ports: Vec<i32> = cluster.security_groups()[0]
        .ip_permissions_egress()
        .iter()
        .filter(|r| r.ip_ranges().iter().any(|r| r.cidr_ip() == Some("0.0.0.0/0")))
        .filter_map(|r| r.from_port())
        .collect();
    assert_eq!(
        egress_ports.iter().copied().collect::<std::collections::BTreeSet<_>>(),
        [80, 443, 6443].into(),
        "the cluster's egress to the world"
    );

    // config.yaml, as rendered, parses and holds the keys of master_http_loadbalancer discovery on S3.
    let json: serde_json::Value =
        serde_json::from_str(&ok(local(dir, port).args(["output", "--env", "local", "--json"]))).unwrap();
    let config: serde_norway::Value =
        serde_norway::from_str(json["cluster"]["dcos_config_yaml"].as_str().unwrap()).unwrap();
    for key in [
        "bootstrap_url",
        "cluster_name",
        "exhibitor_storage_backend",
        "aws_region",
        "s3_bucket",
        "s3_prefix",
        "master_discovery",
        "exhibitor_address",
        "num_masters",
        "resolvers",
        "ip_detect_contents",
        "ip_detect_public_contents",
        "fault_domain_detect_contents",
        "master_external_loadbalancer",
        "oauth_enabled",
        "superuser_username",
    ] {
        assert!(config.get(key).is_some(), "config.yaml has no {key}: {config:?}");
    }
    assert_eq!(config["exhibitor_storage_backend"], serde_norway::Value::from("aws_s3"));
    assert_eq!(
        config["master_discovery"],
        serde_norway::Value::from("master_http_loadbalancer")
    );
    assert_eq!(config["resolvers"][0], serde_norway::Value::from("169.254.169.253"));
    assert_eq!(
        config["s3_bucket"],
        serde_norway::Value::from(json["cluster"]["exhibitor_bucket"].as_str().unwrap())
    );
    assert_eq!(
        json["cluster"]["dcos_superuser_password"],
        serde_json::Value::Null,
        "secrets hidden by default"
    );
    // The nodes install from the cluster's bucket, not from the bootstrap node, and the superuser's password
    // reaches no node's user-data: the bootstrap node reads it from Secrets Manager.
    let bucket = json["cluster"]["exhibitor_bucket"].as_str().unwrap();
    let bootstrap_url = config["bootstrap_url"].as_str().unwrap();
    assert!(
        bootstrap_url.starts_with("https://") && bootstrap_url.contains(bucket),
        "{bootstrap_url}"
    );
    let password = ok(local(dir, port).args([
        "output",
        "--env",
        "local",
        "--show-secrets",
        "cluster.dcos_superuser_password",
    ]));
    assert!(password.trim().len() >= 16, "{password}");
    for (name, encoded) in &user_data {
        let script = String::from_utf8_lossy(&decode_user_data(encoded)).into_owned();
        assert!(
            !script.contains(password.trim()),
            "the superuser's password is in {name}'s user-data"
        );
    }
    // `ngp vpn profile` logs in as the admin with the generated password from the outputs.
    let admin = json["vpn-gateway"]["vpn_admin_user"].as_str().unwrap();
    let vpn_password = ok(local(dir, port).args([
        "output",
        "--env",
        "local",
        "--show-secrets",
        "vpn-gateway.vpn_admin_password",
    ]));
    // Nor is the VPN admin's: the server reads it from Secrets Manager at boot.
    for (name, encoded) in &user_data {
        let script = String::from_utf8_lossy(&decode_user_data(encoded)).into_owned();
        assert!(
            !script.contains(vpn_password.trim()) && !script.contains("admin_pw") && !script.contains("PRIVATE KEY"),
            "the VPN admin's password, or a key, is in {name}'s user-data"
        );
    }
    let server = common::access_server::access_server(&[(admin, vpn_password.trim())]);
    let profile = ok(local(dir, port).args(["vpn", "profile", "--env", "local", "--url", &server]));
    assert_eq!(profile, common::access_server::profile_for(admin));
    let before = inventory(&aws).await;
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

    // Right after: no changes, by ngp and by plain terraform in the workspace.
    let out = run(local(dir, port).args(["plan", "--env", "local", "--detailed-exitcode"]));
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let planned: serde_json::Value =
        serde_json::from_str(&ok(local(dir, port).args(["plan", "--env", "local", "--json"]))).unwrap();
    assert_eq!(planned["modules"], serde_json::json!({}), "{planned}");
    let doctor: serde_json::Value =
        serde_json::from_str(&ok(local(dir, port).args(["doctor", "--env", "local", "--json"]))).unwrap();
    assert!(
        doctor.as_array().unwrap().iter().all(|c| c["status"] != "fail"),
        "{doctor}"
    );
    let mut plain = Command::new("terraform");
    plain
        .args(["plan", "-detailed-exitcode", "-input=false", "-no-color"])
        .current_dir(dir.join(".ngp/local"));
    if dir.join(".ngp/terraform.rc").exists() {
        plain.env("TF_CLI_CONFIG_FILE", dir.join(".ngp/terraform.rc"));
    }
    // Secrets are never in the workspace's files: plain terraform gets them as ngp passes them, TF_VAR_*.
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

    assert_eq!(json["manager"]["vpc_id"], serde_json::json!(vpc_id));
    assert_eq!(
        ok(local(dir, port).args(["output", "--env", "local", "manager.vpc_id"])).trim(),
        vpc_id
    );

    // A saved plan applies only to the configuration it was made from.
    let overlay_path = dir.join("ngp.local.tfvars");
    let overlay = &overlay_path;
    std::fs::write(
        overlay,
        "context = { pre_tag = \"ngp\", post_tag = \"dev\", environment = \"dev\", version = \"0.2.0\" }\n",
    )
    .unwrap();
    let out = run(local(dir, port).args(["plan", "--env", "local", "--detailed-exitcode"]));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stdout(&out)
            .lines()
            .any(|l| l.starts_with("manager") && !l.contains(" 0      0")),
        "{}",
        stdout(&out)
    );
    std::fs::write(
        overlay,
        "context = { pre_tag = \"ngp\", post_tag = \"dev\", environment = \"dev\", version = \"0.3.0\" }\n",
    )
    .unwrap();
    assert_one_error(
        &run(local(dir, port).args(["apply", "--env", "local", "--saved-plan"])),
        "the saved plan for environment local is stale",
    );
    ok(local(dir, port).args(["plan", "--env", "local"]));
    ok(local(dir, port).args(["apply", "--env", "local", "--saved-plan"]));
    let out = run(local(dir, port).args(["plan", "--env", "local", "--detailed-exitcode"]));
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // Remote state: an S3 backend with locking, here on the emulator's S3, holds another environment's state.
    let s3 = &aws.s3;
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

    // `ngp apps remove` takes NGP's groups off Marathon, and only those.
    // Without a terminal to confirm on, and without --auto-approve, nothing is removed.
    let refused = run(local(dir, port)
        .args(["apps", "remove", "--env", "local"])
        .stdin(Stdio::null()));
    assert_one_error(&refused, "not a terminal, so nobody can confirm: pass --auto-approve");
    let removed = ok(local(dir, port).args(["apps", "remove", "--env", "local", "--auto-approve"]));
    assert!(
        removed.contains("  - /ngp/docker-registry/registry (remove)")
            && removed.contains("Apps reconciled: 0 created, 0 updated, 0 unchanged, 12 removed"),
        "{removed}"
    );
    let status = ok(local(dir, port).args(["apps", "status", "--env", "local"]));
    assert!(!status.contains("/ngp/docker-registry/registry"), "{status}");

    // Destroy takes the modules' apps off Marathon first, then leaves nothing of ours behind in either emulator.
    let reapplied = ok(local(dir, port).args(["apps", "apply", "--env", "local"]));
    assert!(reapplied.contains("12 created"), "{reapplied}");
    let refused = run(local(dir, port)
        .args(["destroy", "--env", "local"])
        .stdin(Stdio::null()));
    assert_one_error(&refused, "not a terminal, so nobody can confirm: pass --auto-approve");
    let destroyed = ok(local(dir, port).args(["destroy", "--env", "local", "--auto-approve"]));
    assert!(
        destroyed.contains("  - /ngp/docker-registry/registry (remove)"),
        "{destroyed}"
    );
    assert_eq!(inventory(&aws).await, Vec::<String>::new());
    let marathon = format!("http://127.0.0.1:{}/v2/apps", marathon_port(port));
    let apps: serde_json::Value = reqwest::get(&marathon).await.unwrap().json().await.unwrap();
    assert_eq!(apps, serde_json::json!({"apps": []}));

    // Bad values fail at plan time, through the modules' variable validations, named where the user set them.
    for (overlay, expected) in [
        ("num_masters = 4\n", "num_masters must be 1, 3 or 5"),
        (
            "public_subnet_cidrs = [\"10.0.10.0/24\", \"10.0.11.0/24\"]\nprivate_subnet_cidrs = [\"10.0.11.0/24\", \"10.0.20.0/22\"]\n",
            "public_subnet_cidrs and private_subnet_cidrs must not overlap one another",
        ),
        ("dcos_installer_sha256 = \"abc123\"\n", "dcos_installer_sha256 must be 64 lower-case hex characters"),
        ("dns_records = true\ndomain = null\ncreate_dns_zone = false\n", "dns_records = true needs domain"),
        (
            "redis_automatic_failover = true\n",
            "redis_automatic_failover needs redis_nodes = 2 or more",
        ),
    ] {
        std::fs::write(&overlay_path, overlay).unwrap();
        let out = run(local(dir, port).args(["plan", "--env", "local"]));
        assert_one_error(&out, &format!("{}:", overlay_path.display()));
        assert!(stderr(&out).contains(expected), "expected {expected:?} in {}", stderr(&out));
        assert!(!stderr(&out).contains("variables.tf"), "{}", stderr(&out));
        assert!(!dir.join(".ngp/local/ngp.tfplan").exists(), "a failed plan leaves no saved plan");
    }

    ok(local(dir, port).args(["local", "down"]));
    assert_eq!(run(local(dir, port).args(["local", "status"])).status.code(), Some(3));
}

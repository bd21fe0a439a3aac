//! The fixture: one platform variant applied once in local mode, with what its checks read (what `ngp up`
//! printed, the outputs, the rendered apps, the nodes' user-data and the emulator's AWS API), and helpers the
//! checks of several modules share.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use aws_sdk_ec2::types::Filter;

use crate::common::local::*;
use crate::common::*;

/// A platform variant: the repository modules, renamed where the variant says so. The CLI knows modules only
/// through docs/modules.md's contract, so under other names they serve apps, `vpn profile`, `doctor` and the
/// headline block as before.
pub struct Variant {
    pub name: &'static str,
    pub renames: &'static [(&'static str, &'static str)],
}

/// One applied platform. Dropping it stops its emulators (which clears their state) and removes the project.
pub struct Platform {
    project: tempfile::TempDir,
    pub port: u16,
    pub aws: Aws,
    /// What `ngp up` printed.
    pub up: String,
    /// `ngp output --json` right after the apply.
    pub outputs: serde_json::Value,
    /// `ngp apps plan --json`: the group bodies ngp writes to Marathon.
    pub rendered: serde_json::Value,
    /// Every launch template's user-data and the bootstrap and VPN instances', base64 as EC2 returns it.
    pub user_data: Vec<(String, String)>,
}

impl Platform {
    /// A fresh project with every repository module, `ngp up --env local` on free ports, and what the checks read.
    pub async fn up(variant: &Variant) -> Platform {
        let project = project_with_every_module();
        for (from, to) in variant.renames {
            rename_module(project.path(), from, to);
        }
        let port = free_port();
        let dir = project.path();
        // The emulators stop when the platform is dropped; until `up` returns, this guard does it.
        let guard = EmulatorGuard(dir);
        let started = std::time::Instant::now();
        let up = run(local(dir, port).args(["up", "--env", "local"]));
        assert!(up.status.success(), "ngp up failed: {}", stderr(&up));
        // The static builds' line, when this run made them (the first run on a fresh checkout).
        for line in stderr(&up).lines().filter(|l| l.starts_with("built ")) {
            eprintln!("{}: {line}", variant.name);
        }
        eprintln!(
            "{}: platform up in {:.0} s",
            variant.name,
            started.elapsed().as_secs_f64()
        );
        let up = stdout(&up);
        let outputs = serde_json::from_str(&ok(local(dir, port).args(["output", "--env", "local", "--json"]))).unwrap();
        let rendered =
            serde_json::from_str(&ok(local(dir, port).args(["apps", "plan", "--env", "local", "--json"]))).unwrap();
        let aws = clients(port).await;
        let user_data = user_data(&aws.ec2).await;
        std::mem::forget(guard);
        Platform {
            project,
            port,
            aws,
            up,
            outputs,
            rendered,
            user_data,
        }
    }

    /// The project's folder.
    pub fn dir(&self) -> &Path {
        self.project.path()
    }

    /// `ngp <args>` in local mode on this platform's emulators; panics, with what it printed, unless it succeeds.
    pub fn ngp(&self, args: &[&str]) -> String {
        ok(local(self.dir(), self.port).args(args))
    }

    /// `ngp <args>` in local mode, however it ends.
    pub fn run(&self, args: &[&str]) -> std::process::Output {
        run(local(self.dir(), self.port).args(args))
    }

    /// `ngp output --env local --show-secrets <name>`, trimmed.
    pub fn secret_output(&self, name: &str) -> String {
        self.ngp(&["output", "--env", "local", "--show-secrets", name])
            .trim()
            .to_owned()
    }

    /// The apps ngp renders for `module`, as it writes them to Marathon.
    pub fn apps_of(&self, module: &str) -> &Vec<serde_json::Value> {
        apps_of(&self.rendered, module)
    }

    /// The user-data scripts, decoded, with their names.
    pub fn scripts(&self) -> Vec<(String, String)> {
        let decoded = |(name, encoded): &(String, String)| {
            (
                name.clone(),
                String::from_utf8_lossy(&decode_user_data(encoded)).into_owned(),
            )
        };
        self.user_data.iter().map(decoded).collect()
    }
}

impl Drop for Platform {
    fn drop(&mut self) {
        let _ = ngp(self.project.path()).args(["local", "down"]).output();
    }
}

/// The apps of `module` in `ngp apps plan --json`'s document.
pub fn apps_of<'a>(rendered: &'a serde_json::Value, module: &str) -> &'a Vec<serde_json::Value> {
    let modules = rendered["modules"].as_array().unwrap();
    let found = modules.iter().find(|m| m["module"] == module);
    let found = found.unwrap_or_else(|| panic!("no apps of {module} in {rendered}"));
    found["body"]["apps"].as_array().unwrap()
}

/// Every launch template's name and latest data, through the emulator's EC2 API.
pub async fn launch_templates(
    ec2: &aws_sdk_ec2::Client,
) -> Vec<(String, aws_sdk_ec2::types::ResponseLaunchTemplateData)> {
    let mut found = Vec::new();
    for template in ec2.describe_launch_templates().send().await.unwrap().launch_templates() {
        let id = template.launch_template_id().unwrap();
        let versions = ec2
            .describe_launch_template_versions()
            .launch_template_id(id)
            .send()
            .await
            .unwrap();
        let data = versions.launch_template_versions()[0]
            .launch_template_data()
            .unwrap()
            .clone();
        found.push((template.launch_template_name().unwrap().to_owned(), data));
    }
    found
}

/// Every launch template's user-data, then the bootstrap node's and the VPN server's.
async fn user_data(ec2: &aws_sdk_ec2::Client) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (name, data) in launch_templates(ec2).await {
        found.push((name, data.user_data().unwrap().to_owned()));
    }
    for (name, role) in [("bootstrap", "dcos-bootstrap"), ("vpn", "vpn")] {
        found.push((name.to_owned(), instance_user_data(ec2, role).await));
    }
    found
}

/// The emulator's AWS API, one client per service the modules use.
pub struct Aws {
    pub ec2: aws_sdk_ec2::Client,
    pub iam: aws_sdk_iam::Client,
    pub s3: aws_sdk_s3::Client,
    pub elb: aws_sdk_elasticloadbalancingv2::Client,
    pub cache: aws_sdk_elasticache::Client,
    pub secrets: aws_sdk_secretsmanager::Client,
    pub route53: aws_sdk_route53::Client,
    pub search: aws_sdk_opensearch::Client,
    pub ecr: aws_sdk_ecr::Client,
    pub efs: aws_sdk_efs::Client,
}

impl Aws {
    /// A secret's string value, read through the emulator's Secrets Manager.
    pub async fn secret(&self, arn: &str) -> String {
        let value = self.secrets.get_secret_value().secret_id(arn).send().await.unwrap();
        value.secret_string().unwrap().to_owned()
    }
}

/// The node file of a module's outputs whose path ends with `path_end`.
pub fn node_file<'a>(module: &'a serde_json::Value, path_end: &str) -> &'a serde_json::Value {
    module["node_files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with(path_end))
        .unwrap_or_else(|| panic!("no node file {path_end}"))
}

pub async fn clients(port: u16) -> Aws {
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

/// Pipes `input` through a command and returns what it printed.
pub fn decode(cmd: &mut Command, input: &[u8]) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// A user-data script as EC2 returns it: base64 of gzip, or of plain text.
pub fn decode_user_data(encoded: &str) -> Vec<u8> {
    let raw = decode(Command::new("base64").arg("-d"), encoded.as_bytes()).stdout;
    let gunzipped = decode(Command::new("gzip").arg("-dc"), &raw);
    if gunzipped.status.success() {
        gunzipped.stdout
    } else {
        raw
    }
}

pub fn ours() -> Filter {
    Filter::builder().name("tag:ManagedBy").values("ngp").build()
}

/// Everything of ours the emulator holds, listed through the AWS API: network, instances, templates, IAM,
/// load balancers, Redis, secrets (not scheduled for deletion), buckets and DNS zones.
pub async fn inventory(aws: &Aws) -> Vec<String> {
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

/// The local environment's Terraform state, as it is now (checks that change the platform change it).
pub fn local_state(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join(".ngp/local/terraform.tfstate")).unwrap()).unwrap()
}

/// The attributes of the one resource `type_name` of `module` in the workspace's state, as the provider read
/// them back from the emulator.
pub fn state_resource(dir: &Path, module: &str, type_name: &str) -> serde_json::Value {
    let state = local_state(dir);
    let resource = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["module"] == format!("module.{module}") && r["type"] == type_name)
        .unwrap_or_else(|| panic!("no {type_name} in module {module}"));
    resource["instances"][0]["attributes"].clone()
}

/// The user-data of the instance tagged `Role = role`, base64 as EC2 returns it.
pub async fn instance_user_data(ec2: &aws_sdk_ec2::Client, role: &str) -> String {
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

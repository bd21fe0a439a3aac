//! Marathon snapshots (the `marathon-snapshot` module): the Lambda as deployed, and take, wipe and restore
//! through the CLI.

use aws_sdk_ec2::types::Filter;

use crate::common::local::*;
use crate::common::*;
use crate::fixture::*;

/// `ngp snapshot` on the marathon-snapshot module's bucket: take the live tree, wipe NGP's apps, restore the
/// latest snapshot; the tree is back, every field of every app, and the reconciler finds nothing to do. A dry run
/// and a bad id change nothing.
pub async fn snapshot_take_wipe_restore(p: &Platform) {
    let (dir, port, outputs) = (p.dir(), p.port, &p.outputs);
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

/// The deployment package ngp built and handed to the module: one static executable named `bootstrap`, the very
/// zip the function runs, on `provided.al2023`.
pub async fn function_runs_the_static_package(p: &Platform) {
    let dir = p.dir();
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

    let function = state_resource(dir, "marathon-snapshot.module.function", "aws_lambda_function");
    use base64::Engine as _;
    let digest = base64::engine::general_purpose::STANDARD.encode(<sha2::Sha256 as sha2::Digest>::digest(&zip_bytes));
    assert_eq!(function["code_sha256"], digest, "the function runs that zip");
    assert_eq!(
        (function["runtime"].as_str(), function["handler"].as_str()),
        (Some("provided.al2023"), Some("bootstrap"))
    );
}

/// The function is in the private subnets, and its environment names DC/OS's password secret without holding the
/// password.
pub async fn function_in_private_subnets_without_the_password(p: &Platform) {
    let function = state_resource(p.dir(), "marathon-snapshot.module.function", "aws_lambda_function");
    let cluster = &p.outputs["cluster"];
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
    let password = p.aws.secret(secret_arn).await;
    assert!(
        !env.to_string().contains(&password),
        "DC/OS's password is in the function's environment"
    );
}

/// The function's security group reaches 443 on three targets, each named by its group or prefix list: Admin
/// Router's load balancer, the module's own Secrets Manager endpoint, and S3. No CIDR, so no other service in
/// the VPC.
pub async fn function_reaches_three_targets_only(p: &Platform) {
    let (dir, cluster) = (p.dir(), &p.outputs["cluster"]);
    let function = state_resource(dir, "marathon-snapshot.module.function", "aws_lambda_function");
    let sg = function["vpc_config"][0]["security_group_ids"][0].as_str().unwrap();
    let rules = p
        .aws
        .ec2
        .describe_security_group_rules()
        .filters(Filter::builder().name("group-id").values(sg).build())
        .send()
        .await
        .unwrap();
    let endpoint = state_resource(dir, "marathon-snapshot.module.function", "aws_vpc_endpoint");
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
}

/// The restore API takes POST with IAM authorisation, and its policy refuses every other account.
pub async fn restore_api_takes_this_account_only(p: &Platform) {
    let dir = p.dir();
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
    let url = p.outputs["marathon-snapshot"]["snapshot_restore_url"].as_str().unwrap();
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

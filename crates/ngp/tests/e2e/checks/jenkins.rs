//! Jenkins (the `jenkins` module): its home on EFS through the tunnel, and its HTTPS front.

use crate::fixture::*;

/// The file system and access point the module made, by id.
fn ids(p: &Platform) -> (&str, &str) {
    let jenkins = &p.outputs["jenkins"];
    let id = |key: &str| jenkins[key].as_str().unwrap();
    (id("jenkins_file_system_id"), id("jenkins_access_point_id"))
}

/// Jenkins's home, read back through the emulator's EFS API: encrypted, an access point whose POSIX user and root
/// directory are the image's uid, a policy that refuses plain NFS.
pub async fn home_on_encrypted_efs(p: &Platform) {
    let aws = &p.aws;
    let (fs_id, ap_id) = ids(p);
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
}

/// A mount target in each private subnet, whose security group admits NFS from the cluster's nodes only.
pub async fn mount_targets_admit_nfs_from_the_cluster(p: &Platform) {
    let (aws, outputs) = (&p.aws, &p.outputs);
    let (fs_id, _) = ids(p);
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
}

/// The apps mount the access point through the tunnel (one per private agent), Jenkins waits for it, and the
/// admin's password is in no app.
pub async fn apps_mount_through_the_tunnel(p: &Platform) {
    let (fs_id, ap_id) = ids(p);
    let apps = p.apps_of("jenkins");
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
    let jenkins = &p.outputs["jenkins"];
    let arn = jenkins["jenkins_admin_password_secret_arn"].as_str().unwrap();
    let password = p.aws.secret(arn).await;
    assert!(password.len() >= 32 && !p.rendered.to_string().contains(&password));
}

/// Jenkins's load balancer is internal.
pub async fn front_is_internal(p: &Platform) {
    let jenkins = &p.outputs["jenkins"];
    let lbs = p.aws.elb.describe_load_balancers().send().await.unwrap();
    let lb = lbs
        .load_balancers()
        .iter()
        .find(|l| l.dns_name() == jenkins["jenkins_lb_dns_name"].as_str())
        .unwrap();
    assert_eq!(lb.scheme().map(|s| s.as_str()), Some("internal"));
}

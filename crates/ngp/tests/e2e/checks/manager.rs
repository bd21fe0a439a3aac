//! The manager module: the VPC, and the manager node with IMDSv2 and an encrypted root volume.

use aws_sdk_ec2::types::{Filter, HttpTokensState};

use crate::fixture::{ours, Platform};

/// The manager node requires IMDSv2 with hop limit 1, and its volumes are encrypted; so do the bootstrap node
/// and the VPN server.
pub async fn nodes_require_tokens_and_encrypt(p: &Platform) {
    let ec2 = &p.aws.ec2;
    let manager = Filter::builder().name("tag:Role").values("manager").build();
    let reservations = ec2
        .describe_instances()
        .filters(ours())
        .filters(manager)
        .send()
        .await
        .unwrap();
    let instance = reservations.reservations()[0].instances()[0].clone();
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
}

/// One VPC of ours, and `ngp output` names it, as a whole document and as one value.
pub async fn vpc_id_in_the_outputs(p: &Platform) {
    let vpcs = p.aws.ec2.describe_vpcs().filters(ours()).send().await.unwrap();
    assert_eq!(vpcs.vpcs().len(), 1);
    let vpc_id = vpcs.vpcs()[0].vpc_id().unwrap();
    assert_eq!(p.outputs["manager"]["vpc_id"], serde_json::json!(vpc_id));
    assert_eq!(p.ngp(&["output", "--env", "local", "manager.vpc_id"]).trim(), vpc_id);
}

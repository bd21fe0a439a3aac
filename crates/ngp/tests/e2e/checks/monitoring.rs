//! The monitoring module (Sysdig): the nodes reach its collector's port, which it declares as `node_egress`.

use aws_sdk_ec2::types::Filter;

use crate::fixture::Platform;

/// The cluster's egress to the world is exactly 80, 443 and the collector's 6443 (docs/real-aws.md, row 3).
pub async fn cluster_egress_reaches_the_collector(p: &Platform) {
    let name = Filter::builder()
        .name("group-name")
        .values("ngp-dcos-cluster-dev")
        .build();
    let cluster = p.aws.ec2.describe_security_groups().filters(name).send().await.unwrap();
    let egress_ports: std::collections::BTreeSet<i32> = cluster.security_groups()[0]
        .ip_permissions_egress()
        .iter()
        .filter(|r| r.ip_ranges().iter().any(|r| r.cidr_ip() == Some("0.0.0.0/0")))
        .filter_map(|r| r.from_port())
        .collect();
    assert_eq!(
        egress_ports,
        [80, 443, 6443].into(),
        "the cluster's egress to the world"
    );
}

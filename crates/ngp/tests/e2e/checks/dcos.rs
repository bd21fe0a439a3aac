//! The DC/OS cluster (the `dcos` module, named `cluster` in this project): Admin Router as the masters' only
//! door, the launch templates' metadata options, config.yaml, and the superuser's password kept off the nodes.

use aws_sdk_ec2::types::Filter;

use crate::fixture::{launch_templates, Platform};

/// Admins reach the masters through Admin Router alone. The internal NLB listens on 443 and on the three ports the
/// nodes discover the masters through (2181, 5050, 8181: DC/OS's master_http_loadbalancer), and its own security
/// group admits the four from the cluster's nodes only. People and in-VPC clients (local mode has DNS records)
/// come through the admin ALB at dcos.<domain>, on 443 alone; the masters admit the four ports from the NLB's
/// group, and 443 from the ALB's too.
pub async fn masters_take_admin_router_only(p: &Platform) {
    let (ec2, elb) = (&p.aws.ec2, &p.aws.elb);
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

/// Every launch template but the masters' requires IMDSv2 (moto does not pass it on to the ASGs' instances), all
/// with hop limit 1, so bridge-networked containers cannot reach the node's role. The platform runs 3 masters
/// (ngp.tfvars from the dcos module's example values), which accept IMDSv1 for Exhibitor's SDK
/// (docs/real-aws.md, row 9).
pub async fn launch_templates_require_tokens(p: &Platform) {
    let templates = launch_templates(&p.aws.ec2).await;
    for (name, data) in &templates {
        let metadata = data.metadata_options().unwrap();
        let tokens = metadata.http_tokens().map(|t| t.as_str().to_owned());
        let expected = if name.contains("-dcos-master-") {
            "optional"
        } else {
            "required"
        };
        assert_eq!(tokens.as_deref(), Some(expected), "{name}: {data:?}");
        assert_eq!(metadata.http_put_response_hop_limit(), Some(1), "{name}: {data:?}");
    }
    assert_eq!(templates.len(), 3, "masters, private agents, public agents");
}

/// config.yaml, as rendered, parses and holds the keys of master_http_loadbalancer discovery on S3; the nodes
/// install from the cluster's bucket, not from the bootstrap node.
pub async fn config_yaml_discovers_masters_on_s3(p: &Platform) {
    let cluster = &p.outputs["cluster"];
    let config: serde_norway::Value = serde_norway::from_str(cluster["dcos_config_yaml"].as_str().unwrap()).unwrap();
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
    let text = |v: &str| serde_norway::Value::from(v);
    assert_eq!(config["exhibitor_storage_backend"], text("aws_s3"));
    assert_eq!(config["master_discovery"], text("master_http_loadbalancer"));
    assert_eq!(config["resolvers"][0], text("169.254.169.253"));
    let bucket = cluster["exhibitor_bucket"].as_str().unwrap();
    assert_eq!(config["s3_bucket"], text(bucket));
    let bootstrap_url = config["bootstrap_url"].as_str().unwrap();
    assert!(
        bootstrap_url.starts_with("https://") && bootstrap_url.contains(bucket),
        "{bootstrap_url}"
    );
}

/// The superuser's password is hidden from the outputs by default and reaches no node's user-data: the
/// bootstrap node reads it from Secrets Manager.
pub async fn superuser_password_stays_off_the_nodes(p: &Platform) {
    assert_eq!(
        p.outputs["cluster"]["dcos_superuser_password"],
        serde_json::Value::Null,
        "secrets hidden by default"
    );
    let password = p.secret_output("cluster.dcos_superuser_password");
    assert!(password.len() >= 16, "{password}");
    for (name, script) in p.scripts() {
        assert!(
            !script.contains(&password),
            "the superuser's password is in {name}'s user-data"
        );
    }
}

//! Adopting what an interrupted apply created but never recorded. Ctrl-C can cancel a provider's call after AWS
//! acted on it: the object exists, the state never learned its id, and the next apply fails with "already
//! exists". [`orphans`] finds those failures in terraform's diagnostics; [`import_id`] finds each object in AWS by
//! the name its module gives it (the planned values); [`import_block`] writes the Terraform `import` block that
//! brings it into the state. The CLI (`pipeline/adopt.rs`) decides when, and applies again.

use hcl::structure::{Block, Body};
use ngp_terraform::Diagnostic;
use serde_json::Value;

/// An address whose create failed because its object already exists.
#[derive(Debug, Clone, PartialEq)]
pub struct Orphan {
    pub address: String,
    pub message: String,
}

/// The apply failed on objects that already exist: a previous interrupted apply probably made them.
#[derive(Debug)]
pub struct OrphansFound(pub Vec<Orphan>);

impl std::fmt::Display for OrphansFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lines: Vec<String> = self.0.iter().map(|o| format!("{}: {}", o.address, o.message)).collect();
        write!(f, "{}", lines.join("; "))
    }
}

impl std::error::Error for OrphansFound {}

/// The error diagnostics that say a create found its object already there.
pub fn orphans(diagnostics: &[Diagnostic]) -> Vec<Orphan> {
    const SIGNS: [&str; 4] = ["already exist", "AlreadyExists", "Duplicate", "BucketAlreadyOwnedByYou"];
    diagnostics
        .iter()
        .filter(|d| d.severity == "error")
        .filter_map(|d| {
            let text = format!("{} {}", d.summary, d.detail);
            let address = d.address.clone()?;
            SIGNS.iter().any(|s| text.contains(s)).then(|| Orphan {
                address,
                message: d.summary.lines().next().unwrap_or_default().to_owned(),
            })
        })
        .collect()
}

/// The planned values of `address` in `terraform show -json` of a plan.
pub fn planned<'a>(plan: &'a Value, address: &str) -> Option<(&'a str, &'a Value)> {
    let change = plan["resource_changes"]
        .as_array()?
        .iter()
        .find(|c| c["address"] == address)?;
    Some((change["type"].as_str()?, &change["change"]["after"]))
}

/// Where an object of `kind` is found, given its planned values: its import id, or why not.
pub async fn import_id(sdk: &aws_config::SdkConfig, kind: &str, after: &Value) -> Result<String, String> {
    let text = |key: &str| {
        after[key]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("its {key} is not known before apply"))
    };
    match kind {
        "aws_iam_role"
        | "aws_iam_instance_profile"
        | "aws_cloudwatch_log_group"
        | "aws_kms_alias"
        | "aws_cloudwatch_event_rule"
        | "aws_elasticache_subnet_group"
        | "aws_ecr_repository"
        | "aws_iam_user"
        | "aws_autoscaling_group" => text("name"),
        "aws_key_pair" => text("key_name"),
        "aws_lambda_permission" => Ok(format!("{}/{}", text("function_name")?, text("statement_id")?)),
        "aws_route53_record" => route53_record_id(after),
        "aws_cloudwatch_log_resource_policy" => text("policy_name"),
        "aws_lambda_function" => text("function_name"),
        "aws_opensearch_domain" => text("domain_name"),
        "aws_elasticache_replication_group" => text("replication_group_id"),
        "aws_iam_role_policy" => Ok(format!("{}:{}", text("role")?, text("name")?)),
        "aws_s3_bucket" => text("bucket"),
        "aws_iam_policy" => iam_policy_arn(sdk, after).await,
        "aws_security_group" => security_group_id(sdk, &text("name")?, &text("vpc_id")?).await,
        "aws_lb" => load_balancer_arn(sdk, &text("name")?).await,
        "aws_lb_target_group" => target_group_arn(sdk, &text("name")?).await,
        "aws_launch_template" => launch_template_id(sdk, &text("name")?).await,
        other => Err(format!("ngp does not know how to find a {other} by its name")),
    }
}

/// A record's import id: `ZONEID_NAME_TYPE`, and `_SETIDENTIFIER` for a record of a routing policy.
fn route53_record_id(after: &Value) -> Result<String, String> {
    let mut parts = Vec::new();
    for key in ["zone_id", "name", "type"] {
        let value = after[key]
            .as_str()
            .ok_or_else(|| format!("its {key} is not known before apply"))?;
        parts.push(value.trim_end_matches('.').to_owned());
    }
    parts.extend(after["set_identifier"].as_str().map(str::to_owned));
    Ok(parts.join("_"))
}

async fn launch_template_id(sdk: &aws_config::SdkConfig, name: &str) -> Result<String, String> {
    let found = aws_sdk_ec2::Client::new(sdk)
        .describe_launch_templates()
        .launch_template_names(name)
        .send()
        .await
        .map_err(|e| format!("cannot look it up: {}", ngp_aws::one_line(&e)))?;
    let id = found.launch_templates().first().and_then(|t| t.launch_template_id());
    id.map(str::to_owned)
        .ok_or_else(|| format!("no launch template named {name}"))
}

async fn iam_policy_arn(sdk: &aws_config::SdkConfig, after: &Value) -> Result<String, String> {
    let name = after["name"].as_str().ok_or("its name is not known before apply")?;
    let path = after["path"].as_str().unwrap_or("/");
    let who = aws_sdk_sts::Client::new(sdk).get_caller_identity().send().await;
    let who = who.map_err(|e| format!("cannot tell the account: {}", ngp_aws::one_line(&e)))?;
    let arn = who.arn().unwrap_or_default();
    let partition = arn.split(':').nth(1).unwrap_or("aws");
    Ok(format!(
        "arn:{partition}:iam::{}:policy{path}{name}",
        who.account().unwrap_or_default()
    ))
}

async fn security_group_id(sdk: &aws_config::SdkConfig, name: &str, vpc: &str) -> Result<String, String> {
    use aws_sdk_ec2::types::Filter;
    let filter = |k: &str, v: &str| Filter::builder().name(k).values(v).build();
    let found = aws_sdk_ec2::Client::new(sdk)
        .describe_security_groups()
        .filters(filter("group-name", name))
        .filters(filter("vpc-id", vpc))
        .send()
        .await
        .map_err(|e| format!("cannot look it up: {}", ngp_aws::one_line(&e)))?;
    let ids: Vec<&str> = found.security_groups().iter().filter_map(|g| g.group_id()).collect();
    match ids.as_slice() {
        [id] => Ok((*id).to_owned()),
        _ => Err(format!("{} groups named {name} in {vpc}", ids.len())),
    }
}

async fn load_balancer_arn(sdk: &aws_config::SdkConfig, name: &str) -> Result<String, String> {
    let found = aws_sdk_elasticloadbalancingv2::Client::new(sdk)
        .describe_load_balancers()
        .names(name)
        .send()
        .await
        .map_err(|e| format!("cannot look it up: {}", ngp_aws::one_line(&e)))?;
    let arn = found.load_balancers().first().and_then(|l| l.load_balancer_arn());
    arn.map(str::to_owned)
        .ok_or_else(|| format!("no load balancer named {name}"))
}

async fn target_group_arn(sdk: &aws_config::SdkConfig, name: &str) -> Result<String, String> {
    let found = aws_sdk_elasticloadbalancingv2::Client::new(sdk)
        .describe_target_groups()
        .names(name)
        .send()
        .await
        .map_err(|e| format!("cannot look it up: {}", ngp_aws::one_line(&e)))?;
    let arn = found.target_groups().first().and_then(|t| t.target_group_arn());
    arn.map(str::to_owned)
        .ok_or_else(|| format!("no target group named {name}"))
}

/// The import block for one adopted object; `address` is Terraform's own, so it parses as a traversal.
pub fn import_block(address: &str, id: &str) -> Result<Block, String> {
    let not_an_address = || format!("{address} is not a resource address");
    let parsed: Body = hcl::from_str(&format!("to = {address}\n")).map_err(|_| not_an_address())?;
    let to = parsed
        .attributes()
        .next()
        .map(|a| a.expr.clone())
        .ok_or_else(not_an_address)?;
    Ok(Block::builder("import")
        .add_attribute(("to", to))
        .add_attribute(("id", id))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic(summary: &str, address: Option<&str>) -> Diagnostic {
        serde_json::from_value(serde_json::json!({
            "severity": "error", "summary": summary, "detail": "", "address": address,
        }))
        .unwrap()
    }

    #[test]
    fn only_creates_that_found_their_object_are_orphans() {
        let found = orphans(&[
            diagnostic(
                "creating Security Group (ngp-logs-dev): operation error EC2: CreateSecurityGroup, InvalidGroup.Duplicate: The security group 'ngp-logs-dev' already exists",
                Some("module.logs.aws_security_group.domain"),
            ),
            diagnostic("creating IAM Role (r): EntityAlreadyExists: Role with name r already exists.", Some("module.m.aws_iam_role.r")),
            diagnostic("Invalid value for variable", None),
            diagnostic("creating Lambda Function (f): AccessDenied", Some("module.m.aws_lambda_function.f")),
        ]);
        let addresses: Vec<&str> = found.iter().map(|o| o.address.as_str()).collect();
        assert_eq!(
            addresses,
            ["module.logs.aws_security_group.domain", "module.m.aws_iam_role.r"]
        );
    }

    #[test]
    fn records_and_permissions_are_found_by_their_planned_names() {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let sdk = aws_config::SdkConfig::builder().build();
        let id = |kind: &str, after: Value| runtime.block_on(import_id(&sdk, kind, &after));
        let record =
            serde_json::json!({"zone_id": "Z1", "name": "dcos.ngp.test.", "type": "A", "set_identifier": null});
        assert_eq!(id("aws_route53_record", record), Ok("Z1_dcos.ngp.test_A".to_owned()));
        let weighted = serde_json::json!({"zone_id": "Z1", "name": "a.b", "type": "CNAME", "set_identifier": "blue"});
        assert_eq!(id("aws_route53_record", weighted), Ok("Z1_a.b_CNAME_blue".to_owned()));
        let unknown_zone = serde_json::json!({"name": "a.b", "type": "A"});
        assert_eq!(
            id("aws_route53_record", unknown_zone),
            Err("its zone_id is not known before apply".to_owned())
        );
        let permission = serde_json::json!({"function_name": "f", "statement_id": "AllowSchedule"});
        assert_eq!(
            id("aws_lambda_permission", permission),
            Ok("f/AllowSchedule".to_owned())
        );
        let waf = serde_json::json!({"name": "acl"});
        assert_eq!(
            id("aws_wafv2_web_acl", waf),
            Err("ngp does not know how to find a aws_wafv2_web_acl by its name".to_owned())
        );
    }

    #[test]
    fn an_import_block_targets_the_address_as_written() {
        let body = Body::builder()
            .add_block(import_block("module.cluster.aws_lb_target_group.public[\"80\"]", "arn:tg").unwrap())
            .build();
        let text = hcl::to_string(&body).unwrap();
        assert!(
            text.contains("to = module.cluster.aws_lb_target_group.public[\"80\"]"),
            "{text}"
        );
        assert!(text.contains("id = \"arn:tg\""), "{text}");
    }
}

//! Adopting what an interrupted apply left behind. Ctrl-C can cancel a provider's call after AWS has acted on it:
//! the object exists, but the state never learned its id, and the next apply fails with "already exists". After
//! an interrupted apply (a marker in the workspace says so), ngp finds each such object by the name its module
//! gives it, writes Terraform `import` blocks for the addresses that failed, and applies again. What it cannot
//! find is one line: the address, the object, and the command that imports it by hand.

use std::path::Path;

use anyhow::{anyhow, Result};
use hcl::structure::{Block, Body};
use ngp_terraform::Diagnostic;
use serde_json::Value;

use super::workspace::Workspace;
use crate::project::write_atomic;

/// The marker an interrupted apply leaves in the workspace; a completed apply removes it.
pub const INTERRUPTED: &str = "apply-interrupted";
/// The import blocks of one adoption, removed once the apply that uses them has run.
pub const IMPORTS_FILE: &str = "ngp-adopt.tf";

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

pub fn mark_interrupted(dir: &Path) -> Result<()> {
    write_atomic(&dir.join(INTERRUPTED), b"the last apply was interrupted\n")
}

pub fn was_interrupted(dir: &Path) -> bool {
    dir.join(INTERRUPTED).is_file()
}

/// Forgets the interruption and any import blocks: the apply that follows it has run.
pub fn settled(dir: &Path) {
    let _ = std::fs::remove_file(dir.join(INTERRUPTED));
    let _ = std::fs::remove_file(dir.join(IMPORTS_FILE));
}

/// The planned values of `address` in `terraform show -json` of a plan.
fn planned<'a>(plan: &'a Value, address: &str) -> Option<(&'a str, &'a Value)> {
    let change = plan["resource_changes"]
        .as_array()?
        .iter()
        .find(|c| c["address"] == address)?;
    Some((change["type"].as_str()?, &change["change"]["after"]))
}

/// Where an object of `kind` is found, given its planned values: its import id, or why not.
async fn import_id(sdk: &aws_config::SdkConfig, kind: &str, after: &Value) -> Result<String, String> {
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
        | "aws_iam_user" => text("name"),
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
        other => Err(format!("ngp does not know how to find a {other}")),
    }
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
fn import_block(address: &str, id: &str) -> Result<Block> {
    let parsed: Body = hcl::from_str(&format!("to = {address}\n"))?;
    let to = parsed
        .attributes()
        .next()
        .map(|a| a.expr.clone())
        .ok_or_else(|| anyhow!("{address} is not a resource address"))?;
    Ok(Block::builder("import")
        .add_attribute(("to", to))
        .add_attribute(("id", id))
        .build())
}

/// Finds every orphan's object and writes the import blocks; an orphan that cannot be found is an error naming
/// the address, the object and the command that imports it by hand. `plan` is `terraform show -json` of a plan
/// made after the failure (so the objects' names are known).
pub fn write_imports(ws: &Workspace, plan: &Value, orphans: &[Orphan]) -> Result<()> {
    let sdk = crate::runtime()?.block_on(ngp_aws::sdk_config(&ws.region, ws.emulator.as_deref()));
    let mut body = Body::builder();
    for orphan in orphans {
        let (kind, after) = planned(plan, &orphan.address).ok_or_else(|| {
            anyhow!(
                "{}: {}; it is not in the new plan, so ngp cannot adopt it",
                orphan.address,
                orphan.message
            )
        })?;
        match crate::runtime()?.block_on(import_id(&sdk, kind, after)) {
            Ok(id) => {
                println!("Adopting {} ({id}), created by the interrupted apply.", orphan.address);
                body = body.add_block(import_block(&orphan.address, &id)?);
            }
            Err(why) => {
                let name = after["name"].as_str().unwrap_or("ID");
                return Err(anyhow!(
                    "{}: {}; ngp cannot adopt it ({why}): import it with `cd {} && terraform import '{}' {name}`, then apply again",
                    orphan.address,
                    orphan.message,
                    ws.dir.display(),
                    orphan.address
                ));
            }
        }
    }
    let text = format!(
        "# Written by ngp: objects an interrupted apply created but never recorded, adopted into the state.\n{}",
        hcl::to_string(&body.build())?
    );
    write_atomic(&ws.dir.join(IMPORTS_FILE), text.as_bytes())
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
                "creating Security Group (ngp-opensearch-dev): operation error EC2: CreateSecurityGroup, InvalidGroup.Duplicate: The security group 'ngp-opensearch-dev' already exists",
                Some("module.elk.aws_security_group.opensearch"),
            ),
            diagnostic("creating IAM Role (r): EntityAlreadyExists: Role with name r already exists.", Some("module.m.aws_iam_role.r")),
            diagnostic("Invalid value for variable", None),
            diagnostic("creating Lambda Function (f): AccessDenied", Some("module.m.aws_lambda_function.f")),
        ]);
        let addresses: Vec<&str> = found.iter().map(|o| o.address.as_str()).collect();
        assert_eq!(
            addresses,
            ["module.elk.aws_security_group.opensearch", "module.m.aws_iam_role.r"]
        );
    }

    #[test]
    fn an_import_block_targets_the_address_as_written() {
        let body = Body::builder()
            .add_block(import_block("module.dcos.aws_lb_target_group.public_agents[\"80\"]", "arn:tg").unwrap())
            .build();
        let text = hcl::to_string(&body).unwrap();
        assert!(
            text.contains("to = module.dcos.aws_lb_target_group.public_agents[\"80\"]"),
            "{text}"
        );
        assert!(text.contains("id = \"arn:tg\""), "{text}");
    }
}

# A Lambda in the VPC, the one way the platform builds one (the OpenSearch roles function, the snapshot function):
# a security group with no ingress and 443 out to the named targets only, an optional Secrets Manager endpoint of
# its own, a role that only Lambda in this account assumes, a KMS-encrypted log group under Lambda's own name, and
# the function, traced, running ngp's static `bootstrap` on provided.al2023.

data "aws_region" "current" {}
data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

locals {
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id
  arn_prefix = "arn:${data.aws_partition.current.partition}:ec2:${local.region}:${local.account_id}"
  endpoint   = var.secrets_endpoint == null ? {} : { secrets = var.secrets_endpoint }
}

resource "aws_security_group" "function" {
  name        = var.name
  description = var.security_group_description
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = var.name })

  lifecycle {
    create_before_destroy = true
  }
}

# Rules whose target is another group use aws_security_group_rule (see the dcos module: moto reports the newer
# resource's referenced group in a form that shows as a change on every plan).
resource "aws_security_group_rule" "out" {
  for_each = var.egress_security_groups

  type                     = "egress"
  security_group_id        = aws_security_group.function.id
  description              = "443 to the ${each.key}"
  protocol                 = "tcp"
  from_port                = 443
  to_port                  = 443
  source_security_group_id = each.value
}

resource "aws_vpc_security_group_egress_rule" "prefix_list" {
  for_each = var.egress_prefix_lists

  security_group_id = aws_security_group.function.id
  description       = "443 to ${each.key}"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = each.value
  tags              = var.tags
}

resource "aws_security_group" "secrets_endpoint" {
  for_each = local.endpoint

  name        = each.value.name
  description = each.value.description
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = each.value.name })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group_rule" "secrets_endpoint_in" {
  for_each = local.endpoint

  type                     = "ingress"
  security_group_id        = aws_security_group.secrets_endpoint[each.key].id
  description              = "443 from ${var.name}"
  protocol                 = "tcp"
  from_port                = 443
  to_port                  = 443
  source_security_group_id = aws_security_group.function.id
}

resource "aws_security_group_rule" "to_secrets_endpoint" {
  for_each = local.endpoint

  type                     = "egress"
  security_group_id        = aws_security_group.function.id
  description              = "443 to its Secrets Manager endpoint"
  protocol                 = "tcp"
  from_port                = 443
  to_port                  = 443
  source_security_group_id = aws_security_group.secrets_endpoint[each.key].id
}

resource "aws_vpc_endpoint" "secrets" {
  for_each = local.endpoint

  vpc_id              = var.vpc_id
  service_name        = "com.amazonaws.${local.region}.secretsmanager"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = each.value.subnet_ids
  security_group_ids  = [aws_security_group.secrets_endpoint[each.key].id]
  private_dns_enabled = false
  tags                = merge(var.tags, { Name = each.value.name })
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "function" {
  name               = var.name
  description        = var.description
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "function" {
  source_policy_documents = [var.policy_json]

  statement {
    sid       = "WriteItsLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function.arn}:*"]
  }

  # Lambda checks these when it creates the function, with no subnet or VPC in the request's context, so a list of
  # subnets or an ec2:Vpc condition fails CreateFunction (the Lambda guide's VPC permissions). The guide's narrowest
  # form: every EC2 resource of this account and region.
  statement {
    sid       = "VpcNetworkInterfaces"
    actions   = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
    resources = ["${local.arn_prefix}:*/*"]
  }

  # Describe calls and X-Ray's writes have no resource-level permissions: AWS documents "*" for them.
  statement {
    sid       = "DescribeNetworkAndTrace"
    actions   = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "function" {
  name   = var.policy_name
  role   = aws_iam_role.function.id
  policy = data.aws_iam_policy_document.function.json
}

# Lambda's own log group name: the emulator keeps no LoggingConfig, so a custom one would show as a change on every
# plan. The platform key's policy admits /aws/lambda/<pre_tag>-*-<post_tag> (the manager module).
resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "function" {
  # checkov:skip=CKV_AWS_272: ngp builds the package from its own source on the machine that applies; a Signer profile would sign what that same machine built, so it would prove nothing more than source_code_hash does.
  # checkov:skip=CKV_AWS_116: the caller decides: a function invoked asynchronously passes dead_letter_target_arn (the snapshot function's schedule); one that only Terraform invokes, synchronously, has no asynchronous event to dead-letter (the OpenSearch roles function).
  # checkov:skip=CKV_AWS_115: reserved_concurrency is the caller's, null by default: a reservation takes from the account's pool, which a new account's quota of 10 cannot spare (docs/real-aws.md, row 5).
  function_name                  = var.name
  description                    = var.description
  role                           = aws_iam_role.function.arn
  filename                       = var.zip
  source_code_hash               = filebase64sha256(var.zip)
  runtime                        = "provided.al2023"
  handler                        = "bootstrap"
  architectures                  = ["x86_64"]
  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrency
  kms_key_arn                    = var.kms_key_arn
  tags                           = var.tags

  environment {
    variables = merge(var.environment, {
      for key, endpoint in aws_vpc_endpoint.secrets : "NGP_SECRETS_ENDPOINT" => "https://${endpoint.dns_entry[0].dns_name}"
    })
  }

  vpc_config {
    subnet_ids         = var.subnet_ids
    security_group_ids = [aws_security_group.function.id]
  }

  dynamic "dead_letter_config" {
    for_each = var.dead_letter_target_arn == null ? [] : [var.dead_letter_target_arn]
    content {
      target_arn = dead_letter_config.value
    }
  }

  tracing_config {
    mode = "Active"
  }

  depends_on = [aws_iam_role_policy.function, aws_cloudwatch_log_group.function]
}

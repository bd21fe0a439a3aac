# marathon-snapshot: Marathon's whole tree, every field, kept hourly in S3, and restored on request. A Rust Lambda
# (crates/snapshot-lambda, static musl `bootstrap` on provided.al2023, built and zipped by ngp) runs in the private
# subnets: an EventBridge rule invokes it on a schedule to take a snapshot, and a REST API's POST /restore, with
# AWS_IAM authorisation and a resource policy that admits this account only (and only through a VPC endpoint when
# one is given), invokes it to restore one. `ngp snapshot take|list|show|restore` works on the same bucket.
#
# The function reaches 443 on three targets only, each named by its security group or prefix list: Admin Router's
# internal load balancer, the Secrets Manager endpoint this module makes, and S3 through the gateway endpoint. No
# NAT, no internet, and no other service in the private subnets. It logs in to DC/OS with the superuser's password,
# which it reads from Secrets Manager on every invocation; no secret is in its environment.
#
# Trade-offs: API Gateway cuts a request off at 29 s, so a restore answers 202 when Marathon's deployment is still
# running after 25 s (it goes on; `ngp snapshot restore --dry-run` or Marathon shows it). The API's logs need the
# region's API Gateway CloudWatch role, an account-wide setting: the module sets it unless
# api_gateway_logging_role = false. The function verifies Admin Router's certificate against the public roots:
# the dcos module's ALB at dcos.<domain> presents an ACM one (with dns_records); without records, marathon_url
# must present a trusted certificate some other way. The deployment package is not code-signed. The
# stage is throttled to 1 request a second (bursts of 5), logs errors only, and a regional API sits behind AWS
# WAF (100 requests per address in 5 minutes); the platform key covers the account's API Gateway execution-log
# groups, whose names hold an ID AWS draws.

# ngp reads this block; Terraform ignores it.
locals {
  ngp_module = {
    description     = "Marathon snapshots: an hourly Rust Lambda into a versioned KMS bucket, and an IAM-authorised restore API"
    default_enabled = true
    headline        = ["snapshot_bucket", "snapshot_restore_url"]
    inputs_from     = {}
    builds          = [{ input = "lambda_zip", package = "ngp-snapshot-lambda", binary = "bootstrap", zip = true }]
    local_mode_inputs = {
      force_destroy = true # local environments are disposable: destroy takes the snapshots with the bucket
    }
  }
}

module "label" {
  source  = "../.shared/label"
  context = var.context
}

data "aws_region" "current" {}
data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

locals {
  name          = module.label.name_format
  tags          = module.label.tags
  function_name = format(local.name, "marathon-snapshot")
  partition     = data.aws_partition.current.partition
  region        = data.aws_region.current.name
  account_id    = data.aws_caller_identity.current.account_id
  login         = var.marathon_login_secret
  stage_name    = "v1"
}

################################################################################
# The bucket: versioned, KMS, private, TLS only; snapshots expire after the retention
################################################################################

module "bucket" {
  source = "../.shared/private-bucket"

  bucket_prefix   = substr("${module.label.id}-marathon-snapshots-", 0, 37)
  kms_key_arn     = var.kms_key_arn
  force_destroy   = var.force_destroy
  expiration_days = var.snapshot_retention_days
  noncurrent_days = var.snapshot_retention_days
  tags            = local.tags
}

################################################################################
# The function: 443 to Admin Router's load balancer, its own Secrets Manager endpoint and S3, nothing else; its
# bucket, its lock, its dead letters and DC/OS's password; the network, role and logs of a VPC Lambda are shared
################################################################################

module "function" {
  source = "../.shared/vpc-lambda"

  name                       = local.function_name
  description                = "Marathon snapshots of ${module.label.id}: takes them on a schedule, restores one on POST /restore"
  security_group_description = "The snapshot Lambda: out to Admin Router, Secrets Manager's endpoint and S3 only; nothing in"
  vpc_id                     = var.vpc_id
  subnet_ids                 = var.private_subnet_ids
  zip                        = var.lambda_zip
  memory_size                = 256
  timeout                    = 60
  reserved_concurrency       = var.reserved_concurrency
  egress_security_groups     = { "load balancer of Admin Router: Marathon" = var.admin_router_security_group_id }
  egress_prefix_lists        = { "S3 through the gateway endpoint: the snapshots" = var.s3_prefix_list_id }
  secrets_endpoint = local.login == null ? null : {
    name        = format(local.name, "snapshot-secrets")
    description = "Secrets Manager endpoint of the snapshot Lambda: 443 from the Lambda only"
    subnet_ids  = var.private_subnet_ids
  }
  policy_json            = data.aws_iam_policy_document.function.json
  policy_name            = "marathon-snapshot"
  dead_letter_target_arn = aws_sqs_queue.dead_letters.arn
  kms_key_arn            = var.kms_key_arn
  log_retention_days     = var.log_retention_days
  tags                   = local.tags

  environment = merge(
    {
      NGP_SNAPSHOT_BUCKET  = module.bucket.id
      NGP_SNAPSHOT_PREFIX  = var.snapshot_prefix
      NGP_SNAPSHOT_CLUSTER = module.label.id
      NGP_MARATHON_URL     = var.marathon_url
      NGP_TIMEOUT_SECONDS  = "25"
    },
    local.login == null ? {} : {
      NGP_MARATHON_LOGIN_URL       = local.login.url
      NGP_MARATHON_UID             = local.login.uid
      NGP_MARATHON_PASSWORD_SECRET = local.login.password_secret_arn
    },
  )
}

# The function's own permissions; the shared submodule adds its logs, its network interfaces and X-Ray.
data "aws_iam_policy_document" "function" {
  statement {
    sid       = "ListItsSnapshots"
    actions   = ["s3:ListBucket"]
    resources = [module.bucket.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.snapshot_prefix}/*"]
    }
  }

  statement {
    sid       = "ReadAndWriteItsSnapshots"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${module.bucket.arn}/${var.snapshot_prefix}/*"]
  }

  # The lock that keeps a snapshot and a restore from overlapping: an object the function creates only if absent,
  # and deletes when done.
  statement {
    sid       = "GiveBackItsLock"
    actions   = ["s3:DeleteObject"]
    resources = ["${module.bucket.arn}/${var.snapshot_prefix}/${module.label.id}/.lock"]
  }

  statement {
    sid       = "UseThePlatformKeyThroughItsServices"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [for service in ["s3", "secretsmanager", "sqs", "lambda"] : "${service}.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "ItsDeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dead_letters.arn]
  }

  dynamic "statement" {
    for_each = local.login == null ? [] : [local.login.password_secret_arn]
    content {
      sid       = "ReadDcosPassword"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [statement.value]
    }
  }
}

resource "aws_sqs_queue" "dead_letters" {
  name                      = format(local.name, "marathon-snapshot-failed")
  kms_master_key_id         = var.kms_key_arn
  message_retention_seconds = 1209600
  tags                      = local.tags
}

# The state of earlier versions, where the function's pieces were written out here.
moved {
  from = aws_security_group.function
  to   = module.function.aws_security_group.function
}

moved {
  from = aws_security_group_rule.function_to_admin_router
  to   = module.function.aws_security_group_rule.out["load balancer of Admin Router: Marathon"]
}

moved {
  from = aws_security_group_rule.function_to_secrets[0]
  to   = module.function.aws_security_group_rule.to_secrets_endpoint["secrets"]
}

moved {
  from = aws_vpc_security_group_egress_rule.function_s3
  to   = module.function.aws_vpc_security_group_egress_rule.prefix_list["S3 through the gateway endpoint: the snapshots"]
}

moved {
  from = aws_security_group.secrets_endpoint[0]
  to   = module.function.aws_security_group.secrets_endpoint["secrets"]
}

moved {
  from = aws_security_group_rule.secrets_endpoint_in[0]
  to   = module.function.aws_security_group_rule.secrets_endpoint_in["secrets"]
}

moved {
  from = aws_vpc_endpoint.secrets[0]
  to   = module.function.aws_vpc_endpoint.secrets["secrets"]
}

moved {
  from = aws_iam_role.function
  to   = module.function.aws_iam_role.function
}

moved {
  from = aws_iam_role_policy.function
  to   = module.function.aws_iam_role_policy.function
}

moved {
  from = aws_cloudwatch_log_group.function
  to   = module.function.aws_cloudwatch_log_group.function
}

moved {
  from = aws_lambda_function.snapshot
  to   = module.function.aws_lambda_function.function
}

################################################################################
# The schedule
################################################################################

resource "aws_cloudwatch_event_rule" "schedule" {
  name                = format(local.name, "marathon-snapshot")
  description         = "Takes a Marathon snapshot of ${module.label.id}"
  schedule_expression = var.snapshot_schedule
  tags                = local.tags
}

resource "aws_cloudwatch_event_target" "schedule" {
  rule = aws_cloudwatch_event_rule.schedule.name
  arn  = module.function.function_arn
}

resource "aws_lambda_permission" "schedule" {
  statement_id   = "TakeOnSchedule"
  action         = "lambda:InvokeFunction"
  function_name  = module.function.function_name
  principal      = "events.amazonaws.com"
  source_arn     = aws_cloudwatch_event_rule.schedule.arn
  source_account = local.account_id
}

################################################################################
# The restore API: POST /restore, AWS_IAM, this account only (and its VPC endpoint when given)
################################################################################

resource "aws_api_gateway_rest_api" "restore" {
  name        = format(local.name, "marathon-restore")
  description = "Restores a Marathon snapshot of ${module.label.id}: POST /restore, signed with IAM credentials of this account"
  tags        = local.tags

  endpoint_configuration {
    types            = [var.restore_vpc_endpoint_id == null ? "REGIONAL" : "PRIVATE"]
    vpc_endpoint_ids = var.restore_vpc_endpoint_id == null ? null : [var.restore_vpc_endpoint_id]
  }

  lifecycle {
    create_before_destroy = true
  }
}

data "aws_iam_policy_document" "restore_api" {
  statement {
    sid       = "ThisAccountRestores"
    actions   = ["execute-api:Invoke"]
    resources = ["${aws_api_gateway_rest_api.restore.execution_arn}/*/POST/restore"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "NoOtherAccount"
    effect    = "Deny"
    actions   = ["execute-api:Invoke"]
    resources = ["${aws_api_gateway_rest_api.restore.execution_arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "StringNotEquals"
      variable = "aws:PrincipalAccount"
      values   = [local.account_id]
    }
  }

  dynamic "statement" {
    for_each = var.restore_vpc_endpoint_id == null ? [] : [var.restore_vpc_endpoint_id]
    content {
      sid       = "OnlyThroughTheEndpoint"
      effect    = "Deny"
      actions   = ["execute-api:Invoke"]
      resources = ["${aws_api_gateway_rest_api.restore.execution_arn}/*"]

      principals {
        type        = "*"
        identifiers = ["*"]
      }

      condition {
        test     = "StringNotEquals"
        variable = "aws:SourceVpce"
        values   = [statement.value]
      }
    }
  }
}

resource "aws_api_gateway_rest_api_policy" "restore" {
  rest_api_id = aws_api_gateway_rest_api.restore.id
  policy      = data.aws_iam_policy_document.restore_api.json
}

resource "aws_api_gateway_resource" "restore" {
  rest_api_id = aws_api_gateway_rest_api.restore.id
  parent_id   = aws_api_gateway_rest_api.restore.root_resource_id
  path_part   = "restore"
}

# The body's schema: API Gateway refuses anything else before the function runs (which checks it again).
resource "aws_api_gateway_model" "restore" {
  rest_api_id  = aws_api_gateway_rest_api.restore.id
  name         = "RestoreRequest"
  description  = "Which snapshot, which subtree, and how"
  content_type = "application/json"
  schema = jsonencode({
    "$schema"            = "http://json-schema.org/draft-04/schema#"
    type                 = "object"
    additionalProperties = false
    properties = {
      id     = { type = "string", pattern = "^(latest|[0-9]{8}T[0-9]{6}\\.[0-9]{3}Z)$" }
      only   = { type = "string", pattern = "^/" }
      prune  = { type = "boolean" }
      dryRun = { type = "boolean" }
      force  = { type = "boolean" }
    }
  })
}

resource "aws_api_gateway_request_validator" "restore" {
  rest_api_id           = aws_api_gateway_rest_api.restore.id
  name                  = "body"
  validate_request_body = true
}

resource "aws_api_gateway_method" "restore" {
  rest_api_id          = aws_api_gateway_rest_api.restore.id
  resource_id          = aws_api_gateway_resource.restore.id
  http_method          = "POST"
  authorization        = "AWS_IAM"
  request_validator_id = aws_api_gateway_request_validator.restore.id
  request_models       = { "application/json" = aws_api_gateway_model.restore.name }
}

resource "aws_api_gateway_integration" "restore" {
  rest_api_id             = aws_api_gateway_rest_api.restore.id
  resource_id             = aws_api_gateway_resource.restore.id
  http_method             = aws_api_gateway_method.restore.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = module.function.invoke_arn
}

resource "aws_lambda_permission" "restore" {
  statement_id   = "RestoreThroughTheApi"
  action         = "lambda:InvokeFunction"
  function_name  = module.function.function_name
  principal      = "apigateway.amazonaws.com"
  source_arn     = "${aws_api_gateway_rest_api.restore.execution_arn}/*/POST/restore"
  source_account = local.account_id
}

# A new deployment whenever what it serves changes, made before the old one goes: never an in-place update.
resource "aws_api_gateway_deployment" "restore" {
  rest_api_id = aws_api_gateway_rest_api.restore.id
  description = "POST /restore"

  # What the deployment serves, in configured values only (no attribute the API computes).
  triggers = {
    served = sha256(jsonencode([
      aws_api_gateway_resource.restore.path_part,
      aws_api_gateway_method.restore.authorization,
      aws_api_gateway_method.restore.request_validator_id,
      aws_api_gateway_method.restore.request_models,
      aws_api_gateway_integration.restore.type,
      aws_api_gateway_integration.restore.uri,
      aws_api_gateway_model.restore.schema,
      aws_api_gateway_rest_api_policy.restore.policy,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "restore_api" {
  name              = "/ngp/${module.label.id}/marathon-restore-api"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = local.tags
}

resource "aws_api_gateway_stage" "restore" {
  # checkov:skip=CKV_AWS_120: a restore changes Marathon, so no answer may ever come from a cache.
  # checkov:skip=CKV2_AWS_51: the integration is a Lambda proxy, which API Gateway invokes through Lambda's API, not over HTTPS to a backend that could check a client certificate.
  rest_api_id          = aws_api_gateway_rest_api.restore.id
  deployment_id        = aws_api_gateway_deployment.restore.id
  stage_name           = local.stage_name
  description          = "The restore API"
  xray_tracing_enabled = true
  tags                 = local.tags

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.restore_api.arn
    format = jsonencode({
      requestId = "$context.requestId"
      time      = "$context.requestTime"
      caller    = "$context.identity.userArn"
      account   = "$context.identity.accountId"
      sourceIp  = "$context.identity.sourceIp"
      vpce      = "$context.identity.vpceId"
      method    = "$context.httpMethod"
      path      = "$context.path"
      status    = "$context.status"
      error     = "$context.error.message"
    })
  }

  depends_on = [aws_api_gateway_account.logging]
}

# Execution logs: errors only, never bodies (a restore's body names snapshots, and its answers list apps). API
# Gateway writes them to a group it names after the API and the stage; made here first, it is encrypted and kept
# for the retention instead of forever. Throttling: a restore is a rare, heavy act.
resource "aws_cloudwatch_log_group" "restore_execution" {
  name              = "API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.restore.id}/${local.stage_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = local.tags
}

resource "aws_api_gateway_method_settings" "restore" {
  # checkov:skip=CKV_AWS_225: a restore changes Marathon, so no answer may ever come from a cache; the stage has no cache cluster.
  rest_api_id = aws_api_gateway_rest_api.restore.id
  stage_name  = aws_api_gateway_stage.restore.stage_name
  method_path = "*/*"

  settings {
    logging_level          = "ERROR"
    data_trace_enabled     = false
    metrics_enabled        = true
    throttling_rate_limit  = 1
    throttling_burst_limit = 5
  }

  depends_on = [aws_cloudwatch_log_group.restore_execution]
}

# A regional API is public: WAF's managed rules and a rate limit meet every request before IAM's check does. A
# private API answers through its VPC endpoint alone and needs none.
module "web_acl" {
  source = "../.shared/web-acl"
  count  = var.restore_vpc_endpoint_id == null ? 1 : 0

  name               = format(local.name, "marathon-restore")
  description        = "The Marathon restore API"
  kms_key_arn        = var.kms_key_arn
  rate_limit         = 100
  log_retention_days = var.log_retention_days
  tags               = local.tags
}

resource "aws_wafv2_web_acl_association" "restore" {
  count = var.restore_vpc_endpoint_id == null ? 1 : 0

  resource_arn = aws_api_gateway_stage.restore.arn
  web_acl_arn  = module.web_acl[0].arn
}

# API Gateway writes any API's logs with one role per account and region.
data "aws_iam_policy_document" "assume_api_gateway" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "api_gateway_logging" {
  count = var.api_gateway_logging_role ? 1 : 0

  name               = format(local.name, "apigateway-logs")
  description        = "API Gateway's CloudWatch Logs role for this account and region (set by ${module.label.id}'s marathon-snapshot module)"
  assume_role_policy = data.aws_iam_policy_document.assume_api_gateway.json
  tags               = local.tags
}

# AWS's managed policy for exactly this role: the role serves every API of the account in the region, whose log
# groups this module cannot name.
resource "aws_iam_role_policy_attachment" "api_gateway_logging" {
  count = var.api_gateway_logging_role ? 1 : 0

  role       = aws_iam_role.api_gateway_logging[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "logging" {
  count = var.api_gateway_logging_role ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.api_gateway_logging[0].arn
  depends_on          = [aws_iam_role_policy_attachment.api_gateway_logging]
}

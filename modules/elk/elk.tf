# elk: the cluster's logs in OpenSearch. An OpenSearch domain in the private subnets (HTTPS only, encrypted at
# rest and node to node, fine-grained access control with a generated master user); Logstash as a Marathon app
# on the private agents, which signs its requests with their role (aws_iam); Filebeat once per agent, shipping
# the Mesos sandboxes, the Mesos logs and the DC/OS units' journal to Logstash. Filebeat 8 cannot write to AWS
# OpenSearch itself, hence Logstash between them.
#
# Trade-offs: Logstash runs on the private agents' host network, because hop limit 1 keeps bridge-networked
# containers from the instance role it signs with; Filebeat runs bridged and needs no AWS credentials.
# Dashboards is reached through the VPN and logs in with the master user (or users it creates); the domain's
# policy lets unsigned requests reach only the Dashboards paths, inside the VPC, behind the login.
# Fine-grained access control knows Logstash's IAM role only through a role mapping kept in the domain: a Lambda
# in the VPC (crates/search-roles) writes it during the apply, as the master user (docs/real-aws.md, row 1).
# Filebeat reads the hosts' journal with its image's journalctl, which must understand the journal files of the
# nodes' systemd: keep filebeat_image no older than the nodes' OS, or the DC/OS units' logs are not shipped.

# ngp reads this block; Terraform ignores it.
locals {
  ngp_module = {
    description     = "Logs: OpenSearch in the VPC, Logstash (aws_iam signing) and Filebeat on every agent"
    default_enabled = true
    headline        = ["dashboards_url"]
    inputs_from     = {}
    builds          = [{ input = "security_roles_lambda_zip", package = "ngp-search-roles", binary = "bootstrap", zip = true }]
    local_mode_inputs = {
      opensearch_security_roles_on_apply   = false # moto runs no Lambda without Docker
      opensearch_timeouts                  = "5s"  # the provider otherwise waits 10 minutes each way (emulator-notes.md)
      opensearch_instance_count            = 1
      opensearch_dedicated_masters_enabled = false
    }
  }
}

module "label" {
  source  = "../.shared/label"
  context = var.context
}

locals {
  name = module.label.name_format
  tags = module.label.tags

  # OpenSearch domain names: 3-28 lower-case characters.
  domain_name = substr(format(local.name, "logs"), 0, 28)
  domain_arn  = "arn:${data.aws_partition.current.partition}:es:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:domain/${local.domain_name}"
  # Logstash signs with the private agents' role, where it runs.
  logstash_role_arn = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/${var.node_role_names["private_agent"]}"
  # The DC/OS named VIP Filebeat sends to: <name>.marathon.l4lb.thisdcos.directory.
  logstash_vip = "ngp-logstash"
}

data "aws_region" "current" {}

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

################################################################################
# The search domain
################################################################################

module "master_password" {
  source = "../.shared/generated-secret"

  name_prefix = format(local.name, "opensearch-master")
  description = "Password of the OpenSearch master user of ${module.label.id}"
  kms_key_arn = var.kms_key_arn
  length      = 32
  tags        = local.tags
}

# The service-linked role OpenSearch needs to place a domain in a VPC. AWS creates it the first time the console
# makes a VPC domain, but CreateDomain through the API fails until it exists: in an account that never had one, set
# create_opensearch_service_linked_role = true (moto does not check).
resource "aws_iam_service_linked_role" "opensearch" {
  count = var.create_opensearch_service_linked_role ? 1 : 0

  aws_service_name = "opensearchservice.amazonaws.com"
  description      = "Amazon OpenSearch Service, for the ${module.label.id} platform's log domain"
}

resource "aws_security_group" "opensearch" {
  name        = format(local.name, "opensearch")
  description = "OpenSearch: HTTPS from the cluster, the VPN and the manager only"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = format(local.name, "opensearch") })

  lifecycle {
    create_before_destroy = true
  }
}

locals {
  opensearch_sources = merge(
    { cluster = var.agent_security_group_id, manager = var.management_security_group_id },
    var.vpn_enabled ? { vpn = var.vpn_security_group_id } : {},
  )
}

# aws_security_group_rule, not the newer rule resources: see the dcos module on moto's referenced group ids.
resource "aws_security_group_rule" "opensearch_https" {
  for_each = local.opensearch_sources

  type                     = "ingress"
  security_group_id        = aws_security_group.opensearch.id
  description              = "HTTPS from the ${each.key}"
  protocol                 = "tcp"
  from_port                = 443
  to_port                  = 443
  source_security_group_id = each.value
}

resource "aws_opensearch_domain" "logs" {
  domain_name    = local.domain_name
  engine_version = var.opensearch_engine_version

  cluster_config {
    instance_type          = var.opensearch_instance_type
    instance_count         = var.opensearch_instance_count
    zone_awareness_enabled = var.opensearch_instance_count > 1

    # Dedicated masters keep the cluster's state apart from the data nodes' load.
    dedicated_master_enabled = var.opensearch_dedicated_masters_enabled
    dedicated_master_count   = var.opensearch_dedicated_masters_enabled ? var.opensearch_dedicated_masters : null
    dedicated_master_type    = var.opensearch_dedicated_masters_enabled ? var.opensearch_master_instance_type : null

    dynamic "zone_awareness_config" {
      for_each = var.opensearch_instance_count > 1 ? [1] : []
      content {
        availability_zone_count = 2
      }
    }
  }

  ebs_options {
    ebs_enabled = true
    volume_type = "gp3"
    volume_size = var.opensearch_volume_size
  }

  vpc_options {
    subnet_ids         = slice(var.private_subnet_ids, 0, var.opensearch_instance_count > 1 ? 2 : 1)
    security_group_ids = [aws_security_group.opensearch.id]
  }

  encrypt_at_rest {
    enabled    = true
    kms_key_id = var.kms_key_arn
  }

  node_to_node_encryption {
    enabled = true
  }

  domain_endpoint_options {
    enforce_https       = true
    tls_security_policy = "Policy-Min-TLS-1-2-2019-07"
  }

  advanced_security_options {
    enabled                        = true
    anonymous_auth_enabled         = false
    internal_user_database_enabled = true

    master_user_options {
      master_user_name     = var.opensearch_master_user
      master_user_password = module.master_password.value
    }
  }

  # The domain's errors, and who did what (audit logs need fine-grained access control, which is on).
  log_publishing_options {
    cloudwatch_log_group_arn = aws_cloudwatch_log_group.opensearch.arn
    log_type                 = "ES_APPLICATION_LOGS"
    enabled                  = true
  }

  log_publishing_options {
    cloudwatch_log_group_arn = aws_cloudwatch_log_group.opensearch.arn
    log_type                 = "AUDIT_LOGS"
    enabled                  = true
  }

  # On the domain, not as an aws_opensearch_domain_policy: the same policy without its fixed 60 s each way.
  access_policies = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "LogstashWritesWithItsRole"
        Effect    = "Allow"
        Principal = { AWS = local.logstash_role_arn }
        Action    = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut"]
        Resource  = "${local.domain_arn}/*"
      },
      {
        # Browsers cannot sign: Dashboards' own paths take unsigned requests, which fine-grained access control
        # then authenticates. The domain is in the VPC, behind its security group: never open to the world.
        Sid       = "DashboardsBehindItsLogin"
        Effect    = "Allow"
        Principal = { AWS = "*" }
        Action    = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut"]
        Resource  = "${local.domain_arn}/_dashboards*"
      },
      {
        # The roles function calls the security plugin's REST API unsigned, as the master user, which fine-grained
        # access control authenticates: without this, the access policy would refuse it before the plugin sees it.
        Sid       = "SecurityApiBehindTheMasterLogin"
        Effect    = "Allow"
        Principal = { AWS = "*" }
        Action    = ["es:ESHttpGet", "es:ESHttpPut"]
        Resource  = "${local.domain_arn}/_plugins/_security/api/*"
      },
    ]
  })

  timeouts {
    create = var.opensearch_timeouts
    update = var.opensearch_timeouts
    delete = var.opensearch_timeouts
  }

  tags = merge(local.tags, { Name = local.domain_name })

  depends_on = [aws_iam_service_linked_role.opensearch]
}

resource "aws_cloudwatch_log_group" "opensearch" {
  name              = "/ngp/${module.label.id}/opensearch"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = local.tags
}

data "aws_iam_policy_document" "opensearch_logs" {
  statement {
    sid       = "OpenSearchWritesItsLogs"
    actions   = ["logs:PutLogEvents", "logs:CreateLogStream"]
    resources = ["${aws_cloudwatch_log_group.opensearch.arn}:*"]

    principals {
      type        = "Service"
      identifiers = ["es.amazonaws.com"]
    }
  }
}

resource "aws_cloudwatch_log_resource_policy" "opensearch" {
  policy_name     = format(local.name, "opensearch-logs")
  policy_document = data.aws_iam_policy_document.opensearch_logs.json
}

################################################################################
# IAM: the private agents (where Logstash runs) may write to the domain, and nothing more
################################################################################

data "aws_iam_policy_document" "logstash" {
  statement {
    sid       = "WriteTheLogs"
    actions   = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut"]
    resources = ["${local.domain_arn}/*"]
  }
}

resource "aws_iam_role_policy" "logstash" {
  name   = "elk-logstash"
  role   = var.node_role_names["private_agent"]
  policy = data.aws_iam_policy_document.logstash.json
}

################################################################################
# The apps, as data
################################################################################

locals {
  logstash_pipeline = <<-EOT
    input { beats { port => 5044 } }
    output {
      opensearch {
        hosts => ["https://${aws_opensearch_domain.logs.endpoint}:443"]
        index => "${trimsuffix(local.logs_index_pattern, "*")}%%{+YYYY.MM.dd}"
        ecs_compatibility => disabled
        auth_type => { type => "aws_iam" region => "${data.aws_region.current.name}" service_name => "es" }
      }
    }
  EOT

  # Each filestream input has its own id, which must never change (a new id ships the files again).
  filebeat_config = {
    "filebeat.inputs" = [
      {
        type = "filestream"
        id   = "ngp-mesos-sandboxes"
        # runs/latest is Mesos's link to a task's current run; following it ships each file once.
        paths = [
          "${var.mesos_work_dir}/slaves/*/frameworks/*/executors/*/runs/latest/stdout",
          "${var.mesos_work_dir}/slaves/*/frameworks/*/executors/*/runs/latest/stderr",
        ]
        "prospector.scanner.symlinks" = true
        fields                        = { ngp_source = "sandbox" }
      },
      {
        type   = "filestream"
        id     = "ngp-mesos-logs"
        paths  = ["/var/log/mesos/*.log"]
        fields = { ngp_source = "mesos" }
      },
      {
        type = "journald"
        id   = "ngp-dcos-units"
        # The host's journal, named outright: the container's own machine id is not the host's.
        paths = ["/var/log/journal"]
        include_matches = {
          match = [for unit in var.journald_units : "_SYSTEMD_UNIT=${unit}.service"]
        }
        fields = { ngp_source = "journald" }
      },
    ]
    "output.logstash" = { hosts = ["${local.logstash_vip}.marathon.l4lb.thisdcos.directory:5044"] }
    "http.enabled"    = true
    "http.host"       = "0.0.0.0"
    "http.port"       = 5066
  }

  filebeat = {
    cpus = 0.2
    mem  = 256
    container = {
      type = "DOCKER"
      docker = {
        image = var.filebeat_image
        # Root inside the container, to read the root-owned sandboxes and journal it mounts read-only.
        parameters = [{ key = "user", value = "root" }]
      }
      portMappings = [{ containerPort = 5066, hostPort = 0, protocol = "tcp", name = "http" }]
      volumes = [
        { containerPath = var.mesos_work_dir, hostPath = var.mesos_work_dir, mode = "RO" },
        { containerPath = "/var/log/mesos", hostPath = "/var/log/mesos", mode = "RO" },
        { containerPath = "/var/log/journal", hostPath = "/var/log/journal", mode = "RO" },
        # journalctl finds the host's journal files by the host's machine id.
        { containerPath = "/etc/machine-id", hostPath = "/etc/machine-id", mode = "RO" },
        # Filebeat's registry stays on the host, so a restart does not ship everything again.
        { containerPath = "/usr/share/filebeat/data", hostPath = "/var/lib/ngp/filebeat", mode = "RW" },
      ]
    }
    # Bridged: Filebeat needs no AWS credentials, and hop limit 1 keeps it from the node's role.
    networks = [{ mode = "container/bridge" }]
    # The configuration is data, passed as a value and written where Filebeat reads it.
    env = { NGP_FILEBEAT_CONFIG = yamlencode(local.filebeat_config) }
    cmd = "printf '%s' \"$NGP_FILEBEAT_CONFIG\" > /tmp/filebeat.yml && exec filebeat -e --strict.perms=false -c /tmp/filebeat.yml"
    healthChecks = [
      { protocol = "MESOS_HTTP", path = "/", portIndex = 0, gracePeriodSeconds = 60, intervalSeconds = 30 }
    ]
  }

  marathon_apps = [
    {
      id        = "logstash"
      instances = var.logstash_instances
      cpus      = 1
      mem       = 2048
      container = {
        type   = "DOCKER"
        docker = { image = var.logstash_image }
      }
      # The host network: Logstash signs with the private agents' role, which hop limit 1 keeps from bridged
      # containers.
      networks = [{ mode = "host" }]
      portDefinitions = [
        { port = 5044, protocol = "tcp", name = "beats", labels = { VIP_0 = "/${local.logstash_vip}:5044" } },
        { port = 9600, protocol = "tcp", name = "monitoring" },
      ]
      requirePorts = true
      args         = ["-e", local.logstash_pipeline]
      env          = { LS_JAVA_OPTS = "-Xms1g -Xmx1g" }
      constraints  = [["hostname", "UNIQUE"]]
      healthChecks = [
        { protocol = "MESOS_HTTP", path = "/", portIndex = 1, gracePeriodSeconds = 180, intervalSeconds = 30 }
      ]
    },
    merge(local.filebeat, { id = "filebeat-private", labels = { NGP_PER_AGENT = "private" } }),
    merge(local.filebeat, { id = "filebeat-public", labels = { NGP_PER_AGENT = "public" } }),
  ]
}

################################################################################
# Fine-grained access control: Logstash's role mapped to an OpenSearch role, from inside the VPC
################################################################################

# With the internal user database, the domain knows an IAM principal only once a role mapping names it: without
# one, every _bulk that Logstash signs answers 403. Mappings live in the domain, behind the security plugin's REST
# API, which only a client inside the VPC reaches: a Lambda (crates/search-roles) writes them as the master user,
# invoked by Terraform once per change. Logstash gets the rights to write its own indices and templates, nothing
# else.
locals {
  security_roles = {
    ngp_logstash = {
      role = {
        cluster_permissions = ["cluster_monitor", "cluster_composite_ops", "indices:admin/template/*", "indices:admin/index_template/*"]
        index_permissions = [{
          index_patterns  = [local.logs_index_pattern]
          allowed_actions = ["crud", "create_index", "indices:admin/mapping/put"]
        }]
      }
      backend_roles = [local.logstash_role_arn]
    }
  }
  logs_index_pattern = "ngp-logs-*"
  security_function  = format(local.name, "opensearch-roles")
}

module "security_roles_function" {
  source = "../.shared/vpc-lambda"

  name                       = local.security_function
  description                = "Maps IAM roles to OpenSearch roles in ${local.domain_name} (fine-grained access control)"
  security_group_description = "The OpenSearch roles Lambda: out to the domain and its Secrets Manager endpoint only; nothing in"
  vpc_id                     = var.vpc_id
  subnet_ids                 = var.private_subnet_ids
  zip                        = var.security_roles_lambda_zip
  egress_security_groups     = { domain = aws_security_group.opensearch.id }
  secrets_endpoint = {
    name        = format(local.name, "opensearch-secrets")
    description = "Secrets Manager endpoint of the OpenSearch roles Lambda: 443 from the Lambda only"
    subnet_ids  = slice(var.private_subnet_ids, 0, 1)
  }
  policy_json        = data.aws_iam_policy_document.security_function.json
  policy_name        = "opensearch-roles"
  kms_key_arn        = var.kms_key_arn
  log_retention_days = var.log_retention_days
  tags               = local.tags

  environment = {
    NGP_OPENSEARCH_URL         = "https://${aws_opensearch_domain.logs.endpoint}"
    NGP_MASTER_USER            = var.opensearch_master_user
    NGP_MASTER_PASSWORD_SECRET = module.master_password.arn
    NGP_SECURITY_ROLES         = jsonencode(local.security_roles)
  }
}

resource "aws_security_group_rule" "opensearch_from_security_function" {
  type                     = "ingress"
  security_group_id        = aws_security_group.opensearch.id
  description              = "HTTPS from the OpenSearch roles Lambda"
  protocol                 = "tcp"
  from_port                = 443
  to_port                  = 443
  source_security_group_id = module.security_roles_function.security_group_id
}

# The function's own permissions; the shared submodule adds its logs, its network interfaces and X-Ray.
data "aws_iam_policy_document" "security_function" {
  statement {
    sid       = "ReadTheMasterPassword"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [module.master_password.arn]
  }

  statement {
    sid       = "DecryptItThroughSecretsManager"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${data.aws_region.current.name}.amazonaws.com", "lambda.${data.aws_region.current.name}.amazonaws.com"]
    }
  }
}

# The state of earlier versions, where these were written out here.
moved {
  from = aws_security_group.security_function
  to   = module.security_roles_function.aws_security_group.function
}

moved {
  from = aws_security_group_rule.security_function_out["domain"]
  to   = module.security_roles_function.aws_security_group_rule.out["domain"]
}

moved {
  from = aws_security_group_rule.security_function_out["secrets"]
  to   = module.security_roles_function.aws_security_group_rule.to_secrets_endpoint["secrets"]
}

moved {
  from = aws_security_group.secrets_endpoint
  to   = module.security_roles_function.aws_security_group.secrets_endpoint["secrets"]
}

moved {
  from = aws_security_group_rule.secrets_endpoint_in
  to   = module.security_roles_function.aws_security_group_rule.secrets_endpoint_in["secrets"]
}

moved {
  from = aws_vpc_endpoint.secrets
  to   = module.security_roles_function.aws_vpc_endpoint.secrets["secrets"]
}

moved {
  from = aws_iam_role.security_function
  to   = module.security_roles_function.aws_iam_role.function
}

moved {
  from = aws_iam_role_policy.security_function
  to   = module.security_roles_function.aws_iam_role_policy.function
}

moved {
  from = aws_cloudwatch_log_group.security_function
  to   = module.security_roles_function.aws_cloudwatch_log_group.function
}

moved {
  from = aws_lambda_function.security_roles
  to   = module.security_roles_function.aws_lambda_function.function
}

# Runs the function whenever the roles, the domain or the function change. moto cannot run a Lambda without
# Docker, so local mode creates the function but does not invoke it (local_mode_inputs).
resource "aws_lambda_invocation" "security_roles" {
  count = var.opensearch_security_roles_on_apply ? 1 : 0

  function_name = module.security_roles_function.function_name
  input         = jsonencode({ roles = local.security_roles, domain = aws_opensearch_domain.logs.arn })

  triggers = {
    function = module.security_roles_function.source_code_hash
  }
}

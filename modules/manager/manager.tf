# manager: the VPC every other module builds in, its management subnet and the (optional) manager node.
#
# The original IaC-manager wrote its ids to ~/terraform.out for the next step to read; here they are plain
# module outputs that ngp wires into every module that declares an input of the same name.
#
# Trade-offs: the manager node is reached with Session Manager; SSH stays closed unless admin_ssh = true. The
# platform key names EC2 Auto Scaling's service-linked role, which must exist first: in an account that never
# used Auto Scaling set create_autoscaling_service_linked_role = true.

# ngp reads this block to learn about the module; Terraform ignores it.
locals {
  ngp_module = {
    description     = "VPC, management subnet, internet gateway, management security group and the manager node"
    default_enabled = true
    # input name => module that provides it, for inputs that several enabled modules output.
    inputs_from = {}
    # Values ngp uses in local mode (below the user's own tfvars): emulator gaps, see emulator-notes.md.
    local_mode_inputs = {
      manager_detailed_monitoring = false      # moto does not implement MonitorInstances
      manager_public_ip           = false      # moto drops the security groups of an instance launched with a public IP
      domain                      = "ngp.test" # a zone of its own in the emulator, so the Route53 records are exercised
      create_dns_zone             = true
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

  discovered_zones       = slice(data.aws_availability_zones.available.names, 0, min(var.availability_zone_count, length(data.aws_availability_zones.available.names)))
  availability_zones     = coalesce(var.availability_zone_names, local.discovered_zones)
  management_subnet_cidr = coalesce(var.management_subnet_cidr, cidrsubnet(var.vpc_cidr, 24 - tonumber(split("/", var.vpc_cidr)[1]), 0))
  manager_ami_id         = var.manager_ami_id != null ? var.manager_ami_id : one(data.aws_ami.manager[*].id)
}

data "aws_availability_zones" "available" {
  # checkov:skip=CKV_AWS_394: only the first availability_zone_count zones by name are used, so a zone AWS adds later does not change the set; availability_zone_names pins the zones explicitly.
  state = "available"
}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

################################################################################
# Network
################################################################################

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(local.tags, { Name = format(local.name, "vpc") })
}

# The default security group of a new VPC allows all traffic between its members; take every rule away.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, { Name = format(local.name, "default-deny") })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, { Name = format(local.name, "igw") })
}

resource "aws_subnet" "management" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = local.management_subnet_cidr
  availability_zone       = local.availability_zones[0]
  map_public_ip_on_launch = false

  tags = merge(local.tags, { Name = format(local.name, "management"), Tier = "management" })
}

resource "aws_route_table" "management" {
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, { Name = format(local.name, "management") })
}

resource "aws_route" "management_internet" {
  route_table_id         = aws_route_table.management.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "management" {
  subnet_id      = aws_subnet.management.id
  route_table_id = aws_route_table.management.id
}

resource "aws_security_group" "management" {
  name        = format(local.name, "management")
  description = "Management subnet: SSH from admin_cidrs only"
  vpc_id      = aws_vpc.this.id

  tags = merge(local.tags, { Name = format(local.name, "management") })

  lifecycle {
    create_before_destroy = true
  }
}

# SSH is closed unless asked for: Session Manager (below) is the way in, with IAM and an audit trail.
resource "aws_vpc_security_group_ingress_rule" "management_ssh" {
  for_each = var.admin_ssh ? toset(var.admin_cidrs) : toset([])

  security_group_id = aws_security_group.management.id
  description       = "SSH from admin network ${each.value}"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = each.value

  tags = local.tags
}

resource "aws_vpc_security_group_egress_rule" "management_https" {
  security_group_id = aws_security_group.management.id
  description       = "HTTPS out: AWS APIs and package mirrors"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"

  tags = local.tags
}

resource "aws_vpc_security_group_egress_rule" "management_http" {
  security_group_id = aws_security_group.management.id
  description       = "HTTP out: package mirrors that do not serve HTTPS"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"

  tags = local.tags
}

resource "aws_vpc_security_group_egress_rule" "management_vpc" {
  security_group_id = aws_security_group.management.id
  description       = "Everything inside the VPC: cluster nodes and internal load balancers"
  ip_protocol       = "-1"
  cidr_ipv4         = aws_vpc.this.cidr_block

  tags = local.tags
}

################################################################################
# DNS: an existing public zone for `domain`, or one created here
################################################################################

resource "aws_route53_zone" "this" {
  count = var.create_dns_zone ? 1 : 0

  # checkov:skip=CKV2_AWS_38: DNSSEC signing needs an asymmetric KMS key in us-east-1 and registrar changes; enable it on the zone when the domain is delegated.
  # checkov:skip=CKV2_AWS_39: query logging needs a log group in us-east-1; the platform logs its own traffic with VPC flow logs.
  name          = var.domain
  comment       = "NGP ${module.label.id}"
  force_destroy = false

  tags = local.tags
}

data "aws_route53_zone" "existing" {
  count = var.domain != null && !var.create_dns_zone ? 1 : 0

  name         = var.domain
  private_zone = false
}

locals {
  dns_zone_id = var.create_dns_zone ? one(aws_route53_zone.this[*].zone_id) : one(data.aws_route53_zone.existing[*].zone_id)
}

################################################################################
# The platform's KMS key: VPC flow logs, log groups and secrets
################################################################################

# The key policy, written on the key itself (a key policy is not an IAM identity policy: its Resource "*" means
# this key, and the account's own statement is AWS's default key policy).
locals {
  account_arn = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
  platform_key_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministersTheKey"
        Effect    = "Allow"
        Principal = { AWS = local.account_arn }
        Action    = "kms:*"
        Resource  = "*"
      },
      # EC2 Auto Scaling launches the cluster's nodes with EBS volumes encrypted by this key. Its service-linked
      # role needs these two statements, as the Auto Scaling guide's "Required AWS KMS key policy for use with
      # encrypted volumes" documents; without them no node of an autoscaling group ever starts.
      {
        Sid       = "AutoScalingUsesTheKeyForVolumes"
        Effect    = "Allow"
        Principal = { AWS = local.autoscaling_role_arn }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
      },
      {
        Sid       = "AutoScalingAttachesEncryptedVolumes"
        Effect    = "Allow"
        Principal = { AWS = local.autoscaling_role_arn }
        Action    = "kms:CreateGrant"
        Resource  = "*"
        Condition = { Bool = { "kms:GrantIsForAWSResource" = "true" } }
      },
      {
        Sid       = "CloudWatchLogsUsesTheKey"
        Effect    = "Allow"
        Principal = { Service = "logs.${data.aws_region.current.name}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = {
            # The platform's own groups, and those a service names: its Lambdas' (/aws/lambda/<name>), its web
            # ACLs' (WAF writes only to aws-waf-logs-*) and its REST APIs' execution logs, named after an API ID
            # that AWS draws, so the pattern covers this account's APIs in the region.
            "kms:EncryptionContext:aws:logs:arn" = [
              for group in [
                "/ngp/${module.label.id}/*",
                "/aws/lambda/${format(local.name, "*")}",
                "aws-waf-logs-${format(local.name, "*")}",
                "API-Gateway-Execution-Logs_*",
              ] :
              "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:${group}"
            ]
          }
        }
      },
    ]
  }
}

# The service-linked role EC2 Auto Scaling creates in an account the first time it is used. KMS refuses a key
# policy that names a role that does not exist, so in an account that never used Auto Scaling the module
# creates it (create_autoscaling_service_linked_role = true); elsewhere it names the existing one.
resource "aws_iam_service_linked_role" "autoscaling" {
  count = var.create_autoscaling_service_linked_role ? 1 : 0

  aws_service_name = "autoscaling.amazonaws.com"
  description      = "EC2 Auto Scaling, for the ${module.label.id} platform's node groups"
}

locals {
  autoscaling_role_arn = var.create_autoscaling_service_linked_role ? aws_iam_service_linked_role.autoscaling[0].arn : "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
}

resource "aws_kms_key" "platform" {
  description             = "Encrypts the ${module.label.id} platform's log groups and secrets"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  policy                  = jsonencode(local.platform_key_policy)

  tags = merge(local.tags, { Name = format(local.name, "platform") })
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  name              = "/ngp/${module.label.id}/vpc-flow-logs"
  retention_in_days = var.flow_log_retention_days
  kms_key_id        = aws_kms_key.platform.arn

  tags = local.tags
}

data "aws_iam_policy_document" "flow_logs_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "flow_logs" {
  name               = format(local.name, "flow-logs")
  description        = "Lets VPC flow logs write to their own log group"
  assume_role_policy = data.aws_iam_policy_document.flow_logs_assume.json

  tags = local.tags
}

data "aws_iam_policy_document" "flow_logs" {
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.flow_logs.arn}:*"]
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  name   = "write-flow-logs"
  role   = aws_iam_role.flow_logs.id
  policy = data.aws_iam_policy_document.flow_logs.json
}

resource "aws_flow_log" "this" {
  vpc_id               = aws_vpc.this.id
  traffic_type         = "ALL"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn         = aws_iam_role.flow_logs.arn

  tags = merge(local.tags, { Name = format(local.name, "flow-logs") })
}

################################################################################
# Manager node: IAM role, instance profile and instance
################################################################################

data "aws_iam_policy_document" "manager_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "manager" {
  name               = format(local.name, "manager")
  description        = "Manager node: write its own logs; nothing else"
  assume_role_policy = data.aws_iam_policy_document.manager_assume.json

  tags = local.tags
}

resource "aws_cloudwatch_log_group" "manager" {
  name              = "/ngp/${module.label.id}/manager"
  retention_in_days = var.flow_log_retention_days
  kms_key_id        = aws_kms_key.platform.arn

  tags = local.tags
}

data "aws_iam_policy_document" "manager" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.manager.arn}:*"]
  }

  # The SSM agent's own calls, which Session Manager needs and nothing more (no Run Command documents, no
  # parameters): it registers its instance, then opens the session channels (which take no resource).
  statement {
    sid       = "SessionManagerRegistersTheInstance"
    actions   = ["ssm:UpdateInstanceInformation"]
    resources = ["arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:instance/*"]
  }

  statement {
    sid = "SessionManagerChannels"
    actions = [
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "manager" {
  name   = "manager-least-privilege"
  role   = aws_iam_role.manager.id
  policy = data.aws_iam_policy_document.manager.json
}

resource "aws_iam_instance_profile" "manager" {
  name = format(local.name, "manager")
  role = aws_iam_role.manager.name

  tags = local.tags
}

data "aws_ami" "manager" {
  count = var.create_manager_node && var.manager_ami_id == null ? 1 : 0

  most_recent = true
  owners      = var.manager_ami_owners

  filter {
    name   = "name"
    values = [var.manager_ami_name_filter]
  }

  filter {
    name   = "state"
    values = ["available"]
  }
}

resource "aws_key_pair" "manager" {
  count = var.ssh_public_key != null ? 1 : 0

  key_name   = format(local.name, "manager")
  public_key = var.ssh_public_key

  tags = local.tags
}

resource "aws_instance" "manager" {
  count = var.create_manager_node ? 1 : 0

  # checkov:skip=CKV_AWS_88: the public IP lets the manager reach Session Manager without a NAT gateway; no port is open to it unless admin_ssh (then SSH from admin_cidrs only), and manager_public_ip = false turns it off.
  ami                         = local.manager_ami_id
  instance_type               = var.manager_instance_type
  subnet_id                   = aws_subnet.management.id
  vpc_security_group_ids      = [aws_security_group.management.id]
  iam_instance_profile        = aws_iam_instance_profile.manager.name
  key_name                    = one(aws_key_pair.manager[*].key_name)
  associate_public_ip_address = var.manager_public_ip ? true : null # null: the subnet decides (no public IP)
  monitoring                  = var.manager_detailed_monitoring
  ebs_optimized               = true

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  root_block_device {
    volume_type           = "gp3"
    volume_size           = var.manager_root_volume_size
    encrypted             = true
    delete_on_termination = true
  }

  tags        = merge(local.tags, { Name = format(local.name, "manager"), Role = "manager" })
  volume_tags = merge(local.tags, { Name = format(local.name, "manager") })

  lifecycle {
    ignore_changes = [ami]
  }
}

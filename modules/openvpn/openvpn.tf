# openvpn: an OpenVPN Access Server in the management subnet, behind an Elastic IP. VPN clients get a route
# to the VPC; the admin password is generated and kept in Secrets Manager, never defaulted.
#
# Trade-offs: the server configures itself at first boot with a script that reads the admin password from
# Secrets Manager (no password in user-data), so it needs outbound HTTPS to Secrets Manager. The admin UI is on
# 943 for admin_cidrs only; 443 serves the VPN and the client UI.

# ngp reads this block; Terraform ignores it.
locals {
  ngp_module = {
    description     = "OpenVPN Access Server in the management subnet, with a generated admin password"
    default_enabled = true
    headline        = ["vpn_connect_url", "vpn_admin_url", "vpn_admin_user"]
    inputs_from     = {}
    local_mode_inputs = {
      vpn_ami_owners          = ["137112412989"] # the emulator has no Marketplace images: Amazon Linux stands in
      vpn_ami_name_filter     = "al2023-ami-2023.*-x86_64"
      vpn_detailed_monitoring = false # moto does not implement MonitorInstances
      dns_records             = true
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

  hostname = var.dns_records ? "vpn.${var.domain}" : aws_eip.vpn.public_ip
}

################################################################################
# Admin password: generated once, kept in Secrets Manager
################################################################################

module "admin_password" {
  source = "../.shared/generated-secret"

  name_prefix = format(local.name, "vpn-admin")
  description = "Admin password of the ${module.label.id} OpenVPN Access Server (user ${var.vpn_admin_user})"
  kms_key_arn = var.kms_key_arn
  tags        = local.tags
}

################################################################################
# Security group: the VPN to everyone, its admin UI and SSH to admins only
################################################################################

resource "aws_security_group" "vpn" {
  name        = format(local.name, "vpn")
  description = "OpenVPN: 443/tcp and 1194/udp from anywhere; admin UI and SSH from admin_cidrs"
  vpc_id      = var.vpc_id

  tags = merge(local.tags, { Name = format(local.name, "vpn") })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "vpn_tcp" {
  security_group_id = aws_security_group.vpn.id
  description       = "OpenVPN over TCP and the client web UI, from anywhere"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
  tags              = local.tags
}

resource "aws_vpc_security_group_ingress_rule" "vpn_udp" {
  security_group_id = aws_security_group.vpn.id
  description       = "OpenVPN over UDP, from anywhere"
  ip_protocol       = "udp"
  from_port         = 1194
  to_port           = 1194
  cidr_ipv4         = "0.0.0.0/0"
  tags              = local.tags
}

resource "aws_vpc_security_group_ingress_rule" "vpn_admin" {
  for_each = { for pair in setproduct(var.admin_cidrs, [943, 22]) : "${pair[0]}:${pair[1]}" => pair }

  security_group_id = aws_security_group.vpn.id
  description       = "Port ${each.value[1]} from admin network ${each.value[0]}"
  ip_protocol       = "tcp"
  from_port         = each.value[1]
  to_port           = each.value[1]
  cidr_ipv4         = each.value[0]
  tags              = local.tags
}

resource "aws_vpc_security_group_egress_rule" "vpn_vpc" {
  security_group_id = aws_security_group.vpn.id
  description       = "VPN clients into the VPC"
  ip_protocol       = "-1"
  cidr_ipv4         = var.vpc_cidr
  tags              = local.tags
}

resource "aws_vpc_security_group_egress_rule" "vpn_https" {
  security_group_id = aws_security_group.vpn.id
  description       = "HTTPS out: updates and licensing"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
  tags              = local.tags
}

################################################################################
# IAM: read its own admin secret, nothing else
################################################################################

data "aws_region" "current" {}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "vpn" {
  name               = format(local.name, "vpn")
  description        = "OpenVPN server: reads its own admin secret"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = local.tags
}

data "aws_iam_policy_document" "vpn" {
  statement {
    sid       = "ReadOwnAdminSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [module.admin_password.arn]
  }

  statement {
    sid       = "DecryptOwnAdminSecret"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${data.aws_region.current.name}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "vpn" {
  name   = "vpn-least-privilege"
  role   = aws_iam_role.vpn.id
  policy = data.aws_iam_policy_document.vpn.json
}

resource "aws_iam_instance_profile" "vpn" {
  name = format(local.name, "vpn")
  role = aws_iam_role.vpn.name
  tags = local.tags
}

################################################################################
# The server
################################################################################

data "aws_ami" "vpn" {
  count = var.vpn_ami_id == null ? 1 : 0

  most_recent = true
  owners      = var.vpn_ami_owners

  filter {
    name   = "name"
    values = [var.vpn_ami_name_filter]
  }

  filter {
    name   = "state"
    values = ["available"]
  }
}

resource "aws_eip" "vpn" {
  domain = "vpc"
  tags   = merge(local.tags, { Name = format(local.name, "vpn") })
}

locals {
  # The Access Server image reads key=value pre-configuration from user-data on first boot.
  # A script, not the AMI's key=value settings: those would carry the admin password in user-data, readable
  # by anyone with ec2:DescribeInstanceAttribute and by every process on the host through IMDS.
  user_data = templatefile("${path.module}/scripts/vpn.sh.tftpl", {
    region           = data.aws_region.current.name
    admin_secret_arn = module.admin_password.arn
    admin_user       = var.vpn_admin_user
    hostname         = local.hostname
    vpc_cidr         = var.vpc_cidr
  })
}

resource "aws_instance" "vpn" {
  ami                    = coalesce(var.vpn_ami_id, one(data.aws_ami.vpn[*].id))
  instance_type          = var.vpn_instance_type
  subnet_id              = var.management_subnet_id
  vpc_security_group_ids = [aws_security_group.vpn.id]
  iam_instance_profile   = aws_iam_instance_profile.vpn.name
  source_dest_check      = false
  monitoring             = var.vpn_detailed_monitoring
  ebs_optimized          = true
  user_data_base64       = base64encode(local.user_data)

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type           = "gp3"
    volume_size           = var.vpn_root_volume_size
    encrypted             = true
    kms_key_id            = var.kms_key_arn
    delete_on_termination = true
  }

  tags        = merge(local.tags, { Name = format(local.name, "vpn"), Role = "vpn" })
  volume_tags = merge(local.tags, { Name = format(local.name, "vpn") })

  lifecycle {
    ignore_changes = [ami]
  }
}

resource "aws_eip_association" "vpn" {
  allocation_id = aws_eip.vpn.id
  instance_id   = aws_instance.vpn.id
}

resource "aws_route53_record" "vpn" {
  count = var.dns_records ? 1 : 0

  zone_id = var.dns_zone_id
  name    = "vpn.${var.domain}"
  type    = "A"
  ttl     = 300
  records = [aws_eip.vpn.public_ip]
}

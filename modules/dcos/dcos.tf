# dcos: a DC/OS cluster. Private subnets hold every node; public subnets the load balancers and NAT. The
# bootstrap node checks the pinned installer, generates genconf and publishes genconf/serve to the cluster's
# bucket; every other node installs itself from there (through an S3 gateway endpoint), so no node ever needs
# the bootstrap node again. Masters are found through the internal load balancer, with exhibitor state in S3.
#
# Trade-offs: admins reach the masters through Admin Router on 443 only, so Marathon, Mesos and ZooKeeper are
# not reachable from the VPN directly (use the DC/OS CLI or /service/marathon). The internal load balancer also
# carries 2181, 5050 and 8181, which the nodes find the masters through; its security group admits those from the
# cluster's nodes alone. Those three reach the masters from the load balancer's address (a master is a client of
# its own load balancer, and NLBs drop a connection routed back to its sender when the client's address is
# kept), so the masters' logs show the load balancer there; Admin Router sees the client. Nodes keep IMDSv2 with
# hop limit 1: a task on the host network still reaches the node's role, which holds only what the node needs.
# Admin Router's certificate is signed by the cluster's own CA, which ngp and the snapshot Lambda do not trust
# (they check against the public web roots). With dns_records, dcos_url is https://dcos.<domain>, an internal
# ALB with an ACM certificate (or dcos_certificate_arn) that re-encrypts to Admin Router; it does not check Admin
# Router's certificate, which is what the traffic between them inside the VPC rests on. Without dns_records,
# dcos_url is the masters' NLB, and a client must trust the cluster's CA itself. The public agents' load
# balancer passes TCP through and holds no certificate: 443 is TLS only if the app there speaks it, and 80 and
# public_agent_extra_ports carry plaintext, for apps that serve HTTP.

# ngp reads this block; Terraform ignores it.
locals {
  ngp_module = {
    description     = "DC/OS cluster: private/public subnets, NAT, masters and agent ASGs, load balancers, exhibitor bucket"
    default_enabled = true
    headline        = ["dcos_url"]
    inputs_from     = { node_files = "*", node_egress = "*", public_agent_ports = "*", public_agent_target_group_arns = "*", private_agent_target_group_arns = "*" }
    downloads       = [{ check = "installer", url = "dcos_installer_url", sha256 = "dcos_installer_sha256" }]
    local_mode_inputs = {
      ami_owners                        = ["137112412989"] # no Flatcar images in the emulator: Amazon Linux stands in
      ami_name_filter                   = "al2023-ami-2023.*-x86_64"
      node_detailed_monitoring          = false # moto does not implement MonitorInstances
      load_balancer_deletion_protection = false # so that destroy works
      single_nat_gateway                = true
      num_masters                       = 1
      private_agents                    = { min = 1, max = 2, desired = 1 }
      public_agents                     = { min = 1, max = 2, desired = 1 }
      dcos_installer_url                = "https://dcos-installer.invalid/dcos_generate_config.sh" # never fetched locally
      dcos_installer_sha256             = "0000000000000000000000000000000000000000000000000000000000000000"
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

  cluster_name = coalesce(var.cluster_name, module.label.id)
  # Admin Router: the UI, and Marathon and Mesos behind it.
  dcos_url   = local.admin_lb ? "https://${local.admin_hostname}" : "https://${aws_lb.masters.dns_name}"
  azs        = var.availability_zones
  vpc_prefix = tonumber(split("/", var.vpc_cidr)[1])

  public_subnet_cidrs  = coalesce(var.public_subnet_cidrs, [for i, _ in local.azs : cidrsubnet(var.vpc_cidr, 24 - local.vpc_prefix, 10 + i)])
  private_subnet_cidrs = coalesce(var.private_subnet_cidrs, [for i, _ in local.azs : cidrsubnet(var.vpc_cidr, 22 - local.vpc_prefix, 5 + i)])

  roles = ["bootstrap", "master", "private_agent", "public_agent"]
  # DC/OS's own name for each role, as dcos_install.sh takes it.
  install_role = { master = "master", private_agent = "slave", public_agent = "slave_public" }

  # Where in the bucket genconf/serve is published; exhibitor state lives under the cluster name.
  install_prefix = "install"

  # Admins reach the masters through Admin Router on 443 alone: it authenticates every request. With
  # master_http_loadbalancer discovery the nodes find the masters through the same load balancer, which must
  # accept 443, 2181, 5050 and 8181 (DC/OS's configuration reference, exhibitor_address); those three bypass
  # Admin Router, so only the cluster's nodes reach them. Marathon (8080) and etcd (12379) are not on the load
  # balancer: they are open between nodes only (the cluster security group).
  admin_port   = 443
  master_ports = [local.admin_port, 2181, 5050, 8181]
  # The public load balancer forwards what apps publish (public_agent_ports) and what the user adds; only 80 and
  # 443 are open to the world, any other port to public_agent_extra_cidrs. Nothing published: no load balancer.
  public_ports            = sort(distinct([for p in concat(var.public_agent_ports, var.public_agent_extra_ports) : tostring(p)]))
  public_world_ports      = [for p in local.public_ports : p if contains(["80", "443"], p)]
  public_restricted_ports = [for p in local.public_ports : tonumber(p) if !contains(["80", "443"], p)]
  public_lb               = length(local.public_ports) > 0

  # What the nodes reach outside the VPC: the web (images, packages, AWS's APIs through the NAT), and what each
  # app declares in its module's node_egress output. One rule per port and protocol: a security group cannot
  # name a host, so the hosts go into the rule's description.
  node_egress = concat(
    [for port in [80, 443] : { host = "*", port = port, protocol = "tcp", why = "images, packages and AWS's APIs" }],
    var.node_egress,
  )
  egress_rules = {
    for key, rules in { for e in local.node_egress : "${e.protocol}:${e.port}" => e... } : key => {
      port     = rules[0].port
      protocol = rules[0].protocol
      about    = join("; ", distinct([for r in rules : "${r.host} (${r.why})"]))
    }
  }
}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

################################################################################
# Network: public subnets (LBs, NAT) and private subnets (every node), one each per zone
################################################################################

resource "aws_subnet" "public" {
  count = length(local.azs)

  vpc_id                  = var.vpc_id
  cidr_block              = local.public_subnet_cidrs[count.index]
  availability_zone       = local.azs[count.index]
  map_public_ip_on_launch = false

  tags = merge(local.tags, { Name = format(local.name, "public-${local.azs[count.index]}"), Tier = "public" })
}

resource "aws_subnet" "private" {
  count = length(local.azs)

  vpc_id            = var.vpc_id
  cidr_block        = local.private_subnet_cidrs[count.index]
  availability_zone = local.azs[count.index]

  tags = merge(local.tags, { Name = format(local.name, "private-${local.azs[count.index]}"), Tier = "private" })
}

resource "aws_route_table" "public" {
  vpc_id = var.vpc_id
  tags   = merge(local.tags, { Name = format(local.name, "public") })
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = var.internet_gateway_id
}

resource "aws_route_table_association" "public" {
  count = length(local.azs)

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_eip" "nat" {
  count = var.single_nat_gateway ? 1 : length(local.azs)

  domain = "vpc"
  tags   = merge(local.tags, { Name = format(local.name, "nat-${count.index}") })
}

resource "aws_nat_gateway" "this" {
  count = var.single_nat_gateway ? 1 : length(local.azs)

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id
  tags          = merge(local.tags, { Name = format(local.name, "nat-${local.azs[count.index]}") })
}

resource "aws_route_table" "private" {
  count = length(local.azs)

  vpc_id = var.vpc_id
  tags   = merge(local.tags, { Name = format(local.name, "private-${local.azs[count.index]}") })
}

resource "aws_route" "private_nat" {
  count = length(local.azs)

  route_table_id         = aws_route_table.private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[var.single_nat_gateway ? 0 : count.index].id
}

resource "aws_route_table_association" "private" {
  count = length(local.azs)

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

# S3 through a gateway endpoint: the nodes fetch the install files from the bucket without the NAT, and the
# bucket serves them only to requests that come through this endpoint.
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = var.vpc_id
  service_name      = "com.amazonaws.${data.aws_region.current.name}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = aws_route_table.private[*].id
  tags              = merge(local.tags, { Name = format(local.name, "s3") })
}

################################################################################
# Security groups
################################################################################

# Every node: all traffic between cluster members, and nothing else in.
resource "aws_security_group" "cluster" {
  name        = format(local.name, "dcos-cluster")
  description = "DC/OS nodes: all traffic between members of this group"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = format(local.name, "dcos-cluster") })

  lifecycle {
    create_before_destroy = true
  }
}

# Rules whose source is another group use aws_security_group_rule: moto reports referenced_security_group_id of
# the newer rule resources as "<account>/<sg>", which would show as a change on every plan.
resource "aws_security_group_rule" "cluster_self" {
  type              = "ingress"
  security_group_id = aws_security_group.cluster.id
  description       = "Cluster members to each other"
  protocol          = "-1"
  from_port         = 0
  to_port           = 0
  self              = true
}

resource "aws_security_group_rule" "cluster_ssh" {
  for_each = local.admin_clients

  type                     = "ingress"
  security_group_id        = aws_security_group.cluster.id
  description              = "SSH from the ${each.key}"
  protocol                 = "tcp"
  from_port                = 22
  to_port                  = 22
  source_security_group_id = each.value
}

resource "aws_vpc_security_group_egress_rule" "cluster_vpc" {
  security_group_id = aws_security_group.cluster.id
  description       = "Anything inside the VPC"
  ip_protocol       = "-1"
  cidr_ipv4         = var.vpc_cidr
  tags              = local.tags
}

resource "aws_vpc_security_group_egress_rule" "cluster_web" {
  for_each = local.egress_rules

  security_group_id = aws_security_group.cluster.id
  description       = substr("${upper(each.value.protocol)} ${each.value.port} out through the NAT: ${each.value.about}", 0, 255)
  ip_protocol       = each.value.protocol
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = "0.0.0.0/0"
  tags              = local.tags
}

moved {
  from = aws_vpc_security_group_egress_rule.cluster_web["80"]
  to   = aws_vpc_security_group_egress_rule.cluster_web["tcp:80"]
}

moved {
  from = aws_vpc_security_group_egress_rule.cluster_web["443"]
  to   = aws_vpc_security_group_egress_rule.cluster_web["tcp:443"]
}

# The masters' load balancer has a security group of its own, which decides who reaches which port: Admin Router
# (443) from the nodes, and, when no admin ALB stands in front of it, from the VPN, the manager, admin_cidrs and the
# private subnets (in-VPC clients such as the snapshot Lambda); Mesos (5050), ZooKeeper (2181) and Exhibitor
# (8181), which the nodes find the masters through, from the cluster's nodes only. The masters admit those ports
# from the load balancer's group alone, which AWS honours whether or not the client's address is preserved (the
# NLB security-group guide).
resource "aws_security_group" "masters_lb" {
  name        = format(local.name, "dcos-masters-lb")
  description = "DC/OS masters internal LB: Admin Router and the discovery ports"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = format(local.name, "dcos-masters-lb") })

  lifecycle {
    create_before_destroy = true
  }
}

# The nodes reach every port of the masters' load balancer.
resource "aws_security_group_rule" "masters_lb_from_groups" {
  for_each = { for port in local.master_ports : "cluster:${port}" => port }

  type                     = "ingress"
  security_group_id        = aws_security_group.masters_lb.id
  description              = "Port ${each.value} from the cluster nodes"
  protocol                 = "tcp"
  from_port                = each.value
  to_port                  = each.value
  source_security_group_id = aws_security_group.cluster.id
}

# Admin Router's clients (the VPN, the manager, admin_cidrs and the private subnets, where in-VPC clients such as
# the snapshot Lambda run) reach 443 on its front: the admin ALB, or the masters' NLB when there is none.
locals {
  admin_front_group_id = local.admin_lb ? module.admin_front[0].security_group_id : aws_security_group.masters_lb.id
  admin_clients        = merge({ manager = var.management_security_group_id }, var.vpn_enabled ? { vpn = var.vpn_security_group_id } : {})
  admin_cidrs          = toset(concat(var.admin_cidrs, local.private_subnet_cidrs))
}

resource "aws_security_group_rule" "admin_from_groups" {
  for_each = local.admin_clients

  type                     = "ingress"
  security_group_id        = local.admin_front_group_id
  description              = "Admin Router from the ${each.key}"
  protocol                 = "tcp"
  from_port                = local.admin_port
  to_port                  = local.admin_port
  source_security_group_id = each.value
}

resource "aws_vpc_security_group_ingress_rule" "admin_from_cidrs" {
  for_each = local.admin_cidrs

  security_group_id = local.admin_front_group_id
  description       = "Admin Router from ${each.value} (admins, or clients in the private subnets)"
  ip_protocol       = "tcp"
  from_port         = local.admin_port
  to_port           = local.admin_port
  cidr_ipv4         = each.value
  tags              = local.tags
}

# The rules' earlier addresses, when the masters' load balancer took every client.
moved {
  from = aws_vpc_security_group_ingress_rule.masters_lb_from_cidrs
  to   = aws_vpc_security_group_ingress_rule.admin_from_cidrs
}

moved {
  from = aws_security_group_rule.masters_lb_from_groups["manager:443"]
  to   = aws_security_group_rule.admin_from_groups["manager"]
}

moved {
  from = aws_security_group_rule.masters_lb_from_groups["vpn:443"]
  to   = aws_security_group_rule.admin_from_groups["vpn"]
}

resource "aws_security_group_rule" "masters_lb_to_masters" {
  for_each = toset([for port in local.master_ports : tostring(port)])

  type                     = "egress"
  security_group_id        = aws_security_group.masters_lb.id
  description              = "Port ${each.value} on to the masters"
  protocol                 = "tcp"
  from_port                = tonumber(each.value)
  to_port                  = tonumber(each.value)
  source_security_group_id = aws_security_group.master.id
}

# Masters: the load balancer's ports, from the load balancer alone (its traffic and its health checks).
resource "aws_security_group" "master" {
  name        = format(local.name, "dcos-master")
  description = "DC/OS masters: Admin Router and the discovery ports, through the internal LB only"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = format(local.name, "dcos-master") })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group_rule" "master_from_lb" {
  for_each = toset([for port in local.master_ports : tostring(port)])

  type                     = "ingress"
  security_group_id        = aws_security_group.master.id
  description              = "Port ${each.value} through the internal load balancer"
  protocol                 = "tcp"
  from_port                = tonumber(each.value)
  to_port                  = tonumber(each.value)
  source_security_group_id = aws_security_group.masters_lb.id
}

# Public agents: 80/443 from anywhere when an app publishes them (the public LB passes client addresses through);
# other published or extra ports from a list.
resource "aws_security_group" "public_agent" {
  name        = format(local.name, "dcos-public-agent")
  description = "DC/OS public agents: 80/443 from anywhere, extra ports from their CIDRs"
  # (The description stays as written when nothing is published: changing it would replace the group.)
  vpc_id = var.vpc_id
  tags   = merge(local.tags, { Name = format(local.name, "dcos-public-agent") })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "public_web" {
  # checkov:skip=CKV_AWS_260: only when an app publishes 80 on the public agents (public_agent_ports), which serve the platform's public endpoints by design.
  for_each = toset(local.public_world_ports)

  security_group_id = aws_security_group.public_agent.id
  description       = "Port ${each.value} from anywhere, through the public load balancer"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
  cidr_ipv4         = "0.0.0.0/0"
  tags              = local.tags
}

resource "aws_vpc_security_group_ingress_rule" "public_extra" {
  for_each = { for pair in setproduct(length(var.public_agent_extra_cidrs) > 0 ? var.public_agent_extra_cidrs : var.admin_cidrs, local.public_restricted_ports) : "${pair[0]}:${pair[1]}" => pair }

  security_group_id = aws_security_group.public_agent.id
  description       = "Port ${each.value[1]} from ${each.value[0]}"
  ip_protocol       = "tcp"
  from_port         = each.value[1]
  to_port           = each.value[1]
  cidr_ipv4         = each.value[0]
  tags              = local.tags
}

################################################################################
# Exhibitor bucket: versioned, KMS-encrypted, private, TLS-only
################################################################################

module "exhibitor_bucket" {
  source = "../.shared/private-bucket"

  bucket_prefix = "${format(local.name, "exhibitor")}-"
  kms_key_arn   = var.kms_key_arn
  # Exhibitor's state is worthless once the cluster is gone.
  force_destroy     = true
  extra_policy_json = data.aws_iam_policy_document.install_files.json
  tags              = merge(local.tags, { Name = format(local.name, "exhibitor") })
}

# dcos_install.sh and the packages are fetched with plain HTTPS GETs, so the install files are readable without
# credentials, but only through this VPC's S3 endpoint. Nothing else in the bucket is.
data "aws_iam_policy_document" "install_files" {
  statement {
    sid       = "InstallFilesThroughTheVpcEndpoint"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${module.exhibitor_bucket.arn}/${local.install_prefix}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceVpce"
      values   = [aws_vpc_endpoint.s3.id]
    }
  }
}

# The bucket's resources moved into the shared submodule: state follows, nothing is replaced.
moved {
  from = aws_s3_bucket.exhibitor
  to   = module.exhibitor_bucket.aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_versioning.exhibitor
  to   = module.exhibitor_bucket.aws_s3_bucket_versioning.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.exhibitor
  to   = module.exhibitor_bucket.aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_public_access_block.exhibitor
  to   = module.exhibitor_bucket.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_ownership_controls.exhibitor
  to   = module.exhibitor_bucket.aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.exhibitor
  to   = module.exhibitor_bucket.aws_s3_bucket_lifecycle_configuration.this
}

moved {
  from = aws_s3_bucket_policy.exhibitor
  to   = module.exhibitor_bucket.aws_s3_bucket_policy.this
}

################################################################################
# IAM: one role per node role, least privilege
################################################################################

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "node" {
  for_each = toset(local.roles)

  name               = format(local.name, "dcos-${replace(each.key, "_", "-")}")
  description        = "DC/OS ${each.key} nodes"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = local.tags
}

resource "aws_iam_instance_profile" "node" {
  for_each = toset(local.roles)

  name = format(local.name, "dcos-${replace(each.key, "_", "-")}")
  role = aws_iam_role.node[each.key].name
  tags = local.tags
}

data "aws_iam_policy_document" "master" {
  statement {
    sid       = "ListExhibitorBucket"
    actions   = ["s3:ListBucket"]
    resources = [module.exhibitor_bucket.arn]
  }

  statement {
    sid       = "ReadWriteExhibitorState"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${module.exhibitor_bucket.arn}/${local.cluster_name}/*"]
  }

  statement {
    sid       = "UseTheBucketKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${data.aws_region.current.name}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "master" {
  name   = "exhibitor-bucket"
  role   = aws_iam_role.node["master"].id
  policy = data.aws_iam_policy_document.master.json
}

data "aws_iam_policy_document" "agent" {
  statement {
    # GetAuthorizationToken has no resource to scope to.
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "EcrPull"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    resources = ["arn:${data.aws_partition.current.partition}:ecr:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:repository/*"]
  }
}

# The bootstrap node reads the superuser's password and publishes the install files: nothing else.
data "aws_iam_policy_document" "bootstrap" {
  statement {
    sid       = "ReadTheSuperuserPassword"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [module.superuser_password.arn]
  }

  statement {
    sid       = "ListInstallFiles"
    actions   = ["s3:ListBucket"]
    resources = [module.exhibitor_bucket.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.install_prefix}/*"]
    }
  }

  statement {
    sid       = "PublishInstallFiles"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${module.exhibitor_bucket.arn}/${local.install_prefix}/*"]
  }

  statement {
    sid       = "DecryptTheSecret"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${data.aws_region.current.name}.amazonaws.com", "s3.${data.aws_region.current.name}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "bootstrap" {
  name   = "publish-install-files"
  role   = aws_iam_role.node["bootstrap"].id
  policy = data.aws_iam_policy_document.bootstrap.json
}

resource "aws_iam_role_policy" "agent" {
  for_each = toset(["private_agent", "public_agent"])

  name   = "ecr-read"
  role   = aws_iam_role.node[each.key].id
  policy = data.aws_iam_policy_document.agent.json
}

################################################################################
# The superuser's password: generated once, kept in Secrets Manager
################################################################################

module "superuser_password" {
  source = "../.shared/generated-secret"

  name_prefix = format(local.name, "dcos-superuser")
  description = "Password of DC/OS superuser ${var.dcos_superuser_username} on ${local.cluster_name}"
  kms_key_arn = var.kms_key_arn
  tags        = local.tags
}

################################################################################
# Load balancers: internal for the masters, public for the public agents
################################################################################

resource "aws_lb" "masters" {
  # checkov:skip=CKV_AWS_91: an NLB writes access logs only for TLS listeners (AWS's NLB access-log guide), and this one has TCP listeners only; Admin Router logs each request.
  name                             = substr(format(local.name, "masters"), 0, 32)
  internal                         = true
  load_balancer_type               = "network"
  subnets                          = aws_subnet.private[*].id
  security_groups                  = [aws_security_group.masters_lb.id]
  enable_cross_zone_load_balancing = true
  enable_deletion_protection       = var.load_balancer_deletion_protection
  tags                             = local.tags
}

resource "aws_lb_target_group" "masters" {
  for_each = toset([for p in local.master_ports : tostring(p)])

  name     = substr(format(local.name, "m${each.key}"), 0, 32)
  port     = tonumber(each.key)
  protocol = "TCP"
  vpc_id   = var.vpc_id
  # Masters are clients of their own load balancer for the discovery ports; with the client's address preserved a
  # connection routed back to its own sender fails (NLB loopback), so those arrive from the LB's address. Admin
  # Router keeps the client's address, for its logs.
  preserve_client_ip = tostring(tonumber(each.key) == local.admin_port)

  # A master is healthy when Admin Router accepts connections.
  health_check {
    protocol = "TCP"
    port     = "443"
  }

  tags = local.tags
}

resource "aws_lb_listener" "masters" {
  # TCP pass-throughs: 443 to Admin Router, which terminates TLS; 2181, 5050 and 8181 to ZooKeeper, Mesos and
  # Exhibitor, which speak their own plain protocols and which the cluster's nodes alone reach (the LB's group).
  for_each = aws_lb_target_group.masters

  load_balancer_arn = aws_lb.masters.arn
  port              = each.value.port
  protocol          = "TCP"

  default_action {
    type             = "forward"
    target_group_arn = each.value.arn
  }
}

################################################################################
# Admin Router for people and in-VPC clients: an internal ALB at dcos.<domain>, with an ACM certificate
################################################################################

# With Route53 records, admins, ngp and the snapshot Lambda reach Admin Router through an application load
# balancer whose certificate is publicly trusted (ACM, validated in the zone, or dcos_certificate_arn): Admin
# Router's own certificate is signed by the cluster's CA, which they do not trust. The ALB re-encrypts to Admin
# Router. Without records there is no name to certify, and admins use the masters' NLB on 443.
locals {
  admin_lb       = var.dns_records
  admin_hostname = var.domain == null ? null : "dcos.${var.domain}"
}

module "admin_front" {
  source = "../.shared/https-alb"
  count  = local.admin_lb ? 1 : 0

  name                = substr(format(local.name, "dcos-admin"), 0, 32)
  security_group_name = format(local.name, "dcos-admin-lb")
  description         = "DC/OS Admin Router ALB: 443 from admins, the manager and the private subnets"
  vpc_id              = var.vpc_id
  subnet_ids          = aws_subnet.private[*].id
  internal            = true
  # Who reaches 443 is decided below, with the masters' NLB's rules (admin_from_groups, admin_from_cidrs).
  target = {
    port              = local.admin_port
    protocol          = "HTTPS"
    security_group_id = aws_security_group.master.id
    description       = "Admin Router on the masters"
  }
  health_check        = { path = "/", matcher = "200-399", interval = 15 }
  idle_timeout        = 300 # the UI's and Marathon's event streams stay open
  deletion_protection = var.load_balancer_deletion_protection
  certificate = {
    requester       = "dcos"
    hostname        = local.admin_hostname
    dns_zone_id     = var.dns_zone_id
    dns_records     = var.dns_records
    certificate_arn = var.dcos_certificate_arn
  }
  tags = local.tags
}

# Where these were before the shared front.
moved {
  from = aws_security_group.admin_lb[0]
  to   = module.admin_front[0].aws_security_group.this
}

moved {
  from = aws_security_group_rule.admin_lb_to_masters[0]
  to   = module.admin_front[0].aws_security_group_rule.to_targets
}

moved {
  from = aws_security_group_rule.master_from_admin_lb[0]
  to   = module.admin_front[0].aws_security_group_rule.targets_from_lb
}

moved {
  from = aws_lb.admin[0]
  to   = module.admin_front[0].aws_lb.this
}

moved {
  from = aws_lb_target_group.admin[0]
  to   = module.admin_front[0].aws_lb_target_group.this
}

moved {
  from = aws_lb_listener.admin[0]
  to   = module.admin_front[0].aws_lb_listener.https
}

moved {
  from = module.admin_certificate[0]
  to   = module.admin_front[0].module.certificate
}

moved {
  from = aws_route53_record.dcos[0]
  to   = module.admin_front[0].aws_route53_record.alias[0]
}

moved {
  from = aws_lb.public_agents
  to   = aws_lb.public_agents[0]
}

resource "aws_lb" "public_agents" {
  count = local.public_lb ? 1 : 0

  # checkov:skip=CKV_AWS_91: an NLB writes access logs only for TLS listeners (AWS's NLB access-log guide), and this one has TCP listeners only; the apps that listen on the public agents log their requests.
  name                             = substr(format(local.name, "public"), 0, 32)
  internal                         = false
  load_balancer_type               = "network"
  subnets                          = aws_subnet.public[*].id
  enable_cross_zone_load_balancing = true
  enable_deletion_protection       = var.load_balancer_deletion_protection
  tags                             = local.tags
}

resource "aws_lb_target_group" "public_agents" {
  for_each = toset(local.public_ports)

  name     = substr(format(local.name, "p${each.key}"), 0, 32)
  port     = tonumber(each.key)
  protocol = "TCP"
  vpc_id   = var.vpc_id

  health_check {
    protocol = "TCP"
  }

  tags = local.tags
}

resource "aws_lb_listener" "public_agents" {
  # TCP pass-throughs: the NLB holds no certificate, so TLS on 443 is the business of the app that listens there on
  # the public agents; 80 and public_agent_extra_ports carry plaintext by design, for apps that serve HTTP.
  for_each = aws_lb_target_group.public_agents

  load_balancer_arn = aws_lb.public_agents[0].arn
  port              = each.value.port
  protocol          = "TCP"

  default_action {
    type             = "forward"
    target_group_arn = each.value.arn
  }
}

################################################################################
# Nodes: the bootstrap instance, then masters and agents in autoscaling groups
################################################################################

data "aws_ami" "node" {
  count = length(setsubtract(local.roles, keys(var.ami_ids))) > 0 ? 1 : 0

  most_recent = true
  owners      = var.ami_owners

  filter {
    name   = "name"
    values = [var.ami_name_filter]
  }

  filter {
    name   = "state"
    values = ["available"]
  }
}

locals {
  ami = { for role in local.roles : role => lookup(var.ami_ids, role, one(data.aws_ami.node[*].id)) }

  # genconf/serve, published by the bootstrap node, served by S3 to this VPC's endpoint only.
  bootstrap_url = "https://${module.exhibitor_bucket.bucket_regional_domain_name}/${local.install_prefix}"

  # config.yaml, built as data (never by string concatenation). The superuser's hash is added on the bootstrap node.
  dcos_config = {
    bootstrap_url                = local.bootstrap_url
    cluster_name                 = local.cluster_name
    exhibitor_storage_backend    = "aws_s3"
    aws_region                   = data.aws_region.current.name
    s3_bucket                    = module.exhibitor_bucket.id
    s3_prefix                    = local.cluster_name
    master_discovery             = "master_http_loadbalancer"
    exhibitor_address            = aws_lb.masters.dns_name
    master_external_loadbalancer = aws_lb.masters.dns_name
    num_masters                  = var.num_masters
    resolvers                    = ["169.254.169.253"]
    # The VPC's own domain: us-east-1 alone uses ec2.internal, every other region <region>.compute.internal.
    dns_search                   = data.aws_region.current.name == "us-east-1" ? "ec2.internal" : "${data.aws_region.current.name}.compute.internal"
    ip_detect_contents           = file("${path.module}/scripts/ip-detect.sh")
    ip_detect_public_contents    = file("${path.module}/scripts/ip-detect-public.sh")
    fault_domain_detect_contents = file("${path.module}/scripts/fault-domain-detect.sh")
    fault_domain_enabled         = true
    oauth_enabled                = true
    superuser_username           = var.dcos_superuser_username
    telemetry_enabled            = false
    platform                     = "aws"
  }
  dcos_config_yaml = yamlencode(local.dcos_config)

  bootstrap_user_data = templatefile("${path.module}/scripts/bootstrap.sh.tftpl", {
    installer_url        = var.dcos_installer_url
    installer_sha256     = var.dcos_installer_sha256
    config_yaml_b64      = base64encode(local.dcos_config_yaml)
    region               = data.aws_region.current.name
    superuser_secret_arn = module.superuser_password.arn
    install_files_s3_url = "s3://${module.exhibitor_bucket.id}/${local.install_prefix}"
    aws_cli_image        = var.aws_cli_image
  })

  node_user_data = {
    for role, dcos_role in local.install_role : role => templatefile("${path.module}/scripts/node.sh.tftpl", {
      role          = dcos_role
      bootstrap_url = local.bootstrap_url
      region        = data.aws_region.current.name
      aws_cli_image = var.aws_cli_image
      # The files other modules ask this role's nodes to write (validated paths, modes and ARNs).
      files = [for f in var.node_files : f if contains(f.roles, role)]
    })
  }

  node_target_groups = {
    master        = concat([for tg in aws_lb_target_group.masters : tg.arn], module.admin_front[*].target_group_arn)
    private_agent = var.private_agent_target_group_arns
    public_agent  = concat([for tg in aws_lb_target_group.public_agents : tg.arn], var.public_agent_target_group_arns)
  }
  node_sizes = {
    master        = { min = var.num_masters, max = var.num_masters, desired = var.num_masters }
    private_agent = var.private_agents
    public_agent  = var.public_agents
  }
}

moved {
  from = aws_instance.bootstrap
  to   = aws_instance.bootstrap[0]
}

# The bootstrap node is needed once: after the first install every node installs from the bucket. Set
# bootstrap_node = false and apply to remove it; set it back only to regenerate genconf.
resource "aws_instance" "bootstrap" {
  count = var.bootstrap_node ? 1 : 0

  ami                  = local.ami["bootstrap"]
  instance_type        = var.instance_types.bootstrap
  iam_instance_profile = aws_iam_instance_profile.node["bootstrap"].name
  monitoring           = var.node_detailed_monitoring
  ebs_optimized        = true
  user_data_base64     = base64gzip(local.bootstrap_user_data)

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type           = "gp3"
    volume_size           = var.root_volume_size
    encrypted             = true
    kms_key_id            = var.kms_key_arn
    delete_on_termination = true
  }

  # Only needed to build and publish the install files: the other nodes never contact it.
  subnet_id              = aws_subnet.private[0].id
  vpc_security_group_ids = [aws_security_group.cluster.id]

  tags        = merge(local.tags, { Name = format(local.name, "dcos-bootstrap"), Role = "dcos-bootstrap" })
  volume_tags = merge(local.tags, { Name = format(local.name, "dcos-bootstrap") })

  lifecycle {
    ignore_changes = [ami]
  }
}

locals {
  imdsv1_for_exhibitor = { for role in keys(local.install_role) : role => role == "master" && var.num_masters > 1 }
}

resource "aws_launch_template" "node" {
  # checkov:skip=CKV_AWS_79: the masters of a multi-master cluster accept IMDSv1 (hop limit 1), because Exhibitor's AWS SDK for Java predates IMDSv2 and must read its S3 state; every other node requires tokens (docs/security.md).
  for_each = local.install_role

  name_prefix   = "${format(local.name, "dcos-${replace(each.key, "_", "-")}")}-"
  image_id      = local.ami[each.key]
  instance_type = var.instance_types[each.key]
  # Every node is in the cluster group; masters and public agents add their own. Written out rather than looked up
  # in a map, so that checkov sees each group attached (CKV2_AWS_5).
  vpc_security_group_ids = concat(
    [aws_security_group.cluster.id],
    each.key == "master" ? [aws_security_group.master.id] : [],
    each.key == "public_agent" ? [aws_security_group.public_agent.id] : [],
  )
  user_data     = base64gzip(local.node_user_data[each.key])
  ebs_optimized = true

  iam_instance_profile {
    arn = aws_iam_instance_profile.node[each.key].arn
  }

  # Exhibitor on the masters reads and writes its shared state in S3 with an AWS SDK for Java (1.11.221) older than
  # IMDSv2 (1.11.678): with more than one master it would get no credentials and ZooKeeper would never form. So
  # the masters of a multi-master cluster accept IMDSv1 too; hop limit 1 still keeps bridged containers from the
  # role, which holds only what a master needs (docs/security.md). Agents and single masters require tokens.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = local.imdsv1_for_exhibitor[each.key] ? "optional" : "required"
    http_put_response_hop_limit = 1 # containers on docker's bridge cannot take the node's role credentials
  }

  monitoring {
    enabled = var.node_detailed_monitoring
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_type           = "gp3"
      volume_size           = var.root_volume_size
      encrypted             = true
      kms_key_id            = var.kms_key_arn
      delete_on_termination = true
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(local.tags, { Name = format(local.name, "dcos-${replace(each.key, "_", "-")}"), Role = "dcos-${each.key}" })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = merge(local.tags, { Name = format(local.name, "dcos-${replace(each.key, "_", "-")}") })
  }

  # No tags of the template's own: moto echoes them back as a launch-template tag specification, a perpetual diff.
}

resource "aws_autoscaling_group" "node" {
  for_each = local.install_role

  name                      = format(local.name, "dcos-${replace(each.key, "_", "-")}")
  min_size                  = local.node_sizes[each.key].min
  max_size                  = local.node_sizes[each.key].max
  desired_capacity          = local.node_sizes[each.key].desired
  vpc_zone_identifier       = aws_subnet.private[*].id
  target_group_arns         = local.node_target_groups[each.key]
  health_check_type         = "EC2"
  wait_for_capacity_timeout = "0"

  launch_template {
    id      = aws_launch_template.node[each.key].id
    version = aws_launch_template.node[each.key].latest_version
  }

  dynamic "tag" {
    for_each = merge(local.tags, { Name = format(local.name, "dcos-${replace(each.key, "_", "-")}") })

    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = false
    }
  }
}

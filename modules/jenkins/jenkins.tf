# jenkins: Jenkins LTS as a Marathon app on a private agent, its home on an encrypted EFS file system, behind an
# internal HTTPS load balancer at jenkins.<domain> that only the VPN and the manager reach. Never public.
#
# The home is mounted through the file system's access point (POSIX user and root directory 1000:1000, the image's
# jenkins user) with TLS, as the EFS mount helper does it. amazon-efs-utils does not run on the nodes' OS (Flatcar),
# so every private agent runs ngp-efs-tunnel (crates/efs-tunnel, built static by ngp and fetched by Marathon from
# this module's bucket): it serves NFS on the agent's loopback and carries it over TLS to the mount target,
# naming the access point in its client certificate. Jenkins's container mounts 127.0.0.1:/ through it, with
# Docker's local volume driver. The file system's policy refuses any client without TLS or without the access point.
#
# The admin password is generated into Secrets Manager; the private agents write it at boot into an env file
# (0600, root) that Docker reads, and Jenkins's own init hook (files/ngp-admin.groovy, fetched like the tunnel)
# creates the admin user with it on first start. The setup wizard is off.
#
# Trade-offs: the tunnel's client certificate is ECDSA P-256, self-signed, where the mount helper makes an RSA
# one; that EFS takes it is not confirmed here (no EFS answers on this side). NFS between Jenkins and the tunnel is
# plain on the agent's loopback, which only root and host-network tasks reach. The mount uses no EFS IAM
# authorisation: the access point and the file system policy decide, and the security group admits the cluster's
# nodes only. The password stays in Terraform's state, as every generated secret does. Port 50000 (inbound
# agents) is not published: add a port mapping to use agents that connect in.

# ngp reads this block; Terraform ignores it.
locals {
  ngp_module = {
    description     = "Jenkins LTS on the cluster, its home on encrypted EFS (TLS, access point), behind an internal HTTPS load balancer"
    default_enabled = true
    headline        = ["jenkins_url"]
    inputs_from     = {}
    builds          = [{ input = "tunnel_binary", package = "ngp-efs-tunnel" }]
    local_mode_inputs = {
      efs_backups = false # the emulator lacks PutBackupPolicy (the provider would retry for minutes)
    }
  }
}

module "label" {
  source  = "../.shared/label"
  context = var.context
}

data "aws_region" "current" {}

locals {
  name      = module.label.name_format
  tags      = module.label.tags
  hostname  = var.domain == null ? null : "jenkins.${var.domain}"
  admin_env = "${var.settings_dir}/admin.env"
  # Object keys carry their content's hash: a new build is a new URI, so Marathon redeploys the app.
  tunnel_key = "fetch/${filesha256(var.tunnel_binary)}/ngp-efs-tunnel"
  hook_key   = "fetch/${filesha256("${path.module}/files/ngp-admin.groovy")}/ngp-admin.groovy"
  lb_sources = merge({ manager = var.management_security_group_id }, var.vpn_enabled ? { vpn = var.vpn_security_group_id } : {})
}

################################################################################
# The home: EFS, encrypted, reached through the access point over TLS only
################################################################################

resource "aws_efs_file_system" "home" {
  creation_token = format(local.name, "jenkins-home")
  encrypted      = true
  kms_key_id     = var.kms_key_arn
  tags           = merge(local.tags, { Name = format(local.name, "jenkins-home") })

  lifecycle_policy {
    transition_to_ia = "AFTER_30_DAYS"
  }
}

resource "aws_efs_access_point" "home" {
  file_system_id = aws_efs_file_system.home.id
  tags           = merge(local.tags, { Name = format(local.name, "jenkins-home") })

  posix_user {
    uid = var.jenkins_uid
    gid = var.jenkins_uid
  }

  root_directory {
    path = "/jenkins"
    creation_info {
      owner_uid   = var.jenkins_uid
      owner_gid   = var.jenkins_uid
      permissions = "0750"
    }
  }
}

data "aws_iam_policy_document" "home" {
  statement {
    sid       = "MountThroughTheAccessPoint"
    effect    = "Allow"
    actions   = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
    resources = [aws_efs_file_system.home.arn]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "StringEquals"
      variable = "elasticfilesystem:AccessPointArn"
      values   = [aws_efs_access_point.home.arn]
    }
  }

  statement {
    sid       = "TlsOnly"
    effect    = "Deny"
    actions   = ["*"]
    resources = [aws_efs_file_system.home.arn]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_efs_file_system_policy" "home" {
  file_system_id = aws_efs_file_system.home.id
  policy         = data.aws_iam_policy_document.home.json
}

resource "aws_efs_backup_policy" "home" {
  count = var.efs_backups ? 1 : 0

  file_system_id = aws_efs_file_system.home.id

  backup_policy {
    status = "ENABLED"
  }
}

resource "aws_security_group" "efs" {
  name        = format(local.name, "jenkins-efs")
  description = "Jenkins's file system: NFS from the cluster's nodes only"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = format(local.name, "jenkins-efs") })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group_rule" "efs_from_agents" {
  type                     = "ingress"
  security_group_id        = aws_security_group.efs.id
  description              = "NFS over TLS from the EFS tunnels on the agents"
  protocol                 = "tcp"
  from_port                = 2049
  to_port                  = 2049
  source_security_group_id = var.agent_security_group_id
}

resource "aws_efs_mount_target" "home" {
  # By position: the subnets' ids are known only after apply, their number before.
  count = length(var.private_subnet_ids)

  file_system_id  = aws_efs_file_system.home.id
  subnet_id       = var.private_subnet_ids[count.index]
  security_groups = [aws_security_group.efs.id]
}

################################################################################
# The admin password, for the private agents' env file
################################################################################

module "admin_password" {
  source = "../.shared/generated-secret"

  name_prefix = format(local.name, "jenkins-admin")
  description = "Jenkins admin password of ${module.label.id} (user ${var.admin_user})"
  kms_key_arn = var.kms_key_arn
  length      = 32
  tags        = local.tags
}

module "admin_settings" {
  source = "../.shared/env-file-secret"

  name_prefix = format(local.name, "jenkins-settings")
  description = "Jenkins's admin password of ${module.label.id}, as an env file"
  kms_key_arn = var.kms_key_arn
  path        = local.admin_env
  readers     = { private_agent = var.node_role_names["private_agent"] }
  policy_name = "jenkins-settings"
  tags        = local.tags
  values = {
    JENKINS_ADMIN_PASSWORD = module.admin_password.value
  }
}

################################################################################
# What Marathon fetches: the tunnel and the init hook, readable through the VPC's S3 endpoint only
################################################################################

data "aws_iam_policy_document" "fetch" {
  statement {
    sid       = "FetchThroughTheVpcEndpoint"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${module.bucket.arn}/fetch/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceVpce"
      values   = [var.s3_vpc_endpoint_id]
    }
  }
}

module "bucket" {
  source = "../.shared/private-bucket"

  bucket_prefix     = "${format(local.name, "jenkins-fetch")}-"
  kms_key_arn       = var.kms_key_arn
  force_destroy     = true # it holds only what ngp uploads again
  extra_policy_json = data.aws_iam_policy_document.fetch.json
  tags              = merge(local.tags, { Name = format(local.name, "jenkins-fetch") })
}

resource "aws_s3_object" "fetched" {
  for_each = {
    tunnel = { key = local.tunnel_key, source = var.tunnel_binary, type = "application/octet-stream" }
    hook   = { key = local.hook_key, source = "${path.module}/files/ngp-admin.groovy", type = "text/plain" }
  }

  bucket      = module.bucket.id
  key         = each.value.key
  source      = each.value.source
  source_hash = filesha256(each.value.source)
  # SSE-S3, not the bucket's KMS default: the Mesos fetcher's GET is unsigned, and KMS decrypts for signed
  # requests only.
  server_side_encryption = "AES256"
  content_type           = each.value.type
  tags                   = local.tags
}

locals {
  fetch_url = { for k, o in aws_s3_object.fetched : k => "https://${module.bucket.id}.s3.${data.aws_region.current.name}.amazonaws.com/${o.key}" }
}

################################################################################
# The internal load balancer: HTTPS from the VPN and the manager, to Jenkins on the private agents
################################################################################

module "front" {
  source = "../.shared/https-alb"

  # Internal, and reached by the VPN's and the manager's security groups only, so no WAF: Jenkins authenticates
  # every request (anonymous users get nothing).
  name                    = substr(format(local.name, "jenkins"), 0, 32)
  security_group_name     = format(local.name, "jenkins-lb")
  description             = "Jenkins's internal load balancer: 443 from the VPN and the manager, to Jenkins on the agents only"
  vpc_id                  = var.vpc_id
  subnet_ids              = var.private_subnet_ids
  internal                = true
  ingress_security_groups = local.lb_sources
  target = {
    port              = var.jenkins_host_port
    protocol          = "HTTP"
    security_group_id = var.agent_security_group_id
    description       = "Jenkins on the private agents"
  }
  health_check        = { path = "/login", matcher = "200", interval = 30 }
  deletion_protection = var.load_balancer_deletion_protection
  certificate = {
    requester       = "jenkins"
    hostname        = local.hostname
    dns_zone_id     = var.dns_zone_id
    dns_records     = var.dns_records
    certificate_arn = var.certificate_arn
  }
  tags = local.tags
}

# Where these were before the shared front.
moved {
  from = aws_security_group.lb
  to   = module.front.aws_security_group.this
}

moved {
  from = aws_security_group_rule.lb_https
  to   = module.front.aws_security_group_rule.from_groups
}

moved {
  from = aws_security_group_rule.lb_to_jenkins
  to   = module.front.aws_security_group_rule.to_targets
}

moved {
  from = aws_security_group_rule.jenkins_from_lb
  to   = module.front.aws_security_group_rule.targets_from_lb
}

moved {
  from = aws_lb.jenkins
  to   = module.front.aws_lb.this
}

moved {
  from = aws_lb_target_group.jenkins
  to   = module.front.aws_lb_target_group.this
}

moved {
  from = aws_lb_listener.https
  to   = module.front.aws_lb_listener.https
}

moved {
  from = module.certificate
  to   = module.front.module.certificate
}

moved {
  from = aws_route53_record.jenkins
  to   = module.front.aws_route53_record.alias
}

################################################################################
# The apps, as data: the tunnel once per private agent, then Jenkins on one of them
################################################################################

locals {
  # EFS's recommended NFS options (as the mount helper sets them), against the tunnel on the agent's loopback.
  nfs_options = "addr=127.0.0.1,port=${var.tunnel_port},nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport"

  tunnel = {
    id   = "efs-tunnel"
    cpus = 0.1
    mem  = 32
    # On the host: Docker's NFS mounts are made in the host's network namespace, where the tunnel listens.
    user = "root"
    cmd = join(" ", [
      "exec ./ngp-efs-tunnel",
      "--file-system ${aws_efs_file_system.home.id}",
      "--access-point ${aws_efs_access_point.home.id}",
      "--region ${data.aws_region.current.name}",
      "--listen 127.0.0.1:$PORT0",
    ])
    fetch           = [{ uri = local.fetch_url["tunnel"], executable = true, extract = false, cache = false }]
    portDefinitions = [{ port = var.tunnel_port, protocol = "tcp", name = "nfs" }]
    requirePorts    = true
    labels          = { NGP_PER_AGENT = "private" }
    healthChecks = [
      { protocol = "MESOS_TCP", portIndex = 0, gracePeriodSeconds = 30, intervalSeconds = 30, timeoutSeconds = 10, maxConsecutiveFailures = 3 }
    ]
  }

  jenkins = {
    id           = "jenkins"
    instances    = 1
    cpus         = var.jenkins_cpus
    mem          = var.jenkins_mem
    dependencies = ["efs-tunnel"]
    fetch        = [{ uri = local.fetch_url["hook"], executable = false, extract = false, cache = false }]
    container = {
      type = "DOCKER"
      docker = {
        image = var.jenkins_image
        parameters = [
          { key = "env-file", value = local.admin_env },
          { key = "mount", value = "type=volume,source=ngp-jenkins-home,target=/var/jenkins_home,volume-driver=local,volume-opt=type=nfs,volume-opt=device=:/,\"volume-opt=o=${local.nfs_options}\"" },
        ]
      }
      # The image copies /usr/share/jenkins/ref into JENKINS_HOME at start; ".override" replaces an older copy.
      volumes      = [{ containerPath = "/usr/share/jenkins/ref/init.groovy.d/ngp-admin.groovy.override", hostPath = "ngp-admin.groovy", mode = "RO" }]
      portMappings = [{ containerPort = 8080, hostPort = var.jenkins_host_port, protocol = "tcp", name = "http" }]
    }
    networks     = [{ mode = "container/bridge" }]
    requirePorts = true
    env = {
      JAVA_OPTS          = "-Djenkins.install.runSetupWizard=false"
      JENKINS_ADMIN_USER = var.admin_user
    }
    healthChecks = [
      { protocol = "MESOS_HTTP", path = "/login", portIndex = 0, gracePeriodSeconds = 300, intervalSeconds = 30, timeoutSeconds = 10, maxConsecutiveFailures = 5 }
    ]
    # One Jenkins owns the home at a time: the old task stops before the new one starts.
    upgradeStrategy = { minimumHealthCapacity = 0, maximumOverCapacity = 0 }
  }

  marathon_apps = [local.tunnel, local.jenkins]
}

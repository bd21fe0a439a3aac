# docker-registry: the cluster's private Docker registry. Its AWS parts are an S3 bucket for the images
# (versioned, KMS-encrypted, private, TLS-only), the secrets of its TLS (a CA that ngp generates) and the nodes'
# rights to use them; the app itself is data, the marathon_apps output, which `ngp apps` reconciles with
# Marathon into the group /ngp/docker-registry.
#
# Trade-offs: the registry runs on the private agents' host network (port 5000, VIP 192.168.0.1:5000) so that
# it uses their role for S3; deletion is off unless registry_delete_enabled. It asks for a user and password
# (htpasswd, bcrypt): the password is generated into Secrets Manager, the private agents write the htpasswd file
# and every agent writes the registry's Docker auth to docker_auths_dir, which the ecr module's refresher puts in
# /etc/docker.tar.gz beside ECR's: apps pull with `fetch: [{uri: "file:///etc/docker.tar.gz"}]`. The CA and
# certificate are generated once (10 and 2 years); see docs/security.md.

# ngp reads this block; Terraform ignores it.
locals {
  ngp_module = {
    description     = "Private Docker registry (registry:2 on S3) at the VIP 192.168.0.1:5000, as a Marathon app"
    default_enabled = true
    headline        = ["registry_address"]
    inputs_from     = {}
    local_mode_inputs = {
      force_destroy = true # local environments are disposable: destroy takes pushed images with the bucket
    }
  }
}

module "label" {
  source  = "../.shared/label"
  context = var.context
}

locals {
  name           = module.label.name_format
  tags           = module.label.tags
  root_directory = "/docker-registry"
  # Where the private agents keep the registry's certificate and key (node_files), mounted by the task.
  tls_dir = "/etc/ngp/docker-registry"
  # The registry's secret settings, root-only, outside the directory the task mounts.
  settings_file = "/etc/ngp/docker-registry.env"
}

data "aws_region" "current" {}

################################################################################
# The image store
################################################################################

module "bucket" {
  source = "../.shared/private-bucket"

  bucket_prefix = "${format(local.name, "registry")}-"
  kms_key_arn   = var.kms_key_arn
  force_destroy = var.force_destroy
  tags          = merge(local.tags, { Name = format(local.name, "registry") })
}

################################################################################
# TLS: a CA that ngp generates after apply (ngp_tls output). Terraform makes the secrets but never holds a value,
# so no key reaches the state. The CA's key is written once and nobody may read it back.
################################################################################

locals {
  tls_secrets = {
    ca_key      = "Private key of the registry's CA: written once by ngp, readable by nobody"
    ca_cert     = "Certificate of the registry's CA, trusted by every DC/OS node"
    server_cert = "The registry's TLS certificate, signed by the CA"
    server_key  = "The registry's TLS private key, read by the private agents only"
  }
}

resource "aws_secretsmanager_secret" "tls" {
  # checkov:skip=CKV2_AWS_57: a rotation Lambda cannot reissue these: the CA key is write-only and the nodes read the chain at boot. ngp generates them once (CA 10 years, certificate 2); docs/security.md says how to renew.
  for_each = local.tls_secrets

  name_prefix             = "${format(local.name, "registry-${replace(each.key, "_", "-")}")}-"
  description             = each.value
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 7
  tags                    = local.tags
}

data "aws_iam_policy_document" "ca_key" {
  statement {
    sid       = "TheCaKeyNeverLeavesSecretsManager"
    effect    = "Deny"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

resource "aws_secretsmanager_secret_policy" "ca_key" {
  secret_arn = aws_secretsmanager_secret.tls["ca_key"].arn
  policy     = data.aws_iam_policy_document.ca_key.json
}

################################################################################
# IAM: the private agents (where the registry runs) may use the bucket and its certificate; every node may
# read the CA certificate. Nothing more.
################################################################################

data "aws_iam_policy_document" "registry" {
  statement {
    sid       = "ListTheRegistry"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"]
    resources = [module.bucket.arn]
  }

  statement {
    sid = "ReadWriteImages"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:ListMultipartUploadParts",
      "s3:AbortMultipartUpload",
    ]
    resources = ["${module.bucket.arn}${local.root_directory}/*"]
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

  statement {
    sid       = "ReadTheRegistryCertificate"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.tls["server_cert"].arn, aws_secretsmanager_secret.tls["server_key"].arn]
  }
}

data "aws_iam_policy_document" "trust_ca" {
  statement {
    sid       = "ReadTheRegistryCa"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.tls["ca_cert"].arn]
  }

  statement {
    sid       = "DecryptTheSecret"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${data.aws_region.current.name}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "trust_ca" {
  for_each = toset(["master", "private_agent", "public_agent"])

  name   = "docker-registry-ca"
  role   = var.node_role_names[each.key]
  policy = data.aws_iam_policy_document.trust_ca.json
}

resource "aws_iam_role_policy" "registry" {
  name   = "docker-registry-bucket"
  role   = var.node_role_names["private_agent"]
  policy = data.aws_iam_policy_document.registry.json
}

################################################################################
# Authentication: one user, a generated password; the htpasswd file for the registry, the Docker auth for the
# agents, both written at boot from Secrets Manager and never in the app's definition
################################################################################

module "password" {
  source = "../.shared/generated-secret"

  name_prefix = format(local.name, "registry-password")
  description = "Password of the ${var.registry_user} user of the ${module.label.id} registry"
  kms_key_arn = var.kms_key_arn
  length      = 32
  tags        = local.tags
}

# bcrypt salts each hash, so a plan would draw a new one every time: the first is kept until the password changes.
resource "terraform_data" "htpasswd" {
  input            = sensitive("${var.registry_user}:${bcrypt(module.password.value, 10)}\n")
  triggers_replace = [sha256(module.password.value)]

  lifecycle {
    ignore_changes = [input]
  }
}

module "htpasswd" {
  source = "../.shared/node-file-secret"

  name_prefix = format(local.name, "registry-htpasswd")
  description = "htpasswd file of the ${module.label.id} registry"
  kms_key_arn = var.kms_key_arn
  content     = terraform_data.htpasswd.output
  path        = "${local.tls_dir}/htpasswd"
  readers     = { private_agent = var.node_role_names["private_agent"] }
  policy_name = "docker-registry-htpasswd"
  tags        = local.tags
}

module "docker_auth" {
  source = "../.shared/node-file-secret"

  name_prefix = format(local.name, "registry-docker-auth")
  description = "Docker auth of the ${module.label.id} registry, for the agents' credentials archive"
  kms_key_arn = var.kms_key_arn
  content = jsonencode({
    "${var.registry_vip}:${var.registry_port}" = { auth = base64encode("${var.registry_user}:${module.password.value}") }
  })
  path        = "${var.docker_auths_dir}/docker-registry.json"
  readers     = { for role in ["private_agent", "public_agent"] : role => var.node_role_names[role] }
  policy_name = "docker-registry-docker-auth"
  tags        = local.tags
}

# The secret that signs the registry's upload state. A push is several requests, which the VIP spreads over the
# instances (one per private agent): each must verify what another signed, so all share one generated secret,
# written by the private agents as an env file that Docker reads, never in the app's definition.
module "http_secret" {
  source = "../.shared/generated-secret"

  name_prefix = format(local.name, "registry-http-secret")
  description = "The upload-state secret shared by every instance of the ${module.label.id} registry"
  kms_key_arn = var.kms_key_arn
  length      = 48
  tags        = local.tags
}

module "settings" {
  source = "../.shared/env-file-secret"

  name_prefix = format(local.name, "registry-settings")
  description = "Secret settings of the ${module.label.id} registry, as an env file"
  kms_key_arn = var.kms_key_arn
  path        = local.settings_file
  readers     = { private_agent = var.node_role_names["private_agent"] }
  policy_name = "docker-registry-settings"
  tags        = local.tags
  values      = { REGISTRY_HTTP_SECRET = module.http_secret.value }
}

################################################################################
# The app, as data
################################################################################

locals {
  marathon_apps = [
    {
      id   = "registry"
      cpus = var.registry_cpus
      mem  = var.registry_mem
      container = {
        type = "DOCKER"
        docker = {
          image          = var.registry_image
          forcePullImage = false
          # REGISTRY_HTTP_SECRET, shared by every instance, from the file the private agents write at boot.
          parameters = [{ key = "env-file", value = local.settings_file }]
        }
        # The private agents write the certificate, key and htpasswd here from Secrets Manager (node_files).
        volumes = [{ containerPath = "/certs", hostPath = local.tls_dir, mode = "RO" }]
      }
      networks = [{ mode = "host" }]
      portDefinitions = [
        {
          port     = var.registry_port
          protocol = "tcp"
          name     = "registry"
          labels   = { VIP_0 = "${var.registry_vip}:${var.registry_port}" }
        }
      ]
      requirePorts = true
      env = {
        REGISTRY_HTTP_ADDR                = "0.0.0.0:${var.registry_port}"
        REGISTRY_STORAGE                  = "s3"
        REGISTRY_STORAGE_S3_BUCKET        = module.bucket.id
        REGISTRY_STORAGE_S3_REGION        = data.aws_region.current.name
        REGISTRY_STORAGE_S3_ROOTDIRECTORY = local.root_directory
        REGISTRY_STORAGE_S3_ENCRYPT       = "true"
        REGISTRY_STORAGE_S3_KEYID         = var.kms_key_arn
        REGISTRY_STORAGE_DELETE_ENABLED   = tostring(var.registry_delete_enabled)
        REGISTRY_HTTP_TLS_CERTIFICATE     = "/certs/tls.crt"
        REGISTRY_HTTP_TLS_KEY             = "/certs/tls.key"
        REGISTRY_AUTH                     = "htpasswd"
        REGISTRY_AUTH_HTPASSWD_REALM      = "NGP registry"
        REGISTRY_AUTH_HTPASSWD_PATH       = "/certs/htpasswd"
      }
      healthChecks = [
        {
          protocol               = "MESOS_HTTPS"
          path                   = "/"
          portIndex              = 0
          gracePeriodSeconds     = 60
          intervalSeconds        = 20
          timeoutSeconds         = 10
          maxConsecutiveFailures = 3
        }
      ]
      # One per private agent (the contract's per-agent label): ngp sets the instances from the live agents,
      # one per host, with an upgrade that cannot stall.
      labels = { NGP_PER_AGENT = "private" }
    }
  ]
}

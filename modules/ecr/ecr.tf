# ecr: private ECR repositories for the platform's images, and the credential refresher that lets Marathon apps
# pull from them. The repositories scan on push, keep tags immutable unless told otherwise, are encrypted with
# the platform key, and expire old images (keep the last N; untagged ones after D days). The agents' roles may
# pull from these repositories and nothing else.
#
# The refresher (crates/ecr-refresher, built static by ngp) runs once per agent, on the host, with the agent's
# role: every 6 hours it logs in to ECR and atomically rewrites /etc/docker.tar.gz (root-only), with ECR's login and
# the other registries' auths that modules put in docker_auths_dir (the private registry's), which apps fetch
# (`"fetch": [{"uri": "file:///etc/docker.tar.gz"}]`) to pull with the Docker containerizer. Marathon fetches the
# binary from this module's bucket, which serves it to unsigned GETs through the VPC's S3 endpoint only.
# Trade-off: any task that can read /etc/docker.tar.gz on an agent can pull these images for up to 12 hours.

# ngp reads this block; Terraform ignores it.
locals {
  ngp_module = {
    description     = "ECR repositories (scan on push, immutable, KMS) and a Rust credential refresher on every agent"
    default_enabled = true
    headline        = ["ecr_registry"]
    inputs_from     = {}
    builds          = [{ input = "refresher_binary", package = "ngp-ecr-refresher" }]
  }
}

module "label" {
  source  = "../.shared/label"
  context = var.context
}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

locals {
  name     = module.label.name_format
  tags     = module.label.tags
  registry = "${data.aws_caller_identity.current.account_id}.dkr.ecr.${data.aws_region.current.name}.amazonaws.com"
  # The refresher's object key carries its hash: a new build is a new URI, so Marathon redeploys the app.
  refresher_key = "refresher/${filesha256(var.refresher_binary)}/ngp-ecr-refresher"
}

################################################################################
# Repositories
################################################################################

resource "aws_ecr_repository" "this" {
  # checkov:skip=CKV_AWS_51: tags are immutable unless a repository in ecr_repositories sets mutable_tags = true, which is the user's choice per repository.
  for_each = var.ecr_repositories

  name                 = each.key
  image_tag_mutability = each.value.mutable_tags ? "MUTABLE" : "IMMUTABLE"
  force_delete         = var.force_destroy
  tags                 = merge(local.tags, { Name = each.key })

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  for_each = var.ecr_repositories

  repository = aws_ecr_repository.this[each.key].name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Expire untagged images after ${each.value.untagged_days} days"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = each.value.untagged_days
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the last ${each.value.keep_images} images"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = each.value.keep_images
        }
        action = { type = "expire" }
      },
    ]
  })
}

################################################################################
# IAM: the agents log in and pull from these repositories only
################################################################################

data "aws_iam_policy_document" "pull" {
  statement {
    sid       = "LogIn"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # the action has no resource: AWS accepts only "*"
  }

  dynamic "statement" {
    for_each = length(var.ecr_repositories) > 0 ? [1] : []
    content {
      sid       = "PullThePlatformImages"
      actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
      resources = [for r in aws_ecr_repository.this : r.arn]
    }
  }
}

resource "aws_iam_role_policy" "pull" {
  for_each = toset(["private_agent", "public_agent"])

  name   = "ecr-pull"
  role   = var.node_role_names[each.key]
  policy = data.aws_iam_policy_document.pull.json
}

################################################################################
# The refresher's binary: in a private bucket, readable through the VPC's S3 endpoint only
################################################################################

data "aws_iam_policy_document" "refresher_download" {
  statement {
    sid       = "RefresherThroughTheVpcEndpoint"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${module.bucket.arn}/refresher/*"]

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

  bucket_prefix     = "${format(local.name, "ecr-refresher")}-"
  kms_key_arn       = var.kms_key_arn
  force_destroy     = true # it holds only builds ngp uploads again
  extra_policy_json = data.aws_iam_policy_document.refresher_download.json
  tags              = merge(local.tags, { Name = format(local.name, "ecr-refresher") })
}

resource "aws_s3_object" "refresher" {
  bucket      = module.bucket.id
  key         = local.refresher_key
  source      = var.refresher_binary
  source_hash = filesha256(var.refresher_binary)
  # SSE-S3, not the bucket's KMS default: the Mesos fetcher's GET is unsigned, and KMS decrypts for signed
  # requests only.
  server_side_encryption = "AES256"
  content_type           = "application/octet-stream"
  tags                   = local.tags
}

################################################################################
# The refresher, as data: once per agent of each kind
################################################################################

locals {
  refresher = {
    cpus = 0.1
    mem  = 64
    # On the host, as root: it uses the agent's role (hop limit 1 keeps containers from it) and writes under /etc.
    user = "root"
    cmd  = "exec ./ngp-ecr-refresher --output ${var.docker_archive_path} --auths-dir ${var.docker_auths_dir} --interval ${var.refresh_interval} --max-age ${var.refresh_max_age} --listen 127.0.0.1:$PORT0"
    fetch = [{
      uri        = "https://${module.bucket.id}.s3.${data.aws_region.current.name}.amazonaws.com/${aws_s3_object.refresher.key}"
      executable = true
      extract    = false
      cache      = false
    }]
    portDefinitions = [{ port = 0, protocol = "tcp", name = "health" }]
    healthChecks = [
      { protocol = "MESOS_HTTP", path = "/health", portIndex = 0, gracePeriodSeconds = 60, intervalSeconds = 60, timeoutSeconds = 10, maxConsecutiveFailures = 3 }
    ]
  }

  marathon_apps = [
    merge(local.refresher, { id = "refresher-private", labels = { NGP_PER_AGENT = "private" } }),
    merge(local.refresher, { id = "refresher-public", labels = { NGP_PER_AGENT = "public" } }),
  ]
}

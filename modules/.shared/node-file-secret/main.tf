# node-file-secret: a file the cluster's nodes write at boot (the cluster's node_files), kept in a KMS-encrypted
# Secrets Manager secret that only the nodes of the given roles may read. For anything an app needs that must
# not be in its Marathon definition (which anyone who can read Marathon's API sees): settings, credentials.

data "aws_region" "current" {}

resource "aws_secretsmanager_secret" "this" {
  # checkov:skip=CKV2_AWS_57: the contents derive from values owned elsewhere (a cloud's credentials, a generated password or token); an apply rewrites this secret when they change, and nodes read it at boot.
  name_prefix             = "${var.name_prefix}-"
  description             = var.description
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 7
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "this" {
  secret_id     = aws_secretsmanager_secret.this.id
  secret_string = var.content
}

data "aws_iam_policy_document" "read" {
  statement {
    sid       = "ReadTheFile"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.this.arn]
  }

  statement {
    sid       = "DecryptTheFile"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${data.aws_region.current.name}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "read" {
  for_each = var.readers

  name   = var.policy_name
  role   = each.value
  policy = data.aws_iam_policy_document.read.json
}

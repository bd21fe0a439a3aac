# generated-secret: a value drawn once by Secrets Manager and kept, KMS-encrypted, in a secret of its own.
# Later plans draw another value, which ignore_changes keeps from replacing the first.

data "aws_secretsmanager_random_password" "this" {
  password_length     = var.length
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "this" {
  # checkov:skip=CKV2_AWS_57: each value is also held by the service that uses it (Access Server, DC/OS, Redis); rotate both together with that service's own tool, then update the secret.
  name_prefix             = "${var.name_prefix}-"
  description             = var.description
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 7
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "this" {
  secret_id     = aws_secretsmanager_secret.this.id
  secret_string = data.aws_secretsmanager_random_password.this.random_password

  lifecycle {
    ignore_changes = [secret_string]
  }
}

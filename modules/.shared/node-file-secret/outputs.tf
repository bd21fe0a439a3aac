output "arn" {
  description = "ARN of the secret."
  value       = aws_secretsmanager_secret.this.arn
}

output "node_file" {
  description = "The entry for the cluster's node_files."
  value = {
    path       = var.path
    secret_arn = aws_secretsmanager_secret.this.arn
    mode       = var.mode
    roles      = sort(keys(var.readers))
  }
}

output "arn" {
  description = "ARN of the secret."
  value       = aws_secretsmanager_secret.this.arn
}

output "value" {
  description = "The generated value."
  value       = aws_secretsmanager_secret_version.this.secret_string
  sensitive   = true
}

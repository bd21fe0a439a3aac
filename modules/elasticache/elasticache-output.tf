output "redis_endpoint" {
  description = "Address of the Redis primary (TLS)."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "redis_port" {
  description = "Redis port."
  value       = local.port
}

output "redis_auth_token" {
  description = "Redis AUTH token."
  value       = module.auth_token.value
  sensitive   = true
}

output "redis_auth_token_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the Redis AUTH token."
  value       = module.auth_token.arn
}

output "redis_security_group_id" {
  description = "ID of Redis's security group."
  value       = aws_security_group.redis.id
}

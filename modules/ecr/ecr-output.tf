output "ecr_registry" {
  description = "The account's ECR registry host."
  value       = local.registry
}

output "ecr_repository_urls" {
  description = "URL of each repository, by name."
  value       = { for name, r in aws_ecr_repository.this : name => r.repository_url }
}

output "ecr_login_hint" {
  description = "How to log in to the registry from your own machine, with your AWS credentials."
  value       = "aws ecr get-login-password --region ${data.aws_region.current.name} | docker login --username AWS --password-stdin ${local.registry}"
}

output "docker_archive_uri" {
  description = "What an app adds to its fetch list to pull from these repositories with the Docker containerizer."
  value       = "file://${var.docker_archive_path}"
}

output "marathon_apps" {
  description = "The credential refresher once per agent (private and public), as Marathon apps; ngp deploys them into /ngp/ecr."
  value       = local.marathon_apps
}

output "jenkins_url" {
  description = "Jenkins, through the VPN (the internal load balancer's name when no domain is set)."
  value       = "https://${coalesce(local.hostname, module.front.dns_name)}"
}

output "jenkins_lb_dns_name" {
  description = "DNS name of Jenkins's internal load balancer."
  value       = module.front.dns_name
}

output "jenkins_admin_user" {
  description = "The Jenkins admin user."
  value       = var.admin_user
}

output "jenkins_admin_password" {
  description = "The Jenkins admin password (a secret: shown only with --show-secrets)."
  value       = module.admin_password.value
  sensitive   = true
}

output "jenkins_admin_password_secret_arn" {
  description = "The Secrets Manager secret that holds the admin password."
  value       = module.admin_password.arn
}

output "jenkins_file_system_id" {
  description = "The EFS file system of Jenkins's home."
  value       = aws_efs_file_system.home.id
}

output "jenkins_access_point_id" {
  description = "The access point Jenkins mounts (POSIX user and root directory of the image's uid)."
  value       = aws_efs_access_point.home.id
}

output "private_agent_target_group_arns" {
  description = "Contract: the target group the private agents register in, for Jenkins's load balancer."
  value       = [module.front.target_group_arn]
}

output "node_files" {
  description = "Contract: Jenkins's admin settings, which every private agent writes at boot, root-only, for Docker's --env-file."
  value       = [module.admin_settings.node_file]
}

output "marathon_apps" {
  description = "The EFS tunnel on every private agent and Jenkins, as Marathon apps; ngp deploys them into /ngp/jenkins."
  value       = local.marathon_apps
}

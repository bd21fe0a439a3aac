output "vpn_connect_url" {
  description = "Where users sign in and download their client profile."
  value       = "https://${local.hostname}/"
}

output "vpn_admin_url" {
  description = "The Access Server's admin UI (reachable from admin_cidrs only)."
  value       = "https://${local.hostname}:943/admin"
}

output "vpn_public_ip" {
  description = "The VPN server's Elastic IP."
  value       = aws_eip.vpn.public_ip
}

output "vpn_admin_user" {
  description = "User name of the Access Server's administrator."
  value       = var.vpn_admin_user
}

output "vpn_admin_password" {
  description = "The administrator's generated password."
  value       = module.admin_password.value
  sensitive   = true
}

output "vpn_admin_password_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the administrator's password."
  value       = module.admin_password.arn
}

output "vpn_security_group_id" {
  description = "ID of the VPN server's security group: the cluster admits admin traffic from it."
  value       = aws_security_group.vpn.id
}

output "vpn_enabled" {
  description = "Always true: tells other modules, at plan time, that the VPN exists."
  value       = true
}

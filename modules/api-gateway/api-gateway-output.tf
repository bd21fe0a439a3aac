output "gateway_url" {
  description = "The Tyk gateway's public HTTPS address: tyk.<domain>, or the load balancer's name without one."
  value       = "https://${var.dns_records && local.hostname != null ? local.hostname : module.front.dns_name}"
}

output "gateway_lb_dns_name" {
  description = "DNS name of the gateway's load balancer (point tyk.<domain> here when ngp does not manage the zone)."
  value       = module.front.dns_name
}

output "gateway_secret" {
  description = "The Gateway API secret (header x-tyk-authorization), generated."
  value       = module.gateway_secret.value
  sensitive   = true
}

output "gateway_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the Gateway API secret."
  value       = module.gateway_secret.arn
}

output "public_agent_target_group_arns" {
  description = "The gateway's target group: the cluster module registers its public agents in it (inputs_from \"*\")."
  value       = [module.front.target_group_arn]
}

output "node_files" {
  description = "Contract: the secret settings the agents write at boot, root-only, where Docker reads them for the gateway (public agents) and the Pump (private agents)."
  value       = concat([module.gateway_settings.node_file], module.pump_settings[*].node_file)
}

output "marathon_apps" {
  description = "The Tyk gateway (public agents) and, when enabled, Tyk Pump, as Marathon apps; ngp deploys them into /ngp/api-gateway."
  value       = local.marathon_apps
}

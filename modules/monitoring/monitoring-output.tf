output "sysdig_collector" {
  description = "Where the agents report."
  value       = "${var.sysdig_collector}:${var.sysdig_collector_port}"
}

output "node_files" {
  description = "Contract: the agent's secret settings, which every agent node writes at boot, root-only, for Docker's --env-file."
  value       = [module.settings.node_file]
}

output "marathon_apps" {
  description = "The Sysdig agent once per agent node (private and public), as Marathon apps; ngp deploys them into /ngp/monitoring."
  value       = local.marathon_apps
}

output "node_egress" {
  description = "Contract: the agents report to Sysdig's collector, outside the VPC; the cluster's egress opens its port."
  value       = [{ host = var.sysdig_collector, port = var.sysdig_collector_port, protocol = "tcp", why = "the Sysdig agents' collector" }]
}

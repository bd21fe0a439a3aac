output "opensearch_endpoint" {
  description = "The domain's HTTPS endpoint, inside the VPC."
  value       = "https://${aws_opensearch_domain.logs.endpoint}"
}

output "dashboards_url" {
  description = "OpenSearch Dashboards, through the VPN; log in as the master user."
  value       = "https://${aws_opensearch_domain.logs.endpoint}/_dashboards"
}

output "opensearch_master_user" {
  description = "Name of the domain's master user."
  value       = var.opensearch_master_user
}

output "opensearch_master_password" {
  description = "The master user's generated password."
  value       = module.master_password.value
  sensitive   = true
}

output "opensearch_master_password_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the master user's password."
  value       = module.master_password.arn
}

output "logstash_address" {
  description = "Where Filebeat (and anything else inside the cluster) sends Beats: the Logstash VIP."
  value       = "${local.logstash_vip}.marathon.l4lb.thisdcos.directory:5044"
}

output "marathon_apps" {
  description = "Logstash and Filebeat (one per agent, private and public) as Marathon apps; ngp deploys them into /ngp/elk."
  value       = local.marathon_apps
}

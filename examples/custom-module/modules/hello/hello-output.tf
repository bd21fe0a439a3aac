output "hello_url" {
  description = "Where the web server answers: the public agents' load balancer, port 80."
  value       = "http://${var.public_agents_lb_dns_name}/"
}

output "hello_log_group" {
  description = "Name of the module's log group."
  value       = aws_cloudwatch_log_group.hello.name
}

output "marathon_apps" {
  description = "The web server as a Marathon app; ngp deploys it into /ngp/hello."
  value       = local.marathon_apps
}

output "public_agent_ports" {
  description = "Contract: the web server is published on the public agents' port 80, so the cluster keeps its public load balancer."
  value       = [80]
}

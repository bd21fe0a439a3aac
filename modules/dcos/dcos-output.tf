output "dcos_url" {
  description = "The DC/OS UI and API, through the internal masters load balancer (reach it over the VPN)."
  value       = local.dcos_url
}

output "marathon_url" {
  description = "Marathon's REST API, through Admin Router (contract: the Marathon that `ngp apps` reconciles)."
  value       = "${local.dcos_url}/service/marathon"
}

output "mesos_url" {
  description = "The Mesos master's API, through Admin Router (contract: the live agent count for one-per-agent apps)."
  value       = "${local.dcos_url}/mesos"
}

output "marathon_login" {
  description = "How ngp gets a token for marathon_url: DC/OS's login endpoint and the superuser (contract)."
  value = {
    url      = "${local.dcos_url}/acs/api/v1/auth/login"
    uid      = var.dcos_superuser_username
    password = module.superuser_password.value
  }
  sensitive = true
}

output "masters_lb_dns_name" {
  description = "DNS name of the internal masters load balancer."
  value       = aws_lb.masters.dns_name
}

output "public_agents_lb_dns_name" {
  description = "DNS name of the public agents' load balancer, which forwards the ports apps publish (public_agent_ports); null when none is published."
  value       = one(aws_lb.public_agents[*].dns_name)
}

output "s3_vpc_endpoint_id" {
  description = "ID of the VPC's S3 gateway endpoint: buckets may serve files to the nodes' unsigned GETs through it alone (aws:SourceVpce)."
  value       = aws_vpc_endpoint.s3.id
}

output "s3_prefix_list_id" {
  description = "The S3 prefix list of the gateway endpoint, for security-group rules that let a task (a Lambda in the private subnets) reach S3 without the NAT."
  value       = aws_vpc_endpoint.s3.prefix_list_id
}

output "marathon_login_secret" {
  description = "DC/OS's login without the password: `{ url, uid, password_secret_arn }`, for a function in the VPC that reads the password from Secrets Manager itself."
  value = {
    url                 = "${local.dcos_url}/acs/api/v1/auth/login"
    uid                 = var.dcos_superuser_username
    password_secret_arn = module.superuser_password.arn
  }
}

output "dcos_cluster_name" {
  description = "The DC/OS cluster name."
  value       = local.cluster_name
}

output "dcos_config_yaml" {
  description = "The config.yaml the bootstrap node builds genconf from (without the superuser's hash)."
  value       = local.dcos_config_yaml
}

output "dcos_superuser_username" {
  description = "The DC/OS superuser's name."
  value       = var.dcos_superuser_username
}

output "dcos_superuser_password" {
  description = "The DC/OS superuser's generated password."
  value       = module.superuser_password.value
  sensitive   = true
}

output "dcos_superuser_password_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the superuser's password."
  value       = module.superuser_password.arn
}

output "num_masters" {
  description = "Number of masters."
  value       = var.num_masters
}

output "private_agent_count" {
  description = "Desired number of private agents (one-per-agent apps size themselves from the live count)."
  value       = var.private_agents.desired
}

output "public_agent_count" {
  description = "Desired number of public agents."
  value       = var.public_agents.desired
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, one per availability zone (cluster nodes, Redis, Logstash)."
  value       = aws_subnet.private[*].id
}

output "private_subnet_cidrs" {
  description = "CIDR blocks of the private subnets."
  value       = aws_subnet.private[*].cidr_block
}

output "public_subnet_ids" {
  description = "IDs of the public subnets (load balancers, NAT)."
  value       = aws_subnet.public[*].id
}

output "cluster_security_group_id" {
  description = "ID of the security group every cluster node is in."
  value       = aws_security_group.cluster.id
}

output "agent_security_group_id" {
  description = "ID of the security group that identifies agents to services such as Redis (every node is in it)."
  value       = aws_security_group.cluster.id
}

output "admin_router_security_group_id" {
  description = "ID of the security group of Admin Router's load balancer (the ALB at dcos.<domain>, or the masters' NLB without DNS records): in-VPC clients of dcos_url send 443 to it."
  value       = local.admin_front_group_id
}

output "master_security_group_id" {
  description = "ID of the masters' security group."
  value       = aws_security_group.master.id
}

output "exhibitor_bucket" {
  description = "Name of the exhibitor bucket."
  value       = module.exhibitor_bucket.id
}

output "node_role_names" {
  description = "IAM role name per node role (bootstrap, master, private_agent, public_agent)."
  value       = { for role, r in aws_iam_role.node : role => r.name }
}

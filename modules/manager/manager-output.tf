# What later modules consume: ngp wires each output to every enabled module input of the same name.

output "aws_region" {
  description = "AWS region the platform runs in."
  value       = data.aws_region.current.name
}

output "availability_zones" {
  description = "Availability zones later modules spread their subnets over, in order."
  value       = local.availability_zones
}

output "vpc_id" {
  description = "ID of the platform VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "IPv4 CIDR block of the platform VPC."
  value       = aws_vpc.this.cidr_block
}

output "internet_gateway_id" {
  description = "ID of the VPC's internet gateway, for public subnets' routes."
  value       = aws_internet_gateway.this.id
}

output "management_subnet_id" {
  description = "ID of the management subnet (manager node, VPN server)."
  value       = aws_subnet.management.id
}

output "management_subnet_cidr" {
  description = "CIDR block of the management subnet."
  value       = aws_subnet.management.cidr_block
}

output "management_route_table_id" {
  description = "ID of the management subnet's route table (default route to the internet gateway)."
  value       = aws_route_table.management.id
}

output "management_security_group_id" {
  description = "ID of the management security group: SSH from admin_cidrs only."
  value       = aws_security_group.management.id
}

output "kms_key_arn" {
  description = "ARN of the platform's KMS key: log groups, secrets and buckets are encrypted with it."
  value       = aws_kms_key.platform.arn
}

output "domain" {
  description = "The platform's DNS domain, or null when it has none."
  value       = var.domain
}

output "dns_zone_id" {
  description = "ID of the Route53 public zone for domain, or null when there is no domain."
  value       = local.dns_zone_id
}

output "manager_role_name" {
  description = "Name of the manager node's IAM role."
  value       = aws_iam_role.manager.name
}

output "manager_instance_profile_name" {
  description = "Name of the manager node's instance profile."
  value       = aws_iam_instance_profile.manager.name
}

output "manager_instance_id" {
  description = "ID of the manager node, or null when create_manager_node is false."
  value       = one(aws_instance.manager[*].id)
}

output "manager_private_ip" {
  description = "Private IP of the manager node, or null when there is none."
  value       = try(coalesce(one(aws_instance.manager[*].private_ip)), null)
}

output "manager_public_ip" {
  description = "Public IP of the manager node, or null when it has none."
  value       = try(coalesce(one(aws_instance.manager[*].public_ip)), null)
}

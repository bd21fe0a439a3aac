output "arn" {
  description = "The load balancer's ARN."
  value       = aws_lb.this.arn
}

output "dns_name" {
  description = "The load balancer's DNS name."
  value       = aws_lb.this.dns_name
}

output "security_group_id" {
  description = "The load balancer's security group."
  value       = aws_security_group.this.id
}

output "target_group_arn" {
  description = "The target group, for the targets' Auto Scaling group."
  value       = aws_lb_target_group.this.arn
}

output "certificate_arn" {
  description = "The listener's certificate."
  value       = module.certificate.arn
}

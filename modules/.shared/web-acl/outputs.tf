output "arn" {
  description = "ARN of the web ACL, for aws_wafv2_web_acl_association."
  value       = aws_wafv2_web_acl.this.arn
}

output "log_group_name" {
  description = "The log group WAF writes every request to."
  value       = aws_cloudwatch_log_group.this.name
}

output "function_name" {
  description = "The function's name."
  value       = aws_lambda_function.function.function_name
}

output "function_arn" {
  description = "The function's ARN."
  value       = aws_lambda_function.function.arn
}

output "invoke_arn" {
  description = "The ARN API Gateway invokes the function through."
  value       = aws_lambda_function.function.invoke_arn
}

output "source_code_hash" {
  description = "The hash of the package the function runs: it changes when ngp builds a different binary."
  value       = aws_lambda_function.function.source_code_hash
}

output "security_group_id" {
  description = "The function's security group, for the targets' ingress rules."
  value       = aws_security_group.function.id
}

output "role_arn" {
  description = "The function's role."
  value       = aws_iam_role.function.arn
}

output "policy_json" {
  description = "The function's whole policy, as attached: the caller's statements and the submodule's."
  value       = data.aws_iam_policy_document.function.json
}

output "reserved_concurrency" {
  description = "The concurrency the function reserves, or null."
  value       = aws_lambda_function.function.reserved_concurrent_executions
}

output "environment" {
  description = "The function's environment, as set (names and ARNs, no secret)."
  value       = aws_lambda_function.function.environment[0].variables
}

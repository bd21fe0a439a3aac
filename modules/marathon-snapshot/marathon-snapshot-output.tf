output "snapshot_bucket" {
  description = "The bucket of Marathon snapshots (contract: where `ngp snapshot` takes, lists and restores them)."
  value       = module.bucket.id
}

output "snapshot_prefix" {
  description = "Key prefix of the snapshots (contract): <prefix>/<cluster>/<UTC timestamp>.json."
  value       = var.snapshot_prefix
}

output "snapshot_cluster" {
  description = "The cluster's part of the snapshots' keys (contract)."
  value       = module.label.id
}

output "snapshot_restore_url" {
  description = "POST here, signed with IAM credentials of this account (SigV4, service execute-api), to restore: {\"id\": \"latest\", \"only\": \"/\", \"dryRun\": true}."
  value       = "${aws_api_gateway_stage.restore.invoke_url}/restore"
}

output "snapshot_restore_arn" {
  description = "The execute-api ARN to allow in a caller's IAM policy (execute-api:Invoke) for POST /restore."
  value       = "${aws_api_gateway_rest_api.restore.execution_arn}/${local.stage_name}/POST/restore"
}

output "snapshot_function_name" {
  description = "The snapshot Lambda's name; its log group is /aws/lambda/<name>."
  value       = module.function.function_name
}

output "snapshot_dead_letter_queue_url" {
  description = "Where a scheduled snapshot that failed twice is kept (SQS)."
  value       = aws_sqs_queue.dead_letters.url
}

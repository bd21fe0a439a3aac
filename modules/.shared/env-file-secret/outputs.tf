output "arn" {
  description = "ARN of the secret."
  value       = module.file.arn
}

output "node_file" {
  description = "The entry for the cluster's node_files: the readers' nodes write the env file, root-only."
  value       = module.file.node_file
}

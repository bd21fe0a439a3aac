output "id" {
  description = "The platform's name: \"<pre_tag>-<post_tag>\"."
  value       = local.id
}

output "name_format" {
  description = "format() pattern of a resource's name: \"<pre_tag>-%s-<post_tag>\"."
  value       = "${var.context.pre_tag}-%s-${var.context.post_tag}"
}

output "tags" {
  description = "Tags for every resource: the context's extra tags under Service, Environment, Version and ManagedBy."
  value       = local.tags
}

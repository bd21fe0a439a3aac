# Inputs of the elasticache module: vpc_id and kms_key_arn from manager; private_subnet_ids and
# agent_security_group_id from dcos; the rest from ngp.tfvars.

variable "context" {
  description = "Naming and tags for every resource: \"<pre_tag>-<name>-<post_tag>\", and the Service, Environment and Version tags plus any extra tags."
  type = object({
    pre_tag     = string
    post_tag    = string
    environment = string
    service     = optional(string, "ngp")
    version     = optional(string, "0.1.0")
    tags        = optional(map(string), {})
  })
}

variable "vpc_id" {
  description = "ID of the platform VPC."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets Redis runs in (the cluster's)."
  type        = list(string)
}

variable "agent_security_group_id" {
  description = "Security group of the cluster's agents: the only clients Redis admits."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the KMS key for encryption at rest and the auth token's secret."
  type        = string
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.small"

  validation {
    condition     = startswith(var.redis_node_type, "cache.")
    error_message = "redis_node_type must be an ElastiCache node type, e.g. cache.t4g.small."
  }
}

variable "redis_nodes" {
  description = "Number of Redis nodes: a primary and its replicas, spread over the subnets."
  type        = number
  default     = 2

  validation {
    condition     = var.redis_nodes >= 1 && var.redis_nodes <= 6
    error_message = "redis_nodes must be between 1 and 6."
  }
}

variable "redis_automatic_failover" {
  description = "Automatic failover and Multi-AZ: a replica in another zone takes over when the primary fails. Needs redis_nodes of 2 or more; false for a single node."
  type        = bool
  default     = true

  validation {
    condition     = !var.redis_automatic_failover || var.redis_nodes >= 2
    error_message = "redis_automatic_failover needs redis_nodes = 2 or more (a replica to fail over to): raise redis_nodes, or set redis_automatic_failover = false."
  }
}

variable "redis_engine_version" {
  description = "Redis engine version."
  type        = string
  default     = "7.1"
}

variable "redis_snapshot_retention_days" {
  description = "Days automatic snapshots are kept."
  type        = number
  default     = 7

  validation {
    condition     = var.redis_snapshot_retention_days >= 1 && var.redis_snapshot_retention_days <= 35
    error_message = "redis_snapshot_retention_days must be between 1 and 35."
  }
}

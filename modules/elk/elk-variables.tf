# Inputs of the elk module: vpc_id, kms_key_arn and management_security_group_id from manager;
# private_subnet_ids, node_role_names and agent_security_group_id from dcos; the VPN's group from openvpn; the
# rest from ngp.tfvars.

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
  description = "The cluster's private subnets; the domain's nodes go in the first one, or two with zone awareness."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "private_subnet_ids must name at least two subnets."
  }
}

variable "kms_key_arn" {
  description = "ARN of the platform KMS key: the domain's storage, its log group and the master user's secret."
  type        = string
}

variable "node_role_names" {
  description = "IAM role name per DC/OS node role; the private agents' role, where Logstash runs, may write to the domain."
  type        = map(string)

  validation {
    condition     = contains(keys(var.node_role_names), "private_agent")
    error_message = "node_role_names must name the private_agent role."
  }
}

variable "agent_security_group_id" {
  description = "Security group every cluster node is in: Logstash reaches the domain from it."
  type        = string
}

variable "management_security_group_id" {
  description = "The management security group: the manager node may reach the domain."
  type        = string
}

variable "vpn_security_group_id" {
  description = "The VPN server's security group: VPN users reach Dashboards. Null without a VPN."
  type        = string
  default     = null
}

variable "vpn_enabled" {
  description = "Whether the VPN module is enabled (wired from its output)."
  type        = bool
  default     = false
}

variable "opensearch_engine_version" {
  description = "The domain's engine, as AWS names it."
  type        = string
  default     = "OpenSearch_2.13"

  validation {
    condition     = can(regex("^OpenSearch_[0-9]+\\.[0-9]+$", var.opensearch_engine_version))
    error_message = "opensearch_engine_version must look like OpenSearch_2.13."
  }
}

variable "opensearch_instance_type" {
  description = "Instance type of the domain's data nodes."
  type        = string
  default     = "t3.medium.search"

  validation {
    condition     = endswith(var.opensearch_instance_type, ".search")
    error_message = "opensearch_instance_type must be an OpenSearch instance type, such as r6g.large.search."
  }
}

variable "opensearch_instance_count" {
  description = "Data nodes: 1, or an even number, which spreads over two zones (AWS refuses an odd count over two zones)."
  type        = number
  default     = 2

  validation {
    condition     = floor(var.opensearch_instance_count) == var.opensearch_instance_count && (var.opensearch_instance_count == 1 || (var.opensearch_instance_count >= 2 && var.opensearch_instance_count % 2 == 0))
    error_message = "opensearch_instance_count must be 1, or an even number (the domain spreads over two zones, and AWS wants the same count in each)."
  }
}

variable "opensearch_dedicated_masters_enabled" {
  description = "Dedicated master nodes, which keep the cluster's state apart from the data nodes' load and survive a master's loss; false for none (small or disposable domains)."
  type        = bool
  default     = true
}

variable "opensearch_dedicated_masters" {
  description = "How many dedicated master nodes, when they are enabled: 3, or 5."
  type        = number
  default     = 3

  validation {
    condition     = contains([3, 5], var.opensearch_dedicated_masters)
    error_message = "opensearch_dedicated_masters must be 3 or 5; to run without dedicated masters, set opensearch_dedicated_masters_enabled = false."
  }
}

variable "opensearch_master_instance_type" {
  description = "Instance type of the dedicated master nodes."
  type        = string
  default     = "m6g.large.search"

  validation {
    condition     = endswith(var.opensearch_master_instance_type, ".search")
    error_message = "opensearch_master_instance_type must be an OpenSearch instance type, such as m6g.large.search."
  }
}

variable "opensearch_volume_size" {
  description = "GiB of gp3 storage per data node."
  type        = number
  default     = 20

  validation {
    condition     = var.opensearch_volume_size >= 10
    error_message = "opensearch_volume_size must be 10 GiB or more."
  }
}

variable "opensearch_master_user" {
  description = "Name of the domain's master user (its password is generated into Secrets Manager)."
  type        = string
  default     = "ngp-admin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_-]{2,31}$", var.opensearch_master_user))
    error_message = "opensearch_master_user must be 3-32 lower-case letters, digits, '_' and '-'."
  }
}

variable "opensearch_timeouts" {
  description = "How long Terraform waits for the domain to be created, updated or deleted. Local mode sets a few seconds."
  type        = string
  default     = "60m"

  validation {
    condition     = can(regex("^[0-9]+(s|m|h)$", var.opensearch_timeouts))
    error_message = "opensearch_timeouts must be a duration such as 90s, 60m or 2h."
  }
}

variable "log_retention_days" {
  description = "Days the domain's own log group keeps events."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts, such as 30 or 365."
  }
}

variable "logstash_image" {
  description = "Logstash OSS with the OpenSearch output plugin, pinned by tag or digest."
  type        = string
  default     = "opensearchproject/logstash-oss-with-opensearch-output-plugin:8.9.0"

  validation {
    condition     = can(regex("(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$", var.logstash_image)) && !endswith(var.logstash_image, ":latest")
    error_message = "logstash_image must be pinned: name:tag (not latest) or name@sha256:digest."
  }
}

variable "logstash_instances" {
  description = "Logstash tasks, each on its own private agent."
  type        = number
  default     = 2

  validation {
    condition     = var.logstash_instances >= 1 && floor(var.logstash_instances) == var.logstash_instances
    error_message = "logstash_instances must be a whole number, 1 or more."
  }
}

variable "filebeat_image" {
  description = "Filebeat OSS (it keeps the Logstash output), pinned by tag or digest."
  type        = string
  default     = "docker.elastic.co/beats/filebeat-oss:8.19.26"

  validation {
    condition     = can(regex("(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$", var.filebeat_image)) && !endswith(var.filebeat_image, ":latest")
    error_message = "filebeat_image must be pinned: name:tag (not latest) or name@sha256:digest."
  }
}

variable "mesos_work_dir" {
  description = "The agents' Mesos work directory, whose sandboxes Filebeat ships."
  type        = string
  default     = "/var/lib/mesos/slave"

  validation {
    condition     = can(regex("^/[A-Za-z0-9._/-]+$", var.mesos_work_dir))
    error_message = "mesos_work_dir must be an absolute path."
  }
}

variable "journald_units" {
  description = "The DC/OS units whose journal Filebeat ships."
  type        = list(string)
  default     = ["dcos-marathon", "dcos-mesos-master", "dcos-mesos-slave", "dcos-mesos-slave-public"]
}

variable "create_opensearch_service_linked_role" {
  description = "Whether to create OpenSearch's service-linked role (AWSServiceRoleForAmazonOpenSearchService), which a domain in a VPC needs. True only in an account that has never had a VPC domain: the role exists in every other, and creating it again fails."
  type        = bool
  default     = false
}

variable "security_roles_lambda_zip" {
  description = "The OpenSearch roles function's deployment package: a zip with the static `bootstrap` alone. ngp builds it (crates/search-roles) unless this is set."
  type        = string

  validation {
    condition     = endswith(var.security_roles_lambda_zip, ".zip")
    error_message = "security_roles_lambda_zip must be the path of a .zip file."
  }
}

variable "opensearch_security_roles_on_apply" {
  description = "Whether the apply runs the OpenSearch roles function, which maps Logstash's role to its OpenSearch role (without the mapping, fine-grained access control refuses every write). False only where Lambda cannot run it (the emulator)."
  type        = bool
  default     = true
}

# Inputs of the monitoring module: kms_key_arn from manager; node_role_names from dcos; the collector and tags
# from ngp.tfvars; the access key from TF_VAR_sysdig_access_key only.

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

variable "node_role_names" {
  description = "IAM role name per DC/OS node role; the agents' roles may read the agent's settings secret."
  type        = map(string)

  validation {
    condition     = contains(keys(var.node_role_names), "public_agent") && contains(keys(var.node_role_names), "private_agent")
    error_message = "node_role_names must name the public_agent and private_agent roles."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the agent's settings secret."
  type        = string
}

variable "sysdig_access_key" {
  description = "The Sysdig agent access key. A secret: set TF_VAR_sysdig_access_key, never a tfvars literal."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+$", var.sysdig_access_key))
    error_message = "sysdig_access_key must be letters, digits and dashes, as Sysdig's settings show it."
  }
}

variable "sysdig_collector" {
  description = "Sysdig's collector for your region, e.g. collector.sysdigcloud.com (us1) or ingest-eu1.app.sysdig.com (eu1)."
  type        = string
  default     = "collector.sysdigcloud.com"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$", var.sysdig_collector))
    error_message = "sysdig_collector must be a host name."
  }
}

variable "sysdig_collector_port" {
  description = "The collector's port."
  type        = number
  default     = 6443

  validation {
    condition     = var.sysdig_collector_port >= 1 && var.sysdig_collector_port <= 65535
    error_message = "sysdig_collector_port must be a port number."
  }
}

variable "sysdig_tags" {
  description = "Tags the agents report, name => value (the platform's id is always among them, as ngp)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.sysdig_tags : can(regex("^[A-Za-z0-9_.-]+$", k)) && can(regex("^[A-Za-z0-9_./-]+$", v))])
    error_message = "sysdig_tags: names and values of letters, digits and _.- (values may have /), since Sysdig splits on , and :."
  }
}

variable "agent_image" {
  description = "The Sysdig agent image, the slim one (no kernel-module builder), pinned."
  type        = string
  default     = "quay.io/sysdig/agent-slim:14.7.4"

  validation {
    condition     = can(regex("(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$", var.agent_image)) && !endswith(var.agent_image, ":latest")
    error_message = "agent_image must be pinned: name:tag (not latest) or name@sha256:digest."
  }
}

variable "agent_cpus" {
  description = "CPUs for each agent."
  type        = number
  default     = 0.5
}

variable "agent_mem" {
  description = "Memory for each agent, MiB (Sysdig's default limit is 1 GiB)."
  type        = number
  default     = 1024

  validation {
    condition     = var.agent_mem >= 512
    error_message = "agent_mem must be 512 MiB or more."
  }
}

variable "settings_dir" {
  description = "Where the agents keep the Sysdig agent's secret settings (root-only, 0600), written at boot from Secrets Manager."
  type        = string
  default     = "/etc/ngp/sysdig"

  validation {
    condition     = can(regex("^/[A-Za-z0-9._/-]+$", var.settings_dir)) && !strcontains(var.settings_dir, "..")
    error_message = "settings_dir must be an absolute path of letters, digits and ._/- only."
  }
}

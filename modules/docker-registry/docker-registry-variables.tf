# Inputs of the docker-registry module: kms_key_arn from manager, node_role_names from dcos; the rest from
# ngp.tfvars.

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

variable "kms_key_arn" {
  description = "ARN of the platform KMS key that encrypts the image bucket."
  type        = string
}

variable "node_role_names" {
  description = "IAM role name per DC/OS node role; the private agents' role gets the bucket."
  type        = map(string)

  validation {
    condition     = alltrue([for role in ["master", "private_agent", "public_agent"] : contains(keys(var.node_role_names), role)])
    error_message = "node_role_names must name the master, private_agent and public_agent roles."
  }
}

variable "registry_image" {
  description = "The registry's container image, pinned by tag or digest."
  type        = string
  default     = "registry:2.8.3"

  validation {
    condition     = can(regex("(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$", var.registry_image)) && !endswith(var.registry_image, ":latest")
    error_message = "registry_image must be pinned: name:tag (not latest) or name@sha256:digest."
  }
}

variable "registry_cpus" {
  description = "CPU shares per registry task."
  type        = number
  default     = 0.5

  validation {
    condition     = var.registry_cpus > 0
    error_message = "registry_cpus must be more than 0."
  }
}

variable "registry_mem" {
  description = "Memory per registry task, in MiB."
  type        = number
  default     = 512

  validation {
    condition     = var.registry_mem >= 32
    error_message = "registry_mem must be at least 32 (MiB)."
  }
}

variable "registry_vip" {
  description = "The registry's virtual IP inside the cluster (the nodes trust its CA under this name)."
  type        = string
  default     = "192.168.0.1"

  validation {
    condition     = can(cidrhost("${var.registry_vip}/32", 0))
    error_message = "registry_vip must be an IPv4 address."
  }
}

variable "registry_port" {
  description = "The registry's port, on the agent and on the VIP."
  type        = number
  default     = 5000

  validation {
    condition     = var.registry_port >= 1 && var.registry_port <= 65535
    error_message = "registry_port must be a port number (1-65535)."
  }
}

variable "force_destroy" {
  description = "Let destroy delete the image bucket with images still in it."
  type        = bool
  default     = false
}

variable "registry_user" {
  description = "The registry's one user; its password is generated into Secrets Manager."
  type        = string
  default     = "ngp"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_-]{0,31}$", var.registry_user))
    error_message = "registry_user must be a lower-case name of up to 32 letters, digits, _ and -."
  }
}

variable "docker_auths_dir" {
  description = "Where every agent keeps the Docker auths of the platform's registries (one JSON file each), which the credentials archive (/etc/docker.tar.gz) is built from."
  type        = string
  default     = "/etc/ngp/docker-auths"

  validation {
    condition     = can(regex("^/[A-Za-z0-9._/-]+$", var.docker_auths_dir)) && !strcontains(var.docker_auths_dir, "..")
    error_message = "docker_auths_dir must be an absolute path of letters, digits and ._/- only."
  }
}

variable "registry_delete_enabled" {
  description = "Whether the registry's API may delete manifests and blobs. Off by default: an image, once pushed, stays until its bucket's lifecycle removes it."
  type        = bool
  default     = false
}

# Inputs of the ecr module: kms_key_arn from manager; node_role_names and s3_vpc_endpoint_id from dcos; the
# repositories from ngp.tfvars; refresher_binary from ngp, which builds it (the module's `builds`).

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
  description = "ARN of the KMS key that encrypts the repositories and the refresher's bucket."
  type        = string
}

variable "node_role_names" {
  description = "IAM role name per DC/OS node role; the agents' roles may log in to ECR and pull from these repositories."
  type        = map(string)

  validation {
    condition     = contains(keys(var.node_role_names), "public_agent") && contains(keys(var.node_role_names), "private_agent")
    error_message = "node_role_names must name the public_agent and private_agent roles."
  }
}

variable "s3_vpc_endpoint_id" {
  description = "The VPC's S3 gateway endpoint: the only way the refresher's binary can be downloaded without signing."
  type        = string
}

variable "ecr_repositories" {
  description = "Repositories by name: mutable_tags (false: tags are immutable), keep_images (the last N are kept), untagged_days (untagged images expire after D days)."
  type = map(object({
    mutable_tags  = optional(bool, false)
    keep_images   = optional(number, 30)
    untagged_days = optional(number, 7)
  }))
  default = {}

  validation {
    condition     = alltrue([for name, _ in var.ecr_repositories : can(regex("^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$", name)) && length(name) <= 256])
    error_message = "ecr_repositories: each name must be an ECR repository name: lower-case letters, digits, ._- and / between parts."
  }

  validation {
    condition     = alltrue([for _, r in var.ecr_repositories : r.keep_images >= 1 && r.untagged_days >= 1])
    error_message = "ecr_repositories: keep_images and untagged_days must be 1 or more."
  }
}

variable "force_destroy" {
  description = "Whether destroy deletes repositories that still hold images."
  type        = bool
  default     = false
}

variable "refresher_binary" {
  description = "Path of the static refresher binary (x86_64-unknown-linux-musl). ngp builds it and sets this; set it only to upload a binary of your own build."
  type        = string

  validation {
    condition     = fileexists(var.refresher_binary)
    error_message = "refresher_binary must be an existing file."
  }
}

variable "docker_archive_path" {
  description = "Where the refresher writes the Docker credentials archive on each agent; apps fetch file://<this>."
  type        = string
  default     = "/etc/docker.tar.gz"

  validation {
    condition     = can(regex("^/[A-Za-z0-9._/-]+\\.tar\\.gz$", var.docker_archive_path)) && !strcontains(var.docker_archive_path, "..")
    error_message = "docker_archive_path must be an absolute path ending in .tar.gz, of letters, digits and ._/- only."
  }
}

variable "docker_auths_dir" {
  description = "Where the agents keep other registries' Docker auths (one JSON file each, e.g. the docker-registry module's): the refresher puts them in the archive beside ECR's."
  type        = string
  default     = "/etc/ngp/docker-auths"

  validation {
    condition     = can(regex("^/[A-Za-z0-9._/-]+$", var.docker_auths_dir)) && !strcontains(var.docker_auths_dir, "..")
    error_message = "docker_auths_dir must be an absolute path of letters, digits and ._/- only."
  }
}

variable "refresh_interval" {
  description = "Time between logins (a token lasts 12 hours), as the refresher reads it: 6h, 90m."
  type        = string
  default     = "6h"

  validation {
    condition     = can(regex("^[0-9]+(s|m|h)$", var.refresh_interval))
    error_message = "refresh_interval must be a number and a unit, s, m or h: 6h."
  }
}

variable "refresh_max_age" {
  description = "The refresher reports unhealthy when its archive is older than this (above refresh_interval, below the token's 12 hours)."
  type        = string
  default     = "9h"

  validation {
    condition     = can(regex("^[0-9]+(s|m|h)$", var.refresh_max_age))
    error_message = "refresh_max_age must be a number and a unit, s, m or h: 9h."
  }
}

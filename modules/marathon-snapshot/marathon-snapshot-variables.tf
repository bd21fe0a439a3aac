# Inputs of the marathon-snapshot module: kms_key_arn and vpc_id from manager; the private subnets, Admin Router's
# load balancer's security group, the S3 prefix list, marathon_url and marathon_login_secret from dcos; lambda_zip
# from ngp (it builds crates/snapshot-lambda and zips it as `bootstrap`); the rest from ngp.tfvars.

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
  description = "ARN of the platform's KMS key: the bucket, the log groups, the dead-letter queue and the function's environment."
  type        = string
}

variable "vpc_id" {
  description = "ID of the platform VPC."
  type        = string
}

variable "private_subnet_ids" {
  description = "The cluster's private subnets: the function runs in them."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 1
    error_message = "private_subnet_ids must name at least 1 subnet."
  }
}

variable "admin_router_security_group_id" {
  description = "The security group of Admin Router's load balancer (dcos): the function reaches 443 there, and no other address in the VPC."
  type        = string

  validation {
    condition     = startswith(var.admin_router_security_group_id, "sg-")
    error_message = "admin_router_security_group_id must be a security group ID, sg-..."
  }
}

variable "s3_prefix_list_id" {
  description = "The S3 gateway endpoint's prefix list: the function reaches the bucket through it, without the NAT."
  type        = string
}

variable "marathon_url" {
  description = "Marathon's REST API, through Admin Router, that the function snapshots and restores."
  type        = string

  validation {
    condition     = can(regex("^https?://", var.marathon_url))
    error_message = "marathon_url must be an http(s) URL."
  }
}

variable "marathon_login_secret" {
  description = "DC/OS's login: its URL, the user, and the Secrets Manager secret with the password, which the function reads itself. Null: Marathon takes no login."
  type = object({
    url                 = string
    uid                 = string
    password_secret_arn = string
  })
  default = null
}

variable "lambda_zip" {
  description = "The function's deployment package: a zip with the static `bootstrap` alone. ngp builds it (crates/snapshot-lambda) unless this is set."
  type        = string

  validation {
    condition     = endswith(var.lambda_zip, ".zip")
    error_message = "lambda_zip must be the path of a .zip file."
  }
}

variable "snapshot_schedule" {
  description = "When EventBridge takes a snapshot: a rate() or cron() expression."
  type        = string
  default     = "rate(1 hour)"

  validation {
    condition     = can(regex("^(rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\)|cron\\(.+\\))$", var.snapshot_schedule))
    error_message = "snapshot_schedule must be rate(N unit) or cron(...), e.g. rate(1 hour)."
  }
}

variable "snapshot_retention_days" {
  description = "Days a snapshot is kept; it is then kept as an old version for the same number of days more (the bucket is versioned)."
  type        = number
  default     = 30

  validation {
    condition     = var.snapshot_retention_days >= 1 && floor(var.snapshot_retention_days) == var.snapshot_retention_days
    error_message = "snapshot_retention_days must be a whole number of days, 1 or more."
  }
}

variable "snapshot_prefix" {
  description = "Key prefix of the snapshots in the bucket: <prefix>/<cluster>/<UTC timestamp>.json."
  type        = string
  default     = "marathon"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,62}$", var.snapshot_prefix))
    error_message = "snapshot_prefix must be 1-63 lower-case letters, digits or '-'."
  }
}

variable "restore_vpc_endpoint_id" {
  description = "An execute-api interface VPC endpoint: the restore API becomes PRIVATE and answers through it alone. Null: a regional API, for callers of this account only."
  type        = string
  default     = null

  validation {
    condition     = var.restore_vpc_endpoint_id == null || can(regex("^vpce-[0-9a-f]+$", var.restore_vpc_endpoint_id))
    error_message = "restore_vpc_endpoint_id must be a VPC endpoint id (vpce-...), or null."
  }
}

variable "log_retention_days" {
  description = "Days the function's and the API's log groups keep their events."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "reserved_concurrency" {
  description = "Concurrent runs reserved for the function. Null (the default): no reservation, since an account whose concurrency quota is 10 cannot reserve any. A snapshot and a restore never overlap either way: the function takes a lock in the bucket first."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrency == null || try(var.reserved_concurrency >= 1, false)
    error_message = "reserved_concurrency must be 1 or more, or null."
  }
}

variable "api_gateway_logging_role" {
  description = "Set the region's API Gateway CloudWatch Logs role (one per account and region) to a role this module creates, so the restore API can write its access and execution logs. False: the account already has one."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Let destroy delete the snapshot bucket with snapshots still in it."
  type        = bool
  default     = false
}

variable "name" {
  description = "Name of the web ACL; its log group is aws-waf-logs-<name>."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,128}$", var.name))
    error_message = "name must be 1-128 letters, digits, '-' or '_'."
  }
}

variable "description" {
  description = "What the web ACL protects, for the WAF console."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the log group."
  type        = string
}

variable "rate_limit" {
  description = "Requests one client address may make in any 5 minutes before WAF blocks it."
  type        = number
  default     = 2000

  validation {
    condition     = var.rate_limit >= 10 && var.rate_limit <= 2000000000
    error_message = "rate_limit must be between 10 and 2,000,000,000 requests per 5 minutes (AWS's range)."
  }
}

variable "allow_large_bodies" {
  description = "Count, rather than block, request bodies over 8 KB (the common rule set's SizeRestrictions_BODY): for APIs that take uploads."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Days WAF's request log is kept."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of CloudWatch Logs' retention periods, e.g. 365."
  }
}

variable "tags" {
  description = "Tags of the web ACL and its log group."
  type        = map(string)
  default     = {}
}

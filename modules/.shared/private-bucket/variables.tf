variable "bucket_prefix" {
  description = "Prefix of the bucket's name; AWS appends a unique suffix, so names never clash."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{0,36}$", var.bucket_prefix))
    error_message = "bucket_prefix must be 1-37 lower-case letters, digits, '.' or '-', starting with a letter or digit."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the objects."
  type        = string
}

variable "force_destroy" {
  description = "Let destroy delete the bucket with objects still in it."
  type        = bool
  default     = false
}

variable "noncurrent_days" {
  description = "Days after which an overwritten or deleted object's old version expires."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_days >= 1
    error_message = "noncurrent_days must be 1 or more."
  }
}

variable "expiration_days" {
  description = "Days after which an object expires (becomes a noncurrent version, kept noncurrent_days more). Null: objects never expire."
  type        = number
  default     = null

  validation {
    condition     = var.expiration_days == null || try(var.expiration_days >= 1, false)
    error_message = "expiration_days must be 1 or more, or null."
  }
}

variable "extra_policy_json" {
  description = "More bucket policy statements (an IAM policy document's JSON), merged with the TLS-only statement. Null: none."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags of the bucket."
  type        = map(string)
  default     = {}
}

variable "name_prefix" {
  description = "Prefix of the secret's name; AWS appends a unique suffix."
  type        = string
}

variable "description" {
  description = "What the secret is, for the Secrets Manager console."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the secret."
  type        = string
}

variable "length" {
  description = "Length of the generated value (letters and digits only, so it is safe in user-data and URLs)."
  type        = number
  default     = 32

  validation {
    condition     = var.length >= 16 && var.length <= 128
    error_message = "length must be between 16 and 128."
  }
}

variable "tags" {
  description = "Tags of the secret."
  type        = map(string)
  default     = {}
}

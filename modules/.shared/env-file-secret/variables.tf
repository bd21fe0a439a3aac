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

variable "values" {
  description = "The settings, name => value. Docker's env files take no quoting: each value is one line."
  type        = map(string)
  sensitive   = true

  validation {
    condition     = alltrue([for key, value in var.values : can(regex("^[A-Z_][A-Z0-9_]*$", key)) && !strcontains(value, "\n")])
    error_message = "values: each name must be an environment variable name, and each value one line."
  }
}

variable "path" {
  description = "Where the nodes write the env file, absolute."
  type        = string

  validation {
    condition     = can(regex("^/[A-Za-z0-9._/-]+$", var.path)) && !strcontains(var.path, "..")
    error_message = "path must be absolute, of letters, digits and ._/- only."
  }
}

variable "readers" {
  description = "DC/OS node role (master, private_agent, public_agent) => its IAM role name: the nodes that write the file."
  type        = map(string)

  validation {
    condition     = length(var.readers) > 0 && alltrue([for role in keys(var.readers) : contains(["master", "private_agent", "public_agent"], role)])
    error_message = "readers must name one or more of master, private_agent and public_agent."
  }
}

variable "policy_name" {
  description = "Name of the inline policy on each reader's role (unique on that role)."
  type        = string
}

variable "tags" {
  description = "Tags of the secret."
  type        = map(string)
  default     = {}
}

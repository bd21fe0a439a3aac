variable "name_prefix" {
  description = "Prefix of the secret's name; AWS appends a unique suffix."
  type        = string
}

variable "description" {
  description = "What the file is, for the Secrets Manager console."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the secret."
  type        = string
}

variable "content" {
  description = "The file's contents."
  type        = string
  sensitive   = true
}

variable "path" {
  description = "Where the nodes write the file, absolute."
  type        = string

  validation {
    condition     = can(regex("^/[A-Za-z0-9._/:-]+$", var.path)) && !strcontains(var.path, "..")
    error_message = "path must be absolute, of letters, digits and ._/:- only."
  }
}

variable "mode" {
  description = "The file's mode, octal."
  type        = string
  default     = "0600"

  validation {
    condition     = can(regex("^0[0-7]{3}$", var.mode))
    error_message = "mode must be octal, such as \"0600\"."
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

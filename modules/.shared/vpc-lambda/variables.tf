variable "name" {
  description = "The function's name; also its security group's and role's, and its log group is /aws/lambda/<name>."
  type        = string

  validation {
    condition     = length(var.name) <= 64
    error_message = "name must be 64 characters at most."
  }
}

variable "description" {
  description = "What the function does, for the function and its role."
  type        = string
}

variable "security_group_description" {
  description = "The function's security group's description: what it reaches. Changing it replaces the group."
  type        = string
}

variable "vpc_id" {
  description = "The VPC the function runs in."
  type        = string
}

variable "subnet_ids" {
  description = "The private subnets the function's network interfaces are placed in."
  type        = list(string)
}

variable "zip" {
  description = "The deployment package: a zip that holds the static executable `bootstrap` alone (ngp builds it)."
  type        = string
}

variable "memory_size" {
  description = "The function's memory, in MB."
  type        = number
  default     = 128
}

variable "timeout" {
  description = "The function's timeout, in seconds."
  type        = number
  default     = 60
}

variable "reserved_concurrency" {
  description = "Concurrent executions reserved for the function; null reserves none (the account's pool is shared)."
  type        = number
  default     = null
}

variable "environment" {
  description = "The function's environment: names and ARNs only, never a secret's value."
  type        = map(string)
  default     = {}
}

variable "egress_security_groups" {
  description = "What the function reaches on 443, by security group: a name for the rule's description => the group's id."
  type        = map(string)
  default     = {}
}

variable "egress_prefix_lists" {
  description = "What the function reaches on 443 by prefix list (S3's, through its gateway endpoint): a name for the rule's description => the list's id."
  type        = map(string)
  default     = {}
}

variable "secrets_endpoint" {
  description = "A Secrets Manager endpoint for the function alone (no private DNS, so nothing else's traffic moves to it): its security group's name and description, and its subnets; null for none. The function reaches it on 443 and is told its name in NGP_SECRETS_ENDPOINT."
  type = object({
    name        = string
    description = string
    subnet_ids  = list(string)
  })
  default = null
}

variable "policy_json" {
  description = "The function's own permissions, as an IAM policy document; the submodule adds its logs, its network interfaces and X-Ray."
  type        = string
}

variable "policy_name" {
  description = "The name of the role's inline policy."
  type        = string
}

variable "dead_letter_target_arn" {
  description = "Where failed asynchronous invocations go (an SQS queue's ARN); null for a function that is only invoked synchronously."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "The platform key: it encrypts the function's environment and its log group."
  type        = string
}

variable "log_retention_days" {
  description = "Days the function's logs are kept."
  type        = number
}

variable "tags" {
  description = "Tags for every resource (the caller's label)."
  type        = map(string)
}

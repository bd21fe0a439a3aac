# Inputs. kms_key_arn and public_agents_lb_dns_name come from the modules that output them (manager, dcos);
# the rest from ngp.tfvars.

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
  description = "ARN of the platform KMS key that encrypts the log group."
  type        = string
}

variable "public_agents_lb_dns_name" {
  description = "DNS name of the public agents' load balancer, where the web server answers."
  type        = string
}

variable "hello_image" {
  description = "The web server's image, pinned by tag or digest."
  type        = string
  default     = "nginx:1.27.3"

  validation {
    condition     = can(regex("(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$", var.hello_image)) && !endswith(var.hello_image, ":latest")
    error_message = "hello_image must be pinned: name:tag (not latest) or name@sha256:digest."
  }
}

variable "greeting" {
  description = "What the web server says (an example of a plain, non-secret setting)."
  type        = string
  default     = "hello from NGP"
}

variable "log_retention_days" {
  description = "Days the log group keeps events."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts, such as 30 or 365."
  }
}

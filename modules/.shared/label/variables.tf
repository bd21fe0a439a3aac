variable "context" {
  description = "Naming and tags of the platform: every module takes this one object (see context.tf.example). The validations live here, once, and name the root variable context when they fail."
  type = object({
    pre_tag     = string
    post_tag    = string
    environment = string
    service     = optional(string, "ngp")
    version     = optional(string, "0.1.0")
    tags        = optional(map(string), {})
  })

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,19}$", var.context.pre_tag))
    error_message = "context.pre_tag must be 1-20 characters of lower-case letters, digits and '-', starting with a letter."
  }

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,19}$", var.context.post_tag))
    error_message = "context.post_tag must be 1-20 characters of lower-case letters, digits and '-'."
  }

  validation {
    condition     = length(var.context.environment) > 0
    error_message = "context.environment must not be empty."
  }
}

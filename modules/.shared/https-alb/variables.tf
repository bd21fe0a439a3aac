variable "name" {
  description = "The load balancer's and its target group's name (32 characters at most)."
  type        = string

  validation {
    condition     = length(var.name) <= 32
    error_message = "name must be 32 characters at most."
  }
}

variable "security_group_name" {
  description = "The name of the load balancer's security group."
  type        = string
}

variable "description" {
  description = "The security group's description: who reaches the front, and what it fronts."
  type        = string
}

variable "vpc_id" {
  description = "The VPC of the load balancer and its targets."
  type        = string
}

variable "subnet_ids" {
  description = "Where the load balancer lives: the public subnets for a public front, the private ones otherwise."
  type        = list(string)
}

variable "internal" {
  description = "Whether the front is reached from inside the VPC only."
  type        = bool
}

variable "ingress_security_groups" {
  description = "Who reaches 443, by security group: a name for the rule's description => the group's id."
  type        = map(string)
  default     = {}
}

variable "ingress_cidrs" {
  description = "Who reaches 443, by address range."
  type        = list(string)
  default     = []
}

variable "ingress_cidrs_name" {
  description = "What ingress_cidrs are, for the rule's description."
  type        = string
  default     = "the allowed address ranges"
}

variable "target" {
  description = "What the front forwards to: the port and protocol on the targets (HTTP, or HTTPS to re-encrypt), the targets' security group, which admits the port from the load balancer, and a name for them."
  type = object({
    port              = number
    protocol          = string
    security_group_id = string
    description       = string
  })

  validation {
    condition     = contains(["HTTP", "HTTPS"], var.target.protocol)
    error_message = "target.protocol must be HTTP or HTTPS."
  }
}

variable "health_check" {
  description = "How the target group checks a target: the path, the status codes that mean healthy, seconds between checks."
  type = object({
    path     = string
    matcher  = string
    interval = number
  })
}

variable "certificate" {
  description = "The front's name and certificate: the requesting module, the host name (null without a domain), its Route53 zone, whether records may be created there, and a certificate of the caller's own (null: ACM issues one after DNS validation)."
  type = object({
    requester       = string
    hostname        = optional(string)
    dns_zone_id     = optional(string)
    dns_records     = bool
    certificate_arn = optional(string)
  })
}

variable "idle_timeout" {
  description = "Seconds a connection may stay idle (raise it for event streams)."
  type        = number
  default     = 60
}

variable "deletion_protection" {
  description = "Whether AWS refuses to delete the load balancer."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

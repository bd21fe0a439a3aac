# Inputs of the api-gateway module: vpc_id, kms_key_arn, domain and dns_zone_id from manager; the public subnets,
# node_role_names and agent_security_group_id from dcos; the Redis address and token
# from elasticache; the Tyk control plane from ngp.tfvars, its credentials from TF_VAR_* only.

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

variable "vpc_id" {
  description = "ID of the platform VPC."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets the gateway's load balancer is in (two or more zones)."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2
    error_message = "public_subnet_ids: an application load balancer needs subnets in two zones or more."
  }
}

variable "agent_security_group_id" {
  description = "Security group every cluster node is in: it admits the load balancer on gateway_port."
  type        = string
}

variable "node_role_names" {
  description = "IAM role name per DC/OS node role; the public agents' role may read the gateway's settings secret (and the private agents' the Pump's)."
  type        = map(string)

  validation {
    condition     = contains(keys(var.node_role_names), "public_agent") && contains(keys(var.node_role_names), "private_agent")
    error_message = "node_role_names must name the public_agent and private_agent roles."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the gateway's secrets."
  type        = string
}

variable "redis_endpoint" {
  description = "Address of the Redis primary (TLS), from the elasticache module."
  type        = string
}

variable "redis_port" {
  description = "Redis port."
  type        = number
  default     = 6379
}

variable "redis_auth_token" {
  description = "Redis AUTH token, from the elasticache module. It reaches the gateway only through its settings secret."
  type        = string
  sensitive   = true
}

variable "domain" {
  description = "The platform's DNS domain: the gateway is tyk.<domain>. Null: no name, and certificate_arn must be given."
  type        = string
  default     = null
}

variable "dns_zone_id" {
  description = "ID of the Route53 zone of domain, where tyk.<domain> and the certificate's validation record go."
  type        = string
  default     = null
}

variable "dns_records" {
  description = "Whether to create the Route53 record tyk.<domain> (and validate a certificate there when certificate_arn is null)."
  type        = bool
  default     = false
}

variable "certificate_arn" {
  description = "ACM certificate for the gateway's HTTPS listener. Null: ngp requests one for tyk.<domain>, validated in Route53 (needs dns_records)."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:[a-z-]+:acm:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN, or null."
  }
}

variable "gateway_ingress_cidrs" {
  description = "Who may reach the gateway's load balancer (443). Public APIs: the default, the world."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = length(var.gateway_ingress_cidrs) > 0 && alltrue([for c in var.gateway_ingress_cidrs : can(cidrhost(c, 0))])
    error_message = "gateway_ingress_cidrs must be one or more CIDR blocks."
  }
}

variable "waf_rate_limit" {
  description = "Requests one client address may send in any 5 minutes before WAF blocks it at the load balancer."
  type        = number
  default     = 10000

  validation {
    condition     = var.waf_rate_limit >= 10 && floor(var.waf_rate_limit) == var.waf_rate_limit
    error_message = "waf_rate_limit must be a whole number of requests, 10 or more."
  }
}

variable "waf_allow_large_bodies" {
  description = "Let request bodies over 8 KB through WAF (the common rule set then counts them instead of blocking); Tyk's per-API size limits still apply."
  type        = bool
  default     = true
}

variable "load_balancer_deletion_protection" {
  description = "Whether the gateway's load balancer is protected against deletion."
  type        = bool
  default     = true
}

variable "tyk_connection_string" {
  description = "The Tyk control plane (MDCB) the gateway connects to, host:port, from the Tyk Cloud console (Cloud uses :443)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9.-]+:[0-9]{1,5}$", var.tyk_connection_string))
    error_message = "tyk_connection_string must be host:port, e.g. example-hybrid.aws-euw2.cloud-ara.tyk.io:443."
  }
}

variable "tyk_org_id" {
  description = "Tyk organisation id (the RPC key). A secret: set TF_VAR_tyk_org_id, never a tfvars literal."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^[A-Za-z0-9]+$", var.tyk_org_id))
    error_message = "tyk_org_id must be letters and digits, as the Tyk console shows it."
  }
}

variable "tyk_api_key" {
  description = "API key of a Tyk Dashboard user with minimal rights, for the gateway's RPC login. A secret: set TF_VAR_tyk_api_key, never a tfvars literal."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^[A-Za-z0-9]+$", var.tyk_api_key))
    error_message = "tyk_api_key must be letters and digits, as the Tyk console shows it."
  }
}

variable "tyk_group_id" {
  description = "The gateways' group id at the control plane: one per cluster that shares a Redis. Null: the platform's id."
  type        = string
  default     = null
}

variable "gateway_image" {
  description = "The Tyk gateway image, pinned (5.8 is Tyk's LTS line)."
  type        = string
  default     = "tykio/tyk-gateway:v5.8.14"

  validation {
    condition     = can(regex("(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$", var.gateway_image)) && !endswith(var.gateway_image, ":latest")
    error_message = "gateway_image must be pinned: name:tag (not latest) or name@sha256:digest."
  }
}

variable "gateway_instances" {
  description = "Gateway instances, at most one per public agent."
  type        = number
  default     = 2

  validation {
    condition     = var.gateway_instances >= 1
    error_message = "gateway_instances must be 1 or more."
  }
}

variable "gateway_port" {
  description = "Port the gateway listens on, on the public agents; only the load balancer may reach it."
  type        = number
  default     = 8080

  validation {
    condition     = var.gateway_port >= 1025 && var.gateway_port <= 32000 && var.gateway_port != 5051
    error_message = "gateway_port must be a public agent's port between 1025 and 32000 (not 5051, Mesos's own)."
  }
}

variable "pump_enabled" {
  description = "Whether Tyk Pump ships the analytics from Redis to the control plane. False: the gateway sends them over RPC itself."
  type        = bool
  default     = false
}

variable "pump_image" {
  description = "The Tyk Pump image, pinned."
  type        = string
  default     = "tykio/tyk-pump-docker-pub:v1.8.3"

  validation {
    condition     = can(regex("(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$", var.pump_image)) && !endswith(var.pump_image, ":latest")
    error_message = "pump_image must be pinned: name:tag (not latest) or name@sha256:digest."
  }
}

variable "settings_dir" {
  description = "Where the agents keep the gateway's and Pump's secret settings (root-only, 0600), written at boot from Secrets Manager."
  type        = string
  default     = "/etc/ngp/tyk"

  validation {
    condition     = can(regex("^/[A-Za-z0-9._/-]+$", var.settings_dir)) && !strcontains(var.settings_dir, "..")
    error_message = "settings_dir must be an absolute path of letters, digits and ._/- only."
  }
}

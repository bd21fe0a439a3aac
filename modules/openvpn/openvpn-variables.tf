# Inputs of the openvpn module. vpc_id, vpc_cidr, management_subnet_id, kms_key_arn, domain and dns_zone_id
# come from the manager module; the rest from ngp.tfvars.

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

variable "vpc_cidr" {
  description = "CIDR of the platform VPC: pushed to VPN clients as the route into the platform."
  type        = string
}

variable "management_subnet_id" {
  description = "ID of the management subnet the VPN server runs in."
  type        = string
}

variable "admin_cidrs" {
  description = "CIDR blocks allowed to reach the admin UI (943/tcp) and SSH. Never 0.0.0.0/0."
  type        = list(string)

  validation {
    condition     = alltrue([for c in var.admin_cidrs : can(cidrhost(c, 0)) && tonumber(split("/", c)[1]) >= 8])
    error_message = "admin_cidrs are admins' own ranges: each must be /8 or narrower (0.0.0.0/0, or anything as broad, is refused)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the admin password's secret."
  type        = string
}

variable "domain" {
  description = "The platform's DNS domain; the VPN is vpn.<domain>. Null: the VPN is reached by its Elastic IP."
  type        = string
  default     = null
}

variable "dns_zone_id" {
  description = "ID of the Route53 zone of domain."
  type        = string
  default     = null
}

variable "dns_records" {
  description = "Whether to create Route53 records for the platform's endpoints (vpn.<domain>, dcos.<domain>)."
  type        = bool
  default     = false

  validation {
    condition     = !var.dns_records || var.domain != null
    error_message = "dns_records = true needs domain: set domain (and create_dns_zone, or an existing zone) or set dns_records = false."
  }
}

variable "vpn_instance_type" {
  description = "EC2 instance type of the VPN server."
  type        = string
  default     = "t3.small"
}

variable "vpn_ami_id" {
  description = "Explicit AMI id of the VPN server. Null looks up the OpenVPN Access Server Marketplace AMI."
  type        = string
  default     = null

  validation {
    condition     = var.vpn_ami_id == null || can(regex("^ami-[0-9a-f]+$", var.vpn_ami_id))
    error_message = "vpn_ami_id must look like ami-0123456789abcdef0, or be null."
  }
}

variable "vpn_ami_owners" {
  description = "AMI owners searched when vpn_ami_id is null (AWS Marketplace's account by default)."
  type        = list(string)
  default     = ["679593333241"]
}

variable "vpn_ami_name_filter" {
  description = "AMI name pattern searched when vpn_ami_id is null; the most recent match wins. Subscribe to the Marketplace product first."
  type        = string
  default     = "OpenVPN Access Server Community Image*"
}

variable "vpn_admin_user" {
  description = "User name of the Access Server's administrator. Its password is generated and kept in Secrets Manager."
  type        = string
  default     = "openvpn"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_-]{0,31}$", var.vpn_admin_user))
    error_message = "vpn_admin_user must be a plain user name: lower-case letters, digits, '_' and '-'."
  }
}

variable "vpn_root_volume_size" {
  description = "Size in GiB of the VPN server's encrypted root volume."
  type        = number
  default     = 10

  validation {
    condition     = var.vpn_root_volume_size >= 8 && var.vpn_root_volume_size <= 200
    error_message = "vpn_root_volume_size must be between 8 and 200 GiB."
  }
}

variable "vpn_detailed_monitoring" {
  description = "Whether the VPN server has EC2 detailed monitoring."
  type        = bool
  default     = true
}

# Inputs of the manager module. Shared names (context, domain) are one root variable for every module.

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

variable "vpc_cidr" {
  description = "IPv4 CIDR block of the VPC."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) <= 20
    error_message = "vpc_cidr must be an IPv4 CIDR block of /20 or larger, e.g. 10.0.0.0/16."
  }
}

variable "management_subnet_cidr" {
  description = "CIDR of the management subnet (manager and VPN). Null takes the first /24 of vpc_cidr."
  type        = string
  default     = null

  validation {
    condition     = var.management_subnet_cidr == null || can(cidrhost(var.management_subnet_cidr, 0))
    error_message = "management_subnet_cidr must be an IPv4 CIDR block, e.g. 10.0.0.0/24, or null."
  }
}

variable "availability_zone_count" {
  description = "How many availability zones later modules spread over; the management subnet uses the first."
  type        = number
  default     = 2

  validation {
    condition     = var.availability_zone_count >= 1 && var.availability_zone_count <= 6
    error_message = "availability_zone_count must be between 1 and 6."
  }
}

variable "availability_zone_names" {
  description = "Explicit availability zones, in order. Null takes the first availability_zone_count zones of the region by name."
  type        = list(string)
  default     = null

  validation {
    condition     = var.availability_zone_names == null || length(coalesce(var.availability_zone_names, [])) > 0
    error_message = "availability_zone_names must list at least one zone, or be null."
  }
}

variable "admin_cidrs" {
  description = "CIDR blocks allowed to SSH to the management subnet. Never 0.0.0.0/0: use your office or VPN ranges."
  type        = list(string)

  validation {
    condition     = alltrue([for c in var.admin_cidrs : can(cidrhost(c, 0))])
    error_message = "Every admin_cidrs entry must be a CIDR block, e.g. 203.0.113.10/32."
  }

  validation {
    condition     = alltrue([for c in var.admin_cidrs : can(cidrhost(c, 0)) && tonumber(split("/", c)[1]) >= 8])
    error_message = "admin_cidrs are admins' own ranges: each must be /8 or narrower (0.0.0.0/0, or anything as broad, is refused)."
  }
}

variable "create_manager_node" {
  description = "Whether to create the manager EC2 node. The network, security group and IAM role are always created."
  type        = bool
  default     = true
}

variable "manager_instance_type" {
  description = "EC2 instance type of the manager node."
  type        = string
  default     = "t3.small"
}

variable "manager_ami_id" {
  description = "Explicit AMI id for the manager node. Null looks one up with manager_ami_owners and manager_ami_name_filter."
  type        = string
  default     = null

  validation {
    condition     = var.manager_ami_id == null || can(regex("^ami-[0-9a-f]+$", var.manager_ami_id))
    error_message = "manager_ami_id must look like ami-0123456789abcdef0, or be null."
  }
}

variable "manager_ami_owners" {
  description = "AMI owners searched when manager_ami_id is null (default: Amazon's Amazon Linux account)."
  type        = list(string)
  default     = ["137112412989"]
}

variable "manager_ami_name_filter" {
  description = "AMI name pattern searched when manager_ami_id is null; the most recent match wins."
  type        = string
  default     = "al2023-ami-2023.*-x86_64"
}

variable "manager_root_volume_size" {
  description = "Size in GiB of the manager node's encrypted root volume."
  type        = number
  default     = 20

  validation {
    condition     = var.manager_root_volume_size >= 8 && var.manager_root_volume_size <= 1024
    error_message = "manager_root_volume_size must be between 8 and 1024 GiB."
  }
}

variable "manager_public_ip" {
  description = "Whether the manager node gets a public IP, so admins in admin_cidrs can reach it without the VPN."
  type        = bool
  default     = true
}

variable "ssh_public_key" {
  description = "OpenSSH public key installed for the manager node's default user. Null creates no key pair (use SSM Session Manager)."
  type        = string
  default     = null

  validation {
    condition     = var.ssh_public_key == null || can(regex("^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp[0-9]+) ", var.ssh_public_key))
    error_message = "ssh_public_key must be an OpenSSH public key (ssh-ed25519, ssh-rsa or ecdsa-sha2-*), or null."
  }
}

variable "flow_log_retention_days" {
  description = "Days the VPC flow logs are kept in CloudWatch Logs."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be a CloudWatch Logs retention value, e.g. 30, 90 or 365."
  }
}

variable "manager_detailed_monitoring" {
  description = "Whether the manager node has EC2 detailed (1-minute) monitoring."
  type        = bool
  default     = true
}

variable "domain" {
  description = "DNS domain of the platform (vpn.<domain>, dcos.<domain>). Null: no DNS names."
  type        = string
  default     = null

  validation {
    condition     = var.domain == null || can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.domain))
    error_message = "domain must be a DNS name such as platform.example.com, or null."
  }
}

variable "create_dns_zone" {
  description = "Whether to create the Route53 public zone for domain. False uses the existing zone of that name."
  type        = bool
  default     = false

  validation {
    condition     = !var.create_dns_zone || var.domain != null
    error_message = "create_dns_zone = true needs domain to be set."
  }
}

variable "create_autoscaling_service_linked_role" {
  description = "Whether to create EC2 Auto Scaling's service-linked role (AWSServiceRoleForAutoScaling). True only in an account that has never used Auto Scaling: the role exists in every other, and creating it again fails. The platform key's policy names it so that encrypted node volumes can be launched."
  type        = bool
  default     = false
}

variable "admin_ssh" {
  description = "Whether admin_cidrs may reach the management subnet's SSH port. False: the manager node is reached with Session Manager (`aws ssm start-session`), which its role allows."
  type        = bool
  default     = false
}

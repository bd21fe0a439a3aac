# Inputs of the jenkins module: vpc_id, kms_key_arn and management_security_group_id from manager; the subnets,
# security group, node roles and S3 endpoint from dcos; vpn_security_group_id from openvpn; tunnel_binary from ngp
# (it builds crates/efs-tunnel); the rest from ngp.tfvars.

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

variable "private_subnet_ids" {
  description = "The cluster's private subnets: one EFS mount target in each, and the internal load balancer."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "private_subnet_ids must name at least 2 subnets (an internal load balancer needs two zones)."
  }
}

variable "agent_security_group_id" {
  description = "The security group every cluster node is in: the agents reach EFS, and the load balancer reaches Jenkins on them."
  type        = string
}

variable "management_security_group_id" {
  description = "The manager's security group: the manager may reach Jenkins's load balancer."
  type        = string
}

variable "vpn_enabled" {
  description = "Whether the openvpn module is enabled (wired from its output): VPN users then reach Jenkins."
  type        = bool
  default     = false
}

variable "vpn_security_group_id" {
  description = "The VPN server's security group (from openvpn): VPN users reach Jenkins's load balancer. Null without a VPN."
  type        = string
  default     = null
}

variable "node_role_names" {
  description = "IAM role name per DC/OS node role; the private agents may read Jenkins's admin settings."
  type        = map(string)

  validation {
    condition     = contains(keys(var.node_role_names), "private_agent")
    error_message = "node_role_names must name the private_agent role."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the file system, the bucket and the admin password's secrets."
  type        = string
}

variable "s3_vpc_endpoint_id" {
  description = "The VPC's S3 gateway endpoint: the only way the agents download the tunnel and the init hook without signing."
  type        = string
}

variable "domain" {
  description = "The platform's DNS domain; Jenkins is jenkins.<domain>."
  type        = string
  default     = null
}

variable "dns_zone_id" {
  description = "ID of the Route53 zone of domain (validates the certificate, holds jenkins.<domain>)."
  type        = string
  default     = null
}

variable "dns_records" {
  description = "Whether to create the Route53 record jenkins.<domain> (and validate its certificate there)."
  type        = bool
  default     = false
}

variable "certificate_arn" {
  description = "An ACM certificate for jenkins.<domain>. Null: one is requested and DNS-validated in dns_zone_id."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:[a-z-]+:acm:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN."
  }
}

variable "load_balancer_deletion_protection" {
  description = "Whether the load balancer refuses deletion."
  type        = bool
  default     = true
}

variable "jenkins_image" {
  description = "The Jenkins LTS image on JDK 21, pinned. It runs as uid/gid 1000, which the access point enforces."
  type        = string
  default     = "jenkins/jenkins:2.568.2-lts-jdk21"

  validation {
    condition     = can(regex("(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$", var.jenkins_image)) && !endswith(var.jenkins_image, ":latest")
    error_message = "jenkins_image must be pinned: name:tag (not latest) or name@sha256:digest."
  }
}

variable "jenkins_uid" {
  description = "The uid and gid the image runs as (the jenkins user of jenkins/jenkins: 1000): the access point's POSIX user and the owner of its root directory."
  type        = number
  default     = 1000

  validation {
    condition     = var.jenkins_uid >= 1 && floor(var.jenkins_uid) == var.jenkins_uid
    error_message = "jenkins_uid must be a whole number, not 0 (root)."
  }
}

variable "jenkins_cpus" {
  description = "CPUs for Jenkins."
  type        = number
  default     = 1
}

variable "jenkins_mem" {
  description = "Memory for Jenkins, MiB."
  type        = number
  default     = 2048

  validation {
    condition     = var.jenkins_mem >= 1024
    error_message = "jenkins_mem must be 1024 MiB or more."
  }
}

variable "jenkins_host_port" {
  description = "The private agents' port that Jenkins's 8080 is published on, for its load balancer; inside Mesos's default port ranges (1025-32000, less the masters' ports)."
  type        = number
  default     = 18080

  validation {
    condition     = var.jenkins_host_port >= 1025 && var.jenkins_host_port <= 32000
    error_message = "jenkins_host_port must be in 1025-32000, Mesos's port resources."
  }
}

variable "tunnel_port" {
  description = "The loopback port the EFS tunnel serves NFS on, on every private agent (a Mesos port resource, so no task takes it)."
  type        = number
  default     = 20490

  validation {
    condition     = var.tunnel_port >= 1025 && var.tunnel_port <= 32000 && var.tunnel_port != var.jenkins_host_port
    error_message = "tunnel_port must be in 1025-32000, and not jenkins_host_port."
  }
}

variable "tunnel_binary" {
  description = "Path of the static EFS tunnel (x86_64-unknown-linux-musl). ngp builds it and sets this; set it only to upload a binary of your own build."
  type        = string

  validation {
    condition     = fileexists(var.tunnel_binary)
    error_message = "tunnel_binary must be an existing file."
  }
}

variable "efs_backups" {
  description = "Whether AWS Backup backs up the file system daily (aws_efs_backup_policy). Local mode turns it off: the emulator lacks PutBackupPolicy."
  type        = bool
  default     = true
}

variable "settings_dir" {
  description = "Where the private agents keep Jenkins's secret settings (root-only, 0600), written at boot from Secrets Manager."
  type        = string
  default     = "/etc/ngp/jenkins"

  validation {
    condition     = can(regex("^/[A-Za-z0-9._/-]+$", var.settings_dir)) && !strcontains(var.settings_dir, "..")
    error_message = "settings_dir must be an absolute path of letters, digits and ._/- only."
  }
}

variable "admin_user" {
  description = "The Jenkins admin user that the init hook creates; its password is generated into Secrets Manager."
  type        = string
  default     = "admin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_-]{0,31}$", var.admin_user))
    error_message = "admin_user must be a lower-case user name (letters, digits, _ and -)."
  }
}

# Inputs of the dcos module. Network ids, kms_key_arn, domain and dns_zone_id come from manager; the VPN's
# security group from openvpn; the rest from ngp.tfvars.

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
  description = "CIDR of the platform VPC; every subnet must lie inside it."
  type        = string
}

variable "internet_gateway_id" {
  description = "ID of the VPC's internet gateway, for the public subnets."
  type        = string
}

variable "management_subnet_cidr" {
  description = "CIDR of the management subnet; the cluster's subnets must not overlap it."
  type        = string
}

variable "management_security_group_id" {
  description = "ID of the management security group: the manager node may reach the masters' admin ports."
  type        = string
}

variable "availability_zones" {
  description = "Availability zones of the cluster, at least two."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "availability_zones must list at least 2 zones (availability_zone_count >= 2 in the manager's values)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key for the exhibitor bucket, volumes and the superuser secret."
  type        = string
}

variable "admin_cidrs" {
  description = "CIDR blocks allowed to reach the masters' admin ports. Never 0.0.0.0/0."
  type        = list(string)

  validation {
    condition     = alltrue([for c in var.admin_cidrs : can(cidrhost(c, 0)) && tonumber(split("/", c)[1]) >= 8])
    error_message = "admin_cidrs are admins' own ranges: each must be /8 or narrower (0.0.0.0/0, or anything as broad, is refused)."
  }
}

variable "vpn_security_group_id" {
  description = "ID of the VPN server's security group (from openvpn): VPN users reach the admin ports. Null without a VPN."
  type        = string
  default     = null
}

variable "domain" {
  description = "The platform's DNS domain; the cluster is dcos.<domain>."
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

variable "dcos_certificate_arn" {
  description = "An ACM certificate for dcos.<domain>, for Admin Router's load balancer. Null: one is requested and DNS-validated in dns_zone_id (with dns_records)."
  type        = string
  default     = null

  validation {
    condition     = var.dcos_certificate_arn == null || can(regex("^arn:[a-z-]+:acm:", var.dcos_certificate_arn))
    error_message = "dcos_certificate_arn must be an ACM certificate ARN."
  }
}

variable "public_subnet_cidrs" {
  description = "CIDRs of the public subnets (load balancers, NAT), one per availability zone. Null: 10th, 11th... /24 of the VPC."
  type        = list(string)
  default     = null

  validation {
    condition     = var.public_subnet_cidrs == null || alltrue([for c in coalesce(var.public_subnet_cidrs, []) : can(cidrhost(c, 0))])
    error_message = "public_subnet_cidrs must be CIDR blocks, e.g. [\"10.0.10.0/24\", \"10.0.11.0/24\"]."
  }
}

variable "private_subnet_cidrs" {
  description = "CIDRs of the private subnets (every cluster node), one per availability zone. Null: 20th, 21st... /22 of the VPC."
  type        = list(string)
  default     = null

  validation {
    condition     = var.private_subnet_cidrs == null || alltrue([for c in coalesce(var.private_subnet_cidrs, []) : can(cidrhost(c, 0))])
    error_message = "private_subnet_cidrs must be CIDR blocks, e.g. [\"10.0.80.0/22\", \"10.0.84.0/22\"]."
  }

  validation {
    # Two blocks overlap exactly when their networks agree on the shorter prefix.
    condition = alltrue(flatten([
      for i, a in concat(coalesce(var.public_subnet_cidrs, []), coalesce(var.private_subnet_cidrs, [])) : [
        for j, b in concat(coalesce(var.public_subnet_cidrs, []), coalesce(var.private_subnet_cidrs, [])) : i == j || (
          cidrhost("${cidrhost(a, 0)}/${min(tonumber(split("/", a)[1]), tonumber(split("/", b)[1]))}", 0) !=
          cidrhost("${cidrhost(b, 0)}/${min(tonumber(split("/", a)[1]), tonumber(split("/", b)[1]))}", 0)
        )
      ]
    ]))
    error_message = "public_subnet_cidrs and private_subnet_cidrs must not overlap one another."
  }

  validation {
    # Checked once the management subnet is known (at plan time when it exists already).
    condition = alltrue([
      for c in concat(coalesce(var.public_subnet_cidrs, []), coalesce(var.private_subnet_cidrs, [])) :
      cidrhost("${cidrhost(c, 0)}/${min(tonumber(split("/", c)[1]), tonumber(split("/", var.management_subnet_cidr)[1]))}", 0) !=
      cidrhost("${cidrhost(var.management_subnet_cidr, 0)}/${min(tonumber(split("/", c)[1]), tonumber(split("/", var.management_subnet_cidr)[1]))}", 0)
    ])
    error_message = "public_subnet_cidrs and private_subnet_cidrs must not overlap the management subnet."
  }

  validation {
    condition = alltrue([
      for c in concat(coalesce(var.public_subnet_cidrs, []), coalesce(var.private_subnet_cidrs, [])) :
      tonumber(split("/", c)[1]) >= tonumber(split("/", var.vpc_cidr)[1]) &&
      cidrhost("${cidrhost(c, 0)}/${split("/", var.vpc_cidr)[1]}", 0) == cidrhost(var.vpc_cidr, 0)
    ])
    error_message = "public_subnet_cidrs and private_subnet_cidrs must lie inside vpc_cidr."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for the whole cluster (cheaper) instead of one per availability zone (no single point of failure)."
  type        = bool
  default     = false
}

variable "cluster_name" {
  description = "DC/OS cluster name. Null: <pre_tag>-<post_tag>."
  type        = string
  default     = null
}

variable "num_masters" {
  description = "Number of DC/OS masters: 1, 3 or 5 (ZooKeeper needs an odd quorum)."
  type        = number
  default     = 3

  validation {
    condition     = contains([1, 3, 5], var.num_masters)
    error_message = "num_masters must be 1, 3 or 5: an even count cannot form a ZooKeeper quorum."
  }
}

variable "private_agents" {
  description = "Size of the private agents' autoscaling group."
  type        = object({ min = number, max = number, desired = number })
  default     = { min = 1, max = 10, desired = 3 }

  validation {
    condition     = var.private_agents.min <= var.private_agents.desired && var.private_agents.desired <= var.private_agents.max && var.private_agents.min >= 0
    error_message = "private_agents must satisfy 0 <= min <= desired <= max."
  }
}

variable "public_agents" {
  description = "Size of the public agents' autoscaling group."
  type        = object({ min = number, max = number, desired = number })
  default     = { min = 1, max = 4, desired = 2 }

  validation {
    condition     = var.public_agents.min <= var.public_agents.desired && var.public_agents.desired <= var.public_agents.max && var.public_agents.min >= 0
    error_message = "public_agents must satisfy 0 <= min <= desired <= max."
  }
}

variable "instance_types" {
  description = "EC2 instance type per node role."
  type        = object({ bootstrap = string, master = string, private_agent = string, public_agent = string })
  default     = { bootstrap = "m5.large", master = "m5.xlarge", private_agent = "m5.2xlarge", public_agent = "m5.xlarge" }
}

variable "root_volume_size" {
  description = "Size in GiB of every node's encrypted root volume."
  type        = number
  default     = 120

  validation {
    condition     = var.root_volume_size >= 60
    error_message = "root_volume_size must be at least 60 GiB (DC/OS needs the room)."
  }
}

variable "ami_owners" {
  description = "AMI owners searched for the node image (Flatcar's publisher by default)."
  type        = list(string)
  default     = ["075585003325"]
}

variable "ami_name_filter" {
  description = "AMI name of the node image: one pinned Flatcar release, so that every node of the cluster runs the same OS (a pattern would give each new instance the newest match). The nodes switch to cgroup v1, which DC/OS 2.2's Mesos needs; take a newer release by changing the pin, and check it with `ngp doctor`."
  type        = string
  default     = "Flatcar-stable-3815.2.5-hvm"
}

variable "ami_ids" {
  description = "Explicit AMI per role, overriding the lookup: keys bootstrap, master, private_agent, public_agent."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.ami_ids : contains(["bootstrap", "master", "private_agent", "public_agent"], k) && can(regex("^ami-[0-9a-f]+$", v))])
    error_message = "ami_ids keys must be bootstrap, master, private_agent or public_agent, and values AMI ids like ami-0123abcd."
  }
}

variable "dcos_installer_url" {
  description = "URL of dcos_generate_config.sh, from a place you control (e.g. your own S3 bucket): the public download sites are gone."
  type        = string

  validation {
    condition     = can(regex("^https?://", var.dcos_installer_url))
    error_message = "dcos_installer_url must be an http(s) URL."
  }
}

variable "dcos_installer_sha256" {
  description = "sha256 of the installer; the bootstrap node refuses any other file."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.dcos_installer_sha256))
    error_message = "dcos_installer_sha256 must be 64 lower-case hex characters (the output of sha256sum)."
  }
}

variable "dcos_superuser_username" {
  description = "DC/OS superuser name. Its password is generated and kept in Secrets Manager."
  type        = string
  default     = "admin"
}

variable "aws_cli_image" {
  description = "AWS CLI container image the nodes use to read their secrets (and the bootstrap node to publish the install files), pinned by tag or digest."
  type        = string
  default     = "public.ecr.aws/aws-cli/aws-cli:2.22.35"

  validation {
    condition     = can(regex("(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$", var.aws_cli_image)) && !endswith(var.aws_cli_image, ":latest")
    error_message = "aws_cli_image must be pinned: name:tag (not latest) or name@sha256:digest."
  }
}

variable "public_agent_extra_ports" {
  description = "TCP ports besides 80/443 that the public agents' load balancer forwards; reachable from public_agent_extra_cidrs."
  type        = list(number)
  default     = []
}

variable "public_agent_ports" {
  description = "Ports apps publish on the public agents, gathered from every enabled module's public_agent_ports output. The public load balancer exists only when this or public_agent_extra_ports has a port; only 80 and 443 are open to the world."
  type        = list(number)
  default     = []

  validation {
    condition     = alltrue([for p in var.public_agent_ports : p >= 1 && p <= 65535 && floor(p) == p])
    error_message = "public_agent_ports must be TCP port numbers, 1-65535."
  }
}

variable "node_egress" {
  description = "What apps on the nodes reach outside the VPC, gathered from every enabled module's node_egress output: the cluster's egress opens each port and protocol (80 and 443 are always open, for images and packages)."
  type = list(object({
    host     = string
    port     = number
    protocol = string
    why      = string
  }))
  default = []

  validation {
    condition     = alltrue([for e in var.node_egress : contains(["tcp", "udp"], e.protocol) && e.port >= 1 && e.port <= 65535])
    error_message = "node_egress: each protocol must be tcp or udp, each port 1-65535."
  }
}

variable "public_agent_extra_cidrs" {
  description = "Who may reach public_agent_extra_ports. Empty: admin_cidrs."
  type        = list(string)
  default     = []
}

variable "node_files" {
  description = "Files every node of the named roles writes from Secrets Manager at boot (a CA to trust, a task's certificate), gathered from every enabled module's node_files output. The nodes' roles must be allowed to read the secrets."
  type = list(object({
    path       = string
    secret_arn = string
    mode       = string
    roles      = list(string)
  }))
  default = []

  validation {
    condition     = alltrue([for f in var.node_files : can(regex("^/[A-Za-z0-9._/:-]+$", f.path)) && !strcontains(f.path, "..")])
    error_message = "node_files: each path must be absolute, of letters, digits and ._/:- only, without \"..\"."
  }

  validation {
    condition     = alltrue([for f in var.node_files : can(regex("^0[0-7]{3}$", f.mode))])
    error_message = "node_files: each mode must be octal, such as \"0644\" or \"0600\"."
  }

  validation {
    condition     = alltrue(flatten([for f in var.node_files : [for r in f.roles : contains(["master", "private_agent", "public_agent"], r)]]))
    error_message = "node_files: each role must be master, private_agent or public_agent."
  }

  validation {
    condition     = alltrue([for f in var.node_files : can(regex("^arn:[a-z-]+:secretsmanager:", f.secret_arn))])
    error_message = "node_files: each secret_arn must be a Secrets Manager ARN."
  }
}

variable "public_agent_target_group_arns" {
  description = "Target groups of other modules' load balancers (an app's own, such as the API gateway's) that the public agents register in, gathered from every enabled module's output of this name."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.public_agent_target_group_arns : can(regex("^arn:[a-z-]+:elasticloadbalancing:.*:targetgroup/", arn))])
    error_message = "public_agent_target_group_arns: each must be a target group ARN."
  }
}

variable "private_agent_target_group_arns" {
  description = "Target groups of other modules' internal load balancers (Jenkins's) that the private agents register in, gathered from every enabled module's output of this name."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.private_agent_target_group_arns : can(regex("^arn:[a-z-]+:elasticloadbalancing:.*:targetgroup/", arn))])
    error_message = "private_agent_target_group_arns: each must be a target group ARN."
  }
}

variable "node_detailed_monitoring" {
  description = "Whether the cluster's nodes have EC2 detailed monitoring."
  type        = bool
  default     = true
}

variable "load_balancer_deletion_protection" {
  description = "Whether the load balancers are protected against deletion."
  type        = bool
  default     = true
}

variable "vpn_enabled" {
  description = "Whether the openvpn module is enabled (wired from its output): VPN users then reach the admin ports."
  type        = bool
  default     = false
}

variable "bootstrap_node" {
  description = "Whether the bootstrap node runs. It is needed for the first install only (every node installs from the cluster's bucket); false removes it, which the README recommends once the cluster is up."
  type        = bool
  default     = true
}

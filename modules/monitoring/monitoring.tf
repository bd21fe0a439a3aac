# monitoring: Sysdig's agent once on every agent node (private and public), reporting to Sysdig's collector.
# It uses the universal eBPF driver (kernel 5.8 or newer; no kernel headers, no kernel-module container).
#
# Trade-offs: the agent sees the whole host, by design: it runs privileged, on the host network and in the
# host's PID namespace, with the host mounts Sysdig's documentation lists, as Sysdig's own `docker run` does.
# The access key comes from TF_VAR_sysdig_access_key only; with the rest of the agent's secret settings it is in
# a Secrets Manager secret that the agents write 0600 at boot and Docker reads with --env-file, so Marathon's
# API never shows it. The masters run no Mesos agent, so no Marathon app can reach them: they are not monitored.

# ngp reads this block; Terraform ignores it.
locals {
  ngp_module = {
    description     = "Monitoring: the Sysdig agent (eBPF) on every agent node, its access key kept out of Marathon"
    default_enabled = true
    inputs_from     = {}
    # No Sysdig account in local mode: ngp draws a stand-in once and keeps it in .ngp/local (0600).
    local_mode_secrets = ["sysdig_access_key"]
  }
}

module "label" {
  source  = "../.shared/label"
  context = var.context
}

locals {
  name     = module.label.name_format
  tags     = module.label.tags
  env_file = "${var.settings_dir}/agent.env"
  # Sysdig's TAGS: comma-separated key:value pairs; the platform's id always among them.
  sysdig_tags = join(",", [for k, v in merge({ ngp = module.label.id }, var.sysdig_tags) : "${k}:${v}"])
}

module "settings" {
  source = "../.shared/env-file-secret"

  name_prefix = format(local.name, "sysdig-agent-settings")
  description = "Secret settings of the Sysdig agents of ${module.label.id}, as an env file"
  kms_key_arn = var.kms_key_arn
  path        = local.env_file
  readers     = { for role in ["private_agent", "public_agent"] : role => var.node_role_names[role] }
  policy_name = "monitoring-settings"
  tags        = local.tags
  values      = { ACCESS_KEY = var.sysdig_access_key }
}

################################################################################
# The agent, as data: one per agent node of each kind
################################################################################

locals {
  # Host paths the agent reads (read-only) or needs to write, as Sysdig documents them.
  host_mounts = {
    "/dev"         = "RW"
    "/proc"        = "RO"
    "/usr"         = "RO"
    "/etc"         = "RO"
    "/boot"        = "RO"
    "/lib/modules" = "RO"
    "/var/run"     = "RW" # the Docker socket
    "/run"         = "RW"
    "/var/lib"     = "RW"
  }

  agent = {
    cpus = var.agent_cpus
    mem  = var.agent_mem
    container = {
      type = "DOCKER"
      docker = {
        image      = var.agent_image
        privileged = true
        parameters = [
          { key = "env-file", value = local.env_file },
          { key = "pid", value = "host" },
          { key = "shm-size", value = "512m" },
        ]
      }
      volumes = [for path, mode in local.host_mounts : { containerPath = "/host${path}", hostPath = path, mode = mode }]
    }
    networks = [{ mode = "host" }]
    # The agent's health endpoint answers on the host's loopback, where Mesos sends HTTP checks.
    portDefinitions = [{ port = 24483, protocol = "tcp", name = "health" }]
    requirePorts    = true
    env = {
      COLLECTOR           = var.sysdig_collector
      SECURE              = "true"
      CHECK_CERTIFICATE   = "true"
      TAGS                = local.sysdig_tags
      SYSDIG_AGENT_DRIVER = "universal_ebpf"
      ADDITIONAL_CONF     = yamlencode({ collector_port = var.sysdig_collector_port })
    }
    healthChecks = [
      { protocol = "MESOS_HTTP", path = "/healthz", portIndex = 0, gracePeriodSeconds = 120, intervalSeconds = 30, timeoutSeconds = 10, maxConsecutiveFailures = 3 }
    ]
  }

  marathon_apps = [
    merge(local.agent, { id = "sysdig-agent-private", labels = { NGP_PER_AGENT = "private" } }),
    merge(local.agent, { id = "sysdig-agent-public", labels = { NGP_PER_AGENT = "public" } }),
  ]
}

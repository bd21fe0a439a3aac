# hello: an example of a module of your own. It keeps its own log group in AWS and runs one web server per
# public agent on the cluster. Copy this folder into modules/ and add "hello" to modules in ngp.tfvars: ngp
# discovers it, wires kms_key_arn and public_agents_lb_dns_name from the modules that output them, and deploys its app after apply.
# docs/modules.md is the contract it follows.

# ngp reads this block; Terraform ignores it.
locals {
  ngp_module = {
    description       = "Example: a web server on every public agent, with a log group of its own"
    default_enabled   = false
    headline          = ["hello_url"]
    inputs_from       = {}
    local_mode_inputs = {}
  }
}

module "label" {
  source  = "../.shared/label"
  context = var.context
}

resource "aws_cloudwatch_log_group" "hello" {
  name              = "/ngp/${module.label.id}/hello"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = merge(module.label.tags, { Name = format(module.label.name_format, "hello") })
}

locals {
  # The app as data: ngp deploys it into /ngp/hello and diffs it on every apply.
  marathon_apps = [
    {
      id   = "web"
      cpus = 0.1
      mem  = 64
      container = {
        type         = "DOCKER"
        docker       = { image = var.hello_image }
        portMappings = [{ containerPort = 80, hostPort = 0, protocol = "tcp", name = "http" }]
      }
      networks = [{ mode = "container/bridge" }]
      env      = { GREETING = var.greeting }
      healthChecks = [
        { protocol = "MESOS_HTTP", path = "/", portIndex = 0, gracePeriodSeconds = 30, intervalSeconds = 20 }
      ]
      # One per public agent, sized by ngp from the live agents (the contract's per-agent label).
      labels = { NGP_PER_AGENT = "public" }
    }
  ]
}

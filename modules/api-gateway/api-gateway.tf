# api-gateway: Tyk's hybrid gateway on the public agents, connected to a Tyk control plane (Tyk Cloud or MDCB),
# with the elasticache Redis (TLS, auth token) and, when enabled, Tyk Pump shipping the analytics. A public
# application load balancer at tyk.<domain> terminates TLS with an ACM certificate. It listens on 443 only: an
# API client that calls http:// would send its credentials in the clear before any redirect could help. AWS WAF
# stands in front of it (.shared/web-acl): AWS's managed rules, and waf_rate_limit requests per client address
# in 5 minutes; bodies over 8 KB pass unless waf_allow_large_bodies = false.
#
# Secrets: the control plane's org id and API key (TF_VAR_* only), the Redis token and the generated gateway
# secret are put together in one Secrets Manager secret per app, an env file. The agents write it at boot
# (node_files, 0600, root) and Docker reads it (--env-file) when it starts the container: no secret is in the
# app's definition, which anyone who can read Marathon's API sees. Trade-off: the values are in Terraform's state,
# as every sensitive input is; keep the state encrypted (the S3 backend's default).

# ngp reads this block; Terraform ignores it.
locals {
  ngp_module = {
    description     = "API gateway: Tyk hybrid gateway (Redis, Pump) behind a public HTTPS load balancer"
    default_enabled = true
    headline        = ["gateway_url"]
    inputs_from     = {}
    local_mode_inputs = {
      tyk_connection_string = "mdcb.ngp.test:443" # no control plane in local mode: the gateway app is data only
      gateway_instances     = 1                   # one public agent
      pump_enabled          = true                # so that the Pump's app and secret are exercised too
    }
    # No Tyk Cloud in local mode: ngp draws these once and keeps them in .ngp/local (0600).
    local_mode_secrets = ["tyk_org_id", "tyk_api_key"]
  }
}

module "label" {
  source  = "../.shared/label"
  context = var.context
}

locals {
  name = module.label.name_format
  tags = module.label.tags

  hostname     = var.domain == null ? null : "tyk.${var.domain}"
  group_id     = coalesce(var.tyk_group_id, module.label.id)
  gateway_env  = "${var.settings_dir}/gateway.env"
  pump_env     = "${var.settings_dir}/pump.env"
  redis_common = { HOST = var.redis_endpoint, PORT = tostring(var.redis_port), USESSL = "true" }
}

################################################################################
# Secrets: the gateway's own API secret, and one env file per app
################################################################################

module "gateway_secret" {
  source = "../.shared/generated-secret"

  name_prefix = format(local.name, "tyk-gateway-secret")
  description = "Tyk Gateway API secret (x-tyk-authorization) of ${module.label.id}"
  kms_key_arn = var.kms_key_arn
  length      = 48
  tags        = local.tags
}

module "gateway_settings" {
  source = "../.shared/env-file-secret"

  name_prefix = format(local.name, "tyk-gateway-settings")
  description = "Secret settings of the Tyk gateway of ${module.label.id}, as an env file"
  kms_key_arn = var.kms_key_arn
  path        = local.gateway_env
  readers     = { public_agent = var.node_role_names["public_agent"] }
  policy_name = "api-gateway-settings"
  tags        = local.tags
  values = {
    TYK_GW_SECRET              = module.gateway_secret.value
    TYK_GW_SLAVEOPTIONS_RPCKEY = var.tyk_org_id
    TYK_GW_SLAVEOPTIONS_APIKEY = var.tyk_api_key
    TYK_GW_STORAGE_PASSWORD    = var.redis_auth_token
  }
}

# The Pump runs on the private agents.
module "pump_settings" {
  source = "../.shared/env-file-secret"
  count  = var.pump_enabled ? 1 : 0

  name_prefix = format(local.name, "tyk-pump-settings")
  description = "Secret settings of the Tyk Pump of ${module.label.id}, as an env file"
  kms_key_arn = var.kms_key_arn
  path        = local.pump_env
  readers     = { private_agent = var.node_role_names["private_agent"] }
  policy_name = "api-gateway-pump-settings"
  tags        = local.tags
  values = {
    TYK_PMP_ANALYTICSSTORAGECONFIG_PASSWORD = var.redis_auth_token
    TYK_PMP_PUMPS_HYBRID_META_RPCKEY        = var.tyk_org_id
    TYK_PMP_PUMPS_HYBRID_META_APIKEY        = var.tyk_api_key
  }
}

################################################################################
# The public load balancer: HTTPS only, at tyk.<domain>
################################################################################

module "front" {
  source = "../.shared/https-alb"

  name                = substr(format(local.name, "tyk"), 0, 32)
  security_group_name = format(local.name, "tyk-lb")
  description         = "Tyk gateway load balancer: 443 from gateway_ingress_cidrs, to the gateway port of the agents only"
  vpc_id              = var.vpc_id
  subnet_ids          = var.public_subnet_ids
  internal            = false
  ingress_cidrs       = var.gateway_ingress_cidrs
  ingress_cidrs_name  = "the gateway clients"
  target = {
    port              = var.gateway_port
    protocol          = "HTTP"
    security_group_id = var.agent_security_group_id
    description       = "the Tyk gateway on the public agents"
  }
  health_check        = { path = "/hello", matcher = "200", interval = 15 }
  deletion_protection = var.load_balancer_deletion_protection
  certificate = {
    requester       = "api-gateway"
    hostname        = local.hostname
    dns_zone_id     = var.dns_zone_id
    dns_records     = var.dns_records
    certificate_arn = var.certificate_arn
  }
  tags = local.tags
}

# WAF in front of Tyk: AWS's managed rules and a rate limit per client address, before a request reaches the
# gateway, which then authenticates and rate-limits it per API key.
module "web_acl" {
  source = "../.shared/web-acl"

  name               = format(local.name, "tyk")
  description        = "The Tyk gateway's public load balancer"
  kms_key_arn        = var.kms_key_arn
  rate_limit         = var.waf_rate_limit
  allow_large_bodies = var.waf_allow_large_bodies
  tags               = local.tags
}

resource "aws_wafv2_web_acl_association" "gateway" {
  resource_arn = module.front.arn
  web_acl_arn  = module.web_acl.arn
}

# Where these were before the shared front.
moved {
  from = aws_security_group.lb
  to   = module.front.aws_security_group.this
}

moved {
  from = aws_security_group_rule.lb_https
  to   = module.front.aws_security_group_rule.from_cidrs[0]
}

moved {
  from = aws_security_group_rule.lb_to_gateway
  to   = module.front.aws_security_group_rule.to_targets
}

moved {
  from = aws_security_group_rule.gateway_from_lb
  to   = module.front.aws_security_group_rule.targets_from_lb
}

moved {
  from = aws_lb.gateway
  to   = module.front.aws_lb.this
}

moved {
  from = aws_lb_target_group.gateway
  to   = module.front.aws_lb_target_group.this
}

moved {
  from = aws_lb_listener.https
  to   = module.front.aws_lb_listener.https
}

moved {
  from = module.certificate
  to   = module.front.module.certificate
}

moved {
  from = aws_route53_record.gateway
  to   = module.front.aws_route53_record.alias
}

moved {
  from = aws_acm_certificate.gateway
  to   = module.front.module.certificate.aws_acm_certificate.this
}

moved {
  from = aws_route53_record.validation
  to   = module.front.module.certificate.aws_route53_record.validation
}

moved {
  from = aws_acm_certificate_validation.gateway
  to   = module.front.module.certificate.aws_acm_certificate_validation.this
}

################################################################################
# The apps, as data
################################################################################

locals {
  gateway = {
    id        = "gateway"
    instances = var.gateway_instances
    cpus      = 1
    mem       = 1024
    container = {
      type = "DOCKER"
      docker = {
        image = var.gateway_image
        # Docker reads the secret settings on the agent when it starts the container; Marathon never holds them.
        parameters = [{ key = "env-file", value = local.gateway_env }]
      }
      portMappings = [{ containerPort = var.gateway_port, hostPort = var.gateway_port, protocol = "tcp", name = "http" }]
    }
    # Bridged: the gateway needs no AWS credentials, and hop limit 1 keeps it from the agent's role.
    networks              = [{ mode = "container/bridge" }]
    requirePorts          = true
    acceptedResourceRoles = ["slave_public"]
    constraints           = [["hostname", "UNIQUE"]]
    env = merge(
      {
        TYK_GW_LISTENPORT                                   = tostring(var.gateway_port)
        TYK_GW_USEDBAPPCONFIGS                              = "false"
        TYK_GW_SLAVEOPTIONS_USERPC                          = "true"
        TYK_GW_SLAVEOPTIONS_CONNECTIONSTRING                = var.tyk_connection_string
        TYK_GW_SLAVEOPTIONS_USESSL                          = "true"
        TYK_GW_SLAVEOPTIONS_SSLINSECURESKIPVERIFY           = "false"
        TYK_GW_SLAVEOPTIONS_GROUPID                         = local.group_id
        TYK_GW_SLAVEOPTIONS_BINDTOSLUGSINSTEADOFLISTENPATHS = "false"
        TYK_GW_AUTHOVERRIDE_FORCEAUTHPROVIDER               = "true"
        TYK_GW_AUTHOVERRIDE_AUTHPROVIDER_STORAGEENGINE      = "rpc"
        TYK_GW_POLICIES_POLICYSOURCE                        = "rpc"
        TYK_GW_POLICIES_POLICYRECORDNAME                    = "tyk_policies"
        TYK_GW_STORAGE_TYPE                                 = "redis"
        TYK_GW_STORAGE_ENABLECLUSTER                        = "false"
        TYK_GW_STORAGE_SSLINSECURESKIPVERIFY                = "false"
        TYK_GW_ENABLEANALYTICS                              = "true"
        # With a Pump, analytics wait in Redis for it; without, the gateway sends them over RPC.
        TYK_GW_ANALYTICSCONFIG_TYPE = var.pump_enabled ? "" : "rpc"
      },
      { for k, v in local.redis_common : "TYK_GW_STORAGE_${k}" => v },
    )
    healthChecks = [
      { protocol = "MESOS_HTTP", path = "/hello", portIndex = 0, gracePeriodSeconds = 60, intervalSeconds = 20, timeoutSeconds = 10, maxConsecutiveFailures = 3 }
    ]
    upgradeStrategy = { minimumHealthCapacity = 0.5, maximumOverCapacity = 0 }
  }

  pump = {
    id        = "pump"
    instances = 1
    cpus      = 0.5
    mem       = 512
    container = {
      type = "DOCKER"
      docker = {
        image      = var.pump_image
        parameters = [{ key = "env-file", value = local.pump_env }]
      }
      portMappings = [{ containerPort = 8083, hostPort = 0, protocol = "tcp", name = "health" }]
    }
    networks = [{ mode = "container/bridge" }]
    env = merge(
      {
        TYK_PMP_ANALYTICSSTORAGETYPE                         = "redis"
        TYK_PMP_PURGEDELAY                                   = "10"
        TYK_PMP_HEALTHCHECKENDPOINTNAME                      = "health"
        TYK_PMP_HEALTHCHECKENDPOINTPORT                      = "8083"
        TYK_PMP_PUMPS_HYBRID_TYPE                            = "hybrid"
        TYK_PMP_PUMPS_HYBRID_META_CONNECTIONSTRING           = var.tyk_connection_string
        TYK_PMP_PUMPS_HYBRID_META_USESSL                     = "true"
        TYK_PMP_PUMPS_HYBRID_META_SSLINSECURESKIPVERIFY      = "false"
        TYK_PMP_ANALYTICSSTORAGECONFIG_SSLINSECURESKIPVERIFY = "false"
      },
      { for k, v in local.redis_common : "TYK_PMP_ANALYTICSSTORAGECONFIG_${k}" => v },
    )
    healthChecks = [
      { protocol = "MESOS_HTTP", path = "/health", portIndex = 0, gracePeriodSeconds = 60, intervalSeconds = 30 }
    ]
  }

  marathon_apps = concat([local.gateway], var.pump_enabled ? [local.pump] : [])
}

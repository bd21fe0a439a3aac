# elasticache: Redis for the Tyk gateway. A replication group in the private subnets, encrypted in transit and
# at rest, with a generated auth token; only the cluster's agents may connect.

# ngp reads this block; Terraform ignores it.
locals {
  ngp_module = {
    description     = "Redis (ElastiCache replication group) for the Tyk gateway, encrypted, with a generated token"
    default_enabled = true
    inputs_from     = {}
    local_mode_inputs = {
      redis_nodes              = 1 # moto creates one member cluster whatever the count
      redis_automatic_failover = false
    }
  }
}

module "label" {
  source  = "../.shared/label"
  context = var.context
}

locals {
  name = module.label.name_format
  tags = module.label.tags
  port = 6379
}

module "auth_token" {
  source = "../.shared/generated-secret"

  name_prefix = format(local.name, "redis-auth")
  description = "AUTH token of the ${module.label.id} Redis"
  kms_key_arn = var.kms_key_arn
  length      = 64
  tags        = local.tags
}

resource "aws_security_group" "redis" {
  name        = format(local.name, "redis")
  description = "Redis: port 6379 from the cluster agents only"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = format(local.name, "redis") })

  lifecycle {
    create_before_destroy = true
  }
}

# aws_security_group_rule, not the newer rule resources: see the dcos module on moto's referenced group ids.
resource "aws_security_group_rule" "redis_from_agents" {
  type                     = "ingress"
  security_group_id        = aws_security_group.redis.id
  description              = "Redis from the cluster agents"
  protocol                 = "tcp"
  from_port                = local.port
  to_port                  = local.port
  source_security_group_id = var.agent_security_group_id
}

resource "aws_elasticache_subnet_group" "this" {
  name        = format(local.name, "redis")
  description = "Private subnets of ${module.label.id}"
  subnet_ids  = var.private_subnet_ids
  tags        = local.tags
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id       = format(local.name, "redis")
  description                = "Redis for the Tyk gateway of ${module.label.id}"
  engine                     = "redis"
  engine_version             = var.redis_engine_version
  node_type                  = var.redis_node_type
  num_cache_clusters         = var.redis_nodes
  port                       = local.port
  subnet_group_name          = aws_elasticache_subnet_group.this.name
  security_group_ids         = [aws_security_group.redis.id]
  automatic_failover_enabled = var.redis_automatic_failover
  multi_az_enabled           = var.redis_automatic_failover
  at_rest_encryption_enabled = true
  kms_key_id                 = var.kms_key_arn
  transit_encryption_enabled = true
  auth_token                 = module.auth_token.value
  snapshot_retention_limit   = var.redis_snapshot_retention_days
  auto_minor_version_upgrade = true
  apply_immediately          = false
  tags                       = local.tags

  lifecycle {
    # The token is drawn once; rotate it deliberately, not through a plan.
    ignore_changes = [auth_token]
  }
}

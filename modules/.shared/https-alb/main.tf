# https-alb: an HTTPS front, the one way the platform builds one (Tyk's public gateway, Jenkins, DC/OS's Admin
# Router). An application load balancer that drops invalid header fields, a listener on 443 with the platform's
# TLS policy and a certificate (the caller's, or one ACM issues after DNS validation), a target group, an alias
# record, and a security group of its own: 443 in from the named groups and CIDRs, out to the targets' port on
# the targets' group alone, which admits that port from this group.

locals {
  # TLS 1.3, with 1.2 for older clients: the one policy of every HTTPS front.
  tls_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

resource "aws_security_group" "this" {
  name        = var.security_group_name
  description = var.description
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = var.security_group_name })

  lifecycle {
    create_before_destroy = true
  }
}

# aws_security_group_rule, not the newer rule resources: moto reports their referenced group ids in a form that
# shows as a change on every plan (see the dcos module).
resource "aws_security_group_rule" "from_groups" {
  for_each = var.ingress_security_groups

  type                     = "ingress"
  security_group_id        = aws_security_group.this.id
  description              = "HTTPS from the ${each.key}"
  protocol                 = "tcp"
  from_port                = 443
  to_port                  = 443
  source_security_group_id = each.value
}

resource "aws_security_group_rule" "from_cidrs" {
  count = length(var.ingress_cidrs) > 0 ? 1 : 0

  type              = "ingress"
  security_group_id = aws_security_group.this.id
  description       = "HTTPS from ${var.ingress_cidrs_name}"
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = var.ingress_cidrs
}

resource "aws_security_group_rule" "to_targets" {
  type                     = "egress"
  security_group_id        = aws_security_group.this.id
  description              = "On to ${var.target.description}"
  protocol                 = "tcp"
  from_port                = var.target.port
  to_port                  = var.target.port
  source_security_group_id = var.target.security_group_id
}

resource "aws_security_group_rule" "targets_from_lb" {
  type                     = "ingress"
  security_group_id        = var.target.security_group_id
  description              = "${var.target.description} from its load balancer"
  protocol                 = "tcp"
  from_port                = var.target.port
  to_port                  = var.target.port
  source_security_group_id = aws_security_group.this.id
}

resource "aws_lb" "this" {
  # checkov:skip=CKV_AWS_91: ELB writes access logs only to SSE-S3 buckets, not the platform's KMS key; each caller's service logs every request it serves: Tyk's analytics and WAF's log for the public gateway, Jenkins, Admin Router.
  # checkov:skip=CKV2_AWS_28: the one public front, the API gateway's, associates its web ACL in its own module; the internal fronts are reached from inside the VPC only, behind their service's own login.
  name                       = var.name
  internal                   = var.internal
  load_balancer_type         = "application"
  subnets                    = var.subnet_ids
  security_groups            = [aws_security_group.this.id]
  drop_invalid_header_fields = true
  idle_timeout               = var.idle_timeout
  enable_deletion_protection = var.deletion_protection
  tags                       = merge(var.tags, { Name = var.name })
}

resource "aws_lb_target_group" "this" {
  name     = var.name
  port     = var.target.port
  protocol = var.target.protocol
  vpc_id   = var.vpc_id
  tags     = var.tags

  health_check {
    protocol            = var.target.protocol
    path                = var.health_check.path
    port                = "traffic-port"
    matcher             = var.health_check.matcher
    interval            = var.health_check.interval
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = local.tls_policy
  certificate_arn   = module.certificate.arn
  tags              = var.tags

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }
}

module "certificate" {
  source = "../dns-certificate"

  requester       = var.certificate.requester
  hostname        = var.certificate.hostname
  dns_zone_id     = var.certificate.dns_zone_id
  dns_records     = var.certificate.dns_records
  certificate_arn = var.certificate.certificate_arn
  tags            = var.tags
}

resource "aws_route53_record" "alias" {
  count = var.certificate.dns_records && var.certificate.hostname != null ? 1 : 0

  zone_id = var.certificate.dns_zone_id
  name    = var.certificate.hostname
  type    = "A"

  alias {
    name                   = aws_lb.this.dns_name
    zone_id                = aws_lb.this.zone_id
    evaluate_target_health = true
  }
}

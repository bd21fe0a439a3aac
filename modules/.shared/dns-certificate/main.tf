# A certificate for one host name: the caller's own, or one that ACM issues after DNS validation in the
# caller's Route53 zone.

locals {
  request = var.certificate_arn == null
}

resource "aws_acm_certificate" "this" {
  count = local.request ? 1 : 0

  domain_name       = var.hostname
  validation_method = "DNS"
  tags              = merge(var.tags, { Name = var.hostname })

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = var.dns_records && var.hostname != null && var.dns_zone_id != null
      error_message = "${var.requester}: give certificate_arn, or set domain and dns_records = true so that ngp can validate a certificate for ${coalesce(var.hostname, "its host name")}."
    }
  }
}

resource "aws_route53_record" "validation" {
  for_each = local.request ? {
    for o in aws_acm_certificate.this[0].domain_validation_options : o.domain_name => o
  } : {}

  zone_id         = var.dns_zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  records         = [each.value.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  count = local.request ? 1 : 0

  certificate_arn         = aws_acm_certificate.this[0].arn
  validation_record_fqdns = [for r in aws_route53_record.validation : r.fqdn]
}

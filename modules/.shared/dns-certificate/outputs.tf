output "arn" {
  description = "The certificate to use: the caller's, or the validated one."
  value       = local.request ? aws_acm_certificate_validation.this[0].certificate_arn : var.certificate_arn
}

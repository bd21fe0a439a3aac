variable "requester" {
  description = "The module asking, named in the message when no certificate can be had."
  type        = string
}

variable "hostname" {
  description = "The name the certificate is for (such as tyk.<domain>). Null when there is no domain."
  type        = string
  default     = null
}

variable "dns_zone_id" {
  description = "The Route53 zone of hostname, where the validation records go."
  type        = string
  default     = null
}

variable "dns_records" {
  description = "Whether the caller may create records in dns_zone_id (its dns_records setting)."
  type        = bool
}

variable "certificate_arn" {
  description = "A certificate the caller already has. Null: one is requested for hostname and DNS-validated."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the certificate."
  type        = map(string)
  default     = {}
}

output "registry_bucket" {
  description = "Name of the S3 bucket holding the images."
  value       = module.bucket.id
}

output "registry_address" {
  description = "Where the cluster reaches the registry: <vip>:<port>."
  value       = "${var.registry_vip}:${var.registry_port}"
}

output "registry_root_directory" {
  description = "Where in the bucket the registry keeps its data (the S3 driver's rootdirectory)."
  value       = local.root_directory
}

output "registry_ca_secret_arn" {
  description = "Secret with the registry CA's certificate (PEM); the DC/OS nodes trust it for registry_address."
  value       = aws_secretsmanager_secret.tls["ca_cert"].arn
}

output "registry_tls_secret_arns" {
  description = "Secrets with the registry's TLS certificate and private key (PEM), for the private agents."
  value = {
    certificate = aws_secretsmanager_secret.tls["server_cert"].arn
    private_key = aws_secretsmanager_secret.tls["server_key"].arn
  }
}

output "node_files" {
  description = "Contract: what the cluster's nodes write at boot. Every node trusts the CA for registry_address; the private agents, which run the registry, get its certificate, key and htpasswd; every agent gets the registry's Docker auth."
  value = [
    {
      path       = "/etc/docker/certs.d/${var.registry_vip}:${var.registry_port}/ca.crt"
      secret_arn = aws_secretsmanager_secret.tls["ca_cert"].arn
      mode       = "0644"
      roles      = ["master", "private_agent", "public_agent"]
    },
    {
      path       = "${local.tls_dir}/tls.crt"
      secret_arn = aws_secretsmanager_secret.tls["server_cert"].arn
      mode       = "0644"
      roles      = ["private_agent"]
    },
    {
      path       = "${local.tls_dir}/tls.key"
      secret_arn = aws_secretsmanager_secret.tls["server_key"].arn
      mode       = "0600"
      roles      = ["private_agent"]
    },
    module.htpasswd.node_file,
    module.docker_auth.node_file,
    module.settings.node_file,
  ]
}

output "registry_user" {
  description = "The registry's user."
  value       = var.registry_user
}

output "registry_password" {
  description = "The registry user's generated password."
  value       = module.password.value
  sensitive   = true
}

output "registry_password_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the registry user's password."
  value       = module.password.arn
}

output "ngp_tls" {
  description = "What ngp generates after apply: a CA and the registry's certificate for these names, into these secrets."
  value = {
    ca_key_secret_arn      = aws_secretsmanager_secret.tls["ca_key"].arn
    ca_cert_secret_arn     = aws_secretsmanager_secret.tls["ca_cert"].arn
    server_cert_secret_arn = aws_secretsmanager_secret.tls["server_cert"].arn
    server_key_secret_arn  = aws_secretsmanager_secret.tls["server_key"].arn
    common_name            = "registry.ngp"
    ip_addresses           = [var.registry_vip, "127.0.0.1"] # on an agent, 127.0.0.1:5000 is that agent's registry
    dns_names              = ["registry.ngp", "registry.marathon.l4lb.thisdcos.directory"]
  }
}

output "marathon_apps" {
  description = "The registry as a Marathon app; `ngp apps` deploys it into /ngp/docker-registry."
  value       = local.marathon_apps
}

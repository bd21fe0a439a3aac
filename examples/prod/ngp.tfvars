# A production platform: every module, DNS names, three masters across three zones. Shared values live here;
# what differs per environment lives in the overlay ngp.<env>.tfvars (see ngp.prod.tfvars beside it), and
# secrets come from TF_VAR_* or Secrets Manager, never from this file.

modules    = ["manager", "openvpn", "dcos", "docker-registry", "elasticache", "elk", "api-gateway", "monitoring", "ecr", "jenkins", "marathon-snapshot"]
aws_region = "eu-west-1"

context = {
  pre_tag     = "acme"
  post_tag    = "stage"
  environment = "stage"
  service     = "platform"
  version     = "1.4.0"
  tags        = { CostCentre = "platform-42", Owner = "platform-team@example.com" }
}

vpc_cidr                = "10.20.0.0/16"
availability_zone_count = 3
admin_cidrs             = ["198.51.100.0/24", "203.0.113.0/25"]

# DNS: vpn.<domain> and dcos.<domain> in an existing public zone.
domain          = "platform.example.com"
create_dns_zone = false
dns_records     = true

dcos_installer_url    = "https://artifacts.example.com/dcos/2.2.5/dcos_generate_config.sh"
dcos_installer_sha256 = "0000000000000000000000000000000000000000000000000000000000000000"

num_masters        = 3
private_agents     = { min = 3, max = 12, desired = 4 }
public_agents      = { min = 2, max = 4, desired = 2 }
single_nat_gateway = false

vpn_instance_type = "t3.medium"
registry_mem      = 1024
redis_node_type   = "cache.t4g.medium"
redis_nodes       = 3

opensearch_instance_type     = "r6g.large.search"
opensearch_instance_count    = 2
opensearch_dedicated_masters = 3
opensearch_volume_size       = 100

# The API gateway at tyk.<domain>, a data plane of your Tyk Cloud organisation. Its credentials are secrets:
# export TF_VAR_tyk_org_id and TF_VAR_tyk_api_key (or read them from Secrets Manager in your pipeline).
tyk_connection_string = "acme-hybrid.aws-euw2.cloud-ara.tyk.io:443"
gateway_instances     = 3
pump_enabled          = true

# Sysdig in eu1; the access key is a secret: export TF_VAR_sysdig_access_key.
sysdig_collector = "ingest-eu1.app.sysdig.com"
sysdig_tags      = { team = "platform" }

# ECR: the teams' repositories; images expire after the last 50, untagged ones after 3 days.
ecr_repositories = {
  "platform/api"    = { keep_images = 50, untagged_days = 3 }
  "platform/worker" = { keep_images = 50, untagged_days = 3 }
}

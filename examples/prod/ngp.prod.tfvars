# The prod overlay: read after ngp.tfvars by `ngp plan --env prod`; what it sets wins.

context = {
  pre_tag     = "acme"
  post_tag    = "prod"
  environment = "prod"
  service     = "platform"
  version     = "1.4.0"
  tags        = { CostCentre = "platform-42", Owner = "platform-team@example.com" }
}

vpc_cidr       = "10.30.0.0/16"
private_agents = { min = 6, max = 30, desired = 8 }
public_agents  = { min = 3, max = 6, desired = 3 }

# A quarter of hourly Marathon snapshots, each kept as an old version 90 days more.
snapshot_retention_days = 90

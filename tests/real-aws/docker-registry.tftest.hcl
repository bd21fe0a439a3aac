# docs/real-aws.md row 6: the docker-registry module.
mock_provider "aws" {
  source          = "./"
  override_during = plan
}

variables {
  context         = { pre_tag = "ngp", post_tag = "dev", environment = "dev" }
  kms_key_arn     = "arn:aws:kms:eu-west-1:123456789012:key/0000"
  node_role_names = { master = "ngp-master-dev", private_agent = "ngp-private-agent-dev", public_agent = "ngp-public-agent-dev" }
}

run "every_instance_shares_one_http_secret" {
  command = plan
  module { source = "../../modules/docker-registry" }

  assert {
    condition     = contains([for f in output.node_files : f.path if contains(f.roles, "private_agent") && f.mode == "0600"], "/etc/ngp/docker-registry.env")
    error_message = "the private agents must write the registry's secret settings, root-only"
  }
  assert {
    condition     = contains(output.marathon_apps[0].container.docker.parameters, { key = "env-file", value = "/etc/ngp/docker-registry.env" })
    error_message = "the registry must read REGISTRY_HTTP_SECRET from that file"
  }
  assert {
    condition     = !contains(keys(output.marathon_apps[0].env), "REGISTRY_HTTP_SECRET")
    error_message = "the secret must never be in the app's plain env"
  }
}

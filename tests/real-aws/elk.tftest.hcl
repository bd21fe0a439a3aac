# docs/real-aws.md rows 1, 2, 7 and 8: the elk module.
mock_provider "aws" {
  source          = "./"
  override_during = plan
}

variables {
  context                      = { pre_tag = "ngp", post_tag = "dev", environment = "dev" }
  vpc_id                       = "vpc-0123456789abcdef0"
  private_subnet_ids           = ["subnet-0a", "subnet-0b"]
  kms_key_arn                  = "arn:aws:kms:eu-west-1:123456789012:key/0000"
  node_role_names              = { private_agent = "ngp-private-agent-dev", public_agent = "ngp-public-agent-dev" }
  agent_security_group_id      = "sg-0a"
  management_security_group_id = "sg-0b"
  security_roles_lambda_zip    = "bootstrap.zip"
}

# 1: fine-grained access control maps Logstash's role, as part of the apply, to writes on its own indices only.
run "logstash_role_is_mapped_on_apply" {
  command = plan
  module { source = "../../modules/elk" }

  assert {
    condition     = length(aws_lambda_invocation.security_roles) == 1
    error_message = "the apply must run the function that writes the role mapping"
  }
  assert {
    condition     = jsondecode(module.security_roles_function.environment["NGP_SECURITY_ROLES"]).ngp_logstash.backend_roles == ["arn:aws:iam::123456789012:role/ngp-private-agent-dev"]
    error_message = "Logstash's role (the private agents') must be the mapping's backend role"
  }
  assert {
    condition     = jsondecode(module.security_roles_function.environment["NGP_SECURITY_ROLES"]).ngp_logstash.role.index_permissions[0].index_patterns == ["ngp-logs-*"]
    error_message = "the role must reach the platform's log indices only"
  }
  assert {
    condition     = !strcontains(module.security_roles_function.environment["NGP_SECURITY_ROLES"], "all_access")
    error_message = "Logstash must not be an administrator"
  }
  # The domain's access policy is checked before fine-grained access control: it must let the function's
  # unsigned calls reach the security plugin's API, and nothing else of the domain.
  assert {
    condition = anytrue([
      for s in jsondecode(aws_opensearch_domain.logs.access_policies).Statement :
      s.Principal == { AWS = "*" } && endswith(s.Resource, "/_plugins/_security/api/*") && !contains(s.Action, "es:ESHttpPost")
    ])
    error_message = "the access policy must admit the security API's calls, which the master user authenticates"
  }
}

# 2: a VPC domain needs OpenSearch's service-linked role, which the module creates when asked.
run "opensearch_service_linked_role" {
  command = plan
  module { source = "../../modules/elk" }
  variables {
    create_opensearch_service_linked_role = true
  }

  assert {
    condition     = aws_iam_service_linked_role.opensearch[0].aws_service_name == "opensearchservice.amazonaws.com"
    error_message = "the service-linked role of OpenSearch must be created"
  }
}

# 7: more than one node spreads over two zones, so the count must be even.
run "odd_node_count_over_two_zones_is_refused" {
  command = plan
  module { source = "../../modules/elk" }
  variables {
    opensearch_instance_count = 3
  }
  expect_failures = [var.opensearch_instance_count]
}

# 8: Filebeat's journald input finds the host's journal.
run "filebeat_reads_the_host_journal" {
  command = plan
  module { source = "../../modules/elk" }

  assert {
    condition = alltrue([
      for app in output.marathon_apps : contains([for v in app.container.volumes : v.hostPath], "/etc/machine-id")
      if startswith(app.id, "filebeat")
    ])
    error_message = "Filebeat must mount the host's /etc/machine-id"
  }
}

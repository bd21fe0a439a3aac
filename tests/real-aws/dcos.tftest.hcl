# docs/real-aws.md rows 3, 9, 10 and 11: the dcos module (and the monitoring module's egress, row 3).
mock_provider "aws" {
  source          = "./"
  override_during = plan
}

variables {
  context                      = { pre_tag = "ngp", post_tag = "dev", environment = "dev" }
  vpc_id                       = "vpc-0123456789abcdef0"
  vpc_cidr                     = "10.0.0.0/16"
  internet_gateway_id          = "igw-0a"
  management_subnet_cidr       = "10.0.0.0/24"
  management_security_group_id = "sg-0b"
  availability_zones           = ["eu-west-1a", "eu-west-1b"]
  kms_key_arn                  = "arn:aws:kms:eu-west-1:123456789012:key/0000"
  admin_cidrs                  = ["10.8.0.0/16"]
  dcos_installer_url           = "https://installers.example.com/dcos_generate_config.sh"
  dcos_installer_sha256        = "0000000000000000000000000000000000000000000000000000000000000000"
  # The monitoring module's inputs.
  node_role_names   = { private_agent = "ngp-private-agent-dev", public_agent = "ngp-public-agent-dev" }
  sysdig_access_key = "not-a-real-key"
}

# 3: the Sysdig agents' collector port is declared by the monitoring module, and the cluster opens it.
run "monitoring_declares_its_collector" {
  command = plan
  module { source = "../../modules/monitoring" }
  # The module's resources are all in submodules, which take the provider only when it is passed by name.
  providers = { aws = aws }

  assert {
    condition     = [for e in output.node_egress : e.port] == [6443]
    error_message = "the monitoring module must declare the collector's port in node_egress"
  }
}

run "cluster_egress_is_built_from_what_apps_declare" {
  command = plan
  module { source = "../../modules/dcos" }
  variables {
    node_egress = run.monitoring_declares_its_collector.node_egress
  }

  assert {
    condition     = aws_vpc_security_group_egress_rule.cluster_web["tcp:6443"].from_port == 6443 && aws_vpc_security_group_egress_rule.cluster_web["tcp:6443"].ip_protocol == "tcp"
    error_message = "the cluster's nodes must reach the collector's port"
  }
  assert {
    condition     = toset(keys(aws_vpc_security_group_egress_rule.cluster_web)) == toset(["tcp:80", "tcp:443", "tcp:6443"])
    error_message = "the cluster's egress is the web plus what apps declare, nothing else"
  }
}

# 9 and 10: Exhibitor's SDK needs IMDSv1 on the masters of a multi-master cluster; hop limit 1 everywhere; one
# pinned Flatcar release.
run "exhibitor_reaches_its_credentials" {
  command = plan
  module { source = "../../modules/dcos" }
  variables {
    num_masters = 3
  }

  assert {
    condition     = aws_launch_template.node["master"].metadata_options[0].http_tokens == "optional"
    error_message = "the masters of a multi-master cluster must accept IMDSv1 for Exhibitor"
  }
  assert {
    condition     = alltrue([for role in ["private_agent", "public_agent"] : aws_launch_template.node[role].metadata_options[0].http_tokens == "required"])
    error_message = "agents must require IMDSv2 tokens"
  }
  assert {
    condition     = alltrue([for lt in aws_launch_template.node : lt.metadata_options[0].http_put_response_hop_limit == 1])
    error_message = "every node keeps hop limit 1"
  }
  assert {
    condition     = [for f in data.aws_ami.node[0].filter : f.values if f.name == "name"][0] == toset(["Flatcar-stable-3815.2.5-hvm"])
    error_message = "the node image must be one pinned Flatcar release, not a pattern"
  }
}

run "a_single_master_requires_tokens" {
  command = plan
  module { source = "../../modules/dcos" }
  variables {
    num_masters = 1
  }

  assert {
    condition     = aws_launch_template.node["master"].metadata_options[0].http_tokens == "required"
    error_message = "a single master never reads Exhibitor's S3 state: it must require tokens"
  }
}

# 11: no public load balancer and no rule open to the world unless an app publishes a port.
run "nothing_published_nothing_open" {
  command = plan
  module { source = "../../modules/dcos" }

  assert {
    condition     = length(aws_lb.public_agents) == 0 && length(aws_vpc_security_group_ingress_rule.public_web) == 0
    error_message = "with nothing published, no public load balancer and no open rule"
  }
}

run "published_port_alone_is_open" {
  command = plan
  module { source = "../../modules/dcos" }
  variables {
    public_agent_ports = [80]
  }

  assert {
    condition     = length(aws_lb.public_agents) == 1 && keys(aws_vpc_security_group_ingress_rule.public_web) == ["80"] && keys(aws_lb_target_group.public_agents) == ["80"]
    error_message = "a published 80 opens 80 alone, behind one public load balancer"
  }
}

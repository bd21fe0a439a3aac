# A minimal development platform: the network, the VPN and the cluster with its registry, in one region.
# Copy it beside modules/ as ngp.tfvars, set the installer, then `ngp plan --env dev`.

modules    = ["manager", "openvpn", "dcos", "docker-registry"]
aws_region = "eu-west-1"

context = {
  pre_tag     = "ngp"
  post_tag    = "dev"
  environment = "dev"
}

# Who may reach the VPN's admin port and SSH: your office or VPN ranges.
admin_cidrs = ["192.0.2.0/24"]

# The DC/OS installer, from a place you control, pinned by its sha256 (`ngp doctor --download` checks it).
dcos_installer_url    = "https://artifacts.example.com/dcos/2.2.5/dcos_generate_config.sh"
dcos_installer_sha256 = "0000000000000000000000000000000000000000000000000000000000000000"

# The smallest cluster: one master, one agent of each kind, one NAT gateway.
num_masters        = 1
private_agents     = { min = 1, max = 2, desired = 1 }
public_agents      = { min = 1, max = 2, desired = 1 }
single_nat_gateway = true

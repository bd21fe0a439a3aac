# A platform with a module of your own: copy modules/hello into your project's modules/, then list it here.

modules    = ["manager", "dcos", "hello"]
aws_region = "eu-west-1"

context = {
  pre_tag     = "ngp"
  post_tag    = "demo"
  environment = "demo"
}

admin_cidrs = ["192.0.2.0/24"]
greeting    = "hello from the example"

dcos_installer_url    = "https://artifacts.example.com/dcos/2.2.5/dcos_generate_config.sh"
dcos_installer_sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
num_masters           = 1

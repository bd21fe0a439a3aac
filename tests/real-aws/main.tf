# The plan-level tests of docs/real-aws.md: rules real AWS enforces and the emulators do not. Each *.tftest.hcl
# plans a module of ../../modules against a mock of the AWS provider (no account, no emulator) and asserts the
# rule; `cargo test -p ngp --test real_aws` runs them. This root module itself holds nothing.
terraform {
  required_version = ">= 1.7"

  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

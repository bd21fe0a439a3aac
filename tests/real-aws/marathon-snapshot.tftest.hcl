# docs/real-aws.md row 5: the marathon-snapshot module.
mock_provider "aws" {
  source          = "./"
  override_during = plan
}

variables {
  context                        = { pre_tag = "ngp", post_tag = "dev", environment = "dev" }
  kms_key_arn                    = "arn:aws:kms:eu-west-1:123456789012:key/0000"
  vpc_id                         = "vpc-0123456789abcdef0"
  private_subnet_ids             = ["subnet-0a", "subnet-0b"]
  admin_router_security_group_id = "sg-0a"
  s3_prefix_list_id              = "pl-6da54004"
  marathon_url                   = "https://dcos.example.com/service/marathon"
  lambda_zip                     = "bootstrap.zip"
}

run "no_reserved_concurrency_and_a_lock" {
  command = plan
  module { source = "../../modules/marathon-snapshot" }

  # 5: no reservation by default (a quota of 10 refuses any); the lock in the bucket keeps runs apart instead.
  assert {
    condition     = coalesce(module.function.reserved_concurrency, -1) == -1
    error_message = "the function must reserve no concurrency by default"
  }
  assert {
    condition = anytrue([
      for s in data.aws_iam_policy_document.function.statement : contains(s.actions, "s3:DeleteObject") && length(s.resources) == 1 && endswith(one(s.resources), "/marathon/ngp-dev/.lock")
    ])
    error_message = "the function must be able to give back its lock, and delete nothing else"
  }
}

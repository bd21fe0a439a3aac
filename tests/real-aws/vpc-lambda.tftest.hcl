# docs/real-aws.md row 4: the VPC Lambda both functions are built with (modules/.shared/vpc-lambda).
mock_provider "aws" {
  source          = "./"
  override_during = plan
}

variables {
  name                       = "ngp-example-dev"
  description                = "An example function"
  security_group_description = "An example function: out to its targets only"
  vpc_id                     = "vpc-0123456789abcdef0"
  subnet_ids                 = ["subnet-0a", "subnet-0b"]
  zip                        = "bootstrap.zip"
  policy_json                = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  policy_name                = "example"
  kms_key_arn                = "arn:aws:kms:eu-west-1:123456789012:key/0000"
  log_retention_days         = 30
  tags                       = { ManagedBy = "ngp" }
}

# 4: Lambda's create-time check of the ENI permissions has no subnet or VPC to match.
run "eni_permissions_name_no_subnet_or_vpc" {
  command = plan
  module { source = "../../modules/.shared/vpc-lambda" }

  assert {
    condition = alltrue([
      for s in data.aws_iam_policy_document.function.statement : s.resources == toset(["arn:aws:ec2:eu-west-1:123456789012:*/*"]) && length(s.condition) == 0
      if contains(s.actions, "ec2:CreateNetworkInterface") || contains(s.actions, "ec2:DeleteNetworkInterface")
    ])
    error_message = "the ENI permissions must name every EC2 resource of the account and region, with no condition"
  }
  assert {
    condition     = anytrue([for s in data.aws_iam_policy_document.function.statement : contains(s.actions, "ec2:CreateNetworkInterface")])
    error_message = "the function needs the ENI permissions to run in the VPC"
  }
}

# The account, region and partition every plan sees.
mock_data "aws_region" {
  defaults = { name = "eu-west-1", id = "eu-west-1" }
}

mock_data "aws_caller_identity" {
  defaults = { account_id = "123456789012" }
}

mock_data "aws_partition" {
  defaults = { partition = "aws" }
}

# A policy document's JSON is computed by the provider, which a mock does not run: the tests read the statements
# as written, and the resources get a valid empty policy.
mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}

mock_resource "aws_s3_bucket" {
  defaults = { arn = "arn:aws:s3:::ngp-dev-bucket" }
}

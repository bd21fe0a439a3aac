output "id" {
  description = "Name of the bucket."
  value       = aws_s3_bucket.this.id
}

output "arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "bucket_regional_domain_name" {
  description = "The bucket's regional DNS name, for HTTPS URLs."
  value       = aws_s3_bucket.this.bucket_regional_domain_name
}

# Settings written here for buckets made by another module or by hand: judged on what they say.

variable "logs_bucket" {
  type = string
}

data "aws_s3_bucket" "legacy" {
  bucket = "acme-legacy"
}

resource "aws_s3_bucket_acl" "by_name" {
  bucket = "someone-elses-bucket"
  # ruleid: PUB001
  acl = "public-read"
}

resource "aws_s3_bucket_acl" "by_data_source" {
  bucket = data.aws_s3_bucket.legacy.id
  # ruleid: PUB001
  acl = "authenticated-read"
}

resource "aws_s3_bucket_acl" "by_variable" {
  bucket = var.logs_bucket
  # ok: PUB001
  acl = "log-delivery-write"
}

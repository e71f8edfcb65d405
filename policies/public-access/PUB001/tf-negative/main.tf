resource "aws_s3_bucket" "site" {
  bucket = "acme-site"
  acl    = "private"
}

resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}

resource "aws_s3_bucket_acl" "data" {
  bucket = aws_s3_bucket.data.id
  acl    = "log-delivery-write"
}


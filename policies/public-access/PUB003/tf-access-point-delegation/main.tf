# A bucket that delegates access control to its account's access points is not public.
data "aws_caller_identity" "current" {}

resource "aws_s3_bucket" "images" {
  bucket = "acme-images"
}

resource "aws_s3_bucket_policy" "images" {
  bucket = aws_s3_bucket.images.id
  # ok: PUB003
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "*"
      Principal = { AWS = "*" }
      Resource  = ["${aws_s3_bucket.images.arn}/*"]
      Condition = { StringEquals = { "s3:DataAccessPointAccount" = data.aws_caller_identity.current.account_id } }
    }]
  })
}

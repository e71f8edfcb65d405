# A public access block written here for a bucket of another module is judged; whether such a bucket has
# a block at all is its own state, unknown here.

variable "assets_bucket" {
  type = string
}

resource "aws_s3_bucket_public_access_block" "assets" {
  bucket                  = var.assets_bucket
  block_public_acls       = true
  # ruleid: PUB002
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_public_access_block" "reports" {
  bucket                  = "acme-reports"
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# ok: PUB002
resource "aws_s3_bucket_policy" "archive" {
  bucket = "acme-archive"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "arn:aws:s3:::acme-archive/*",
    Condition = { Bool = { "aws:SecureTransport" = "false" } } }]
  })
}

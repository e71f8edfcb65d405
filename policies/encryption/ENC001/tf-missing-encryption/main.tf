# Buckets that say nothing about server-side encryption: the finding is at the block header.

# ruleid: ENC001
resource "aws_s3_bucket" "plain" {
  bucket = "acme-plain"
}

# An encryption resource for another bucket does not count for this one.
# ruleid: ENC001
resource "aws_s3_bucket" "uploads" {
  count  = 2
  bucket = "acme-uploads-${count.index}"
}

resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "reports" {
  bucket = aws_s3_bucket.reports.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# Provider v3 style bucket with other inline settings but no encryption block.
# ruleid: ENC001
resource "aws_s3_bucket" "legacy" {
  bucket = "acme-legacy"
  acl    = "private"
  versioning {
    enabled = true
  }
}

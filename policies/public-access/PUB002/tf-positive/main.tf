# No public access block at all: S3 blocks public access on new buckets by default; not flagged.
resource "aws_s3_bucket" "exports" {
  bucket = "acme-exports"
}

resource "aws_s3_bucket" "website" {
  count  = 2
  bucket = "acme-website-${count.index}"
}

# ruleid: PUB002
resource "aws_s3_bucket_public_access_block" "website" {
  count             = 2
  bucket            = aws_s3_bucket.website[count.index].id
  block_public_acls = true
  block_public_policy = false
  ignore_public_acls  = true
  restrict_public_buckets = false
}

resource "aws_s3_bucket" "partial" {
  bucket = "acme-partial"
}

# Settings left out count as false: the finding is at the block's header.
# ruleid: PUB002
resource "aws_s3_bucket_public_access_block" "partial" {
  bucket             = aws_s3_bucket.partial.bucket
  block_public_acls  = true
  ignore_public_acls = true
}

# Provider v3: the canned ACL is an argument of the bucket.
resource "aws_s3_bucket" "site" {
  bucket = "acme-site"
  # ruleid: PUB001
  acl = "public-read"
}

# Provider v4+: aws_s3_bucket_acl, for every bucket of a for_each.
resource "aws_s3_bucket" "drops" {
  for_each = toset(["in", "out"])
  bucket   = "acme-drop-${each.key}"
}

resource "aws_s3_bucket_acl" "drops" {
  for_each = aws_s3_bucket.drops
  bucket   = each.value.id
  # ruleid: PUB001
  acl = "public-read-write"
}

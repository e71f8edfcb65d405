# The provider documentation's order: the ACL names its bucket through the
# ownership controls it must wait for, and the bucket has no literal name.
resource "aws_s3_bucket" "site" {
  bucket_prefix = "site-"
}

resource "aws_s3_bucket_ownership_controls" "site" {
  bucket = aws_s3_bucket.site.id
  rule {
    object_ownership = "BucketOwnerPreferred"
  }
}

resource "aws_s3_bucket_acl" "site" {
  depends_on = [aws_s3_bucket_ownership_controls.site]

  bucket = aws_s3_bucket_ownership_controls.site.bucket
  # ruleid: PUB001
  acl = "public-read"
}

variable "archive_name" {
  default = "acme-archive"
}

# Provider v3: the configuration is a block of the bucket.
resource "aws_s3_bucket" "inline" {
  bucket = "acme-inline"
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = "alias/data"
      }
    }
  }
}

# Provider v4+: a separate resource, linked by `.id`.
resource "aws_s3_bucket" "by_id" {
  bucket = "acme-by-id"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "by_id" {
  bucket = aws_s3_bucket.by_id.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# ... by `.bucket`
resource "aws_s3_bucket" "by_name_attr" {
  bucket = "acme-by-name-attr"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "by_name_attr" {
  bucket = aws_s3_bucket.by_name_attr.bucket
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms:dsse"
    }
  }
}

# ... by the literal name, through a variable on both sides.
resource "aws_s3_bucket" "archive" {
  bucket = var.archive_name
}

resource "aws_s3_bucket_server_side_encryption_configuration" "archive" {
  bucket = "acme-archive"
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# count on both sides.
resource "aws_s3_bucket" "shards" {
  count  = 3
  bucket = "acme-shard-${count.index}"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "shards" {
  count  = 3
  bucket = aws_s3_bucket.shards[count.index].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# for_each over the buckets themselves.
resource "aws_s3_bucket" "tenants" {
  for_each = toset(["red", "blue"])
  bucket   = "acme-tenant-${each.key}"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "tenants" {
  for_each = aws_s3_bucket.tenants
  bucket   = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}

# for_each on the bucket only, count-free encryption naming it with an index.
resource "aws_s3_bucket" "regions" {
  for_each = { eu = "eu-west-1", us = "us-east-1" }
  bucket   = "acme-${each.key}"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "regions" {
  for_each = { eu = "eu-west-1", us = "us-east-1" }
  bucket   = aws_s3_bucket.regions[each.key].bucket
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

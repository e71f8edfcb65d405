# ruleid: ENC004
resource "aws_kinesis_firehose_delivery_stream" "clicks" {
  name        = "clicks"
  destination = "extended_s3"

  extended_s3_configuration {
    role_arn   = "arn:aws:iam::111122223333:role/firehose"
    bucket_arn = "arn:aws:s3:::acme-clicks"
  }
}

resource "aws_kinesis_firehose_delivery_stream" "off" {
  name        = "off"
  destination = "extended_s3"

  server_side_encryption {
    # ruleid: ENC004
    enabled = false
  }

  extended_s3_configuration {
    role_arn   = "arn:aws:iam::111122223333:role/firehose"
    bucket_arn = "arn:aws:s3:::acme-off"
  }
}

# ok: ENC004
resource "aws_kinesis_firehose_delivery_stream" "audit" {
  name        = "audit"
  destination = "extended_s3"

  server_side_encryption {
    enabled  = true
    key_type = "AWS_OWNED_CMK"
  }

  extended_s3_configuration {
    role_arn   = "arn:aws:iam::111122223333:role/firehose"
    bucket_arn = "arn:aws:s3:::acme-audit"
  }
}

# ok: ENC004
resource "aws_kinesis_firehose_delivery_stream" "from_stream" {
  name        = "from-stream"
  destination = "extended_s3"

  kinesis_source_configuration {
    kinesis_stream_arn = "arn:aws:kinesis:eu-west-1:111122223333:stream/source"
    role_arn           = "arn:aws:iam::111122223333:role/firehose"
  }

  extended_s3_configuration {
    role_arn   = "arn:aws:iam::111122223333:role/firehose"
    bucket_arn = "arn:aws:s3:::acme-copy"
  }
}

# ruleid: ENC004
resource "aws_kinesis_stream" "clicks" {
  name        = "clicks"
  shard_count = 1
}

resource "aws_kinesis_stream" "orders" {
  name        = "orders"
  shard_count = 1
  # ruleid: ENC004
  encryption_type = "NONE"
}

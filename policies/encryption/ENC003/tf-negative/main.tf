resource "aws_kms_key" "topics" {
  enable_key_rotation = true
}

resource "aws_sns_topic" "alerts" {
  name              = "alerts"
  kms_master_key_id = aws_kms_key.topics.id
}

resource "aws_sns_topic" "managed_key" {
  name              = "events"
  kms_master_key_id = "alias/aws/sns"
}

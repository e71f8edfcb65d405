resource "aws_kms_key" "logs" {
  enable_key_rotation = true
}

resource "aws_cloudwatch_log_group" "fn" {
  name              = "/aws/lambda/orders"
  retention_in_days = 30
  kms_key_id        = aws_kms_key.logs.arn
}

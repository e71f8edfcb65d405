# ruleid: ENC006
resource "aws_cloudwatch_log_group" "fn" {
  name              = "/aws/lambda/orders"
  retention_in_days = 30
}

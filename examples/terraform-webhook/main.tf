variable "name" {
  default = "webhook"
}

resource "aws_s3_bucket" "payloads" {
  bucket = "${var.name}-payloads"
}

resource "aws_s3_bucket_public_access_block" "payloads" {
  bucket                  = aws_s3_bucket.payloads.id
  block_public_acls       = true
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = true
}

data "aws_iam_policy_document" "webhook" {
  statement {
    actions   = ["s3:PutObject", "sqs:*"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "webhook" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy" "webhook" {
  role   = aws_iam_role.webhook.id
  policy = data.aws_iam_policy_document.webhook.json
}

resource "aws_lambda_function" "webhook" {
  function_name = var.name
  role          = aws_iam_role.webhook.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "build/webhook.zip"
}

resource "aws_apigatewayv2_api" "webhook" {
  name          = var.name
  protocol_type = "HTTP"
  target        = aws_lambda_function.webhook.arn
}

resource "aws_sqs_queue" "events" {
  name                    = "${var.name}-events"
  sqs_managed_sse_enabled = false
}

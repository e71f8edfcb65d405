resource "aws_lambda_function" "orders" {
  function_name = "orders"
  runtime       = "python3.12"
  handler       = "orders.handler"
  role          = "arn:aws:iam::123456789012:role/orders"
  filename      = "orders.zip"
  tracing_config {
    mode = "Active"
  }
  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.orders.name
  }
}

resource "aws_cloudwatch_log_group" "orders" {
  name              = "/platform/orders"
  retention_in_days = 731
}

resource "aws_lambda_function" "elsewhere" {
  function_name = "elsewhere"
  runtime       = "python3.12"
  handler       = "elsewhere.handler"
  role          = "arn:aws:iam::123456789012:role/elsewhere"
  filename      = "elsewhere.zip"
  tracing_config {
    mode = "Active"
  }
  logging_config {
    log_format = "JSON"
    log_group  = "/platform/shared"
  }
}

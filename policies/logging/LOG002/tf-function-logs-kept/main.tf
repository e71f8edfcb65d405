# ruleid: LOG002, LOG004
resource "aws_lambda_function" "implicit" {
  function_name = "implicit"
  runtime       = "python3.12"
  handler       = "implicit.handler"
  role          = "arn:aws:iam::123456789012:role/implicit"
  filename      = "implicit.zip"
}

resource "aws_lambda_function" "explicit" {
  function_name = "explicit"
  runtime       = "python3.12"
  handler       = "explicit.handler"
  role          = "arn:aws:iam::123456789012:role/explicit"
  filename      = "explicit.zip"
  tracing_config {
    mode = "Active"
  }
}

# ruleid: LOG002
resource "aws_cloudwatch_log_group" "explicit" {
  name = "/aws/lambda/${aws_lambda_function.explicit.function_name}"
}

resource "aws_lambda_function" "brief" {
  function_name = "brief"
  runtime       = "python3.12"
  handler       = "brief.handler"
  role          = "arn:aws:iam::123456789012:role/brief"
  filename      = "brief.zip"
  tracing_config {
    mode = "Active"
  }
}

resource "aws_cloudwatch_log_group" "brief" {
  name              = "/aws/lambda/brief"
  # ruleid: LOG007
  retention_in_days = 3
}

resource "aws_lambda_function" "legacy" {
  function_name = "legacy"
  # ruleid: RUN001
  runtime       = "nodejs20.x"
  handler       = "legacy.handler"
  role          = "arn:aws:iam::123456789012:role/legacy"
  filename      = "legacy.zip"
}

resource "aws_lambda_function" "java" {
  function_name = "java"
  # ruleid: RUN001
  runtime       = "java8.al2"
  handler       = "example.Handler"
  role          = "arn:aws:iam::123456789012:role/java"
  filename      = "java.zip"
}

resource "aws_lambda_function" "billing" {
  function_name = "billing"
  # ruleid: RUN002
  runtime       = "dotnet8"
  handler       = "Billing::Billing.Function::Handler"
  role          = "arn:aws:iam::123456789012:role/billing"
  filename      = "billing.zip"
}

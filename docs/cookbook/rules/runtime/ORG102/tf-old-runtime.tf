resource "aws_lambda_function" "worker" {
  function_name = "worker"
  # ruleid: ORG102
  runtime       = "go1.x"
  handler       = "app.handler"
  role          = "arn:aws:iam::123456789012:role/worker"
  filename      = "worker.zip"
}

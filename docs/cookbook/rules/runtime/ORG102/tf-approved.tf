variable "runtime" {
  type = string
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  runtime       = "java21"
  handler       = "app.handler"
  role          = "arn:aws:iam::123456789012:role/worker"
  filename      = "worker.zip"
}

# Known only at deploy time: not judged.
resource "aws_lambda_function" "configurable" {
  function_name = "configurable"
  runtime       = var.runtime
  handler       = "app.handler"
  role          = "arn:aws:iam::123456789012:role/worker"
  filename      = "worker.zip"
}

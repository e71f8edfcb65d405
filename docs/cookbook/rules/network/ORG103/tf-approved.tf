variable "subnet_id" {
  type = string
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  runtime       = "python3.12"
  handler       = "app.handler"
  role          = "arn:aws:iam::123456789012:role/worker"
  filename      = "worker.zip"
  vpc_config {
    subnet_ids         = ["subnet-0a1b2c3d4e5f60001", var.subnet_id]
    security_group_ids = ["sg-0123456789abcdef0"]
  }
}

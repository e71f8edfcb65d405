variable "api_key" {
  type      = string
  sensitive = true
}

resource "aws_secretsmanager_secret" "db" {
  name = "orders/db"
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  runtime       = "python3.12"
  handler       = "worker.handler"
  role          = "arn:aws:iam::123456789012:role/worker"
  filename      = "worker.zip"

  environment {
    variables = {
      API_KEY       = var.api_key
      DB_SECRET_ARN = aws_secretsmanager_secret.db.arn
      TOKEN         = "changeme"
      PASSWORD_PATH = "/orders/db/password"
    }
  }
}

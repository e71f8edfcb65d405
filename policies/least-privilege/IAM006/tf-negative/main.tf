locals {
  functions = ["reader", "cleaner"]
}

# One role per function instance: for_each on both sides.
resource "aws_iam_role" "fn" {
  for_each = toset(local.functions)
  name     = "fn-${each.key}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_lambda_function" "reader" {
  function_name = "reader"
  role          = aws_iam_role.fn["reader"].arn
  runtime       = "nodejs20.x"
  handler       = "reader.handler"
  filename      = "app.zip"
}

resource "aws_iam_role" "cleaner" {
  name               = "cleaner"
  assume_role_policy = "{}"
}

resource "aws_lambda_function" "cleaner" {
  function_name = "cleaner"
  role          = aws_iam_role.cleaner.arn
  runtime       = "nodejs20.x"
  handler       = "cleaner.handler"
  filename      = "app.zip"
}

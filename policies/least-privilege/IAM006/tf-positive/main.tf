# ruleid: IAM006
resource "aws_iam_role" "shared" {
  name = "shared"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_lambda_function" "reader" {
  function_name = "reader"
  role          = aws_iam_role.shared.arn
  runtime       = "nodejs20.x"
  handler       = "reader.handler"
  filename      = "app.zip"
}

resource "aws_lambda_function" "cleaner" {
  function_name = "cleaner"
  role          = aws_iam_role.shared.arn
  runtime       = "nodejs20.x"
  handler       = "cleaner.handler"
  filename      = "app.zip"
}

resource "aws_iam_role" "admin" {
  name = "admin"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
  managed_policy_arns = [
    # ruleid: IAM004
    "arn:aws:iam::aws:policy/AdministratorAccess",
  ]
}

resource "aws_iam_role_policy_attachment" "power" {
  role = aws_iam_role.admin.name
  # ruleid: IAM004
  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}

resource "aws_lambda_function" "ops" {
  function_name = "ops"
  role          = aws_iam_role.admin.arn
  runtime       = "python3.12"
  handler       = "ops.handler"
  filename      = "ops.zip"
}

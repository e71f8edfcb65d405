resource "aws_lambda_function" "hook" {
  function_name = "hook"
  role          = "arn:aws:iam::111122223333:role/hook"
  runtime       = "python3.12"
  handler       = "hook.handler"
  filename      = "hook.zip"
}

resource "aws_lambda_permission" "anyone" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.hook.function_name
  # ruleid: PUB004
  principal = "*"
}

resource "aws_lambda_permission" "any_bucket" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.hook.arn
  # ruleid: PUB004
  principal = "s3.amazonaws.com"
}

resource "aws_s3_bucket" "uploads" {
  bucket = "acme-uploads"
}

resource "aws_lambda_function" "hook" {
  function_name = "hook"
  role          = "arn:aws:iam::111122223333:role/hook"
  runtime       = "python3.12"
  handler       = "hook.handler"
  filename      = "hook.zip"
}

resource "aws_lambda_permission" "from_bucket" {
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.hook.function_name
  principal      = "s3.amazonaws.com"
  source_arn     = aws_s3_bucket.uploads.arn
  source_account = "111122223333"
}

resource "aws_lambda_permission" "org" {
  action           = "lambda:InvokeFunction"
  function_name    = aws_lambda_function.hook.function_name
  principal        = "*"
  principal_org_id = "o-abc123"
}

resource "aws_lambda_permission" "account" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.hook.function_name
  principal     = "111122223333"
}

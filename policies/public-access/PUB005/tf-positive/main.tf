resource "aws_lambda_function" "webhook" {
  function_name = "webhook"
  role          = "arn:aws:iam::111122223333:role/webhook"
  runtime       = "nodejs20.x"
  handler       = "index.handler"
  filename      = "webhook.zip"
}

resource "aws_lambda_function_url" "webhook" {
  function_name = aws_lambda_function.webhook.function_name
  # ruleid: PUB005
  authorization_type = "NONE"
}

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

resource "aws_lambda_function" "status" {
  function_name = "status"
  role          = "arn:aws:iam::111122223333:role/status"
  runtime       = "nodejs22.x"
  handler       = "index.handler"
  filename      = "status.zip"
}

resource "aws_lambda_function_url" "status" {
  function_name = aws_lambda_function.status.function_name
  # ruleid: PUB005
  authorization_type = "NONE"
}

resource "aws_lambda_permission" "status_url" {
  statement_id           = "FunctionURLAllowPublicAccess"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.status.function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}

resource "aws_lambda_permission" "status_invoke" {
  statement_id  = "FunctionURLInvokeAllowPublicAccess"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.status.function_name
  principal     = "*"
}

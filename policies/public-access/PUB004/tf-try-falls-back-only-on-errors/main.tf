# The terraform-aws-modules/lambda pattern: one permission per entry of a map.
# each.value is not known statically, so try() cannot fall back: the principal
# stays unknown instead of becoming ".amazonaws.com" with no source ARN.
variable "allowed_triggers" {
  type = map(any)
  default = {
    api = {
      service    = "apigateway"
      source_arn = "arn:aws:execute-api:eu-west-1:111122223333:abc123/*/*/*"
    }
  }
}

variable "defaults" {
  type    = any
  default = {}
}

resource "aws_lambda_function" "hook" {
  function_name = "hook"
  role          = "arn:aws:iam::111122223333:role/hook"
  runtime       = "python3.12"
  handler       = "hook.handler"
  filename      = "hook.zip"
}

resource "aws_lambda_permission" "triggers" {
  for_each      = var.allowed_triggers
  action        = try(each.value.action, "lambda:InvokeFunction")
  function_name = aws_lambda_function.hook.function_name
  # ok: PUB004
  principal  = try(each.value.principal, format("%s.amazonaws.com", try(each.value.service, "")))
  source_arn = try(each.value.source_arn, null)
}

# A missing attribute of a known map is an error, so try() does fall back here.
resource "aws_lambda_permission" "fallback" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.hook.function_name
  # ruleid: PUB004
  principal = try(var.defaults.principal, "*")
}

# format("%s", "") is the empty string, not a quoted one: this principal is "*".
resource "aws_lambda_permission" "formatted" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.hook.function_name
  # ruleid: PUB004
  principal = format("%s%s", try(var.defaults.prefix, ""), "*")
}

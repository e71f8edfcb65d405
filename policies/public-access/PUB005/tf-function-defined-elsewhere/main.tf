variable "function_name" {
  type = string
}

data "aws_lambda_function" "legacy" {
  function_name = "legacy"
}

resource "aws_lambda_function_url" "by_variable" {
  function_name = var.function_name
  # ruleid: PUB005
  authorization_type = "NONE"
}

resource "aws_lambda_function_url" "by_data_source" {
  function_name = data.aws_lambda_function.legacy.function_name
  # ok: PUB005
  authorization_type = "AWS_IAM"
}

variable "processor_name" {
  type = string
}

resource "aws_lambda_permission" "sns" {
  function_name = var.processor_name
  action        = "lambda:InvokeFunction"
  # ruleid: PUB004
  principal = "sns.amazonaws.com"
}

resource "aws_lambda_permission" "events" {
  function_name = "legacy-processor"
  action        = "lambda:InvokeFunction"
  # ok: PUB004
  principal  = "events.amazonaws.com"
  source_arn = "arn:aws:events:eu-west-1:111122223333:rule/nightly"
}

resource "aws_sqs_queue" "jobs" {
  name = "jobs"
  # ruleid: ENC002
  sqs_managed_sse_enabled = false
}

variable "sse" {
  default = false
}

resource "aws_sqs_queue" "through_variable" {
  name = "jobs-dlq"
  # ruleid: ENC002
  sqs_managed_sse_enabled = var.sse
}

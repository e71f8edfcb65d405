# Nothing written: SSE-SQS is on by default.
resource "aws_sqs_queue" "default" {
  name = "default"
}

resource "aws_sqs_queue" "managed" {
  name                    = "managed"
  sqs_managed_sse_enabled = true
}

resource "aws_sqs_queue" "kms" {
  name              = "kms"
  kms_master_key_id = "alias/aws/sqs"
}

# Not known statically: not flagged.
resource "aws_sqs_queue" "unknown" {
  name                    = "unknown"
  sqs_managed_sse_enabled = var.sse_enabled
}

variable "sse_enabled" {
  type = bool
}

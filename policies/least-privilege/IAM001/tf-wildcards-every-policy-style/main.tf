data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "worker" {
  name               = "worker"
  assume_role_policy = data.aws_iam_policy_document.assume.json

  # Inline policy written with jsonencode.
  inline_policy {
    name = "logs"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect = "Allow"
        # ruleid: IAM001
        Action   = ["logs:CreateLogGroup", "logs:*"]
        Resource = "*"
      }]
    })
  }
}

# A policy document data source, with a dynamic statement over a static list.
data "aws_iam_policy_document" "data_access" {
  statement {
    actions = [
      "s3:GetObject",
      # ruleid: IAM001
      "s3:*",
    ]
    resources = ["arn:aws:s3:::acme-data/*"]
  }

  dynamic "statement" {
    # ruleid: IAM001
    for_each = ["dynamodb:*", "sqs:SendMessage"]
    content {
      actions   = [statement.value]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "data_access" {
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.data_access.json
}

# Heredoc JSON in a standalone policy, attached to the role.
resource "aws_iam_policy" "keys" {
  name   = "keys"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        # ruleid: IAM001
        {
          "Effect": "Allow",
          "Action": [
            "kms:Decrypt",
            "*"
          ],
          "Resource": "*"
        }
      ]
    }
  EOT
}

resource "aws_iam_role_policy_attachment" "keys" {
  role       = aws_iam_role.worker.name
  policy_arn = aws_iam_policy.keys.arn
}

# A policy from a local, referenced through managed_policy_arns of another role.
locals {
  queue_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      # ruleid: IAM001
      Action   = "sqs:*"
      Resource = "arn:aws:sqs:eu-west-1:111122223333:jobs"
    }]
  })
}

resource "aws_iam_policy" "queue" {
  name   = "queue"
  policy = local.queue_policy
}

resource "aws_iam_role" "consumer" {
  name                = "consumer"
  assume_role_policy  = data.aws_iam_policy_document.assume.json
  managed_policy_arns = [aws_iam_policy.queue.arn]
}

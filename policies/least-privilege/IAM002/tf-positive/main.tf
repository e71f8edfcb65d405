resource "aws_iam_role" "writer" {
  name = "writer"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

data "aws_iam_policy_document" "writes" {
  # ruleid: IAM002
  statement {
    actions = [
      "dynamodb:GetItem",
      "dynamodb:DeleteItem",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "writes" {
  role   = aws_iam_role.writer.id
  policy = data.aws_iam_policy_document.writes.json
}

resource "aws_iam_role_policy" "heredoc" {
  role   = aws_iam_role.writer.id
  policy = <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    # ruleid: IAM002
    {
      "Effect": "Allow",
      "Action": "iam:AttachRolePolicy",
      "Resource": "*"
    }
  ]
}
POLICY
}

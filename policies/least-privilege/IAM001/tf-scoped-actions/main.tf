data "aws_iam_policy_document" "read" {
  statement {
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = ["arn:aws:s3:::acme-data", "arn:aws:s3:::acme-data/*"]
  }
  # Deny statements may use wildcards.
  statement {
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["arn:aws:s3:::acme-secrets/*"]
  }
}

resource "aws_iam_role" "reader" {
  name = "reader"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "read" {
  role   = aws_iam_role.reader.name
  policy = data.aws_iam_policy_document.read.json
}

resource "aws_iam_role_policy" "logs" {
  role = aws_iam_role.reader.name
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
      "Resource": "arn:aws:logs:*:*:log-group:/aws/lambda/reader:*"
    }
  ]
}
EOF
}

# An action list that is not known statically is not flagged.
variable "extra_actions" {
  type = list(string)
}

resource "aws_iam_role_policy" "extra" {
  role = aws_iam_role.reader.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = var.extra_actions, Resource = "*" }]
  })
}

data "aws_iam_policy_document" "reader" {
  statement {
    # ruleid: IAM007
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = ["*"]
  }

  statement {
    # ok: IAM007
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.data.arn]
  }
}

resource "aws_kms_key" "data" {
  enable_key_rotation = true
}

resource "aws_iam_policy" "reader" {
  name   = "reader"
  policy = data.aws_iam_policy_document.reader.json
}

resource "aws_iam_role_policy" "secrets" {
  role = "reporting"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      # ruleid: IAM007
      Action   = "secretsmanager:GetSecretValue"
      Resource = "*"
    }]
  })
}

resource "aws_iam_role" "broad" {
  name = "broad"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

data "aws_iam_policy_document" "all_but_iam" {
  statement {
    # ruleid: IAM003
    not_actions = ["iam:*"]
    resources   = ["*"]
  }
}

resource "aws_iam_role_policy" "all_but_iam" {
  role   = aws_iam_role.broad.id
  policy = data.aws_iam_policy_document.all_but_iam.json
}

resource "aws_iam_role_policy" "everything_but" {
  role = aws_iam_role.broad.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = "s3:GetObject"
      # ruleid: IAM003
      NotResource = "arn:aws:s3:::acme-secrets/*"
    }]
  })
}

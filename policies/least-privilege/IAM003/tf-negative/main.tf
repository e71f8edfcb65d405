resource "aws_iam_role" "guarded" {
  name = "guarded"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

# Deny + NotAction is a guard rail, not a grant.
data "aws_iam_policy_document" "guard" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::acme-data/*"]
  }
  statement {
    effect        = "Deny"
    not_actions   = ["s3:GetObject"]
    not_resources = ["arn:aws:s3:::acme-data/*"]
  }
}

resource "aws_iam_role_policy" "guard" {
  role   = aws_iam_role.guarded.id
  policy = data.aws_iam_policy_document.guard.json
}

resource "aws_iam_role" "deployer" {
  name = "deployer"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

data "aws_iam_policy_document" "pass" {
  statement {
    # ruleid: IAM005
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "pass" {
  policy = data.aws_iam_policy_document.pass.json
}

resource "aws_iam_policy_attachment" "pass" {
  name       = "pass"
  roles      = [aws_iam_role.deployer.name]
  policy_arn = aws_iam_policy.pass.arn
}

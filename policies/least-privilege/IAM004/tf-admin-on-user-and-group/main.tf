resource "aws_iam_user" "ci" {
  name = "ci"
}

resource "aws_iam_user_policy_attachment" "ci_admin" {
  user = aws_iam_user.ci.name
  # ruleid: IAM004
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_group" "analysts" {
  name = "analysts"
}

resource "aws_iam_group_policy_attachment" "analysts" {
  group = aws_iam_group.analysts.name
  # ruleid: IAM004
  policy_arn = "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"
}

resource "aws_iam_group_policy_attachment" "analysts_read" {
  group = aws_iam_group.analysts.name
  # ok: IAM004
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

# A user of another module: not this unit's principal to judge.
resource "aws_iam_user_policy_attachment" "elsewhere" {
  user = "someone-elses-user"
  # ok: IAM004
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

# Identity policies on users, groups, roles of other modules, and policies attached to nothing.

variable "legacy_role_name" {
  type = string
}

resource "aws_iam_user" "ci" {
  name = "ci"
}

resource "aws_iam_user_policy" "ci" {
  user = aws_iam_user.ci.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      # ruleid: IAM001
      Action   = "ecr:*"
      Resource = "*"
    }]
  })
}

resource "aws_iam_group" "ops" {
  name = "ops"
}

resource "aws_iam_group_policy" "ops" {
  group = aws_iam_group.ops.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      # ok: IAM001
      Action   = ["logs:GetLogEvents"]
      Resource = "*"
    }]
  })
}

# A role created by another module, by variable and by literal name.
resource "aws_iam_role_policy" "legacy" {
  role = var.legacy_role_name
  policy = jsonencode({
    Version = "2012-10-17"
    # ruleid: IAM001
    Statement = [{
      Effect = "Allow"
      Action   = "*"
      Resource = "*"
    }]
  })
}

resource "aws_iam_role_policy" "shared" {
  role = "shared-ops-role"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      # ruleid: IAM001
      Action   = "kinesis:*"
      Resource = "*"
    }]
  })
}

data "aws_iam_policy_document" "spare" {
  statement {
    # ruleid: IAM001
    actions   = ["sns:*"]
    resources = ["*"]
  }
}

# Created and attached to nothing in this module.
resource "aws_iam_policy" "spare" {
  name   = "spare"
  policy = data.aws_iam_policy_document.spare.json
}

# Handed to the caller as an output: nothing here consumes it, yet it is an identity policy.
data "aws_iam_policy_document" "for_callers" {
  statement {
    # ruleid: IAM001
    actions   = ["ssm:*"]
    resources = ["*"]
  }
}

output "caller_policy_json" {
  value = data.aws_iam_policy_document.for_callers.json
}

# A resource policy (it names principals) is not an identity policy, consumed or not.
data "aws_iam_policy_document" "queue_access" {
  statement {
    # ok: IAM001
    actions   = ["sqs:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
  }
}

# A trust policy is never read as permissions.
data "aws_iam_policy_document" "assume" {
  statement {
    # ok: IAM001
    actions = ["sts:*"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "worker" {
  name               = "worker"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

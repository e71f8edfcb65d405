# A reusable module that attaches one inline policy per document it is given.
variable "extra_policies" {
  type    = list(string)
  default = []
}

variable "extra_policy_count" {
  type    = number
  default = 0
}

resource "aws_iam_role" "this" {
  name = "worker"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "extra" {
  count  = var.extra_policy_count
  name   = "extra-${count.index}"
  role   = aws_iam_role.this.name
  policy = var.extra_policies[count.index]
}

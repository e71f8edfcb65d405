# The document reaches the policy as var.extra_policies[count.index]: with one document in the
# list, every instance gets that document.
module "ingest" {
  source             = "./modules/worker"
  extra_policy_count = 1
  extra_policies = [
    jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect = "Allow"
        # ruleid: IAM001
        Action   = ["dynamodb:*"]
        Resource = "*"
      }]
    }),
  ]
}

module "reader" {
  source             = "./modules/worker"
  extra_policy_count = 1
  extra_policies = [
    jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect = "Allow"
        # ok: IAM001
        Action   = ["dynamodb:GetItem", "dynamodb:Query"]
        Resource = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders"
      }]
    }),
  ]
}

# ruleid: ENC003
resource "aws_sns_topic" "alerts" {
  name = "alerts"
}

# ruleid: ENC003
resource "aws_sns_topic" "per_env" {
  for_each = toset(["dev", "prod"])
  name     = "alerts-${each.key}"
}

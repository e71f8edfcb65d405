# archive_file builds a function's package from inline text: its content is code.
data "archive_file" "exporter" {
  type                    = "zip"
  output_path             = "${path.module}/exporter.zip"
  source_content_filename = "index.py"
  source_content          = <<-EOT
    import boto3
    # ruleid: SEC002
    ACCESS_KEY_ID = "AKIAT4TESTM8QZ2XN6VB"
    # ruleid: SEC002
    SECRET_ACCESS_KEY = "Hk3Pq7Ws1Zx5Rv9Tb2Nm6Ly0Cd4Fg8Ja3Ue7Io1S"
    # ok: SEC002
    CHECKSUM = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
  EOT
}

data "archive_file" "notifier" {
  type        = "zip"
  output_path = "${path.module}/notifier.zip"

  source {
    filename = "config.js"
    # ruleid: SEC002
    content  = "module.exports = { token: 'glpat-Rt5Yx9Wq2Lm7Kp3Nz8Vb' };"
  }

  source {
    filename = "index.js"
    content  = "exports.handler = async () => require('./config');"
  }
}

resource "aws_lambda_function" "notifier" {
  function_name = "notifier"
  role          = "arn:aws:iam::123456789012:role/notifier"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = data.archive_file.notifier.output_path
}

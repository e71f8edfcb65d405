resource "aws_lambda_function" "worker" {
  function_name = "worker"
  runtime       = "python3.12"
  handler       = "worker.handler"
  role          = "arn:aws:iam::123456789012:role/worker"
  filename      = "worker.zip"

  environment {
    variables = {
      # ruleid: SEC001
      API_KEY = "9f8Kq2Lx7Vm3Np5Rt1Wz"
      # ruleid: SEC001
      NPM = "npm_Xr7Lq2Zv9Mk4Pw8Tn3Yb6Hc1Jd5Gf0Sa2KeW"
      LOG_LEVEL = "info"
    }
  }
}

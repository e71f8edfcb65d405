variable "runtime" {
  type = string
}

resource "aws_lambda_function" "orders" {
  function_name = "orders"
  runtime       = "python3.13"
  handler       = "orders.handler"
  role          = "arn:aws:iam::123456789012:role/orders"
  filename      = "orders.zip"
}

resource "aws_lambda_function" "image" {
  function_name = "image"
  package_type  = "Image"
  image_uri     = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:1"
  role          = "arn:aws:iam::123456789012:role/image"
}

resource "aws_lambda_function" "chosen" {
  function_name = "chosen"
  runtime       = var.runtime
  handler       = "chosen.handler"
  role          = "arn:aws:iam::123456789012:role/chosen"
  filename      = "chosen.zip"
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = "arn:aws:iam::111122223333:role/fn"
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "fn.zip"
}

resource "aws_api_gateway_rest_api" "shop" {
  name = "shop"
}

resource "aws_api_gateway_resource" "cart" {
  rest_api_id = aws_api_gateway_rest_api.shop.id
  parent_id   = aws_api_gateway_rest_api.shop.root_resource_id
  path_part   = "cart"
}

resource "aws_api_gateway_method" "cart_options" {
  rest_api_id = aws_api_gateway_rest_api.shop.id
  resource_id = aws_api_gateway_resource.cart.id
  http_method = "OPTIONS"
  # ruleid: PUB006
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "cart_options" {
  rest_api_id             = aws_api_gateway_rest_api.shop.id
  resource_id             = aws_api_gateway_resource.cart.id
  http_method             = aws_api_gateway_method.cart_options.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.fn.invoke_arn
}

resource "aws_api_gateway_method" "root_options" {
  rest_api_id = aws_api_gateway_rest_api.shop.id
  resource_id = aws_api_gateway_rest_api.shop.root_resource_id
  http_method = "OPTIONS"
  # ok: PUB006
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "root_options" {
  rest_api_id = aws_api_gateway_rest_api.shop.id
  resource_id = aws_api_gateway_rest_api.shop.root_resource_id
  http_method = aws_api_gateway_method.root_options.http_method
  type        = "MOCK"
}

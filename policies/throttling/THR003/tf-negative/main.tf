resource "aws_lambda_function" "orders" {
  function_name = "orders"
  role          = "arn:aws:iam::111122223333:role/orders"
  runtime       = "python3.12"
  handler       = "orders.handler"
  filename      = "orders.zip"
}

resource "aws_apigatewayv2_api" "orders" {
  name          = "orders"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "orders" {
  api_id           = aws_apigatewayv2_api.orders.id
  integration_type = "AWS_PROXY"
  integration_uri  = aws_lambda_function.orders.invoke_arn
}

resource "aws_apigatewayv2_route" "orders" {
  api_id    = aws_apigatewayv2_api.orders.id
  route_key = "POST /orders"
  target    = "integrations/${aws_apigatewayv2_integration.orders.id}"
}

resource "aws_apigatewayv2_stage" "default" {
  api_id = aws_apigatewayv2_api.orders.id
  name   = "$default"
  default_route_settings {
    throttling_rate_limit  = 100
    throttling_burst_limit = 50
  }
}

# A per-method throttle for the very route the function is behind.
resource "aws_lambda_function" "items" {
  function_name = "items"
  role          = "arn:aws:iam::111122223333:role/items"
  runtime       = "python3.12"
  handler       = "items.handler"
  filename      = "items.zip"
}

resource "aws_api_gateway_rest_api" "shop" {
  name = "shop"
}

resource "aws_api_gateway_resource" "items" {
  rest_api_id = aws_api_gateway_rest_api.shop.id
  parent_id   = aws_api_gateway_rest_api.shop.root_resource_id
  path_part   = "items"
}

resource "aws_api_gateway_method" "items" {
  rest_api_id   = aws_api_gateway_rest_api.shop.id
  resource_id   = aws_api_gateway_resource.items.id
  http_method   = "GET"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "items" {
  rest_api_id = aws_api_gateway_rest_api.shop.id
  resource_id = aws_api_gateway_resource.items.id
  http_method = aws_api_gateway_method.items.http_method
  type        = "AWS_PROXY"
  uri         = aws_lambda_function.items.invoke_arn
}

resource "aws_api_gateway_stage" "prod" {
  rest_api_id   = aws_api_gateway_rest_api.shop.id
  deployment_id = "d1"
  stage_name    = "prod"
}

resource "aws_api_gateway_method_settings" "items" {
  rest_api_id = aws_api_gateway_rest_api.shop.id
  stage_name  = aws_api_gateway_stage.prod.stage_name
  method_path = "items/GET"
  settings {
    throttling_rate_limit  = 10
    throttling_burst_limit = 5
  }
}

# Reserved concurrency caps the function behind an open URL.
resource "aws_lambda_function" "webhook" {
  function_name                  = "webhook"
  role                           = "arn:aws:iam::111122223333:role/webhook"
  runtime                        = "python3.12"
  handler                        = "webhook.handler"
  filename                       = "webhook.zip"
  reserved_concurrent_executions = 5
}

resource "aws_lambda_function_url" "webhook" {
  function_name      = aws_lambda_function.webhook.function_name
  authorization_type = "NONE"
}

resource "aws_apigatewayv2_api" "orders" {
  name          = "orders"
  protocol_type = "HTTP"
}

# ruleid: THR002
resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.orders.id
  name        = "$default"
  auto_deploy = true
}

# Per-route settings leave the other routes unlimited.
# ruleid: THR002
resource "aws_apigatewayv2_stage" "beta" {
  api_id = aws_apigatewayv2_api.orders.id
  name   = "beta"
  route_settings {
    route_key              = "POST /orders"
    throttling_rate_limit  = 10
    throttling_burst_limit = 5
  }
}

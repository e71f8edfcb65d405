variable "http_api_id" {
  type = string
}

# ruleid: THR002
resource "aws_apigatewayv2_stage" "dev" {
  api_id = var.http_api_id
  name   = "dev"
}

# ok: THR002
resource "aws_apigatewayv2_stage" "live" {
  api_id = var.http_api_id
  name   = "live"
  default_route_settings {
    throttling_rate_limit  = 100
    throttling_burst_limit = 50
  }
}

resource "aws_api_gateway_rest_api" "shop" {
  name = "shop"
}

resource "aws_api_gateway_deployment" "shop" {
  rest_api_id = aws_api_gateway_rest_api.shop.id
}

# ruleid: THR001
resource "aws_api_gateway_stage" "prod" {
  rest_api_id   = aws_api_gateway_rest_api.shop.id
  deployment_id = aws_api_gateway_deployment.shop.id
  stage_name    = "prod"
}

# Per-method settings do not throttle the whole stage.
resource "aws_api_gateway_method_settings" "one_method" {
  rest_api_id = aws_api_gateway_rest_api.shop.id
  stage_name  = aws_api_gateway_stage.prod.stage_name
  method_path = "items/GET"
  settings {
    throttling_rate_limit  = 10
    throttling_burst_limit = 5
  }
}

# A usage plan without a throttle does not count either.
resource "aws_api_gateway_usage_plan" "free" {
  name = "free"
  api_stages {
    api_id = aws_api_gateway_rest_api.shop.id
    stage  = aws_api_gateway_stage.prod.stage_name
  }
  quota_settings {
    limit  = 1000
    period = "DAY"
  }
}

# Stages of a REST API another module created; and a usage plan that only keyed requests obey.

variable "rest_api_id" {
  type = string
}

variable "deployment_id" {
  type = string
}

# ruleid: THR001
resource "aws_api_gateway_stage" "beta" {
  rest_api_id   = var.rest_api_id
  deployment_id = var.deployment_id
  stage_name    = "beta"
}

# ok: THR001
resource "aws_api_gateway_stage" "prod" {
  rest_api_id   = var.rest_api_id
  deployment_id = var.deployment_id
  stage_name    = "prod"
}

resource "aws_api_gateway_method_settings" "prod" {
  rest_api_id = var.rest_api_id
  stage_name  = aws_api_gateway_stage.prod.stage_name
  method_path = "*/*"
  settings {
    throttling_rate_limit  = 50
    throttling_burst_limit = 100
  }
}

resource "aws_api_gateway_rest_api" "own" {
  name = "own"
}

resource "aws_api_gateway_method" "own_get" {
  rest_api_id   = aws_api_gateway_rest_api.own.id
  resource_id   = aws_api_gateway_rest_api.own.root_resource_id
  http_method   = "GET"
  authorization = "AWS_IAM"
}

resource "aws_api_gateway_deployment" "own" {
  rest_api_id = aws_api_gateway_rest_api.own.id
}

# The usage plan below does not limit GET /, which requires no API key.
# ruleid: THR001
resource "aws_api_gateway_stage" "own" {
  rest_api_id   = aws_api_gateway_rest_api.own.id
  deployment_id = aws_api_gateway_deployment.own.id
  stage_name    = "v1"
}

resource "aws_api_gateway_usage_plan" "own" {
  name = "own"
  api_stages {
    api_id = aws_api_gateway_rest_api.own.id
    stage  = aws_api_gateway_stage.own.stage_name
  }
  throttle_settings {
    rate_limit  = 10
    burst_limit = 20
  }
}

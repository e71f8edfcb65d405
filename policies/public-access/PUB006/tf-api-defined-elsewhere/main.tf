# Methods and routes on APIs another module created, named by variable or data source.

variable "rest_api_id" {
  type = string
}

variable "root_resource_id" {
  type = string
}

data "aws_apigatewayv2_api" "chat" {
  api_id = "abc123"
}

resource "aws_api_gateway_method" "status" {
  rest_api_id = var.rest_api_id
  resource_id = var.root_resource_id
  http_method = "GET"
  # ruleid: PUB006
  authorization = "NONE"
}

resource "aws_api_gateway_method" "admin" {
  rest_api_id   = var.rest_api_id
  resource_id   = var.root_resource_id
  http_method   = "POST"
  # ok: PUB006
  authorization = "AWS_IAM"
}

# ruleid: PUB006
resource "aws_apigatewayv2_route" "connect" {
  api_id    = data.aws_apigatewayv2_api.chat.id
  route_key = "$connect"
}

# ok: PUB006
resource "aws_apigatewayv2_route" "default" {
  api_id    = data.aws_apigatewayv2_api.chat.id
  route_key = "$default"
}

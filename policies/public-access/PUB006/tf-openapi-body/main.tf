# Routes of an inline OpenAPI body are read like written methods.

resource "aws_api_gateway_rest_api" "orders" {
  name = "orders"
  body = jsonencode({
    openapi = "3.0.1"
    info    = { title = "orders", version = "1" }
    components = {
      securitySchemes = {
        sigv4 = {
          type                           = "apiKey"
          name                           = "Authorization"
          in                             = "header"
          "x-amazon-apigateway-authtype" = "awsSigv4"
        }
      }
    }
    paths = {
      "/orders" = {
        # ruleid: PUB006
        get = {
          "x-amazon-apigateway-integration" = { type = "MOCK" }
        }
        # ok: PUB006
        post = {
          security                          = [{ sigv4 = [] }]
          "x-amazon-apigateway-integration" = { type = "MOCK" }
        }
      }
    }
  })
}

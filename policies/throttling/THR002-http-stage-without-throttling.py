"""Flags an HTTP or WebSocket API stage without default route throttling."""

from iac_lint.model.apigateway import throttle_is_set
from iac_lint.rules import Violation

RULE = {
    "id": "THR002",
    "name": "http-stage-without-throttling",
    "severity": "medium",
    "category": "throttling",
    "title": "HTTP API stage has no default route throttling",
    "applies_to": "stage",
    "message": "Stage {stage} of {kind} {api} has no DefaultRouteSettings throttling",
    "docs": {
        "what": "Flags a stage of an HTTP or WebSocket API (`AWS::ApiGatewayV2::Stage`, SAM `HttpApi` and its "
                "implicit API, `aws_apigatewayv2_stage`, serverless `httpApi`) without "
                "`DefaultRouteSettings.ThrottlingRateLimit`/`ThrottlingBurstLimit` "
                "(`default_route_settings { throttling_rate_limit ... }`).",
        "why": "HTTP APIs have no usage plans: the stage's default route settings are the only per-API limit "
               "below the 10,000 requests-per-second account quota. Without them, any client can drive the "
               "functions behind the API as hard as the account allows: denial of wallet.",
        "example": "HttpApi:\n  Type: AWS::Serverless::HttpApi",
        "fix": {
            "sam": "HttpApi:\n  Type: AWS::Serverless::HttpApi\n  Properties:\n    DefaultRouteSettings:\n"
                   "      ThrottlingRateLimit: 100\n      ThrottlingBurstLimit: 50",
            "cloudformation": "Stage:\n  Type: AWS::ApiGatewayV2::Stage\n  Properties:\n    DefaultRouteSettings:\n"
                              "      ThrottlingRateLimit: 100\n      ThrottlingBurstLimit: 50",
            "serverless": "resources:\n  extensions:\n    HttpApiStage:\n      Properties:\n"
                          "        DefaultRouteSettings:\n          ThrottlingRateLimit: 100\n"
                          "          ThrottlingBurstLimit: 50",
            "terraform": 'resource "aws_apigatewayv2_stage" "default" {\n'
                         "  api_id      = aws_apigatewayv2_api.orders.id\n"
                         '  name        = "$default"\n  auto_deploy = true\n  default_route_settings {\n'
                         "    throttling_rate_limit  = 100\n    throttling_burst_limit = 50\n  }\n}",
        },
        "references": [
            "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html",
        ],
    },
    # Quick fixes an editor offers (see iac_lint/lsp/fixes.py); the limits are placeholders to size.
    "fixes": [
        {
            "title": "Add default route throttling to the stage",
            "paths": ["throttle"],
            "edits": [
                {"op": "properties", "types": ["AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Stage"],
                 "absent": "DefaultRouteSettings",
                 "text": "DefaultRouteSettings:\n  ThrottlingRateLimit: ${1:100}\n  ThrottlingBurstLimit: ${2:50}"},
                {"op": "block", "types": ["aws_apigatewayv2_stage"], "absent": "default_route_settings",
                 "text": "default_route_settings {\n  throttling_rate_limit  = ${1:100}\n"
                         "  throttling_burst_limit = ${2:50}\n}"},
            ],
        },
    ],
}


def check(stage):
    api = stage.api
    if api is None or api.api_kind not in ("http", "websocket"):
        return
    if throttle_is_set(stage.throttle):
        return
    yield Violation(RULE["message"].format(stage=stage.stage_name or stage.id, kind=api.api_kind.upper()
                                           if api.api_kind == "http" else "WebSocket", api=api.label),
                    stage.loc, "throttle")

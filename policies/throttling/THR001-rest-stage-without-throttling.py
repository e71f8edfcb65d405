"""Flags a REST API stage with no throttling of its own and no throttled usage plan."""

from iac_lint.model.apigateway import stage_throttled
from iac_lint.rules import Violation

RULE = {
    "id": "THR001",
    "name": "rest-stage-without-throttling",
    "severity": "medium",
    "category": "throttling",
    "title": "REST API stage has no throttling",
    "applies_to": "stage",
    "message": "Stage {stage} of REST {api} sets no throttling "
               "(MethodSettings, or a usage plan that every route's API key puts in force)",
    "docs": {
        "what": "Flags a stage of a public REST API that has neither a stage-wide throttle (`MethodSettings` "
                "for `/*` and `*` with `ThrottlingRateLimit`/`ThrottlingBurstLimit`, "
                "`aws_api_gateway_method_settings` with `method_path = \"*/*\"`, serverless "
                "`provider.apiGateway` usage-plan throttle) nor a usage plan with a `Throttle`. For SAM's "
                "implicit API and the serverless framework's generated API, the finding points at the event "
                "that created it.",
        "why": "Without a stage limit, the only ceiling is the account-wide default of 10,000 requests per "
               "second shared by every API in the region. A client loop or an attacker can drive that rate "
               "into your functions, tables and bill — denial of wallet — and starve your other APIs.",
        "example": "Api:\n  Type: AWS::Serverless::Api\n  Properties:\n    StageName: prod",
        "fix": {
            "sam": "Api:\n  Type: AWS::Serverless::Api\n  Properties:\n    StageName: prod\n    MethodSettings:\n"
                   "      - ResourcePath: '/*'\n        HttpMethod: '*'\n        ThrottlingRateLimit: 100\n"
                   "        ThrottlingBurstLimit: 50",
            "cloudformation": "Prod:\n  Type: AWS::ApiGateway::Stage\n  Properties:\n    MethodSettings:\n"
                              "      - ResourcePath: '/*'\n        HttpMethod: '*'\n        ThrottlingRateLimit: 100\n"
                              "        ThrottlingBurstLimit: 50",
            "serverless": "plugins:\n  - serverless-api-gateway-throttling\ncustom:\n  apiGatewayThrottling:\n"
                          "    maxRequestsPerSecond: 100\n    maxConcurrentRequests: 50",
            "terraform": 'resource "aws_api_gateway_method_settings" "all" {\n'
                         "  rest_api_id = aws_api_gateway_rest_api.shop.id\n"
                         "  stage_name  = aws_api_gateway_stage.prod.stage_name\n"
                         '  method_path = "*/*"\n  settings {\n    throttling_rate_limit  = 100\n'
                         "    throttling_burst_limit = 50\n  }\n}",
        },
        "references": [
            "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html",
        ],
    },
    # Quick fixes an editor offers (see iac_lint/lsp/fixes.py); the limits are placeholders to size.
    "fixes": [
        {
            "title": "Throttle every method of the stage",
            "paths": ["throttle"],
            "edits": [
                {"op": "properties", "types": ["AWS::Serverless::Api", "AWS::ApiGateway::Stage"],
                 "absent": "MethodSettings",
                 "text": "MethodSettings:\n  - ResourcePath: \"/*\"\n    HttpMethod: \"*\"\n"
                         "    ThrottlingRateLimit: ${1:100}\n    ThrottlingBurstLimit: ${2:50}"},
                {"op": "after", "types": ["aws_api_gateway_stage"],
                 "text": 'resource "aws_api_gateway_method_settings" "{name}" {\n'
                         "  rest_api_id = {address}.rest_api_id\n  stage_name  = {address}.stage_name\n"
                         '  method_path = "*/*"\n\n  settings {\n'
                         "    throttling_rate_limit  = ${1:100}\n    throttling_burst_limit = ${2:50}\n  }\n}"},
            ],
        },
    ],
}


def check(stage):
    api = stage.api
    if api is None or api.api_kind != "rest" or api.public is not True or stage_throttled(stage):
        return
    yield Violation(RULE["message"].format(stage=stage.stage_name or stage.id, api=api.label),
                    stage.loc, "throttle")

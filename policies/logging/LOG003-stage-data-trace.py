"""Flags an API stage that logs full request and response data."""

from iac_lint.model import Stage
from iac_lint.rules import RuleMeta, Violation

RULE: RuleMeta = {
    "id": "LOG003",
    "name": "stage-data-trace",
    "severity": "medium",
    "category": "logging",
    "title": "API stage logs full request and response data",
    "applies_to": "stage",
    "default": True,
    "message": "Stage {stage} of API {api} logs full request and response bodies and headers",
    "docs": {
        "what": "Flags a REST or WebSocket stage with data tracing on: `DataTraceEnabled: true` in any of its "
                "`MethodSettings` (`AWS::ApiGateway::Stage`, `AWS::Serverless::Api`, a deployment's "
                "`StageDescription`), `DefaultRouteSettings`/`RouteSettings` of a WebSocket stage, Terraform "
                "`data_trace_enabled = true`, and serverless `provider.logs.restApi`/`websocket`, whose "
                "`fullExecutionData` is on unless set to false. In the default set.",
        "why": "Data tracing writes every request's and response's headers and body to CloudWatch Logs: "
               "authorization headers, API keys, tokens, passwords and personal data. AWS advises against it "
               "for production APIs.",
        "example": "MethodSettings:\n  - ResourcePath: '/*'\n    HttpMethod: '*'\n    LoggingLevel: INFO\n"
                   "    DataTraceEnabled: true",
        "fix": "Use access logs with a format that lists the fields you need, and `LoggingLevel: ERROR` or "
               "`INFO` without data tracing: `DataTraceEnabled: false` (Terraform `data_trace_enabled = false`; "
               "serverless `logs: {restApi: {fullExecutionData: false}}`). Turn it on briefly on a test stage "
               "when debugging.",
        "references": [
            "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
            "https://docs.aws.amazon.com/apigateway/latest/api/API_MethodSetting.html",
            "https://www.serverless.com/framework/docs/providers/aws/events/apigateway#logs",
        ],
    },
}


def check(stage: Stage):
    if stage.data_trace is not True:
        return
    name = stage.stage_name if isinstance(stage.stage_name, str) else stage.id
    yield Violation(RULE["message"].format(stage=name, api=stage.api.id if stage.api else "?"),
                    stage.where("data_trace"), "data_trace")

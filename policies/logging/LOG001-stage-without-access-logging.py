"""Flags a stage of a public API (REST, HTTP or WebSocket) that writes no access log."""

from iac_lint.model import Stage
from iac_lint.rules import RuleMeta, Violation

RULE: RuleMeta = {
    "id": "LOG001",
    "name": "stage-without-access-logging",
    "severity": "medium",
    "category": "logging",
    "title": "Public API stage has no access logging",
    "applies_to": "stage",
    "default": True,
    "message": "Stage {stage} of public {kind} API {api} writes no access log",
    "docs": {
        "what": "Flags a stage of a REST, HTTP or WebSocket API that is reachable from the internet (any "
                "endpoint type but `PRIVATE`) and has no access log destination: `AccessLogSetting` "
                "(`AWS::ApiGateway::Stage`, `AWS::Serverless::Api`), `AccessLogSettings` (HTTP and WebSocket "
                "stages, `AWS::Serverless::HttpApi`), serverless `provider.logs.restApi`/`httpApi`/`websocket`, "
                "Terraform `access_log_settings`. A destination that cannot be resolved counts as set. In "
                "the default set.",
        "why": "Access logs are the record of who called the API: caller IP, identity, route, status and "
               "latency. Without them an abused or compromised endpoint leaves no trace to investigate, and "
               "API Gateway keeps none by default.",
        "example": "Api:\n  Type: AWS::Serverless::Api\n  Properties:\n    StageName: prod",
        "fix": "Send access logs to a log group: CloudFormation/SAM `AccessLogSetting: {DestinationArn: "
               "!GetAtt ApiLogs.Arn, Format: ...}` (`AccessLogSettings` for HTTP APIs); serverless "
               "`provider.logs.restApi: true` (or `httpApi: true`, `websocket: true`); Terraform "
               "`access_log_settings { destination_arn = aws_cloudwatch_log_group.api.arn, format = ... }`.",
        "references": [
            "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
            "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html",
            "https://www.serverless.com/framework/docs/providers/aws/events/apigateway#logs",
        ],
    },
}


def check(stage: Stage):
    api = stage.api
    if api is None or api.public is not True or stage.access_logging is not None:
        return
    name = stage.stage_name if isinstance(stage.stage_name, str) else stage.id
    yield Violation(RULE["message"].format(stage=name, kind={"rest": "REST", "http": "HTTP"}.get(
        api.api_kind, "WebSocket"), api=api.id), stage.where("access_logging"), "access_logging")

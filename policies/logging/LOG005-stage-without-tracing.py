"""Flags a REST API stage without X-Ray tracing (opt-in)."""

from iac_lint.model import Stage
from iac_lint.rules import RuleMeta, Violation

RULE: RuleMeta = {
    "id": "LOG005",
    "name": "stage-without-tracing",
    "severity": "low",
    "category": "logging",
    "title": "REST API stage has no X-Ray tracing",
    "applies_to": "stage",
    "default": False,
    "message": "Stage {stage} of REST API {api} is not traced with X-Ray",
    "docs": {
        "what": "Flags a REST API stage without `TracingEnabled: true` (SAM `TracingEnabled`, serverless "
                "`provider.tracing.apiGateway`, Terraform `xray_tracing_enabled`). HTTP and WebSocket APIs do "
                "not support X-Ray and are not flagged. Opt-in: select it with `--select LOG005` (or "
                "`logging`).",
        "why": "Without tracing, a request cannot be followed from the API into the functions behind it. "
               "Observability advice, hence opt-in.",
        "example": "Stage:\n  Type: AWS::ApiGateway::Stage\n  Properties:\n    StageName: prod",
        "fix": "`TracingEnabled: true` on the stage (SAM `AWS::Serverless::Api` too); serverless "
               "`provider.tracing.apiGateway: true`; Terraform `xray_tracing_enabled = true`.",
        "references": ["https://docs.aws.amazon.com/xray/latest/devguide/xray-services-apigateway.html"],
    },
}


def check(stage: Stage):
    if stage.api is None or stage.api.api_kind != "rest" or stage.tracing is True:
        return
    if stage.tracing is not None and stage.tracing is not False:
        return  # unknown: decided at deploy time
    name = stage.stage_name if isinstance(stage.stage_name, str) else stage.id
    yield Violation(RULE["message"].format(stage=name, api=stage.api.id), stage.where("tracing"), "tracing")

"""Flags a REST or WebSocket stage that writes no execution log (opt-in)."""

from iac_lint.model import Stage
from iac_lint.rules import RuleMeta, Violation

RULE: RuleMeta = {
    "id": "LOG006",
    "name": "stage-execution-logging-off",
    "severity": "low",
    "category": "logging",
    "title": "API stage has execution logging off",
    "applies_to": "stage",
    "default": False,
    "message": "Stage {stage} of API {api} has execution logging {level}",
    "docs": {
        "what": "Flags a REST or WebSocket stage whose stage-wide execution log level (`LoggingLevel` of the "
                "`/*` `*` method setting, `DefaultRouteSettings.LoggingLevel`, Terraform `logging_level`, "
                "serverless `logs.restApi.executionLogging`/`level`) is `OFF` or not set. HTTP APIs have no "
                "execution logs. Opt-in: select it with `--select LOG006` (or `logging`).",
        "why": "Execution logs record authorizer decisions, integration errors and throttling, which access "
               "logs do not. Whether they are worth their cost is a team's choice, hence opt-in.",
        "example": "MethodSettings:\n  - ResourcePath: '/*'\n    HttpMethod: '*'\n    LoggingLevel: 'OFF'",
        "fix": "`LoggingLevel: ERROR` (or `INFO`) for `/*` `*`, without `DataTraceEnabled`; Terraform "
               "`aws_api_gateway_method_settings` with `method_path = \"*/*\"` and `logging_level = \"ERROR\"`; "
               "serverless `logs: {restApi: {level: ERROR, fullExecutionData: false}}`. The account needs a "
               "CloudWatch role for API Gateway.",
        "references": ["https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html"],
    },
}


def check(stage: Stage):
    if stage.api is None or stage.api.api_kind == "http":
        return
    level = stage.execution_log_level
    if level is not None and not (isinstance(level, str) and level.upper() == "OFF"):
        return
    name = stage.stage_name if isinstance(stage.stage_name, str) else stage.id
    yield Violation(RULE["message"].format(stage=name, api=stage.api.id, level="off" if level else "not set"),
                    stage.where("execution_log_level"), "execution_log_level")

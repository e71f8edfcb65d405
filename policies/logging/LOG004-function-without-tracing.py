"""Flags a function without active X-Ray tracing (opt-in)."""

from iac_lint.model import Function, is_unknown
from iac_lint.rules import RuleMeta, Violation

RULE: RuleMeta = {
    "id": "LOG004",
    "name": "function-without-tracing",
    "severity": "low",
    "category": "logging",
    "title": "Function has no active X-Ray tracing",
    "applies_to": "function",
    "default": False,
    "message": "Function {function} is not traced with X-Ray (tracing mode {mode})",
    "docs": {
        "what": "Flags a function whose tracing mode is not `Active`: `TracingConfig.Mode` / SAM `Tracing` / "
                "serverless `tracing.lambda` (provider or function) / Terraform `tracing_config { mode }` "
                "unset or `PassThrough`. Opt-in: select it with `--select LOG004` (or `logging`).",
        "why": "Traces follow a request across the API, the function and what it calls; without them an "
               "incident's path through the system has to be reconstructed from logs. It is observability "
               "advice with a cost, not a weakness in itself, hence opt-in.",
        "example": "Orders:\n  Type: AWS::Serverless::Function\n  Properties:\n    Handler: app.handler",
        "fix": "SAM `Tracing: Active` (or in `Globals`); CloudFormation `TracingConfig: {Mode: Active}`; "
               "serverless `provider.tracing.lambda: true`; Terraform `tracing_config { mode = \"Active\" }`. "
               "The role needs `xray:PutTraceSegments` (`AWSXRayDaemonWriteAccess`).",
        "references": ["https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html"],
    },
}


def check(fn: Function):
    if fn.external:
        return  # a function defined elsewhere: its settings are unknown here
    mode = fn.tracing
    if is_unknown(mode) or (isinstance(mode, str) and mode.lower() == "active") or mode is True:
        return
    yield Violation(RULE["message"].format(function=fn.id, mode=mode if isinstance(mode, str) else "not set"),
                    fn.where("tracing"), "tracing")

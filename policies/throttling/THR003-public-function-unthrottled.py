"""Flags a function reachable from a public API or URL with no throttle anywhere on that path."""

from iac_lint.model import Unknown
from iac_lint.model.apigateway import route_key
from iac_lint.model.exposure import path_throttle
from iac_lint.rules import Violation

RULE = {
    "id": "THR003",
    "name": "public-function-unthrottled",
    "severity": "high",
    "category": "throttling",
    "title": "Publicly invocable function has no throttle on its path",
    "applies_to": "function",
    "message": "Function {function} is publicly reachable through {trigger} with no throttle: "
               "no stage or usage-plan limit and no reserved concurrency",
    "docs": {
        "what": "Follows each trigger that anyone can use without credentials — an API route without an "
                "authorizer or API key on a public API, or a function URL with `AuthType: NONE` — and flags "
                "the function when nothing on that path limits the rate: no stage-wide or per-route throttle "
                "on any stage of the API, no usage plan with a throttle that applies (a usage plan limits only "
                "requests carrying its API key), and no "
                "`ReservedConcurrentExecutions` (`reserved_concurrent_executions`, serverless "
                "`reservedConcurrency`) above zero. An unresolvable reserved concurrency passes.",
        "why": "This is the denial-of-wallet path: every request invokes the function, and the function "
               "calls whatever it calls (databases, paid APIs, other functions). Without a limit, the only "
               "ceiling is the account's regional concurrency quota (1,000 by default), which the function "
               "then also takes away from every other function in the account. Reserved concurrency, the "
               "function-side cap, is carved out of the account quota: it caps this function *and* reserves "
               "that many executions away from all others, so size it to the expected peak, keep it small, and "
               "never set it to 0 (that disables the function entirely).",
        "example": "Events:\n  Get:\n    Type: HttpApi   # no DefaultRouteSettings, no ReservedConcurrentExecutions",
        "fix": {
            "sam": "# Throttle the API's stage (see THR001/THR002), or cap the function:\n"
                   "Handler:\n  Type: AWS::Serverless::Function\n  Properties:\n    ReservedConcurrentExecutions: 10",
            "cloudformation": "# Throttle the API's stage (see THR001/THR002), or cap the function:\n"
                              "Handler:\n  Type: AWS::Lambda::Function\n  Properties:\n"
                              "    ReservedConcurrentExecutions: 10",
            "serverless": "# Throttle the API's stage (see THR001/THR002), or cap the function:\n"
                          "functions:\n  list:\n    handler: list.handler\n    reservedConcurrency: 10",
            "terraform": "# Throttle the API's stage (see THR001/THR002), or cap the function:\n"
                         'resource "aws_lambda_function" "handler" {\n  reserved_concurrent_executions = 10\n}',
        },
        "references": [
            "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
            "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html",
        ],
    },
    # Quick fixes an editor offers (see iac_lint/lsp/fixes.py); the limit is a placeholder to size.
    "fixes": [
        {
            "title": "Reserve concurrency for {resource}",
            "paths": ["trigger:*"],
            "edits": [
                {"op": "properties", "types": ["AWS::Serverless::Function", "AWS::Lambda::Function"],
                 "absent": "ReservedConcurrentExecutions", "text": "ReservedConcurrentExecutions: ${1:10}"},
                {"op": "properties", "types": ["serverless:function"], "absent": "reservedConcurrency",
                 "text": "reservedConcurrency: ${1:10}"},
                {"op": "block", "types": ["aws_lambda_function"], "absent": "reserved_concurrent_executions",
                 "text": "reserved_concurrent_executions = ${1:10}"},
            ],
        },
    ],
}


def _reserved(fn):
    value = fn.reserved_concurrency
    if isinstance(value, Unknown):
        return True
    try:
        return value is not None and int(value) > 0
    except (TypeError, ValueError):
        return False


def check(fn):
    if _reserved(fn):
        return
    for trigger in fn.public_triggers:
        if trigger.kind not in ("api", "http-api", "websocket", "url") or path_throttle(trigger) is not None:
            continue
        if trigger.kind == "url":
            label = "its function URL"
        else:
            route = trigger.route
            label = f"{route_key(route.method, route.path)} on {trigger.api.label}" if route else trigger.api.label
        yield Violation(RULE["message"].format(function=fn.id, trigger=label), fn.loc, f"trigger:{label}")
        return

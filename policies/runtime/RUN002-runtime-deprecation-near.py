"""Flags a function on a Lambda runtime that AWS will deprecate soon."""

from typing import Any

from iac_lint.model import Function
from iac_lint.model.lambda_runtimes import function_lifecycle, judged_on
from iac_lint.rules import RuleMeta, Violation

RULE: RuleMeta = {
    "id": "RUN002",
    "name": "runtime-deprecation-near",
    "severity": "low",
    "category": "runtime",
    "title": "Function runs on a Lambda runtime that is deprecated soon",
    "applies_to": "function",
    "default": False,  # planning advice: the runtime still gets security patches
    "options": {"window_days": 180, "as_of": ""},
    "message": "Function {function} runs on {runtime}, deprecated on {date} (in {days} days){successor}",
    "docs": {
        "what": "Flags a function whose runtime reaches its deprecation date (AWS's schedule, "
                "`iac_lint/model/lambda_runtimes.csv`) within `window_days` (default 180) of today, or of the "
                "`as_of` date when it is set. Past the date, RUN001 reports it instead. Container-image "
                "functions and unknown identifiers are not judged, as for RUN001. In the default set, at low "
                "severity: it is notice, not yet a weakness.",
        "why": "Migrating a runtime takes testing and a release; starting when the deprecation notice "
               "arrives leaves functions unpatched for weeks. The window is the planning horizon.",
        "example": "Runtime: nodejs20.x   # deprecated 2026-04-30",
        "fix": "Plan the move to the successor the message names; set `rule_options: {RUN002: {window_days: "
               "90}}` for a shorter horizon.",
        "references": ["https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"],
    },
}


def check(fn: Function, options: dict[str, Any]):
    lifecycle = function_lifecycle(fn.runtime, fn.package_type)
    if lifecycle is None:
        return
    today = judged_on(options["as_of"])
    days = (lifecycle.deprecation - today).days
    if not 0 < days <= options["window_days"]:
        return
    successor = f"; plan the move to {lifecycle.successor}" if lifecycle.successor else ""
    yield Violation(RULE["message"].format(function=fn.id, runtime=fn.runtime, date=lifecycle.deprecation,
                                           days=days, successor=successor), fn.where("runtime"), "runtime")

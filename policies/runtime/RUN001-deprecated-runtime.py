"""Flags a function on a Lambda runtime that AWS has deprecated."""

from typing import Any

from iac_lint.model import Function
from iac_lint.model.lambda_runtimes import function_lifecycle, judged_on
from iac_lint.rules import RuleMeta, Violation

RULE: RuleMeta = {
    "id": "RUN001",
    "name": "deprecated-runtime",
    "severity": "high",
    "category": "runtime",
    "title": "Function runs on a deprecated Lambda runtime",
    "applies_to": "function",
    "default": True,
    "options": {"as_of": ""},
    "message": "Function {function} runs on {runtime}: {passed}{more}",
    "docs": {
        "what": "Flags a function whose `Runtime`/`runtime` is past its deprecation date in AWS's published "
                "schedule (kept in `iac_lint/model/lambda_runtimes.csv`, source noted there). The message says "
                "which step has passed: deprecated (no more security patches), blocked for new functions, or "
                "blocked for updates, and the next step's date. OS-only runtimes (`provided`, `provided.al2`, "
                "`provided.al2023`) are judged by their own dates like every other; container-image functions "
                "(`PackageType: Image`) bring their runtime in the image and are not judged; an unknown "
                "identifier or an unresolved value is not flagged. Option `as_of` (an ISO date) judges against "
                "that day instead of today, for reproducible reports. In the default set.",
        "why": "A deprecated runtime gets no security patches for its language, libraries or operating "
               "system, so known vulnerabilities stay in production; after the block dates a broken function "
               "cannot even be redeployed until it is migrated, which turns an incident into an outage.",
        "example": "Runtime: python3.8",
        "fix": "Move to the runtime's successor (the message names it) and test: `Runtime: python3.13` (SAM "
               "`Globals`, serverless `provider.runtime`, Terraform `runtime = \"python3.13\"`).",
        "references": [
            "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
            "https://docs.aws.amazon.com/lambda/latest/dg/runtime-support-policy.html",
        ],
    },
}


def check(fn: Function, options: dict[str, Any]):
    lifecycle = function_lifecycle(fn.runtime, fn.package_type)
    if lifecycle is None:
        return
    today = judged_on(options["as_of"])
    if lifecycle.stage_on(today) is None:
        return
    steps = sorted([("deprecated (no security patches)", lifecycle.deprecation),
                    ("new functions blocked", lifecycle.block_create),
                    ("updates blocked", lifecycle.block_update)], key=lambda step: step[1])
    passed = ", ".join(f"{name} since {when}" for name, when in steps if when <= today)
    more = "".join(f"; {name} from {when}" for name, when in steps if when > today)
    if lifecycle.successor:
        more += f"; move to {lifecycle.successor}"
    yield Violation(RULE["message"].format(function=fn.id, runtime=fn.runtime, passed=passed, more=more),
                    fn.where("runtime"), "runtime")

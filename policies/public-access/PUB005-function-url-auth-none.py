"""Flags a function URL that requires no authentication, judged by the resource policy it needs since October 2025."""

from iac_lint.model import Function
from iac_lint.model.function_urls import URL_INVOKE_ACTIONS, public_url_grants, url_exposure
from iac_lint.rules import RuleMeta, Violation

RULE: RuleMeta = {
    "id": "PUB005",
    "name": "function-url-auth-none",
    "severity": "high",
    "category": "public-access",
    "title": "Function URL requires no authentication",
    "applies_to": "function",
    "default": True,
    "message": "Function {function} has a function URL with AuthType NONE: {exposure}",
    "docs": {
        "what": "Flags a function URL with `AuthType: NONE` (SAM `FunctionUrlConfig`, `AWS::Lambda::Url`, "
                "`aws_lambda_function_url` with `authorization_type = \"NONE\"`, serverless `url: true`). Since "
                "October 2025 such a URL is callable by anyone only when the function's resource policy grants "
                "both `lambda:InvokeFunctionUrl` and `lambda:InvokeFunction` to `*`. SAM and the Serverless "
                "Framework write both grants themselves, and a template that writes both as permissions "
                "(`AWS::Lambda::Permission`, `aws_lambda_permission`) makes the URL public: the message says "
                "*anyone can invoke it*. When the template grants only one of them, or neither (the grants "
                "live in another stack or were added by hand), the message says the URL is *public if its "
                "resource policy allows*, and names what is missing. A URL whose auth type is not known "
                "statically is not flagged. In the default set.",
        "why": "Anyone who finds the URL can call the function as often as they like: its data and its bill "
               "are open. A function URL has no throttling of its own besides the function's concurrency.",
        "example": "FunctionUrlConfig:\n  AuthType: NONE",
        "fix": "Use `AuthType: AWS_IAM` and sign requests, or put the function behind API Gateway with an "
               "authorizer and throttling. If the endpoint must be public, verify requests in the function "
               "(e.g. a webhook signature) and set `ReservedConcurrentExecutions`; then suppress this rule with "
               "the reason.",
        "references": [
            "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
            "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html#urls-auth-none",
        ],
    },
}


def check(fn: Function):
    exposure = url_exposure(fn)
    if exposure is None:
        return
    if exposure == "public":
        text = "anyone can invoke it"
    else:
        missing = [a for a in URL_INVOKE_ACTIONS if a not in public_url_grants(fn)]
        text = (f"public if its resource policy allows (this template does not grant {' or '.join(missing)} "
                f"to everyone)")
    yield Violation(RULE["message"].format(function=fn.id, exposure=text), fn.where("url_auth_type"),
                    "url_auth_type")

"""Flags a credential written as a literal into a function's environment variables."""

from iac_lint.model import Function
from iac_lint.model.secrets import mask, secret_kind
from iac_lint.rules import RuleMeta, Violation

RULE: RuleMeta = {
    "id": "SEC001",
    "name": "secret-in-environment",
    "severity": "high",
    "category": "secrets",
    "title": "Function environment variable holds a hard-coded credential",
    "applies_to": "function",
    "default": True,
    "message": "Function {function} has {kind} in environment variable {key}: {masked}",
    "docs": {
        "what": "Flags a function environment variable (SAM `Environment`/`Globals`, serverless `provider` and "
                "function `environment`, Terraform `environment { variables }`) whose value, written as a "
                "literal at the variable, is a credential: a value in a provider's fixed-prefix key format "
                "(AWS access key ids, GitHub, GitLab, Slack, Stripe, Google, SendGrid, npm, OpenAI and "
                "Anthropic keys, PEM private keys, passwords inside URLs) under any name, or, under a "
                "secret-like name (`*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*API_KEY*` ...), a literal that "
                "looks like a secret: eight characters or more, mixed character classes or high entropy. "
                "Placeholders (`changeme`, `<your-key>`, `xxx`), dynamic references "
                "(`{{resolve:secretsmanager:...}}`), variables (`${ssm:...}`, `${env:...}`, `var.x`), `Ref`s "
                "to parameters, ARNs, names and paths are not flagged. The message shows the value masked "
                "(its first characters and its length), never the value. In the default set.",
        "why": "Anyone allowed `lambda:GetFunctionConfiguration` (read-only roles, support tooling, a leaked "
               "developer key) reads every environment variable in clear text, and the value also lives in "
               "the repository's history, CloudFormation's template store and Terraform state.",
        "example": "Environment:\n  Variables:\n    DB_PASSWORD: 'Tr0ub4dor&3-horse'",
        "fix": "Keep the secret in AWS Secrets Manager or SSM Parameter Store (`SecureString`) and pass its "
               "name or ARN; the function reads it at start-up (the Parameters and Secrets Lambda extension "
               "caches it). CloudFormation/SAM: `DB_SECRET_ARN: !Ref DbSecret`; serverless: "
               "`DB_SECRET_NAME: /orders/db` and read it in code, or `${ssm:/orders/db}` at deploy time; "
               "Terraform: `DB_SECRET_ARN = aws_secretsmanager_secret.db.arn`. Rotate the exposed value.",
        "references": [
            "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-encryption",
            "https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles",
        ],
    },
}


def check(fn: Function):
    for key in fn.literal_environment:
        value = fn.environment.get(key)
        if not isinstance(value, str):
            continue
        kind = secret_kind(key, value)
        if kind is None:
            continue
        where = fn.where(f"environment.{key}")
        yield Violation(
            RULE["message"].format(function=fn.id, kind=kind, key=key, masked=mask(value)),
            where, f"environment.{key}", redactions=(where,) if where is not None else (),
        )

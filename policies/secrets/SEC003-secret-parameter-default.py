"""Flags a template parameter or Terraform variable with a secret-like name and a literal, visible default."""

from iac_lint.model import Parameter
from iac_lint.model.secrets import mask, secret_kind
from iac_lint.rules import RuleMeta, Violation

RULE: RuleMeta = {
    "id": "SEC003",
    "name": "secret-parameter-default",
    "severity": "high",
    "category": "secrets",
    "title": "Secret parameter or variable has a literal default and is not hidden",
    "applies_to": "parameter",
    "default": True,
    "message": "{kind_title} {name} has {kind} as its default and is not {hidden}: {masked}",
    "docs": {
        "what": "Flags a CloudFormation/SAM parameter without `NoEcho: true`, or a Terraform root-module "
                "`variable` without `sensitive = true`, whose default is a credential: a value in a provider's "
                "key format, or a secret-like literal under a secret-like name (`DbPassword`, `api_token`). "
                "Placeholders, names and references are not flagged. In the default set.",
        "why": "The default is in the repository for everyone who can read it, and without `NoEcho` "
               "CloudFormation shows parameter values to anyone who can describe the stack; without "
               "`sensitive` Terraform prints the value in plans and logs.",
        "example": "Parameters:\n  DbPassword:\n    Type: String\n    Default: 'Tr0ub4dor&3-horse'",
        "fix": "Remove the default and mark the input hidden, passing the value at deploy time from a secret "
               "store: `DbPassword: {Type: String, NoEcho: true}`, or better a dynamic reference "
               "`{{resolve:secretsmanager:orders/db:SecretString:password}}` where it is used. Terraform: "
               "`variable \"db_password\" { type = string, sensitive = true }` with the value from a "
               "`TF_VAR_db_password` environment variable or a `aws_secretsmanager_secret_version` data source.",
        "references": [
            "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html",
            "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html",
            "https://developer.hashicorp.com/terraform/language/values/variables#suppressing-values-in-cli-output",
        ],
    },
}


def check(param: Parameter):
    if param.sensitive is not False or not isinstance(param.default, str):
        return  # hidden, or undecidable (an unknown NoEcho), or no literal default
    kind = secret_kind(str(param.name), param.default)
    if kind is None:
        return
    terraform = param.resource.type == "terraform:variable"
    where = param.where("default")
    yield Violation(
        RULE["message"].format(kind_title="Variable" if terraform else "Parameter", name=param.name, kind=kind,
                               hidden="sensitive" if terraform else "NoEcho", masked=mask(param.default)),
        where, "default", redactions=(where,),
    )

"""Flags functions that do not run in the organisation's approved VPC subnets."""

from collections.abc import Iterator

from iac_lint.model import Function
from iac_lint.model.raw_facts import vpc_subnets
from iac_lint.rules import RuleMeta, Violation, is_unknown

# Edit to your network: the private subnets functions may run in.
APPROVED_SUBNETS = frozenset({"subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"})

RULE: RuleMeta = {
    "id": "ORG103",
    "name": "function-outside-approved-vpc",
    "severity": "medium",
    "category": "network",
    "title": "Function does not run in an approved VPC subnet",
    "applies_to": "function",
    "message": "Function {id} {problem}",
    "docs": {
        "what": "Flags functions with no VPC configuration, and functions placed in a subnet that is not "
                "in `APPROVED_SUBNETS`. Subnets given by a parameter, variable or reference pass: their "
                "value is known only at deploy time.",
        "why": "Outside the approved subnets a function reaches the internet without the egress proxy and "
               "its traffic escapes the VPC flow logs the security team reviews.",
        "example": "Worker:\n  Type: AWS::Serverless::Function\n  Properties:\n    Runtime: python3.12",
        "fix": "VpcConfig: {SubnetIds: [subnet-0a1b2c3d4e5f60001], SecurityGroupIds: [sg-...]}  # CloudFormation/SAM;"
               " Terraform: vpc_config { subnet_ids = [...] }; serverless.yml: vpc: {subnetIds: [...]}",
        "references": ["https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html"],
    },
}


def check(fn: Function) -> Iterator[Violation]:
    if is_unknown(fn.vpc):
        return
    if fn.vpc is None:
        yield Violation(path="vpc", fields={"problem": "is not attached to a VPC"})
        return
    for subnet in vpc_subnets(fn.vpc):
        if isinstance(subnet, str) and not is_unknown(subnet) and subnet not in APPROVED_SUBNETS:
            yield Violation(at="vpc", path=f"vpc.{subnet}",
                            fields={"problem": f"runs in subnet {subnet}, which is not approved"})

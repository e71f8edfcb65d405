"""``iac-lint rules new``: a rule file with its five doc parts, and cases in every format.

For ``applies_to: function`` the rule is a working example (a function's
timeout must be set and at most 30 seconds) whose cases pass ``rules test``
as generated, so the author starts from green and edits.  For the other kinds
the cases hold a minimal resource of the kind and the rule a ``when`` that is
never true, marked ``TODO(rules new)``: ``rules test`` fails the positive
cases and says what is left to write.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from iac_lint.model.entities import ENTITY_TYPES
from iac_lint.model.rule_ids import is_rule_id

TODO = "TODO(rules new)"


class ScaffoldError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class _Kind:
    """A minimal resource of one kind: CloudFormation type and properties, Terraform type and body."""

    cfn_type: str
    cfn_props: str  # YAML lines under Properties, indented 6 spaces; empty for none
    tf_type: str
    tf_body: str  # HCL lines inside the block, indented 2 spaces


_KINDS: dict[str, _Kind] = {
    "bucket": _Kind("AWS::S3::Bucket", "", "aws_s3_bucket", '  bucket = "example-bucket"\n'),
    "queue": _Kind("AWS::SQS::Queue", "", "aws_sqs_queue", '  name = "example-queue"\n'),
    "topic": _Kind("AWS::SNS::Topic", "", "aws_sns_topic", '  name = "example-topic"\n'),
    "table": _Kind("AWS::DynamoDB::Table",
                   "      BillingMode: PAY_PER_REQUEST\n      AttributeDefinitions:\n"
                   "        - {AttributeName: pk, AttributeType: S}\n      KeySchema:\n"
                   "        - {AttributeName: pk, KeyType: HASH}\n",
                   "aws_dynamodb_table",
                   '  name         = "example-table"\n  billing_mode = "PAY_PER_REQUEST"\n  hash_key     = "pk"\n'
                   '  attribute {\n    name = "pk"\n    type = "S"\n  }\n'),
    "stream": _Kind("AWS::Kinesis::Stream", "      ShardCount: 1\n", "aws_kinesis_stream",
                    '  name        = "example-stream"\n  shard_count = 1\n'),
    "log_group": _Kind("AWS::Logs::LogGroup", "", "aws_cloudwatch_log_group", '  name = "/example/logs"\n'),
    "key": _Kind("AWS::KMS::Key", "", "aws_kms_key", '  description = "example key"\n'),
    "role": _Kind("AWS::IAM::Role",
                  "      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n"
                  "          - Effect: Allow\n            Principal: {Service: lambda.amazonaws.com}\n"
                  "            Action: sts:AssumeRole\n",
                  "aws_iam_role",
                  '  assume_role_policy = jsonencode({\n    Version = "2012-10-17"\n    Statement = [{\n'
                  '      Effect = "Allow", Action = "sts:AssumeRole",\n'
                  '      Principal = { Service = "lambda.amazonaws.com" }\n    }]\n  })\n'),
    "api": _Kind("AWS::ApiGatewayV2::Api", "      Name: example\n      ProtocolType: HTTP\n",
                 "aws_apigatewayv2_api", '  name          = "example"\n  protocol_type = "HTTP"\n'),
}


def _function_cases(rule_id: str) -> dict[str, str]:
    flag = f"# ruleid: {rule_id}"
    cfn_role = "      Role: arn:aws:iam::123456789012:role/example\n"
    return {
        "cfn-positive.yaml": (
            'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'
            "  Worker:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n"
            f"      Handler: app.handler\n{cfn_role}      Code: {{ZipFile: \"def handler(e, c): pass\"}}\n"
            f"      {flag}\n      Timeout: 900\n"),
        "cfn-negative.yaml": (
            'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'
            "  Worker:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n"
            f"      Handler: app.handler\n{cfn_role}      Code: {{ZipFile: \"def handler(e, c): pass\"}}\n"
            "      Timeout: 30\n"),
        "sam-positive.yaml": (
            "Transform: AWS::Serverless-2016-10-31\nResources:\n"
            f"  {flag}\n  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            "      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: src/\n"),
        "sam-negative.yaml": (
            "Transform: AWS::Serverless-2016-10-31\nResources:\n"
            "  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            "      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: src/\n      Timeout: 10\n"),
        "sls-positive.yml": (
            "service: example\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n"
            f"  worker:\n    handler: app.handler\n    {flag}\n    timeout: 300\n"),
        "sls-negative.yml": (
            "service: example\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n"
            "  worker:\n    handler: app.handler\n    timeout: 20\n"),
        "tf-positive.tf": (
            f'{flag}\nresource "aws_lambda_function" "worker" {{\n  function_name = "worker"\n'
            '  runtime       = "python3.12"\n  handler       = "app.handler"\n'
            '  role          = "arn:aws:iam::123456789012:role/example"\n  filename      = "worker.zip"\n}\n'),
        "tf-negative.tf": (
            'resource "aws_lambda_function" "worker" {\n  function_name = "worker"\n'
            '  runtime       = "python3.12"\n  handler       = "app.handler"\n'
            '  role          = "arn:aws:iam::123456789012:role/example"\n  filename      = "worker.zip"\n'
            "  timeout       = 30\n}\n"),
    }


def _kind_cases(rule_id: str, kind: _Kind) -> dict[str, str]:
    note = f"# {TODO}: make this resource break the rule; the marker below says which line it flags."
    ok_note = f"# {TODO}: make this resource follow the rule."
    props = f"    Properties:\n{kind.cfn_props}" if kind.cfn_props else ""
    resource = f"  Example:\n    Type: {kind.cfn_type}\n{props}"
    cases = {}
    for positive in (True, False):
        suffix = "positive" if positive else "negative"
        head = f"{note}\n" if positive else f"{ok_note}\n"
        flagged = f"  # ruleid: {rule_id}\n{resource}" if positive else resource
        cases[f"cfn-{suffix}.yaml"] = f'{head}AWSTemplateFormatVersion: "2010-09-09"\nResources:\n{flagged}'
        cases[f"sam-{suffix}.yaml"] = f"{head}Transform: AWS::Serverless-2016-10-31\nResources:\n{flagged}"
        sls = "\n".join(("  " + line) if line else line for line in flagged.splitlines())
        cases[f"sls-{suffix}.yml"] = (f"{head}service: example\nprovider:\n  name: aws\n  runtime: python3.12\n"
                                      f"resources:\n  Resources:\n{sls}\n")
        marker = f"# ruleid: {rule_id}\n" if positive else ""
        cases[f"tf-{suffix}.tf"] = f'{head}{marker}resource "{kind.tf_type}" "example" {{\n{kind.tf_body}}}\n'
    return cases


def _yaml_rule(rule_id: str, name: str, category: str, kind: str) -> str:
    head = ("# yaml-language-server: $schema=https://github.com/iac-lint/iac-lint/raw/main/schemas/rule.schema.json\n"
            f"id: {rule_id}\nname: {name}\nseverity: medium\ncategory: {category}\n")
    if kind == "function":
        return head + (
            "title: Function timeout is not set or longer than 30 seconds\n"
            "applies_to: function\n"
            "# JMESPath over the function's fields (docs/model.md, or `iac-lint explain PATH --kind function`);\n"
            "# true means a violation. Numbers take backticks.\n"
            "when: \"timeout == null || (!unknown(timeout) && timeout > `30`)\"\n"
            "at: timeout          # point at the Timeout line when there is one, else at the function\n"
            "message: \"Function {id} has no timeout of 30 seconds or less\"\n"
            "docs:\n"
            "  what: Flags functions whose timeout is not set or is longer than 30 seconds.\n"
            "  why: >\n"
            "    A long timeout lets a stuck or abused invocation run, and bill, for up to 15 minutes.\n"
            "  example: |\n"
            "    Worker:\n"
            "      Type: AWS::Serverless::Function\n"
            "      Properties:\n"
            "        Timeout: 900\n"
            "  fix: \"Timeout: 30 (CloudFormation/SAM), timeout: 30 (serverless.yml, Terraform)\"\n"
            "  references:\n"
            "    - https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html\n")
    return head + (
        f"title: {TODO} one line saying what is wrong\n"
        f"applies_to: {kind}\n"
        f"# {TODO}: the condition, JMESPath over the {kind}'s fields (docs/model.md, or\n"
        f"# `iac-lint explain PATH --kind {kind}`); true means a violation. Never true until you write it.\n"
        "when: \"`false`\"\n"
        f"message: \"{kind.replace('_', ' ').capitalize()} {{id}} ... ({TODO})\"\n"
        "docs:\n"
        f"  what: {TODO} which resources it flags, and which pass.\n"
        f"  why: {TODO} the risk.\n"
        f"  example: {TODO} a snippet it flags.\n"
        f"  fix: {TODO} the fix, in each format.\n"
        "  references:\n"
        "    - https://example.com/TODO\n")


def _python_rule(rule_id: str, name: str, category: str, kind: str) -> str:
    if kind == "function":
        meta_title = "Function timeout is not set or longer than 30 seconds"
        message = "Function {id} must set a timeout of at most 30 seconds (it has {setting})"
        body = (
            "def check(fn: Function) -> Iterator[Violation]:\n"
            "    timeout = fn.timeout\n"
            "    if is_unknown(timeout):\n"
            "        return  # decided: a value only known at deploy time passes\n"
            "    if timeout is None or int(timeout) > 30:\n"
            "        # The message comes from RULE[\"message\"], its {placeholders} from the function's fields;\n"
            "        # at= points the finding at the node that set the fact (else at the function).\n"
            "        setting = \"none\" if timeout is None else f\"{timeout}s\"\n"
            "        yield Violation(at=\"timeout\", fields={\"setting\": setting})\n")
        docs_what = "Flags functions whose timeout is not set or is longer than 30 seconds."
        docs_why = "A long timeout lets a stuck or abused invocation run, and bill, for up to 15 minutes."
        reference = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html"
        import_name = "Function"
    else:
        cls = ENTITY_TYPES[kind].__name__
        meta_title = f"{TODO} one line saying what is wrong"
        message = f"{cls} {{id}} ... ({TODO})"
        body = (
            f"def check(entity: {cls}) -> Iterator[Violation]:\n"
            f"    # {TODO}: yield a Violation for each thing wrong with the {kind}; its fields are in\n"
            f"    # docs/model.md (or `iac-lint explain PATH --kind {kind}`).\n"
            "    return\n"
            "    yield Violation()\n")
        docs_what = docs_why = TODO
        reference = "https://example.com/TODO"
        import_name = cls
    return (
        f'"""{docs_what}"""\n\n'
        "from collections.abc import Iterator\n\n"
        f"from iac_lint.model import {import_name}\n"
        "from iac_lint.rules import RuleMeta, Violation, is_unknown\n\n"
        "RULE: RuleMeta = {\n"
        f'    "id": "{rule_id}",\n    "name": "{name}",\n    "severity": "medium",\n'
        f'    "category": "{category}",\n    "title": "{meta_title}",\n    "applies_to": "{kind}",\n'
        f'    "message": "{message}",\n'
        '    "docs": {\n'
        f'        "what": "{docs_what}",\n        "why": "{docs_why}",\n'
        '        "example": "Timeout: 900",\n        "fix": "Timeout: 30",\n'
        f'        "references": ["{reference}"],\n'
        "    },\n}\n\n\n" + body)


def scaffold_rule(directory: str, rule_id: str, name: str, category: str, kind: str, python: bool = False
                  ) -> list[str]:
    """Write the rule and its cases under ``directory/category``; returns the paths written."""
    if not is_rule_id(rule_id):
        raise ScaffoldError(f"{rule_id!r} is not a rule id: an uppercase prefix and digits, like ORG001")
    if kind not in ENTITY_TYPES:
        from iac_lint.model.reference import resolve_kind
        meant = resolve_kind(kind)
        hint = f" (did you mean {meant!r}?)" if meant else ""
        raise ScaffoldError(f"--applies-to {kind!r} is not an entity kind{hint}; kinds: {', '.join(ENTITY_TYPES)}")
    if kind != "function" and kind not in _KINDS:
        raise ScaffoldError(f"no example resource for {kind!r} yet; scaffold with --applies-to function "
                            f"and change applies_to")
    folder = os.path.join(directory, category)
    rule_path = os.path.join(folder, f"{rule_id}-{name}.{'py' if python else 'yaml'}")
    cases_dir = os.path.join(folder, rule_id)
    if os.path.exists(rule_path) or os.path.exists(cases_dir):
        raise ScaffoldError(f"{rule_path if os.path.exists(rule_path) else cases_dir} already exists")
    existing = [f for f in os.listdir(folder) if f.startswith(f"{rule_id}-")] if os.path.isdir(folder) else []
    if existing:
        raise ScaffoldError(f"{os.path.join(folder, existing[0])} already has the id {rule_id}")
    cases = _function_cases(rule_id) if kind == "function" else _kind_cases(rule_id, _KINDS[kind])
    os.makedirs(cases_dir)
    written = [rule_path]
    with open(rule_path, "w", encoding="utf-8", newline="\n") as handle:
        write_rule = _python_rule if python else _yaml_rule
        handle.write(write_rule(rule_id, name, category, kind))
    for case, text in sorted(cases.items()):
        path = os.path.join(cases_dir, case)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        written.append(path)
    return written

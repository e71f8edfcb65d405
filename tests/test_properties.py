"""Property-based tests (hypothesis): templates in every format, generated, never break the scan (item 10).

Whatever a generated file holds: no exception escapes ``scan()``, the finding of a sentinel file beside it
is never lost, and the budgets hold (each example within a deadline).  Examples are few and bounded so
that the suite stays fast on two cores.
"""

import json
import os
import tempfile

from hostile_corpus import SENTINEL_ROLE
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from iac_lint import scan
from iac_lint.config import Config

# Derandomized: CI runs the same examples every time (a red build always means a change did it);
# explore new ones locally with HYPOTHESIS_EXPLORE=1.
SETTINGS = settings(max_examples=30, deadline=10_000, suppress_health_check=[HealthCheck.too_slow],
                    database=None, derandomize=not os.environ.get("HYPOTHESIS_EXPLORE"))

names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=12)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=False),
                    names, st.sampled_from(["*", "s3:*", "${self:custom.a}", "${file(./.git/config)}",
                                            "${AWS::Region}", "${" * 40, "# iac-lint: ignore IAM001 -- x"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(names, inner, max_size=4)), max_leaves=30)
intrinsics = st.sampled_from(["Ref", "Fn::Sub", "Fn::GetAtt", "Fn::If", "Fn::FindInMap", "Fn::Join"])
cfn_values = st.one_of(values, st.builds(lambda k, v: {k: v}, intrinsics, values))
resource_types = st.sampled_from(["AWS::IAM::Role", "AWS::S3::Bucket", "AWS::Lambda::Function",
                                  "AWS::Serverless::Function", "AWS::ApiGateway::RestApi", "AWS::SQS::Queue"])
resources = st.dictionaries(names, st.fixed_dictionaries(
    {"Type": resource_types, "Properties": st.dictionaries(names, cfn_values, max_size=5)}), max_size=4)


def _scan_beside_sentinel(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "sentinel"))
        with open(os.path.join(tmp, "sentinel", "template.yaml"), "w") as handle:
            handle.write(SENTINEL_ROLE)
        for name, text in files.items():
            path = os.path.join(tmp, "generated", name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", errors="surrogateescape") as handle:
                handle.write(text)
        report = scan([tmp], Config())
        sentinel = [f for f in report.findings if f.rule_id == "IAM001" and "sentinel" in f.location.file]
        assert sentinel, "a generated file hid the sentinel's finding"
        assert not [f for f in report.findings if "internal error" in f.message]


@SETTINGS
@given(resources, st.sampled_from(["", "Transform: AWS::Serverless-2016-10-31\n"]))
def test_cloudformation_and_sam_json(body, transform):
    text = json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": body})
    if transform:
        text = json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31",
                           "Resources": body})
    _scan_beside_sentinel({"template.json": text})


@SETTINGS
@given(st.text(st.sampled_from("ab: -[]{}&*!|>'\"#\n  ,?%@`~$"), max_size=400))
def test_yaml_text(noise):
    _scan_beside_sentinel({"template.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n" + noise})


@SETTINGS
@given(st.dictionaries(names, values, max_size=5), st.dictionaries(names, values, max_size=4))
def test_serverless(custom, functions):
    text = json.dumps({"service": "s", "provider": {"name": "aws"}, "custom": custom, "functions": functions})
    _scan_beside_sentinel({"serverless.yml": text})


hcl_atoms = st.sampled_from(['1', '"s"', "true", "null", "[1, 2]", "{a = 1}", "local.x", "var.v", "each.key",
                             "count.index", '"${local.x}"', "99999999999", "local.x * local.x", "-1", "1 / 0",
                             '[for x in {a = 1} : x if x]', 'try(local.x, 1)', 'jsonencode({a = "*"})',
                             'file("${path.module}/.git/config")', 'lookup({}, "a")', "range(100000)",
                             '{for k, v in {a = 1} : v => k}', 'tostring([1])', "element([], 3)"])
hcl_exprs = st.recursive(hcl_atoms, lambda inner: st.one_of(
    st.builds(lambda a, b: f"{a} + {b}", inner, inner), st.builds(lambda a: f"[{a}]", inner),
    st.builds(lambda a, b, c: f"{a} ? {b} : {c}", inner, inner, inner),
    st.builds(lambda a: f"[for i in {a} : i]", inner)), max_leaves=8)


@SETTINGS
@given(hcl_exprs, hcl_exprs, st.booleans())
@example(local_x="1", attribute="1", dynamic=True)  # a dynamic block's for_each that is no collection
def test_terraform(local_x, attribute, dynamic):
    block = f'  dynamic "ingress" {{\n    for_each = {attribute}\n    content {{ from_port = 1 }}\n  }}\n' \
        if dynamic else ""
    text = (f"locals {{\n  x = {local_x}\n}}\n"
            f'resource "aws_security_group" "g" {{\n  name = {attribute}\n{block}}}\n'
            f'resource "aws_iam_role" "r" {{\n  name = {attribute}\n  assume_role_policy = "{{}}"\n}}\n')
    _scan_beside_sentinel({"main.tf": text})

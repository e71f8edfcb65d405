"""`terraform show -json` plans into the same model as HCL, located in the plan file."""

import json
import os

from conftest import REPO

from iac_lint import scan
from iac_lint.config import Config
from iac_lint.model import Bucket, Function, Queue, Role
from iac_lint.parsers import parse_document

PLAN = os.path.join(REPO, "tests", "fixtures", "terraform", "plan", "plan.json")


def line_of(needle):
    with open(PLAN, encoding="utf-8") as handle:
        return next(i for i, text in enumerate(handle.read().splitlines(), start=1) if needle in text)


def parse():
    with open(PLAN, encoding="utf-8") as handle:
        return parse_document(PLAN, handle.read())


def test_plan_is_classified_and_expanded_instances_are_separate_entities():
    tpl = parse()
    assert tpl.format == "terraform-plan" and not tpl.problems
    buckets = {b.id: b for b in tpl.of(Bucket)}
    assert set(buckets) == {"aws_s3_bucket.logs[0]", "aws_s3_bucket.logs[1]"}
    assert buckets["aws_s3_bucket.logs[0]"].loc.line == line_of('"address": "aws_s3_bucket.logs[0]"') - 1


def test_split_resources_link_by_value_or_by_configuration_reference():
    buckets = {b.id: b for b in parse().of(Bucket)}
    # The access block's bucket is unknown at plan time: the configuration's reference (same index) links it.
    block = buckets["aws_s3_bucket.logs[0]"].public_access_block
    assert block is not None and block.restrict_public_buckets is False
    assert block.locs["restrict_public_buckets"].line == line_of('"restrict_public_buckets": false')
    assert buckets["aws_s3_bucket.logs[1]"].public_access_block is None
    # The ACL names its bucket by value.
    assert buckets["aws_s3_bucket.logs[1]"].acl == "public-read"
    assert buckets["aws_s3_bucket.logs[1]"].where("acl").line == line_of('"acl": "public-read"')


def test_role_policy_from_a_data_source_read_during_planning():
    tpl = parse()
    role = next(tpl.of(Role))
    assert role.assume_principals == ["Service:lambda.amazonaws.com"]
    (stmt,) = role.effective_statements
    assert stmt.actions == ["sqs:*"] and stmt.where("actions.0").line == line_of('"actions": ["sqs:*"]')
    fn = next(tpl.of(Function))
    assert fn.role is role and fn.tracing == "PassThrough" and fn.reserved_concurrency is None
    queue = next(tpl.of(Queue))
    assert queue.explicit_disabled and queue.where("encryption").line == line_of('"sqs_managed_sse_enabled": false')


def test_rules_run_on_plans_through_the_public_api():
    report = scan([PLAN], Config())
    found = {(f.rule_id, f.location.line) for f in report.findings}
    assert ("IAM001", line_of('"actions": ["sqs:*"]')) in found
    assert ("PUB001", line_of('"acl": "public-read"')) in found
    assert ("ENC002", line_of('"sqs_managed_sse_enabled": false')) in found


def test_minified_plan_keeps_columns_and_a_non_object_is_a_located_error(tmp_path):
    with open(PLAN, encoding="utf-8") as handle:
        data = json.load(handle)
    path = tmp_path / "plan.json"
    text = json.dumps(data, separators=(",", ":"))
    path.write_text(text)
    tpl = parse_document(str(path), text)
    acl = {b.id: b for b in tpl.of(Bucket)}["aws_s3_bucket.logs[1]"].where("acl")
    assert acl.line == 1 and text[acl.column - 1:].startswith('"public-read"')
    bad = tmp_path / "bad.json"
    bad.write_text('{"planned_values": [1, 2]}')
    tpl = parse_document(str(bad), bad.read_text())
    assert tpl is not None and not tpl.entities

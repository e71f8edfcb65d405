"""Suppressions end to end: comments (YAML and HCL), Metadata, expiry, and the checks on suppressions."""

from __future__ import annotations

from datetime import date

import pytest
from gate_support import GATE, GATE_CONFIG, cli, copy_fixture

from iac_lint.config import Config


def by_rule(findings: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in findings:
        out.setdefault(f["rule_id"], []).append(f)
    return out


@pytest.fixture
def suppressed(tmp_path):
    copy_fixture("suppressed.yaml", str(tmp_path))
    run = cli("scan", "suppressed.yaml", "--format", "json", cwd=str(tmp_path))
    return by_rule(run.findings())


def test_comment_above_the_resource_header_covers_the_whole_resource(suppressed):
    pub002 = suppressed["PUB002"][0]
    assert pub002["suppressed"] and pub002["suppression_reason"] == "served through CloudFront with OAC only"
    # The same resource's other finding is not named by the comment, so it stays.
    assert not suppressed["ENC001"][0]["suppressed"]


def test_comment_on_the_line_above_with_a_future_expiry_still_works(suppressed):
    iam001 = suppressed["IAM001"][0]
    assert iam001["line"] == 22
    assert iam001["suppressed"] and iam001["suppression_reason"] == "migration to scoped actions, ticket OPS-7"


def test_cloudformation_metadata_suppresses_for_the_resource(suppressed):
    iam002 = suppressed["IAM002"][0]
    assert iam002["suppressed"]
    assert iam002["suppression_reason"] == "the deploy role manages every bucket of the account"


def test_trailing_comment_without_reason_suppresses_but_is_reported(suppressed):
    assert suppressed["ENC002"][0]["suppressed"]
    s001 = suppressed["S001"]
    assert [(f["line"], f["severity"], f["suppressed"]) for f in s001] == [(27, "info", False)]
    assert "ENC002" in s001[0]["message"]


def test_expired_suppression_stops_working_and_says_so(tmp_path):
    copy_fixture("expired.yaml", str(tmp_path))
    run = cli("scan", "expired.yaml", "--format", "json", "--fail-on", "medium", cwd=str(tmp_path))
    assert run.code == 1
    found = by_rule(run.findings())
    assert not found["ENC002"][0]["suppressed"]
    s004 = found["S004"][0]
    assert (s004["line"], s004["severity"]) == (6, "info")
    assert "expired on 2021-06-30" in s004["message"]
    assert "S002" not in found  # an expired suppression is not also "unused"


def test_expiry_uses_the_injected_date(tmp_path):
    from iac_lint.api import scan
    from iac_lint.config import Config

    path = copy_fixture("expired.yaml", str(tmp_path))
    before = scan([path], Config(today=date(2021, 6, 30)))  # the last day it holds
    assert [f.rule_id for f in before.findings if not f.suppressed] == []
    after = scan([path], Config(today=date(2021, 7, 1)))
    assert sorted(f.rule_id for f in after.findings if not f.suppressed) == ["ENC002", "S004"]


def test_hcl_comments_on_the_line_and_above_the_block(tmp_path):
    copy_fixture("main.tf", str(tmp_path), "tf/main.tf")
    run = cli("scan", "tf", "--format", "json", cwd=str(tmp_path))
    queues = {f["resource"]: f for f in run.findings() if f["rule_id"] == "ENC002"}
    assert queues["aws_sqs_queue.events"]["suppressed"]
    assert queues["aws_sqs_queue.events"]["suppression_reason"] == "events are public announcements"
    assert queues["aws_sqs_queue.replay"]["suppressed"]  # header comment: the whole block
    assert not queues["aws_sqs_queue.orders"]["suppressed"]


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


QUEUE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
{comment}
      SqsManagedSseEnabled: false
"""


def test_unused_suppression_is_reported_at_the_comment(tmp_path):
    write(tmp_path, "q.yaml", QUEUE.format(comment="      # iac-lint: ignore ENC002,IAM001 -- both, just in case"))
    found = by_rule(cli("scan", "q.yaml", "--format", "json", cwd=str(tmp_path)).findings())
    assert found["ENC002"][0]["suppressed"]
    assert [(f["line"], f["message"]) for f in found["S002"]] == [
        (6, "suppression of IAM001 matches no finding; remove it")]


def test_suppression_of_a_rule_that_did_not_run_is_not_called_unused(tmp_path):
    write(tmp_path, "q.yaml", QUEUE.format(comment="      # iac-lint: ignore IAM001 -- a role used to live here"))
    found = by_rule(cli("scan", "q.yaml", "--format", "json", "--select", "ENC", cwd=str(tmp_path)).findings())
    assert "S002" not in found


def test_stacked_comments_above_a_line_all_apply(tmp_path):
    comment = "      # iac-lint: ignore PUB001 -- unrelated\n      # iac-lint: ignore ENC002 -- dev only"
    write(tmp_path, "q.yaml", QUEUE.format(comment=comment))
    found = by_rule(cli("scan", "q.yaml", "--format", "json", cwd=str(tmp_path)).findings())
    assert found["ENC002"][0]["suppressed"]
    assert [f["message"] for f in found["S002"]] == ["suppression of PUB001 matches no finding; remove it"]


def test_comment_two_lines_above_with_code_between_does_not_apply(tmp_path):
    text = QUEUE.format(comment="      # iac-lint: ignore ENC002 -- too far away\n      DelaySeconds: 5")
    write(tmp_path, "q.yaml", text)
    found = by_rule(cli("scan", "q.yaml", "--format", "json", cwd=str(tmp_path)).findings())
    assert not found["ENC002"][0]["suppressed"]
    assert len(found["S002"]) == 1


def test_malformed_comment_and_bad_date_are_reported_and_do_not_suppress(tmp_path):
    comment = "      # iac-lint: ignore ENC002 until 2026-02-30 -- not a real day"
    write(tmp_path, "q.yaml", QUEUE.format(comment=comment) + "# iac-lint: disable-all\n")
    found = by_rule(cli("scan", "q.yaml", "--format", "json", cwd=str(tmp_path)).findings())
    assert not found["ENC002"][0]["suppressed"]
    assert sorted(f["line"] for f in found["S005"]) == [6, 8]


def test_config_refuses_inline_suppression_of_chosen_rules(tmp_path):
    copy_fixture("suppressed.yaml", str(tmp_path))
    write(tmp_path, ".iac-lint.yaml", GATE_CONFIG + "no_inline_suppress: [IAM001, public-access]\n")
    run = cli("scan", "suppressed.yaml", "--format", "json", cwd=str(tmp_path))
    found = by_rule(run.findings())
    assert not found["IAM001"][0]["suppressed"] and not found["PUB002"][0]["suppressed"]
    assert found["IAM002"][0]["suppressed"]  # not named by the configuration
    refused = {(f["line"], f["message"].split()[0]) for f in found["S003"]}
    assert refused == {(21, "IAM001"), (3, "PUB002")}
    assert ".iac-lint.yaml" in found["S003"][0]["message"]
    assert run.code == 1


def test_config_refusal_also_covers_metadata(tmp_path):
    copy_fixture("suppressed.yaml", str(tmp_path))
    write(tmp_path, ".iac-lint.yaml", "no_inline_suppress: [IAM002]\n")
    found = by_rule(cli("scan", "suppressed.yaml", "--format", "json", cwd=str(tmp_path)).findings())
    assert not found["IAM002"][0]["suppressed"]
    assert found["S003"][0]["resource"] == "DeployRole"


def test_metadata_until_expires_too(tmp_path):
    text = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Metadata:
      iac-lint:
        ignore:
          - {id: ENC002, reason: legacy consumers, until: 2020-01-31}
    Properties:
      SqsManagedSseEnabled: false
"""
    write(tmp_path, "q.yaml", text)
    found = by_rule(cli("scan", "q.yaml", "--format", "json", cwd=str(tmp_path)).findings())
    assert not found["ENC002"][0]["suppressed"]
    assert "expired on 2020-01-31" in found["S004"][0]["message"]


def test_metadata_without_reason_is_reported(tmp_path):
    text = QUEUE.format(comment="").replace(
        "    Properties:", "    Metadata:\n      iac-lint:\n        ignore: [{id: ENC002}]\n    Properties:")
    write(tmp_path, "q.yaml", text)
    found = by_rule(cli("scan", "q.yaml", "--format", "json", cwd=str(tmp_path)).findings())
    assert found["ENC002"][0]["suppressed"]
    assert found["S001"][0]["resource"] == "Queue"


def test_suppressions_apply_to_unsaved_buffers_too():
    from iac_lint.api import lint_text

    with open(f"{GATE}/suppressed.yaml", encoding="utf-8") as handle:
        text = handle.read()
    advice = Config(profile="strict", rule_options={"PUB002": {"require_block": True}})
    findings = lint_text("buffer.yaml", text, advice)
    assert {f.rule_id for f in findings if f.suppressed} == {"PUB002", "IAM001", "IAM002", "ENC002"}


def test_suppressed_findings_do_not_fail_the_build(tmp_path):
    write(tmp_path, "q.yaml", QUEUE.format(comment="      # iac-lint: ignore ENC002 -- dev only"))
    run = cli("scan", "q.yaml", cwd=str(tmp_path))
    assert run.code == 0
    assert run.stdout.rstrip().endswith("0 findings, 1 suppressed in 1 file, 1 resource.\nno findings \u2192 exit 0")


def test_comment_above_a_list_item_covers_the_whole_item(tmp_path):
    text = """service: orders
provider:
  name: aws
  runtime: python3.12
  iam:
    role:
      statements:
        # iac-lint: ignore IAM001 -- the admin tooling needs every DynamoDB action
        - Effect: Allow
          Action: "dynamodb:*"
          Resource: "*"
        - Effect: Allow
          Action: "sqs:*"
          Resource: "*"
functions:
  hook:
    handler: h.main
"""
    write(tmp_path, "serverless.yml", text)
    found = by_rule(cli("scan", ".", "--format", "json", cwd=str(tmp_path)).findings())
    state = {f["message"].split("'")[1]: f["suppressed"] for f in found["IAM001"]}
    assert state == {"dynamodb:*": True, "sqs:*": False}
    assert "S002" not in found


def test_comment_above_a_top_level_section_suppresses_nothing(tmp_path):
    text = QUEUE.format(comment="").replace("Resources:", "# iac-lint: ignore ENC002 -- everything\nResources:")
    write(tmp_path, "q.yaml", text)
    found = by_rule(cli("scan", "q.yaml", "--format", "json", cwd=str(tmp_path)).findings())
    assert not found["ENC002"][0]["suppressed"]
    assert len(found["S002"]) == 1

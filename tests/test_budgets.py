"""Bounded work and memory for every input (issue 11, item 4): a few kilobytes never take the scan down.

The costly inputs run in a child process under a time limit and an address-space limit, as CI would meet
them; a budget that cuts a value short says so with a located E005.
"""

import json
import os
import re
import time

import pytest
from test_untrusted_files import WILDCARD_ROLE, run_cli

from iac_lint import scan
from iac_lint.config import Config

GIB = 1 << 30


def findings_of(result):
    assert result.returncode in (0, 1), result.stderr.decode(errors="replace")[-2000:]
    return json.loads(result.stdout)["findings"]


def test_a_multiplication_chain_is_cut_short(tmp_path):
    lines = ["locals {", "  a0 = 99999999999"]
    lines += [f"  a{i} = local.a{i - 1} * local.a{i - 1}" for i in range(1, 25)]
    lines += ["}", 'resource "aws_s3_bucket" "b" {', '  bucket = "x${local.a24}"', "}"]
    (tmp_path / "main.tf").write_text("\n".join(lines) + "\n")
    started = time.monotonic()
    findings = findings_of(run_cli("scan", str(tmp_path), "--extend-select", "ENC001", "-f", "json", timeout=30,
                                   memory=GIB))
    assert time.monotonic() - started < 20
    assert [f["line"] for f in findings if f["rule_id"] == "E005"] == [7]  # a5: where the width ran over 1024 bits
    assert "ENC001" in {f["rule_id"] for f in findings}  # the bucket is still analysed


def test_nested_dynamic_blocks_are_cut_short(tmp_path):
    depth = 40
    body = 'resource "aws_security_group" "g" {\n'
    body += "".join(f'dynamic "d{i}" {{\n  for_each = [1, 2]\n  content {{\n' for i in range(depth))
    body += "    x = 1\n" + "}\n}\n" * depth + "}\n"
    (tmp_path / "main.tf").write_text(body)
    findings = findings_of(run_cli("scan", str(tmp_path), "-f", "json", timeout=30, memory=GIB))
    budget = [f for f in findings if f["rule_id"] == "E005"]
    assert budget and all("dynamic" in f["message"] for f in budget)


def test_aliases_are_counted_by_bytes(tmp_path):
    big = "x" * 100_000
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", f"Description: &d {big}", "Resources:", "  B:",
             "    Type: AWS::S3::Bucket", "    Metadata:", "      Notes:"] + ["        - *d"] * 20_000
    (tmp_path / "template.yaml").write_text("\n".join(lines) + "\n")
    (tmp_path / "other.yaml").write_text(WILDCARD_ROLE)
    findings = findings_of(run_cli("scan", str(tmp_path), "-f", "json", timeout=30, memory=GIB))
    bomb = [f for f in findings if f["file"].endswith("template.yaml")]
    assert [f["rule_id"] for f in bomb] == ["E001"] and "bytes" in bomb[0]["message"]
    assert "IAM001" in {f["rule_id"] for f in findings}


def test_fn_sub_scanning_is_linear():
    from iac_lint.parsers.cloudformation import intrinsics

    started = time.monotonic()
    intrinsics._SUB_VAR.findall("${" * 200_000)
    assert time.monotonic() - started < 1


def test_config_detection_is_linear(tmp_path):
    from iac_lint.config import _has_tool_table

    (tmp_path / "pyproject.toml").write_text("\n" * 200_000 + "x")
    started = time.monotonic()
    assert not _has_tool_table(str(tmp_path / "pyproject.toml"))
    assert time.monotonic() - started < 1


def test_ids_and_messages_are_truncated_in_reports(tmp_path):
    from iac_lint.model.budgets import MAX_REPORTED_ID, MAX_REPORTED_MESSAGE

    long_id = "Role" + "X" * 5000
    (tmp_path / "template.yaml").write_text(WILDCARD_ROLE.replace("  Role:\n", f"  {long_id}:\n"))
    report = scan([str(tmp_path)], Config(jobs=1))
    assert report.findings
    assert all(len(f.resource) <= MAX_REPORTED_ID and len(f.message) <= MAX_REPORTED_MESSAGE
               for f in report.findings)


def test_sarif_and_gitlab_cap_findings_per_file(tmp_path):
    from iac_lint.model.budgets import MAX_FINDINGS_PER_FILE

    roles = ["AWSTemplateFormatVersion: '2010-09-09'", "Resources:"]
    body = WILDCARD_ROLE.split("Resources:\n", 1)[1]
    for i in range(MAX_FINDINGS_PER_FILE + 20):  # one finding each: '*' on '*' is one IAM001
        roles.append(body.replace("  Role:", f"  Role{i}:").rstrip("\n"))
    (tmp_path / "template.yaml").write_text("\n".join(roles) + "\n")
    sarif = json.loads(run_cli("scan", str(tmp_path), "-f", "sarif", timeout=120).stdout)
    results = sarif["runs"][0]["results"]
    assert len(results) == MAX_FINDINGS_PER_FILE + 1
    assert results[-1]["ruleId"] == "E005" and re.search(r"\d+ more findings", results[-1]["message"]["text"])
    gitlab = json.loads(run_cli("scan", str(tmp_path), "-f", "gitlab", timeout=120).stdout)
    assert len(gitlab) == MAX_FINDINGS_PER_FILE + 1


def test_a_unit_past_its_deadline_is_given_up_with_a_located_finding(tmp_path, monkeypatch):
    from iac_lint import lint_units

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "template.yaml").write_text(WILDCARD_ROLE)
    (tmp_path / "b" / "template.yaml").write_text(WILDCARD_ROLE)
    real = lint_units.parse_unit

    def slow_for_a(unit, options):
        if os.sep + "a" + os.sep in unit.path:
            time.sleep(5)
        return real(unit, options)

    monkeypatch.setattr(lint_units, "parse_unit", slow_for_a)
    monkeypatch.setattr(lint_units, "UNIT_HARD_DEADLINE_SECONDS", 0.5)
    started = time.monotonic()
    report = scan([str(tmp_path)], Config())
    assert time.monotonic() - started < 4
    by_file = {(os.path.basename(os.path.dirname(f.location.file)), f.rule_id) for f in report.findings}
    assert ("a", "E005") in by_file and ("b", "IAM001") in by_file


@pytest.mark.parametrize("fail_on", ["critical", "high", "low"])
def test_budget_findings_fail_the_gate(tmp_path, fail_on):
    lines = ["locals {", "  a0 = 99999999999"] + [f"  a{i} = local.a{i - 1} * local.a{i - 1}" for i in range(1, 8)]
    lines += ["}", 'resource "aws_sqs_queue" "q" {', "  name = local.a7", "}"]
    (tmp_path / "main.tf").write_text("\n".join(lines) + "\n")
    assert run_cli("scan", str(tmp_path), "--fail-on", fail_on, timeout=30).returncode == 1


def test_cloudformation_parameter_defaults_cannot_multiply_resolution(tmp_path):
    params = {f"P{i}": {"Type": "String", "Default": {"Fn::Sub": f"${{P{i + 1}}}${{P{i + 1}}}"}} for i in range(30)}
    params["P30"] = {"Type": "String", "Default": "x" * 1000}
    mappings = {"M": {"a": {"b": {"Fn::Sub": "${P0}"}}}}
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Parameters": params, "Mappings": mappings,
                "Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {
                    "BucketName": {"Fn::Sub": "${P0}-" + "${P30}" * 20_000},
                    "Tags": [{"Key": "k", "Value": {"Fn::FindInMap": ["M", "a", "b"]}}]}}}}
    (tmp_path / "template.json").write_text(json.dumps(template))
    (tmp_path / "role.yaml").write_text(WILDCARD_ROLE)
    started = time.monotonic()
    findings = findings_of(run_cli("scan", str(tmp_path), "-f", "json", timeout=30, memory=GIB))
    assert time.monotonic() - started < 20
    assert "IAM001" in {f["rule_id"] for f in findings}


def test_a_repository_rule_query_is_held_to_a_budget(tmp_path):
    rules = tmp_path / "rules" / "least-privilege"
    rules.mkdir(parents=True)
    blowup = "[" + ", ".join(["@"] * 4) + "]"
    (rules / "ORG001-blowup.yaml").write_text(
        "id: ORG001\nname: blowup\nseverity: low\ncategory: least-privilege\ntitle: t\napplies_to: role\n"
        f"when: \"length(to_string(@{('.' + blowup) * 24})) > `0`\"\nmessage: m\n"
        "docs: {what: x, why: x, example: x, fix: x, references: []}\n")
    (tmp_path / ".iac-lint.yaml").write_text("policies: [rules/]\n")
    (tmp_path / "template.yaml").write_text(WILDCARD_ROLE)
    result = run_cli("scan", ".", cwd=tmp_path, timeout=60, memory=GIB)
    assert result.returncode == 2 and b"budget" in result.stderr, result.stderr[-2000:]

"""Malformed, hostile and huge input: a located finding, never a traceback or a hang."""

import json
import os

import pytest

from iac_lint import scan
from iac_lint.config import Config


def problems(path, rule="E001"):
    report = scan([str(path)], Config())
    return [(f.rule_id, f.location.line, f.message) for f in report.findings if f.rule_id == rule], report


@pytest.mark.parametrize("text,line,fragment", [
    ("AWSTemplateFormatVersion: '2010-09-09'\nResources: [1, 2]\n", 2, "Resources must be a mapping"),
    ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Properties: {}\n", 3, "has no Type"),
    ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"
     "    Properties:\n      - a\n", 6, "Properties of B must be a mapping"),
    ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B: just-a-string\n", 3, "must be a mapping"),
    ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: [AWS::S3::Bucket]\n", 3, "has no Type"),
])
def test_structural_errors_are_located(tmp_path, text, line, fragment):
    path = tmp_path / "template.yaml"
    path.write_text(text)
    found, _ = problems(path)
    assert [(at, fragment in m) for _, at, m in found] == [(line, True)]


def test_template_that_is_not_a_mapping_but_looks_like_one_is_skipped_or_located(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text("- AWSTemplateFormatVersion\n- Resources\n")
    found, _report = problems(path)
    assert found == []  # a list is not a template: skipped silently, like any other YAML


def test_non_utf8_bytes_are_located(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_bytes(b"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::\xff\xfeBucket\n")
    found, _ = problems(path)
    assert len(found) == 1
    assert found[0][1] == 4 and "UTF-8" in found[0][2]


def test_alias_bomb_fails_fast(tmp_path):
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "a: &a [x, x, x, x, x, x, x, x, x]"]
    prev = "a"
    for name in "bcdefghij":
        lines.append(f"{name}: &{name} [" + ", ".join(f"*{prev}" for _ in range(9)) + "]")
        prev = name
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    found, _ = problems(path)
    assert len(found) == 1 and "aliases expand" in found[0][2]


def test_deep_nesting_fails_fast(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: " + "[" * 50000 + "\n")
    found, _ = problems(path)
    assert len(found) == 1 and "nesting deeper" in found[0][2]


def test_deep_json_nesting_in_a_json_template(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": ' + '{"a": ' * 3000 + "1" + "}" * 3001)
    found, _ = problems(path)
    assert len(found) == 1 and "nesting deeper" in found[0][2]


def test_fifty_thousand_line_template_is_scanned_with_exact_lines(tmp_path):
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Resources:"]
    for i in range(12500):
        lines += [f"  Queue{i}:", "    Type: AWS::SQS::Queue", "    Properties:", f"      QueueName: q{i}"]
    lines += ["  Last:", "    Type: AWS::SQS::Queue", "    Properties:", "      SqsManagedSseEnabled: false"]
    path = tmp_path / "huge.yaml"
    path.write_text("\n".join(lines) + "\n")
    report = scan([str(path)], Config(select=["ENC002"]))
    assert [(f.rule_id, f.location.line) for f in report.findings] == [("ENC002", 50006)]
    assert report.resources == 12501


def test_one_bad_file_does_not_hide_the_others(tmp_path):
    (tmp_path / "a.yaml").write_bytes(b"AWSTemplateFormatVersion: x\nResources: {\n")
    (tmp_path / "b.json").write_text(json.dumps(
        {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"SqsManagedSseEnabled": False}}}}, indent=1))
    report = scan([str(tmp_path)], Config())
    got = {(os.path.basename(f.location.file), f.rule_id) for f in report.findings}
    assert ("a.yaml", "E001") in got and ("b.json", "ENC002") in got


def test_json_template_with_tabs_still_parses(tmp_path):
    path = tmp_path / "tabs.json"
    path.write_text('{\n\t"Resources": {\n\t\t"Q": {\n\t\t\t"Type": "AWS::SQS::Queue",\n'
                    '\t\t\t"Properties": {"SqsManagedSseEnabled": false}\n\t\t}\n\t}\n}\n')
    report = scan([str(path)], Config(select=["ENC002"]))
    assert [f.rule_id for f in report.findings] == ["ENC002"]


def test_unknown_intrinsics_and_odd_values_do_not_crash(tmp_path):
    path = tmp_path / "odd.yaml"
    path.write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  P: {Type: String}\nResources:\n"
        "  R:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies:\n        - PolicyName: x\n"
        "          PolicyDocument: !If [Cond, {Statement: []}, !Ref AWS::NoValue]\n        - 42\n"
        "      ManagedPolicyArns: !Split [',', !Ref P]\n"
        "  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !GetAtt [R, Arn]\n"
        "      Environment: {Variables: !Ref P}\n      ReservedConcurrentExecutions: !Ref P\n"
        "  U:\n    Type: AWS::Lambda::Url\n    Properties: {TargetFunctionArn: !Ref F, AuthType: !Ref P}\n"
        "  Q:\n    Type: AWS::SQS::Queue\n    Properties: {SqsManagedSseEnabled: !Ref P}\n"
        "  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      Subscription: [1, {Endpoint: !GetAtt F.Arn}]\n"
    )
    report = scan([str(path)], Config())
    assert not [f for f in report.findings if f.rule_id.startswith("E00")]
    # AuthType is an unresolved parameter: neither flagged as NONE nor assumed safe.
    assert "PUB005" not in {f.rule_id for f in report.findings}

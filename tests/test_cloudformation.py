"""CloudFormation, SAM and serverless parsing: odd shapes never crash a scan.

The mutation test takes real templates (the rule cases), replaces a few random
values with shapes the parsers may not expect (lists where maps are, ints and
nulls where strings are, intrinsic functions everywhere) and checks that the
scan still finishes without an internal error (``E001 internal error``) and
without a rule failing (``E004``). Seeds are fixed, so a failure reproduces.
"""

import copy
import json
import os
import random

import pytest

from iac_lint import scan
from iac_lint.config import Config
from iac_lint.model import plain
from iac_lint.parsers.yaml_loader import load_text

POLICIES = os.path.join(os.path.dirname(__file__), os.pardir, "policies")

SEEDS = [
    ("least-privilege/IAM001/cfn-conditional-and-json-wildcards.yaml", "template.json"),
    ("least-privilege/IAM001/sam-wildcards.yaml", "template.json"),
    ("least-privilege/IAM002/sam-template-scoped.yaml", "template.json"),
    ("public-access/PUB006/sam-explicit-api-authorized.yaml", "template.json"),
    ("throttling/THR003/cfn-public-paths.yaml", "template.json"),
    ("throttling/THR003/sam-public-paths.yaml", "template.json"),
    ("throttling/THR001/sam-usage-plan-on-generated-stage.yaml", "template.json"),
    ("throttling/THR003/cfn-websocket-connect-authorizer.yaml", "template.json"),
    ("encryption/ENC001/cfn-explicit-encryption.yaml", "template.json"),
    ("least-privilege/IAM001/sls-wildcards.yml", "serverless.yml"),
    ("throttling/THR003/sls-public-unthrottled.yml", "serverless.yml"),
    ("throttling/THR001/sls-throttling-plugin.yml", "serverless.yml"),
]


def _odd_values(original):
    return [
        [], [1, None], 0, 7, True, None, "", "*", {}, [[["deep"]]], {"a": [1, {"b": None}]},
        {"Ref": "Missing"}, {"Ref": ["not", "a", "name"]}, {"Ref": "AWS::NoValue"},
        {"Fn::If": ["Cond", original, {"Ref": "AWS::NoValue"}]}, {"Fn::If": "not-a-list"},
        {"Fn::GetAtt": ["Missing", "Arn"]}, {"Fn::GetAtt": 3}, {"Fn::Sub": ["${x}", {"x": {"Ref": "Y"}}]},
        {"Fn::Sub": 3}, {"Fn::Join": 5}, {"Fn::Join": ["", [1, {"Ref": "Z"}]]}, {"Fn::Select": ["a", 1]},
        {"Fn::FindInMap": [1]}, {"Fn::Split": [",", "a,b"]}, {"Fn::ImportValue": "x"},
        "${self:custom.missing}", "${file(./missing.yml)}", "${opt:nothing}", "${ssm:/a/b}",
        "${self:}", "${", "arn:aws:iam::aws:policy/AdministratorAccess",
    ]


def _slots(node, path=()):
    """Every (container, key) that holds a value, depth first."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield node, key
            yield from _slots(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield node, i
            yield from _slots(value, path + (i,))


def _mutants(data, rng, count):
    for _ in range(count):
        mutant = copy.deepcopy(data)
        slots = list(_slots(mutant))
        for container, key in rng.sample(slots, min(len(slots), rng.randint(1, 4))):
            try:
                original = container[key]
            except (KeyError, IndexError, TypeError):
                continue  # an earlier replacement removed it
            container[key] = copy.deepcopy(rng.choice(_odd_values(original)))
        yield mutant


@pytest.mark.parametrize("case,name", SEEDS, ids=[s[0].rsplit("/", 1)[-1] for s in SEEDS])
def test_mutated_templates_never_crash_the_scan(tmp_path, case, name):
    path = os.path.join(POLICIES, case)
    with open(path, encoding="utf-8") as handle:
        data = plain(load_text(handle.read(), path))
    rng = random.Random(case)
    for i, mutant in enumerate(_mutants(data, rng, 60)):
        folder = tmp_path / f"m{i:03d}"
        folder.mkdir()
        (folder / name).write_text(json.dumps(mutant, indent=1))
    report = scan([str(tmp_path)], Config())
    broken = [(f.rule_id, f.location.file, f.message) for f in report.findings
              if f.rule_id == "E004" or (f.rule_id == "E001" and "internal error" in f.message)]
    assert broken == []


def _scan_text(tmp_path, text, name="template.yaml", select=None):
    (tmp_path / name).write_text(text)
    return scan([str(tmp_path)], Config(select=select) if select else Config()).findings


def test_conditional_default_encryption_is_unknown_not_a_crash(tmp_path):
    findings = _scan_text(tmp_path, """\
AWSTemplateFormatVersion: "2010-09-09"
Conditions:
  UseKms: !Equals [!Ref "AWS::Region", eu-west-1]
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: !If
              - UseKms
              - {SSEAlgorithm: "aws:kms", KMSMasterKeyID: alias/data}
              - {SSEAlgorithm: AES256}
""")
    assert [(f.rule_id, f.message) for f in findings if f.rule_id in ("E001", "ENC001")] == []

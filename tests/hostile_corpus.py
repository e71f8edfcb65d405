"""A hostile repository, written by code: what a pull request author could commit to take the gate down.

``write_corpus(root)`` lays out one case per directory, each a way to break, blind or leak through the
scan (issue 11), plus a ``sentinel`` directory whose finding must survive all of them.  Generated, not
checked in: sparse files, FIFOs and byte names do not survive a git checkout, and nothing here needs
the network or a copy of another tool's samples.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

SENTINEL_ROLE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  SentinelRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: "*"
                Resource: "*"
"""
CFN_HEAD = "AWSTemplateFormatVersion: '2010-09-09'\n"
SECRET = "ghs_hostilecorpusSECRET0123456789"


def _write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)


def _yaml_cases(root: Path) -> None:
    lines = [CFN_HEAD.rstrip(), "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    _write(root / "alias-nodes" / "template.yaml", "\n".join(lines) + "\nResources: {}\n")
    big = "y" * 200_000
    _write(root / "alias-bytes" / "template.yaml",
           CFN_HEAD + f"Description: &d {big}\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Metadata:\n"
           + "      n:\n" + "        - *d\n" * 10_000)
    _write(root / "deep-flow" / "template.json", '{"AWSTemplateFormatVersion": "2010-09-09", "x": '
           + "[" * 50_000 + "]" * 50_000 + "}")
    _write(root / "deep-block" / "template.yaml", CFN_HEAD + "Resources:\n" + "".join(
        "  " * i + f"k{i}:\n" for i in range(1, 400)))
    _write(root / "huge-string" / "template.yaml", CFN_HEAD + "Resources:\n  B:\n    Type: AWS::S3::Bucket\n"
           + "    Properties:\n      BucketName: " + "z" * 5_000_000 + "\n")
    _write(root / "sub-scan" / "template.yaml", CFN_HEAD + "Resources:\n  B:\n    Type: AWS::S3::Bucket\n"
           + "    Properties:\n      BucketName: !Sub '" + "${" * 300_000 + "'\n")
    _write(root / "broken-yaml" / "template.yaml", CFN_HEAD + "Resources: [1\n")
    _write(root / "control-ids" / "template.yaml", SENTINEL_ROLE.replace(
        "  SentinelRole:", '  "Evil\\n::stop-commands::x\\u001b[2J":'))


def _terraform_cases(root: Path) -> None:
    chain = ["locals {", "  a0 = 99999999999"] + [f"  a{i} = local.a{i - 1} * local.a{i - 1}" for i in range(1, 25)]
    _write(root / "tf-multiply" / "main.tf", "\n".join(chain) + "\n}\n"
           'resource "aws_sqs_queue" "q" {\n  name = "q${local.a24}"\n}\n')
    nested = 'resource "aws_security_group" "g" {\n' + "".join(
        f'dynamic "d{i}" {{\n for_each = [1, 2, 3]\n content {{\n' for i in range(30)) + "x = 1\n" \
        + "}\n}\n" * 30 + "}\n"
    _write(root / "tf-dynamic" / "main.tf", nested)
    _write(root / "tf-evaluator-error" / "main.tf", 'locals {\n  broken = try([for x in {a = 1} : x if x], [])\n}\n'
           'resource "aws_sqs_queue" "q" {\n  name = local.broken\n}\n')
    _write(root / "tf-broken" / "main.tf", 'resource "aws_s3_bucket" {{{\n')
    _write(root / "tf-git-include" / "main.tf", 'resource "aws_sqs_queue" "q" {\n'
           '  name = file("${path.module}/.git/config")\n}\n')
    _write(root / "tf-git-include" / ".git" / "config", f"[http]\n\textraheader = basic {SECRET}\n")


def _serverless_cases(root: Path) -> None:
    _write(root / "sls-cycle" / "serverless.yml", "service: s\nprovider:\n  name: aws\n"
           "custom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\n")
    fan = "service: s\nprovider:\n  name: aws\ncustom:\n  v0: " + "x" * 1000 + "\n" + "".join(
        f"  v{i}: ${{self:custom.v{i - 1}}}${{self:custom.v{i - 1}}}\n" for i in range(1, 40))
    _write(root / "sls-fanout" / "serverless.yml", fan)
    _write(root / "sls-git-include" / "serverless.yml", "service: s\nprovider:\n  name: aws\n"
           "functions:\n  ${file(./.git/config)}:\n    handler: h.main\n")
    _write(root / "sls-git-include" / ".git" / "config", f"[http]\n\textraheader = basic {SECRET}\n")


def _file_system_cases(root: Path, outside: Path) -> None:
    _write(outside / "secret.yaml", SENTINEL_ROLE.replace("SentinelRole", "OutsideRole"))
    (root / "symlink-out").mkdir(parents=True)
    os.symlink(outside / "secret.yaml", root / "symlink-out" / "template.yaml")
    (root / "fifo").mkdir()
    os.mkfifo(root / "fifo" / "template.yaml")
    os.mkfifo(root / "fifo" / "zz.tf")
    (root / "sparse").mkdir()
    with open(root / "sparse" / "template.yaml", "wb") as handle:
        handle.write(CFN_HEAD.encode())
        handle.truncate(1 << 30)
    byte_dir = os.path.join(os.fsencode(root), b"byte-name")
    os.makedirs(byte_dir)
    with open(os.path.join(byte_dir, b"t\xff\xfe.yaml"), "w") as handle:
        handle.write(SENTINEL_ROLE.replace("SentinelRole", "ByteNameRole"))
    _write(root / "monorepo" / "package-lock.json", json.dumps({"lockfileVersion": 3, "packages": {
        f"node_modules/p{i}": {"version": "1.0.0", "Resources": {"B": {"Type": "AWS::S3::Bucket"}}}
        for i in range(2000)}}))
    _write(root / "suppression-in-string" / "template.yaml", SENTINEL_ROLE.replace(
        '              - Effect: Allow\n                Action: "*"\n                Resource: "*"\n',
        '              - {Effect: Allow, Action: "*", Resource: "*", Sid: "x # iac-lint: ignore IAM001 -- x"}\n'
    ).replace("SentinelRole", "StringSuppressedRole"))


def write_corpus(root: Path, outside: Path) -> None:
    """The hostile tree under ``root``; ``outside`` receives what a symlink points out to."""
    _write(root / "sentinel" / "template.yaml", SENTINEL_ROLE)
    _yaml_cases(root)
    _terraform_cases(root)
    _serverless_cases(root)
    _file_system_cases(root, outside)

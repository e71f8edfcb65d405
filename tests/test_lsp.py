"""The language server, driven over stdio the way an editor drives it."""

import os

import pytest
from conftest import REPO

pytest.importorskip("pygls", reason="the language server needs the lsp extra (pygls)")

from lsp_client import WILDCARD_TEMPLATE, Client


@pytest.fixture
def client(tmp_path):
    c = Client(str(tmp_path))
    yield c
    c.close()


TEMPLATE = WILDCARD_TEMPLATE


def test_diagnostics_follow_the_buffer_not_the_disk(client, tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text("not: a template\n")  # the disk says nothing; the editor's buffer is what counts
    uri = f"file://{path}"
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "yaml", "version": 1, "text": TEMPLATE}})
    found = client.diagnostics(uri)
    wildcard = [d for d in found if d["code"] == "IAM001"]
    assert len(wildcard) == 1
    assert wildcard[0]["range"]["start"] == {"line": 10, "character": 22}  # 0-based: line 11, the "s3:*"
    assert wildcard[0]["severity"] == 1 and wildcard[0]["source"] == "iac-lint"
    assert wildcard[0]["codeDescription"]["href"] == "https://github.com/iac-lint/iac-lint/blob/main/docs/rules/IAM001.md"
    assert os.path.isfile(os.path.join(REPO, "docs", "rules", "IAM001.md"))

    # The user narrows the action: the diagnostic goes away on the next change.
    start = {"line": 10, "character": 22}
    end = {"line": 10, "character": 28}
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"range": {"start": start, "end": end}, "text": '"s3:GetObject"'}]})
    assert [d for d in client.diagnostics(uri) if d["code"] == "IAM001"] == []


def test_broken_buffer_gives_a_located_parse_error(client, tmp_path):
    uri = f"file://{tmp_path / 'template.yaml'}"
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "yaml", "version": 1,
        "text": "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: [\n"}})
    (found,) = client.diagnostics(uri)
    assert found["code"] == "E001" and found["range"]["start"]["line"] == 4
    # A built-in finding links to its page too.
    assert found["codeDescription"]["href"].endswith("/docs/rules/E001.md")


def test_terraform_buffer_is_linted_with_its_module(client, tmp_path):
    (tmp_path / "bucket.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')
    main = tmp_path / "main.tf"
    main.write_text("")
    uri = f"file://{main}"
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "terraform", "version": 1,
        "text": 'resource "aws_s3_bucket_acl" "b" {\n  bucket = aws_s3_bucket.b.id\n  acl    = "public-read"\n}\n'}})
    codes = {(d["code"], d["range"]["start"]["line"]) for d in client.diagnostics(uri)}
    assert ("PUB001", 2) in codes  # the split ACL resource in the buffer, linked to the bucket on disk


WIRED = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: app.handler
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
      Policies:
        - Statement:
            - Effect: Allow
              Action: "sqs:*"
              Resource: "*"
"""


def test_least_privilege_fix_is_a_quick_fix(client, tmp_path):
    uri = f"file://{tmp_path / 'template.yaml'}"
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "yaml", "version": 1, "text": WIRED}})
    (wildcard,) = [d for d in client.diagnostics(uri) if d["code"] == "IAM001"]
    answer = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": wildcard["range"], "context": {"diagnostics": [wildcard]}})
    (action,) = [a for a in answer["result"] if "sqs:ReceiveMessage" in a["title"]]
    assert action["kind"] == "quickfix" and action["isPreferred"]
    texts = [e["newText"] for e in action["edit"]["changes"][uri]]
    assert texts == ["[sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes]", "!GetAtt Jobs.Arn"]

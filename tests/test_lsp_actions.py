"""Quick fixes and hover, end to end: the real server over stdio, its edits applied to the buffer,
the buffer linted again by the same server."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the language server needs the lsp extra (pygls)")

from lsp_client import WILDCARD_TEMPLATE, Client, apply_edits, edits_of, uri_of

SAM_POLICY = WILDCARD_TEMPLATE

BUCKET_BARE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Reports:
    Type: AWS::S3::Bucket
  Other:
    Type: AWS::SNS::Topic
"""

BUCKET_FLAG_OFF = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Reports:
    Type: AWS::S3::Bucket
    Properties:
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: false
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
"""

BUCKET_PARTIAL = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Reports:
    Type: AWS::S3::Bucket
    Properties:
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
"""

SAM_HTTP = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Signup:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Events:
        Post:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Path: /signup
            Method: POST
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: prod
"""

CFN_REST_STAGE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: shop
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref Api
  Prod:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      DeploymentId: !Ref Deployment
      StageName: prod
"""

SLS_URL = """\
service: hooks
provider:
  name: aws
  runtime: python3.12
functions:
  status:
    handler: status.handler
    url: true
"""

TF_BUCKET = """\
resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
}
"""

TF_FLAG_OFF = """\
resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
}

resource "aws_s3_bucket_public_access_block" "reports" {
  bucket                  = aws_s3_bucket.reports.id
  block_public_acls       = true
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = true
}
"""

TF_HTTP_STAGE = """\
resource "aws_apigatewayv2_api" "orders" {
  name          = "orders"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.orders.id
  name        = "$default"
  auto_deploy = true
}
"""

TF_REST_STAGE = """\
resource "aws_api_gateway_rest_api" "shop" {
  name = "shop"
}

resource "aws_api_gateway_deployment" "shop" {
  rest_api_id = aws_api_gateway_rest_api.shop.id
}

resource "aws_api_gateway_stage" "prod" {
  rest_api_id   = aws_api_gateway_rest_api.shop.id
  deployment_id = aws_api_gateway_deployment.shop.id
  stage_name    = "prod"
}
"""

TF_URL = """\
resource "aws_lambda_function" "hook" {
  function_name = "hook"
  role          = "arn:aws:iam::123456789012:role/hook"
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "hook.zip"
}

resource "aws_lambda_function_url" "hook" {
  function_name      = aws_lambda_function.hook.function_name
  authorization_type = "NONE"
}
"""

TF_HEREDOC = """\
resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "deploy" {
  role   = aws_iam_role.deploy.id
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::reports/*"}]
}
EOF
}
"""

JSON_BUCKET = """\
{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Reports": {
      "Type": "AWS::S3::Bucket",
      "Properties": {
        "PublicAccessBlockConfiguration": {
          "BlockPublicAcls": true,
          "BlockPublicPolicy": false,
          "IgnorePublicAcls": true,
          "RestrictPublicBuckets": true
        }
      }
    }
  }
}
"""

JSON_WITH_METADATA = """\
{
  "Resources": {
    "Reports": {
      "Type": "AWS::S3::Bucket",
      "Metadata": {"Owner": "data-team"}
    }
  }
}
"""

_counter = itertools.count()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("workspace")
    # The quick fix that adds a public access block answers the opt-in finding of a bucket without one.
    (root / ".iac-lint.yaml").write_text("rule_options: {PUB002: {require_block: true}}\n")
    return root


@pytest.fixture(scope="module")
def client(workspace: Path):
    c = Client(str(workspace), init_options={"debounceMs": 0})
    yield c
    c.close()


@pytest.fixture(scope="module")
def snippet_client(workspace: Path):
    capabilities = {"workspace": {"workspaceEdit": {"documentChanges": True, "snippetEditSupport": True}}}
    c = Client(str(workspace), capabilities=capabilities, init_options={"debounceMs": 0})
    yield c
    c.close()


def _file(workspace: Path, name: str) -> Path:
    """Each buffer in a folder of its own: a Terraform buffer is linted with its whole module."""
    folder = workspace / f"case{next(_counter)}"
    folder.mkdir()
    return folder / name


LANGUAGES = {".tf": "terraform", ".json": "json"}


def fix(client: Client, path: Path, text: str, code: str, title: str, nth: int = 0) -> tuple[str, list, list]:
    """Open ``text``, take the action named ``title`` on the ``nth`` ``code`` diagnostic, apply its
    edits, and have the server lint the result: (new text, diagnostics before, diagnostics after)."""
    uri = uri_of(path)
    before = client.open(path, text, LANGUAGES.get(path.suffix, "yaml"))
    target = [d for d in before if d["code"] == code][nth]
    answer = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": target["range"], "context": {"diagnostics": [target]}})
    actions = answer["result"]
    chosen = [a for a in actions if title in a["title"]]
    assert chosen, f"no {title!r} among {[a['title'] for a in actions]}"
    assert chosen[0]["kind"] == "quickfix" and chosen[0]["diagnostics"] == [target]
    new_text = apply_edits(text, edits_of(chosen[0], uri))
    client.replace(path, new_text, 2)
    after = client.diagnostics(uri, 2)
    assert not [d for d in after if re.fullmatch(r"[ES]\d{3}", d["code"])], (new_text, after)
    return new_text, before, after


def codes(diagnostics: list) -> list[str]:
    return [d["code"] for d in diagnostics]


def test_suppress_on_the_line_above_indented_like_it(client, workspace):
    text, before, after = fix(client, _file(workspace, "template.yaml"), SAM_POLICY, "IAM001", "on this line")
    assert "              # iac-lint: ignore IAM001 -- TODO: reason\n              Action: \"s3:*\"" in text
    assert "IAM001" in codes(before) and "IAM001" not in codes(after)


def test_suppress_for_the_resource_goes_above_its_header(client, workspace):
    text, _, after = fix(client, _file(workspace, "template.yaml"), SAM_POLICY, "IAM001", "for Fn")
    assert "  # iac-lint: ignore IAM001 -- TODO: reason\n  Fn:\n" in text
    assert "IAM001" not in codes(after)


def test_snippet_edits_where_the_client_takes_them(snippet_client, workspace):
    path = _file(workspace, "template.yaml")
    uri = uri_of(path)
    (target,) = [d for d in snippet_client.open(path, SAM_POLICY) if d["code"] == "IAM001"]
    actions = snippet_client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": target["range"], "context": {"diagnostics": [target]}})["result"]
    (line,) = [a for a in actions if a["title"] == "Suppress IAM001 on this line"]
    (change,) = line["edit"]["documentChanges"]
    assert change["textDocument"] == {"uri": uri, "version": 1}
    assert change["edits"][0]["snippet"] == {
        "kind": "snippet", "value": "              # iac-lint: ignore IAM001 -- ${1:TODO: reason}\n"}


def test_windows_line_endings_are_kept(client, workspace):
    path = _file(workspace, "template.yaml")
    text = SAM_POLICY.replace("\n", "\r\n")
    (target,) = [d for d in client.open(path, text) if d["code"] == "IAM001"]
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri_of(path)}, "range": target["range"],
        "context": {"diagnostics": [target]}})["result"]
    (edit,) = edits_of(actions[0], uri_of(path))
    assert edit["newText"] == "              # iac-lint: ignore IAM001 -- TODO: reason\r\n"


def test_terraform_suppression_comment(client, workspace):
    _, before, after = fix(client, _file(workspace, "main.tf"), TF_BUCKET, "PUB002", "Suppress PUB002")
    assert "PUB002" in codes(before) and "PUB002" not in codes(after)


def test_no_comment_inside_a_heredoc_the_resource_instead(client, workspace):
    path = _file(workspace, "main.tf")
    uri = uri_of(path)
    (target,) = [d for d in client.open(path, TF_HEREDOC, "terraform") if d["code"] == "IAM001"]
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": target["range"], "context": {"diagnostics": [target]}})["result"]
    # The role policy is its own identity-policy document: the finding is on it, not on the role.
    assert [a["title"] for a in actions] == ["Suppress IAM001 for aws_iam_role_policy.deploy"]
    text = apply_edits(TF_HEREDOC, edits_of(actions[0], uri))
    assert '# iac-lint: ignore IAM001 -- TODO: reason\nresource "aws_iam_role_policy"' in text
    client.replace(path, text, 2)
    assert "IAM001" not in codes(client.diagnostics(uri, 2))


def test_json_suppression_goes_into_the_resource_metadata(client, workspace):
    text, before, after = fix(client, _file(workspace, "template.json"), JSON_BUCKET, "PUB002", "Metadata")
    assert ('"Reports": {\n      "Metadata": {"iac-lint": {"ignore": '
            '[{"id": "PUB002", "reason": "TODO: reason"}]}},\n      "Type"') in text
    assert "PUB002" in codes(before) and "PUB002" not in codes(after)


def test_json_suppression_joins_existing_metadata(client, workspace):
    text, _, after = fix(client, _file(workspace, "template.json"), JSON_WITH_METADATA, "PUB002", "Metadata")
    assert '"Metadata": {"iac-lint": {"ignore": [{"id": "PUB002", "reason": "TODO: reason"}]}, "Owner"' in text
    assert "PUB002" not in codes(after)


@pytest.mark.parametrize("name, text, code, title, expected", [
    ("template.yaml", BUCKET_BARE, "PUB002", "Add a public access block",
     "    Properties:\n      PublicAccessBlockConfiguration:\n        BlockPublicAcls: true\n"),
    ("template.yaml", BUCKET_FLAG_OFF, "PUB002", "Turn BlockPublicPolicy on", "BlockPublicPolicy: true"),
    ("template.yaml", BUCKET_PARTIAL, "PUB002", "Turn BlockPublicPolicy on",
     "PublicAccessBlockConfiguration:\n        BlockPublicPolicy: true\n        BlockPublicAcls: true"),
    ("template.json", JSON_BUCKET, "PUB002", "Turn BlockPublicPolicy on", '"BlockPublicPolicy": true'),
    ("main.tf", TF_BUCKET, "PUB002", "Add a public access block",
     'resource "aws_s3_bucket_public_access_block" "reports" {\n  bucket = aws_s3_bucket.reports.id\n'),
    ("main.tf", TF_FLAG_OFF, "PUB002", "Turn BlockPublicPolicy on", "block_public_policy     = true"),
    ("template.yaml", SAM_HTTP, "THR002", "Add default route throttling",
     "      DefaultRouteSettings:\n        ThrottlingRateLimit: 100\n        ThrottlingBurstLimit: 50\n"),
    ("template.yaml", SAM_HTTP, "THR003", "Reserve concurrency", "      ReservedConcurrentExecutions: 10\n"),
    ("template.yaml", CFN_REST_STAGE, "THR001", "Throttle every method",
     '      MethodSettings:\n        - ResourcePath: "/*"\n          HttpMethod: "*"\n'),
    ("serverless.yml", SLS_URL, "THR003", "Reserve concurrency", "    reservedConcurrency: 10\n"),
    ("main.tf", TF_HTTP_STAGE, "THR002", "Add default route throttling",
     "  default_route_settings {\n    throttling_rate_limit  = 100\n"),
    ("main.tf", TF_REST_STAGE, "THR001", "Throttle every method",
     'resource "aws_api_gateway_method_settings" "prod" {\n  rest_api_id = aws_api_gateway_stage.prod.rest_api_id\n'),
    ("main.tf", TF_URL, "THR003", "Reserve concurrency", "  reserved_concurrent_executions = 10\n}"),
])
def test_mechanical_fix_removes_the_finding(client, workspace, name, text, code, title, expected):
    new_text, before, after = fix(client, _file(workspace, name), text, code, title)
    assert expected in new_text
    assert codes(after).count(code) == codes(before).count(code) - 1


def test_fix_is_preferred_and_listed_before_suppressions(client, workspace):
    path = _file(workspace, "template.yaml")
    (target,) = [d for d in client.open(path, BUCKET_FLAG_OFF) if d["code"] == "PUB002"]
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri_of(path)}, "range": target["range"],
        "context": {"diagnostics": [target]}})["result"]
    assert [a["title"] for a in actions] == [
        "Turn BlockPublicPolicy on", "Suppress PUB002 on this line", "Suppress PUB002 for Reports"]
    assert actions[0]["isPreferred"] is True and "isPreferred" not in actions[1]


def test_actions_for_the_cursor_without_diagnostics_in_the_context(client, workspace):
    path = _file(workspace, "template.yaml")
    client.open(path, SAM_POLICY)
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri_of(path)},
        "range": {"start": {"line": 10, "character": 24}, "end": {"line": 10, "character": 24}},
        "context": {"diagnostics": []}})["result"]
    assert "Suppress IAM001 on this line" in [a["title"] for a in actions]


def test_hover_shows_the_rule_docs_and_its_page(client, workspace):
    path = _file(workspace, "template.yaml")
    client.open(path, SAM_POLICY)
    hover = client.request("textDocument/hover", {
        "textDocument": {"uri": uri_of(path)}, "position": {"line": 10, "character": 25}})["result"]
    value = hover["contents"]["value"]
    assert hover["contents"]["kind"] == "markdown"
    assert value.startswith("**IAM001 wildcard-action** (high, least-privilege)")
    assert "**Why is this bad?**" in value and "**Use instead**" in value
    assert "[IAM001 documentation](https://" in value and "docs/rules/IAM001.md)" in value
    nothing = client.request("textDocument/hover", {
        "textDocument": {"uri": uri_of(path)}, "position": {"line": 0, "character": 0}})["result"]
    assert nothing is None


def test_hover_shows_a_code_fix_as_a_code_block(client, workspace):
    path = _file(workspace, "template.yaml")
    client.open(path, BUCKET_FLAG_OFF)
    value = client.request("textDocument/hover", {
        "textDocument": {"uri": uri_of(path)}, "position": {"line": 7, "character": 28}})["result"]["contents"]["value"]
    assert "**PUB002 bucket-public-access-block**" in value
    assert "```yaml\nPublicAccessBlockConfiguration:\n  BlockPublicAcls: true" in value

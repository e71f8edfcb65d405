"""Each function's exposure path, read from the linked model of every format."""

from __future__ import annotations

import textwrap

from iac_lint.api import scan
from iac_lint.model import Function
from iac_lint.model.exposure import ExposurePath, exposure_paths


def paths_of(tmp_path, name: str, text: str) -> dict[str, ExposurePath]:
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(textwrap.dedent(text), encoding="utf-8")
    report = scan([str(tmp_path)])
    return {p.function.id: p for tpl in report.templates for p in exposure_paths(tpl.entities)}


SAM = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Api:
        Type: AWS::Serverless::HttpApi
        Properties:
          DefaultRouteSettings: {ThrottlingRateLimit: 25, ThrottlingBurstLimit: 50}
          Auth:
            DefaultAuthorizer: Jwt
            Authorizers:
              Jwt: {IdentitySource: $request.header.Authorization, JwtConfiguration: {issuer: x, audience: [y]}}
      Orders:
        Type: AWS::DynamoDB::Table
        Properties:
          KeySchema: [{AttributeName: id, KeyType: HASH}]
          AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      Handler:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: app.handler
          CodeUri: src/
          Policies:
            - DynamoDBCrudPolicy: {TableName: !Ref Orders}
            - Statement:
                - Effect: Allow
                  NotAction: iam:*
                  Resource: "*"
          Events:
            Get:
              Type: HttpApi
              Properties: {ApiId: !Ref Api, Path: /orders, Method: GET}
    """


def test_an_api_route_has_its_apis_default_authorizer_and_stage_throttle(tmp_path):
    path = paths_of(tmp_path, "template.yaml", SAM)["Handler"]
    [entry] = path.entries
    assert (entry.kind, entry.title, entry.public) == ("http-api", "GET /orders", False)
    assert entry.auth == "JWT"
    assert entry.throttle == "stage $default: rate 25/s, burst 50"
    assert {e.kind for e in entry.entities} == {"route", "api", "stage"}


def test_grants_name_the_scanned_resource_and_sum_up_access_levels(tmp_path):
    path = paths_of(tmp_path, "template.yaml", SAM)["Handler"]
    table = next(g for g in path.grants if g.entity is not None)
    # The table and its indexes: one grant on one entity.
    assert table.entity.id == "Orders" and not table.every_resource and not table.wildcard_actions
    levels = dict(table.levels)
    assert [level for level, _ in table.levels] == ["Write", "Read"]
    assert "dynamodb:PutItem" in levels["Write"] and "dynamodb:GetItem" in levels["Read"]
    # NotAction on "*" is a wildcard: everything but IAM, on every resource; it comes first.
    wide = path.grants[0]
    assert wide.every_resource and wide.target == "*"
    assert wide.wildcard_actions == ("every action except iam:*",)
    managed = [g for g in path.grants if g.source == "managed-policy"]
    assert [g.note for g in managed] == ["statements not analysed"]


def test_a_public_url_an_admin_policy_and_an_invoke_grant_with_and_without_a_source(tmp_path):
    paths = paths_of(tmp_path, "app.yaml", """\
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Role:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com},
                                                      Action: sts:AssumeRole}]}
              ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
          Fn:
            Type: AWS::Lambda::Function
            Properties: {Runtime: nodejs20.x, Handler: index.handler, Role: !GetAtt Role.Arn, Code: {ZipFile: x}}
          Url:
            Type: AWS::Lambda::Url
            Properties: {TargetFunctionArn: !GetAtt Fn.Arn, AuthType: NONE}
          FromBucket:
            Type: AWS::Lambda::Permission
            Properties: {Action: lambda:InvokeFunction, FunctionName: !Ref Fn, Principal: s3.amazonaws.com,
                         SourceAccount: "123456789012"}
          FromAnywhere:
            Type: AWS::Lambda::Permission
            Properties: {Action: lambda:InvokeFunction, FunctionName: !Ref Fn, Principal: sns.amazonaws.com}
        """)
    path = paths["Fn"]
    url = next(e for e in path.entries if e.kind == "url")
    assert (url.public, url.auth, url.throttle) == (True, "NONE", None)
    grants = {e.entities[0].id: e for e in path.entries if e.kind == "permission"}
    assert grants["FromBucket"].public is False and "account 123456789012" in grants["FromBucket"].via
    assert grants["FromAnywhere"].public is True and grants["FromAnywhere"].via.endswith("(any source)")
    [admin] = path.grants
    assert admin.every_resource and admin.note == "administrator of the account" and len(admin.levels) == 5


def test_terraform_and_serverless_paths_reach_the_bucket_their_arn_names(tmp_path):
    paths = paths_of(tmp_path, "serverless.yml", """\
        service: svc
        provider:
          name: aws
          runtime: nodejs20.x
          iam:
            role:
              statements:
                - {Effect: Allow, Action: [s3:GetObject], Resource: "arn:aws:s3:::svc-uploads/*"}
        functions:
          resize:
            handler: h.handler
            events:
              - s3: {bucket: svc-uploads, event: "s3:ObjectCreated:*"}
        """)
    path = paths["resize"]
    [entry] = path.entries
    assert entry.kind == "s3" and entry.public is False and entry.entities[0].kind == "bucket"
    [grant] = path.grants
    assert grant.entity is entry.entities[0] and grant.levels == (("Read", ("s3:GetObject",)),)


def test_a_function_without_triggers_or_role_still_has_a_path(tmp_path):
    paths = paths_of(tmp_path, "main.tf", """\
        resource "aws_lambda_function" "lonely" {
          function_name = "lonely"
          role          = var.role_arn
          runtime       = "python3.12"
          handler       = "app.handler"
          filename      = "x.zip"
        }
        """)
    [path] = paths.values()
    assert isinstance(path.function, Function) and path.entries == ()
    assert path.role is None or path.role.external

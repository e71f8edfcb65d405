"""Every identity-policy document is judged once, wherever it lives, and names what holds it."""

import textwrap

from iac_lint.api import lint_text
from iac_lint.config import Config

CFN_SHARED_POLICY = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Reader:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}}]}
      Writer:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}}]}
      Auditor:
        Type: AWS::IAM::User
      Shared:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          Roles: [!Ref Reader, !Ref Writer]
          Users: [!Ref Auditor]
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:*
                Resource: "*"
      Fn:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: python3.12
          Handler: app.handler
          Role: !GetAtt Reader.Arn
          Code: {ZipFile: "x"}
      Admin:
        Type: AWS::IAM::User
        Properties:
          ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
      FnAdminRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}}]}
          ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
      AdminFn:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: python3.12
          Handler: app.handler
          Role: !GetAtt FnAdminRole.Arn
          Code: {ZipFile: "x"}
""")


def findings(rule_id, text=CFN_SHARED_POLICY, path="template.yaml"):
    return [f for f in lint_text(path, text, Config()) if f.rule_id == rule_id]


def test_a_document_attached_to_three_principals_gives_one_finding_naming_them():
    (finding,) = findings("IAM001")
    assert finding.resource == "Shared"
    assert "role Reader" in finding.message and "role Writer" in finding.message and "user Auditor" in finding.message


def test_admin_managed_policy_is_critical_on_a_function_role_and_high_elsewhere():
    by_resource = {f.message.split()[1]: f.severity for f in findings("IAM004")}
    assert by_resource == {"Admin": "high", "FnAdminRole": "critical"}


def test_terraform_role_policy_on_a_role_of_another_module_is_judged_once():
    text = textwrap.dedent("""\
        resource "aws_iam_role_policy" "a" {
          role   = "shared-role"
          policy = jsonencode({Statement = [{Effect = "Allow", Action = "s3:*", Resource = "*"}]})
        }
        resource "aws_iam_role_policy" "b" {
          role   = "shared-role"
          policy = jsonencode({Statement = [{Effect = "Allow", Action = "sqs:*", Resource = "*"}]})
        }
    """)
    found = findings("IAM001", text, "main.tf")
    assert sorted(f.resource for f in found) == ["aws_iam_role_policy.a", "aws_iam_role_policy.b"]
    assert all("role shared-role (defined elsewhere)" in f.message for f in found)

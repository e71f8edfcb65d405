"""One finding per root cause: statement-level IAM findings with related locations, subsumption, one
finding for settings that many generated resources share, and honest grading."""

from __future__ import annotations

import json
import textwrap

import pytest

from iac_lint.api import lint_text
from iac_lint.config import Config
from iac_lint.engine.evaluate import drop_subsumed
from iac_lint.engine.rules import RuleError, load_rule_file
from iac_lint.model import Finding, Location, RelatedLocation

SAM = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: app.handler
          CodeUri: .
          Policies:
            - Statement:
                - Effect: Allow
                  Action: "*"
                  Resource: "*"
                - Effect: Allow
                  Action: [s3:PutObject, dynamodb:DeleteItem, s3:GetObject]
                  Resource: "*"
    """)


def by_rule(findings: list[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in findings:
        out.setdefault(f.rule_id, []).append(f)
    return out


def test_star_on_star_is_one_critical_iam001_that_stands_for_the_statement():
    found = by_rule(lint_text("template.yaml", SAM))
    (admin,) = found["IAM001"]
    assert admin.severity == "critical"  # a function runs with it, as IAM004 grades AdministratorAccess
    assert (admin.line, admin.location.end_line) == (12, 14)  # the statement, not only its action
    assert "administrator access, and Fn runs with it" in admin.message
    assert [r.location.line for r in admin.related] == [13]
    # The second statement's write actions are another root cause: one IAM002 for it, none for the first.
    (writes,) = found["IAM002"]
    assert writes.line == 15
    assert "s3:PutObject, dynamodb:DeleteItem (2 write actions)" in writes.message
    assert [(r.location.line, r.location.column) for r in writes.related] == [(16, 24), (16, 38)]
    # Nothing else on the first statement: its IAM002/IAM007 are IAM001's; s3:GetObject on * is its own.
    assert "IAM005" not in found and [f.line for f in found["IAM007"]] == [16]


def test_star_on_star_without_a_function_is_high():
    text = textwrap.dedent("""\
        Resources:
          Admin:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: {}
              Policies:
                - PolicyName: all
                  PolicyDocument:
                    Statement:
                      - {Effect: Allow, Action: "*", Resource: "*"}
        """)
    (finding,) = [f for f in lint_text("template.yaml", text) if f.rule_id == "IAM001"]
    assert finding.severity == "high"


def test_related_locations_reach_json_and_sarif(tmp_path):
    from gate_support import cli

    (tmp_path / "template.yaml").write_text(SAM)
    data = cli("scan", ".", "--format", "json", cwd=str(tmp_path)).json()
    (iam002,) = [f for f in data["findings"] if f["rule_id"] == "IAM002"]
    assert [(r["line"], r["column"], r["message"]) for r in iam002["related"]] == [
        (16, 24, "'s3:PutObject' (Write)"), (16, 38, "'dynamodb:DeleteItem' (Write)")]
    sarif = json.loads(cli("scan", ".", "--format", "sarif", cwd=str(tmp_path)).stdout)
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "IAM002"]
    related = result["relatedLocations"]
    assert [r["physicalLocation"]["region"]["startLine"] for r in related] == [16, 16]
    assert related[0]["message"]["text"] == "'s3:PutObject' (Write)" and related[0]["id"] == 1


def test_related_locations_reach_the_editor(tmp_path):
    from pygls.workspace import TextDocument

    from iac_lint.lsp.server import diagnostic

    path = tmp_path / "template.yaml"
    path.write_text(SAM)
    (iam002,) = [f for f in lint_text(str(path), SAM) if f.rule_id == "IAM002"]
    doc = TextDocument(path.as_uri(), SAM)
    info = diagnostic(iam002, doc, None).related_information
    assert info is not None and [i.location.range.start.line for i in info] == [15, 15]
    assert info[0].location.uri == doc.uri and info[1].message == "'dynamodb:DeleteItem' (Write)"


def _finding(rule_id: str, resource: str, line: int, column: int, end_line: int, end_column: int) -> Finding:
    return Finding(rule_id, "x", "high", "least-privilege", "m", Location("t.yaml", line, column, end_line, end_column),
                   resource, "cloudformation")


def test_subsumption_drops_only_findings_inside_the_subsumer_on_the_same_resource():
    class Subsumer:
        id, subsumes = "IAM001", ("IAM002",)

    statement = _finding("IAM001", "Role", 10, 7, 12, 20)
    inside = _finding("IAM002", "Role", 10, 7, 12, 20)
    elsewhere = _finding("IAM002", "Role", 14, 7, 16, 20)
    other_resource = _finding("IAM002", "Other", 10, 7, 12, 20)
    kept = drop_subsumed([statement, inside, elsewhere, other_resource], [Subsumer()])  # type: ignore[list-item]
    assert kept == [statement, elsewhere, other_resource]


def test_subsumes_must_name_rule_ids(tmp_path):
    rule = tmp_path / "ORG001-x.yaml"
    rule.write_text("id: ORG001\nname: x\nseverity: low\ncategory: logging\ntitle: t\napplies_to: function\n"
                    "when: 'true'\nmessage: m\nsubsumes: [not an id]\n")
    with pytest.raises(RuleError, match="subsumes"):
        load_rule_file(str(rule), strict=False)


def test_generated_log_groups_give_one_log002_at_the_provider():
    text = textwrap.dedent("""\
        service: orders
        provider:
          name: aws
          runtime: python3.12
        functions:
          a: {handler: a.h}
          b: {handler: b.h}
          c: {handler: c.h}
        """)
    findings = lint_text("serverless.yml", text, Config(profile="strict"))
    log002 = [f for f in findings if f.rule_id == "LOG002"]
    assert [(f.line, f.location.column) for f in log002] == [(2, 1)]
    assert "logRetentionInDays" in log002[0].message
    assert not [f for f in findings if f.rule_id == "ENC006"]  # nobody wrote those groups


@pytest.mark.parametrize("text, severity, words", [
    ("PublicAccessBlockConfiguration: {BlockPublicAcls: false, BlockPublicPolicy: false, "
     "IgnorePublicAcls: true, RestrictPublicBuckets: true}", "medium", "BlockPublicAcls, BlockPublicPolicy off"),
    ("PublicAccessBlockConfiguration: {BlockPublicAcls: true, BlockPublicPolicy: true, "
     "IgnorePublicAcls: false, RestrictPublicBuckets: false}", "high", "public ACLs and a public bucket policy"),
])
def test_pub002_is_one_finding_per_block_graded_by_what_is_off(text, severity, words):
    template = f"Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      {text}\n"
    (finding,) = [f for f in lint_text("template.yaml", template) if f.rule_id == "PUB002"]
    assert finding.severity == severity and words in finding.message
    assert len(finding.related) == 2


def test_a_bucket_without_a_written_block_is_flagged_only_when_required():
    template = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n"
    assert not [f for f in lint_text("template.yaml", template) if f.rule_id == "PUB002"]
    required = Config(rule_options={"PUB002": {"require_block": True}})
    (finding,) = [f for f in lint_text("template.yaml", template, required) if f.rule_id == "PUB002"]
    assert finding.severity == "low"


def test_a_route_behind_an_api_key_is_not_callable_by_anyone():
    text = textwrap.dedent("""\
        service: s
        provider: {name: aws, runtime: python3.12}
        functions:
          keyed:
            handler: k.h
            events:
              - http: {path: keyed, method: get, private: true}
          open:
            handler: o.h
            events:
              - http: {path: open, method: get}
        """)
    found = {f.message.split(" on ")[0]: f for f in lint_text("serverless.yml", text) if f.rule_id == "PUB006"}
    assert found["GET /keyed"].severity == "low"
    assert "only an API key guards it" in found["GET /keyed"].message
    assert "anyone" not in found["GET /keyed"].message.replace("not authentication", "")
    assert found["GET /open"].severity == "medium" and "anyone can call it" in found["GET /open"].message


def test_sns_topic_message_says_it_is_disk_encrypted():
    text = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n"
    (finding,) = [f for f in lint_text("template.yaml", text, Config(extend_select=["ENC003"]))
                  if f.rule_id == "ENC003"]
    assert "disk-encrypted" in finding.message and "without server-side encryption" not in finding.message


def test_related_is_a_field_rules_can_set():
    related = RelatedLocation(Location("t.yaml", 3, 5), "here")
    assert related.location.line == 3 and related.message == "here"

"""The least-privilege fix: derived from the template only, and applying it leaves a valid, narrower template."""

import json
import os
import shutil

from iac_lint.api import scan
from iac_lint.config import Config
from iac_lint.report import renderer

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "least_privilege")


def apply_edits(path: str, edits) -> None:
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    for edit in sorted(edits, key=lambda e: (e.location.line, e.location.column), reverse=True):
        loc = edit.location
        line = lines[loc.line - 1]
        lines[loc.line - 1] = line[:loc.column - 1] + edit.text + line[loc.end_column - 1:]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))


def fixed_findings(report):
    return [f for f in report.findings if f.rule_id in ("IAM001", "IAM002") and f.fix and f.fix.edits]


def test_every_format_gets_a_fix_from_event_sources_and_environment():
    report = scan([FIXTURES], Config(select=["IAM"]))
    fixed = {(os.path.basename(f.file), f.rule_id) for f in fixed_findings(report)}
    assert fixed == {("sam.yaml", "IAM001"), ("serverless.yml", "IAM001"), ("cfn.json", "IAM001"),
                     ("main.tf", "IAM001"), ("main.tf", "IAM002")}
    descriptions = " ".join(f.fix.description for f in fixed_findings(report))
    assert "sqs:ReceiveMessage" in descriptions and "its SQS event source" in descriptions
    assert "S3CrudPolicy: {BucketName: !Ref Bucket}" in descriptions  # SAM: the policy template that grants it


def test_no_fix_is_guessed_when_the_template_does_not_say():
    report = scan([os.path.join(FIXTURES, "unwired.yaml")], Config(select=["IAM"]))
    assert [f.rule_id for f in report.findings] and all(f.fix is None for f in report.findings)


def test_applying_the_fixes_leaves_a_valid_template_without_the_findings(tmp_path):
    work = tmp_path / "lp"
    shutil.copytree(FIXTURES, work)
    os.remove(work / "unwired.yaml")
    before = scan([str(work)], Config(select=["IAM001", "IAM002"]))
    by_file: dict[str, list] = {}
    for finding in fixed_findings(before):
        for edit in finding.fix.edits:
            if edit not in by_file.setdefault(edit.location.file, []):
                by_file[edit.location.file].append(edit)
    for path, edits in by_file.items():
        apply_edits(path, edits)
    after = scan([str(work)], Config(select=["IAM001", "IAM002"]))
    assert not [f for f in after.findings if f.rule_id.startswith("E")]
    remaining = {(os.path.basename(f.file), f.rule_id, f.message) for f in after.findings}
    assert not [r for r in remaining if r[1] == "IAM001"], remaining
    # A statement granting two services on "*" keeps its Resource (one list cannot be narrowed for both):
    # the description names the resources, the edits narrow only the actions.
    assert {r[0] for r in remaining} <= {"sam.yaml"}, remaining


def test_fix_is_a_sarif_fix_a_json_field_and_a_text_line():
    report = scan([os.path.join(FIXTURES, "serverless.yml")], Config(select=["IAM001"]))
    sarif = json.loads(renderer("sarif")(report))
    (result,) = sarif["runs"][0]["results"]
    (change,) = result["fixes"][0]["artifactChanges"]
    assert [r["insertedContent"]["text"] for r in change["replacements"]] == [
        "[sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes]", "!GetAtt Queue.Arn"]
    (finding,) = json.loads(renderer("json")(report))["findings"]
    assert finding["fix"]["edits"][1]["text"] == "!GetAtt Queue.Arn"
    assert "= fix: Grant only sqs:ReceiveMessage" in renderer("text")(report)


def test_own_logs_are_derivable_but_every_service_is_not(tmp_path):
    work = tmp_path / "logs"
    shutil.copytree(os.path.join(os.path.dirname(FIXTURES), "least_privilege_logs"), work)
    report = scan([str(work)], Config(select=["IAM001"]))
    by_action = {f.message.split("'")[1]: f for f in report.findings}
    assert by_action["*"].fix is None  # no template shows every service a function's code calls
    fix = by_action["logs:*"].fix
    assert "logs:CreateLogStream" in fix.description and "the log group of Fn" in fix.description
    assert [e.text for e in fix.edits][-1] == \
        '{"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/${Fn}:*"}'
    path = str(work / "macro.json")
    apply_edits(path, fix.edits)
    with open(path, encoding="utf-8") as handle:
        json.load(handle)  # still JSON
    after = scan([str(work)], Config(select=["IAM001"]))
    assert [f.message.split("'")[1] for f in after.findings] == ["*"]

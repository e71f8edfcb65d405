"""Baselines through the CLI: create, accept, survive edits, still catch what is new."""

from __future__ import annotations

import json

import pytest
from gate_support import cli, copy_fixture


@pytest.fixture
def project(tmp_path):
    copy_fixture("app.yaml", str(tmp_path), "infra/app.yaml")
    copy_fixture("main.tf", str(tmp_path), "infra/tf/main.tf")
    return tmp_path


def fingerprints(run) -> dict[tuple[str, str], str]:
    return {(f["rule_id"], f["resource"]): f["fingerprint"] for f in run.findings()}


def test_create_writes_fingerprints_with_what_humans_need(project):
    run = cli("baseline", "create", "infra", "--output", ".iac-lint-baseline.json", cwd=str(project))
    assert run.code == 0 and "wrote 6 findings" in run.stderr
    document = json.loads((project / ".iac-lint-baseline.json").read_text())
    assert document["version"] == 1
    entries = document["findings"]
    assert len(entries) == 6  # 5 in app.yaml, the unsuppressed Terraform queue
    wildcard = [e for e in entries if e["rule_id"] == "IAM001"][0]
    assert wildcard["file"] == "infra/app.yaml" and wildcard["resource"] == "WorkerRole"
    assert len(wildcard["fingerprint"]) == 32 and "line" not in wildcard


def test_recreating_an_unchanged_baseline_gives_the_same_file(project):
    cli("baseline", "create", "infra", "-o", "a.json", cwd=str(project))
    cli("baseline", "create", "infra", "-o", "b.json", cwd=str(project))
    assert (project / "a.json").read_text() == (project / "b.json").read_text()


def test_baseline_accepts_old_findings_and_keeps_them_marked(project):
    cli("baseline", "create", "infra", "-o", "base.json", cwd=str(project))
    run = cli("scan", "infra", "--baseline", "base.json", "--format", "json", cwd=str(project))
    assert run.code == 0
    assert run.findings(active_only=True) == []
    accepted = [f for f in run.findings() if f["suppression_reason"] == "baseline"]
    assert len(accepted) == 6 and all(f["suppression_kind"] == "external" for f in accepted)


def test_fingerprints_survive_edits_elsewhere_in_the_file(project):
    before = cli("scan", "infra", "--format", "json", cwd=str(project))
    cli("baseline", "create", "infra", "-o", "base.json", cwd=str(project))
    template = project / "infra" / "app.yaml"
    text = template.read_text()
    # Lines above every resource, and a new resource between two others: every line number moves.
    text = text.replace("Resources:\n", "Metadata:\n  Owner: payments\n  Runbook: https://wiki.example/x\n"
                                        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
                                        "    Properties:\n      KmsMasterKeyId: alias/t\n\n")
    text = text.replace("  OrdersQueue:", "  # the queue the worker drains\n\n  OrdersQueue:")
    template.write_text(text)
    after = cli("scan", "infra", "--format", "json", cwd=str(project))
    moved = {(f["rule_id"], f["resource"]): f["line"] for f in after.findings()}
    assert moved[("IAM001", "WorkerRole")] == 22 + 8
    assert fingerprints(after) == fingerprints(before)
    still = cli("scan", "infra", "--baseline", "base.json", "--format", "json", cwd=str(project))
    assert still.code == 0 and still.findings(active_only=True) == []


def test_a_new_finding_is_reported_even_next_to_accepted_ones(project):
    cli("baseline", "create", "infra", "-o", "base.json", cwd=str(project))
    template = project / "infra" / "app.yaml"
    template.write_text(template.read_text().replace('Action: "s3:*"', 'Action: ["s3:*", "sqs:*"]'))
    run = cli("scan", "infra", "--baseline", "base.json", "--format", "json", cwd=str(project))
    assert run.code == 1
    new = {(f["rule_id"], f["message"].split("'")[1]) for f in run.findings(active_only=True)}
    # IAM002 is one finding per statement (now naming s3:* and sqs:*): the one accepted on the role covers it.
    assert new == {("IAM001", "sqs:*")}


def test_baseline_counts_occurrences(project):
    from iac_lint.engine.baseline import Baseline, BaselineEntry, apply_baseline
    from iac_lint.model import Finding, Location

    twin = Finding("IAM001", "wildcard-action", "high", "least-privilege", "m", Location("a.yaml", 3), "R", "sam",
                   fingerprint="f1")
    outcome = apply_baseline([twin, twin], Baseline("b.json", (BaselineEntry("f1", "IAM001", "a.yaml", "R"),)),
                             lambda f: f.location.file)
    assert [f.suppressed for f in outcome.findings] == [True, False]
    assert [f.baselined for f in outcome.findings] == [True, False]
    assert outcome.unmatched == []


def test_fingerprints_do_not_depend_on_how_the_path_was_spelled(project):
    plain = cli("scan", "infra", "--format", "json", cwd=str(project))
    dotted = cli("scan", "./infra", "--format", "json", cwd=str(project))
    assert sorted(fingerprints(plain).values()) == sorted(fingerprints(dotted).values())


def test_baseline_from_the_config_file(project):
    cli("baseline", "create", "infra", "-o", "base.json", cwd=str(project))
    with open(project / ".iac-lint.yaml", "a", encoding="utf-8") as handle:
        handle.write("baseline: base.json\n")
    run = cli("scan", "infra", cwd=str(project))
    assert run.code == 0
    # Creating a new baseline ignores the configured one: it records everything that is there.
    again = cli("baseline", "create", "infra", "-o", "again.json", cwd=str(project))
    assert "wrote 6 findings" in again.stderr


@pytest.mark.parametrize("content, words", [
    (None, "no such baseline file"),
    ("{not json", "not valid JSON"),
    ('{"version": 9, "findings": []}', "version 9 is not supported"),
    ('{"version": 1, "findings": [{"rule_id": "X"}]}', "entry 0 has no fingerprint"),
])
def test_unusable_baseline_is_exit_2(project, content, words):
    if content is not None:
        (project / "base.json").write_text(content)
    run = cli("scan", "infra", "--baseline", "base.json", cwd=str(project))
    assert run.code == 2
    assert "base.json" in run.stderr and words in run.stderr


def test_a_baseline_written_at_the_root_holds_when_ci_scans_from_a_subdirectory(project):
    (project / ".git").mkdir()  # a checkout: fingerprints are relative to the repository, not to the cwd
    assert cli("baseline", "create", "infra", "-o", "base.json", cwd=str(project)).code == 0
    run = cli("scan", ".", "--baseline", "../base.json", "--format", "json", cwd=str(project / "infra"))
    assert run.code == 0
    assert run.findings() and all(f["suppressed"] for f in run.findings())
    # Written from the subdirectory, the baseline is the same file.
    assert cli("baseline", "create", ".", "-o", "../again.json", cwd=str(project / "infra")).code == 0
    assert (project / "again.json").read_text() == (project / "base.json").read_text()


def test_narrowing_a_baselined_wildcard_is_not_a_new_finding(project):
    template = project / "infra" / "app.yaml"
    template.write_text(template.read_text().replace('Action: "s3:*"', 'Action: "sqs:*"'))
    cli("baseline", "create", "infra", "-o", "base.json", cwd=str(project))
    before = fingerprints(cli("scan", "infra", "--format", "json", cwd=str(project)))
    template.write_text(template.read_text().replace('Action: "sqs:*"', 'Action: "sqs:SendMessage"'))
    run = cli("scan", "infra", "--baseline", "base.json", "--format", "json", cwd=str(project))
    narrowed = [f for f in run.findings() if f["rule_id"] == "IAM002"]
    assert narrowed[0]["fingerprint"] != before[("IAM002", "WorkerRole")]  # its message and path changed
    assert run.code == 0 and run.findings(active_only=True) == []
    assert narrowed[0]["baselined"] and narrowed[0]["suppression_reason"] == "baseline"
    # The IAM001 wildcard is gone: its entry is stale, and said so.
    assert run.json()["summary"]["stale_baseline"] == 1
    assert "1 baseline entry no longer matches; run `iac-lint baseline update`" in run.stderr


def test_a_finding_beyond_the_baselined_count_of_its_resource_is_new(project):
    template = project / "infra" / "app.yaml"
    cli("baseline", "create", "infra", "-o", "base.json", cwd=str(project))
    # One IAM002 on WorkerRole was accepted; now there are two statements, both with new fingerprints.
    template.write_text(template.read_text().replace(
        'Action: "s3:*"', 'Action: "s3:PutObject"\n                Resource: "*"\n'
                          '              - Effect: Allow\n                Action: "dynamodb:DeleteTable"'))
    run = cli("scan", "infra", "--baseline", "base.json", "--format", "json", cwd=str(project))
    iam002 = [f for f in run.findings() if f["rule_id"] == "IAM002"]
    assert len(iam002) == 2 and [f["baselined"] for f in iam002] == [True, False]
    assert run.code == 1
    assert [(f["rule_id"], f["resource"]) for f in run.findings(active_only=True)] == [("IAM002", "WorkerRole")]


def test_baseline_update_prunes_stale_entries_and_keeps_the_rest(project):
    cli("baseline", "create", "infra", "-o", "base.json", cwd=str(project))
    template = project / "infra" / "app.yaml"
    # Fix the queue (ENC002 gone), narrow the wildcard (IAM001 gone, IAM002 narrowed), add a new problem.
    text = template.read_text().replace("SqsManagedSseEnabled: false", "SqsManagedSseEnabled: true")
    text = text.replace('Action: "s3:*"', 'Action: "s3:PutObject"')
    template.write_text(text + "\n  Open:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                               "      SqsManagedSseEnabled: false\n")
    stale = cli("scan", "infra", "--baseline", "base.json", "--format", "json", cwd=str(project))
    assert stale.json()["summary"]["stale_baseline"] == 2
    assert "2 baseline entries no longer match" in stale.stderr
    update = cli("baseline", "update", "infra", "--baseline", "base.json", cwd=str(project))
    assert update.code == 0 and "removed 2 stale entries, kept 4" in update.stderr
    entries = json.loads((project / "base.json").read_text())["findings"]
    assert {(e["rule_id"], e["resource"]) for e in entries} == {
        ("ENC001", "OrdersBucket"), ("PUB002", "OrdersBucket"), ("IAM002", "WorkerRole"),
        ("ENC002", "aws_sqs_queue.orders")}
    after = cli("scan", "infra", "--baseline", "base.json", "--format", "json", cwd=str(project))
    assert after.json()["summary"]["stale_baseline"] == 0 and "no longer match" not in after.stderr
    # Never adds a finding: the new queue is still new. The narrowed IAM002 now matches by fingerprint.
    assert [(f["rule_id"], f["resource"]) for f in after.findings(active_only=True)] == [("ENC002", "Open")]
    narrowed = [e for e in entries if e["rule_id"] == "IAM002"][0]
    assert narrowed["fingerprint"] == fingerprints(after)[("IAM002", "WorkerRole")]


def test_a_partial_scan_judges_only_what_it_could_have_found(project):
    cli("baseline", "create", "infra", "-o", "base.json", cwd=str(project))
    original = (project / "base.json").read_text()
    # Only the Terraform folder, only ENC rules: app.yaml's entries and the IAM ones are not stale.
    run = cli("scan", "infra/tf", "--select", "ENC", "--baseline", "base.json", "--format", "json",
              cwd=str(project))
    assert run.json()["summary"]["stale_baseline"] == 0
    assert cli("baseline", "update", "infra/tf", "--select", "ENC", "--baseline", "base.json",
               cwd=str(project)).code == 0
    assert (project / "base.json").read_text() == original


def test_baselined_findings_say_so_in_every_report(project):
    cli("baseline", "create", "infra", "-o", "base.json", cwd=str(project))
    text = cli("scan", "infra", "--baseline", "base.json", "--show-suppressed", cwd=str(project))
    assert "0 findings, 2 suppressed, 6 baselined in 2 files, 6 resources." in text.stdout.splitlines()
    wildcard = [line for line in text.stdout.splitlines() if " IAM001 " in line]
    assert len(wildcard) == 1 and wildcard[0].endswith("(baselined)")
    payload = cli("scan", "infra", "--baseline", "base.json", "--format", "json", cwd=str(project)).json()
    assert payload["summary"]["baselined"] == 6 and payload["summary"]["suppressed"] == 2  # main.tf's own
    assert sum(f["baselined"] for f in payload["findings"]) == 6
    assert all(f["suppressed"] for f in payload["findings"])
    sarif = json.loads(cli("scan", "infra", "--baseline", "base.json", "--format", "sarif", cwd=str(project)).stdout)
    suppressions = [r["suppressions"] for r in sarif["runs"][0]["results"]]
    baselined = [s for s in suppressions if s[0]["kind"] == "external"]
    assert len(baselined) == 6
    assert all(s == [{"kind": "external", "status": "accepted", "justification": "baseline"}] for s in baselined)


def test_old_baseline_entries_without_rule_file_or_resource_still_match_by_fingerprint(project):
    cli("baseline", "create", "infra", "-o", "base.json", cwd=str(project))
    document = json.loads((project / "base.json").read_text())
    document["findings"] = [{"fingerprint": e["fingerprint"]} for e in document["findings"]]
    (project / "base.json").write_text(json.dumps(document))
    run = cli("scan", "infra", "--baseline", "base.json", "--format", "json", cwd=str(project))
    assert run.code == 0 and run.findings(active_only=True) == []

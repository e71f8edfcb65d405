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
    assert new == {("IAM001", "sqs:*"), ("IAM002", "sqs:*")}


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
    (project / ".iac-lint.yaml").write_text("baseline: base.json\n")
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

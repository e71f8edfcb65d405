"""The opt-in cfn-lint pass: cfn-lint's matches as CFN-<id> findings in every report, suppressible and baselined."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import jsonschema
import pytest
from conftest import REPO
from gate_support import SARIF_SCHEMA, cli

FIXTURE = os.path.join(REPO, "tests", "fixtures", "cfnlint", "queue.yaml")

pytest.importorskip("cfnlint", reason="cfn-lint is not installed (pip install -e '.[test]' brings it)")


@pytest.fixture
def project(tmp_path):
    with open(FIXTURE, encoding="utf-8") as handle:
        (tmp_path / "queue.yaml").write_text(handle.read(), encoding="utf-8")
    return tmp_path


def test_a_cfn_lint_error_is_a_located_finding(project):
    run = cli("scan", ".", "--cfn-lint", "--format", "json", cwd=str(project))
    found = [f for f in run.findings() if f["rule_id"].startswith("CFN-")]
    assert [(f["rule_id"], f["line"], f["column"], f["resource"]) for f in found] == [("CFN-E3012", 8, 7, "Jobs")]
    finding = found[0]
    assert finding["severity"] == "medium" and finding["category"] == "template-validity"
    assert finding["rule_name"] == "check-resource-properties-values"
    assert "'thirty'" in finding["message"] and "integer" in finding["message"]
    assert run.code == 1


def test_without_the_flag_there_is_no_cfn_finding(project):
    run = cli("scan", ".", "--format", "json", cwd=str(project))
    assert not [f for f in run.findings() if f["rule_id"].startswith("CFN-")]
    assert run.code == 0


def test_the_configuration_key_turns_it_on(project):
    (project / ".iac-lint.yaml").write_text("cfn_lint: true\n", encoding="utf-8")
    run = cli("scan", ".", "--format", "json", cwd=str(project))
    assert [f["rule_id"] for f in run.findings()] == ["CFN-E3012"]
    off = cli("scan", ".", "--no-cfn-lint", "--format", "json", cwd=str(project))
    assert off.findings() == []


def test_a_bad_configuration_value_names_the_line(project):
    (project / ".iac-lint.yaml").write_text("fail_on: low\ncfn_lint: yes please\n", encoding="utf-8")
    run = cli("scan", ".", cwd=str(project))
    assert run.code == 2 and ".iac-lint.yaml:2: cfn_lint must be true or false" in run.stderr


def test_an_inline_comment_suppresses_it_and_the_id_is_understood(project):
    path = project / "queue.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "      VisibilityTimeout: thirty",
        "      # iac-lint: ignore CFN-E3012 -- set by the deploy script\n      VisibilityTimeout: thirty")
    path.write_text(text, encoding="utf-8")
    run = cli("scan", ".", "--cfn-lint", "--format", "json", cwd=str(project))
    found = run.findings()
    assert [(f["rule_id"], f["suppressed"]) for f in found] == [("CFN-E3012", True)]  # no S002/S005 either
    assert run.code == 0


def test_select_ignore_and_severity_apply_to_cfn_ids(project):
    ignored = cli("scan", ".", "--cfn-lint", "--ignore", "CFN-E3012", "--format", "json", cwd=str(project))
    assert ignored.findings() == [] and ignored.code == 0
    by_category = cli("scan", ".", "--cfn-lint", "--ignore", "template-validity", "--format", "json",
                      cwd=str(project))
    assert by_category.findings() == []
    only_iam = cli("scan", ".", "--cfn-lint", "--select", "IAM", "--format", "json", cwd=str(project))
    assert only_iam.findings() == []
    (project / ".iac-lint.yaml").write_text("severity: {CFN-E3012: high}\n", encoding="utf-8")
    raised = cli("scan", ".", "--cfn-lint", "--format", "json", cwd=str(project))
    assert [f["severity"] for f in raised.findings()] == ["high"]


def test_a_baseline_accepts_it(project):
    created = cli("baseline", "create", ".", "--cfn-lint", "--output", "base.json", cwd=str(project))
    assert created.code == 0
    run = cli("scan", ".", "--cfn-lint", "--baseline", "base.json", "--format", "json", cwd=str(project))
    assert [(f["rule_id"], f["suppressed"]) for f in run.findings()] == [("CFN-E3012", True)]
    assert run.code == 0


def test_sarif_has_a_descriptor_with_cfn_lint_docs_and_stays_valid(project):
    run = cli("scan", ".", "--cfn-lint", "--format", "sarif", cwd=str(project))
    log = json.loads(run.stdout)
    with open(SARIF_SCHEMA, encoding="utf-8") as handle:
        jsonschema.validate(log, json.load(handle))
    driver = log["runs"][0]["tool"]["driver"]
    (result,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "CFN-E3012"]
    descriptor = driver["rules"][result["ruleIndex"]]
    assert descriptor["id"] == "CFN-E3012"
    assert descriptor["shortDescription"]["text"] == "Check resource properties values"
    assert descriptor["helpUri"].startswith("https://github.com/aws-cloudformation/cfn-lint/")
    assert "security-severity" not in descriptor["properties"]  # not a security alert
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 8


def test_without_the_extra_the_flag_exits_2_with_the_install_line(project, monkeypatch):
    monkeypatch.setitem(sys.modules, "cfnlint", None)  # what an install without the extra looks like
    monkeypatch.setitem(sys.modules, "cfnlint.api", None)
    run = cli("scan", ".", "--cfn-lint", cwd=str(project))
    assert run.code == 2
    assert "pip install 'iac-lint[cfn-lint]'" in run.stderr
    assert cli("scan", ".", cwd=str(project)).code == 0  # the flag alone needs it


def test_a_scan_without_the_flag_never_imports_cfn_lint(project):
    code = ("import sys; from iac_lint.cli import main\n"
            "try:\n    main(['scan', '.'])\nexcept SystemExit:\n    pass\n"
            "print('cfnlint' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=str(project), capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": REPO}, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_rules_a_cfnlintrc_appends_are_never_loaded(project):
    # A pull request controls the scanned folder: its .cfnlintrc must not get code run or checks dropped.
    (project / "evil").mkdir()
    marker = project / "PWNED"
    payload = f"open({str(marker)!r}, 'w').write('ran')\n"
    (project / "evil" / "__init__.py").write_text(payload)
    (project / "evil" / "E9999.py").write_text(payload)
    (project / "custom.txt").write_text("AWS::SQS::Queue VisibilityTimeout == 1 ERROR\n")
    (project / ".cfnlintrc").write_text("append_rules: [evil]\ncustom_rules: custom.txt\nignore_checks: [E3012]\n")
    run = cli("scan", ".", "--cfn-lint", "--format", "json", cwd=str(project))
    assert not marker.exists()
    assert [f["rule_id"] for f in run.findings()] == ["CFN-E3012"]


def test_a_resources_cfn_lint_ignore_checks_still_applies(project):
    path = project / "queue.yaml"
    path.write_text(path.read_text().replace(
        "    Type: AWS::SQS::Queue\n",
        "    Type: AWS::SQS::Queue\n    Metadata:\n      cfn-lint:\n        config:\n"
        "          ignore_checks: [E3012]\n"))
    run = cli("scan", ".", "--cfn-lint", "--format", "json", cwd=str(project))
    assert run.findings() == [] and run.code == 0

"""Every built-in rule's cases (policies/<category>/<ID>/), one test per case.

Each case asserts the exact set of lines its rule flags (see ruletest.py).
"""

import os

import pytest

from iac_lint.engine.rules import builtin_policies_dir, load_rules
from iac_lint.ruletest import run_case, run_rule_tests

RULES = load_rules()
CASES = [
    (rule, os.path.join(rule.cases_dir, name))
    for rule in RULES if os.path.isdir(rule.cases_dir)
    for name in sorted(os.listdir(rule.cases_dir)) if not name.startswith(".")
]


@pytest.mark.parametrize("rule,case", CASES, ids=[f"{r.id}/{os.path.basename(c)}" for r, c in CASES])
def test_case(rule, case):
    result = run_case(rule, case)
    assert result.error is None, result.error
    assert sorted(result.actual) == sorted(result.expected)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_has_positive_and_negative_cases_in_cloudformation_and_sam(rule):
    cases = sorted(os.listdir(rule.cases_dir)) if os.path.isdir(rule.cases_dir) else []
    results = [run_case(rule, os.path.join(rule.cases_dir, c)) for c in cases]
    for fmt in ("cloudformation", "sam"):
        mine = [r for r in results if r.format == fmt]
        if rule.id == "IAM006":
            continue  # one role shared by several functions: written for every format by its own cases
        assert any(r.positive for r in mine), f"{rule.id} has no positive {fmt} case"
        assert any(not r.positive for r in mine), f"{rule.id} has no negative {fmt} case"


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_documents_its_five_parts(rule):
    for part in ("what", "why", "example", "fix", "references"):
        assert rule.docs.get(part), f"{rule.id} docs lack '{part}'"
    assert os.path.basename(rule.source).startswith(f"{rule.id}-{rule.name}") or rule.source.endswith(".py")


def test_rules_test_command_passes_on_builtin_policies(run_cli):
    code, out = run_cli("rules", "test", builtin_policies_dir())
    assert code == 0, out
    assert out.strip().splitlines()[-1].endswith(", 0 failed")


def test_harness_reports_a_wrong_line(tmp_path):
    rule_dir = tmp_path / "custom"
    (rule_dir / "CUS001").mkdir(parents=True)
    (rule_dir / "CUS001-topic-name.yaml").write_text(
        "id: CUS001\nname: topic-name\nseverity: low\ncategory: encryption\ntitle: t\n"
        "applies_to: topic\nwhen: \"name == 'bad'\"\nmessage: m\n")
    (rule_dir / "CUS001" / "cfn-bad.yaml").write_text(
        "Resources:\n  # ruleid: CUS001\n  Other:\n    Type: AWS::SQS::Queue\n"
        "  T:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: bad}\n")
    report = run_rule_tests(str(rule_dir))
    (result,) = report.results
    assert not result.passed
    assert {line for _, line in result.expected} == {3}
    assert {line for _, line in result.actual} == {5}
    assert report.missing == ["CUS001"]  # no negative case

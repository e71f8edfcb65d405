"""Rule documentation: the pages under docs/rules/, the links that point at them, and the ids they document."""

from __future__ import annotations

import ast
import filecmp
import json
import os
import re
import subprocess
import sys

import pytest
from conftest import REPO
from gate_support import cli

from iac_lint.model.builtin_findings import BUILTIN_FINDINGS
from iac_lint.model.rule_ids import is_rule_id, is_rule_token, matches_rule

DOCS = os.path.join(REPO, "docs", "rules")
PAGE_URL = "https://github.com/iac-lint/iac-lint/blob/main/docs/rules/"


def run_module(*args: str, cwd: str = REPO) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=False)


def read(*parts: str) -> str:
    with open(os.path.join(*parts), encoding="utf-8") as handle:
        return handle.read()


# --- the committed pages -------------------------------------------------------------------


def test_committed_pages_are_up_to_date(tmp_path):
    fresh = tmp_path / "rules"
    done = run_module("iac_lint.docs", "--output", str(fresh))
    assert done.returncode == 0, done.stderr
    compared = filecmp.dircmp(DOCS, fresh)
    stale = compared.diff_files + compared.left_only + compared.right_only
    assert not stale, f"docs/rules is out of date ({', '.join(stale)}): run `iac-lint rules docs`"
    # Byte for byte, not only by stat signature.
    for name in os.listdir(fresh):
        assert (fresh / name).read_text(encoding="utf-8") == read(DOCS, name), name


def test_check_names_a_stale_page_and_a_leftover_one_and_docs_repairs_them(tmp_path):
    out = tmp_path / "rules"
    assert cli("rules", "docs", "--output", str(out)).code == 0
    assert cli("rules", "docs", "--output", str(out), "--check").code == 0
    (out / "IAM001.md").write_text("edited by hand\n")
    (out / "OLD001.md").write_text("a rule that is gone\n")
    run = cli("rules", "docs", "--output", str(out), "--check")
    assert run.code == 1
    assert "IAM001.md is out of date" in run.stderr and "OLD001.md is out of date" in run.stderr
    assert cli("rules", "docs", "--output", str(out)).code == 0
    assert not (out / "OLD001.md").exists() and "# IAM001 wildcard-action" in (out / "IAM001.md").read_text()


def test_one_page_per_rule_and_built_in_finding_and_an_index_of_them():
    from iac_lint.engine.rules import load_rules

    ids = [r.id for r in load_rules()] + list(BUILTIN_FINDINGS)
    assert sorted(os.listdir(DOCS)) == sorted([f"{i}.md" for i in ids] + ["README.md"])
    index = read(DOCS, "README.md")
    assert "| [IAM001](IAM001.md) | wildcard-action | high | least-privilege |" in index
    assert "| [S002](S002.md) | unused-suppression | info | suppression |" in index
    page = read(DOCS, "THR003.md")
    headings = re.findall(r"^## (.+)$", page, re.MULTILINE)
    assert headings == ["What it does", "Why is this bad?", "Example", "Use instead", "References"]


def test_every_relative_link_of_the_pages_resolves():
    for name in os.listdir(DOCS):
        text = read(DOCS, name)
        for target in re.findall(r"\]\(([^)]+)\)", text):
            if target.startswith(("https://", "http://")):
                continue
            assert os.path.exists(os.path.normpath(os.path.join(DOCS, target))), f"{name}: {target}"
    page = read(DOCS, "IAM001.md")
    source = "policies/least-privilege/IAM001-wildcard-action.py"
    assert f"[{source}](https://github.com/iac-lint/iac-lint/blob/main/{source})" in page
    assert os.path.isfile(os.path.join(REPO, source))


# --- rules list / show ---------------------------------------------------------------------


@pytest.mark.parametrize("rule_id", ["S002", "e001"])
def test_rules_show_documents_built_in_findings(rule_id):
    run = cli("rules", "show", rule_id)
    assert run.code == 0, run.stderr
    finding = BUILTIN_FINDINGS[rule_id.upper()]
    assert run.stdout.startswith(f"# {finding.id} {finding.name}\n")
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## References"):
        assert heading in run.stdout
    assert f"- Documentation: {PAGE_URL}{finding.id}.md" in run.stdout


def test_rules_show_prints_the_page_of_a_rule_with_its_link():
    run = cli("rules", "show", "IAM001")
    page = read(DOCS, "IAM001.md")
    # The same five parts as the page: one renderer.
    assert page[page.index("## What it does"):] in run.stdout
    assert f"- Documentation: {PAGE_URL}IAM001.md" in run.stdout


def test_rules_list_marks_built_in_findings():
    run = cli("rules", "list")
    assert run.code == 0
    rules, _, builtin = run.stdout.partition("Built-in findings")
    assert "IAM001  wildcard-action" in rules and "E001" not in rules
    listed = re.findall(r"^([A-Z]\d{3}) ", builtin, re.MULTILINE)
    assert listed == list(BUILTIN_FINDINGS)
    assert re.search(r"^S002\s+unused-suppression\s+info\s+suppression\s", builtin, re.MULTILINE)


def test_rules_show_of_an_unknown_id_exits_2():
    run = cli("rules", "show", "NOPE999")
    assert run.code == 2 and "no rule or built-in finding NOPE999" in run.stderr


# --- links in the reports ------------------------------------------------------------------


USER_RULE = """\
id: {id}
name: topic-check
severity: low
category: encryption
title: Topic check
applies_to: topic
when: "`true`"
message: "Topic {{id}}"
docs:
  what: Flags topics.
  references: [https://wiki.example.com/{id}, https://example.com/other]
"""


def sarif_rules(run) -> dict[str, dict]:
    log = json.loads(run.stdout)
    return {d["id"]: d for d in log["runs"][0]["tool"]["driver"]["rules"]}


def test_sarif_links_built_in_rules_and_findings_to_their_pages(tmp_path):
    (tmp_path / "bad.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  A: [\n")
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
        "  # iac-lint: ignore IAM001 -- nothing to suppress here\n  Q:\n    Type: AWS::SQS::Queue\n")
    descriptors = sarif_rules(cli("scan", ".", "--extend-select", "ENC003", "--format", "sarif", cwd=str(tmp_path)))
    for rule_id in ("ENC003", "IAM001", "E001", "S002"):
        assert descriptors[rule_id]["helpUri"] == f"{PAGE_URL}{rule_id}.md"
        assert os.path.isfile(os.path.join(DOCS, f"{rule_id}.md"))
    # The built-in findings carry their documentation too, not only a title.
    assert "### Why is this bad?" in descriptors["S002"]["help"]["markdown"]
    assert "Why is this bad?:" in descriptors["E001"]["help"]["text"]


def test_a_users_rule_links_to_its_first_reference_even_under_a_built_in_id(tmp_path):
    policies = tmp_path / "org"
    policies.mkdir()
    (policies / "ORG001-topic-check.yaml").write_text(USER_RULE.format(id="ORG001"))
    (policies / "ENC003-topic-check.yaml").write_text(USER_RULE.format(id="ENC003"))
    (tmp_path / "t.yaml").write_text("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")
    descriptors = sarif_rules(cli("scan", "t.yaml", "--policies", "org", "--format", "sarif", cwd=str(tmp_path)))
    assert descriptors["ORG001"]["helpUri"] == "https://wiki.example.com/ORG001"
    # It replaced the built-in ENC003: the built-in page would document a different rule.
    assert descriptors["ENC003"]["helpUri"] == "https://wiki.example.com/ENC003"


def test_help_uri_for_serves_the_text_report_and_the_editor():
    from iac_lint.docs import help_uri_for
    from iac_lint.engine.rules import load_rules

    rules = load_rules()
    assert help_uri_for("IAM001", rules) == f"{PAGE_URL}IAM001.md"
    assert help_uri_for("S005") == f"{PAGE_URL}S005.md"
    assert help_uri_for("ORG404", rules) is None


# --- one rule-id pattern, one matcher -------------------------------------------------------


@pytest.mark.parametrize("text", ["IAM001", "E001", "S002", "ORG042", "CFN-E3012", "CFN-W3005", "ABCDEFGH12345"])
def test_rule_id_pattern_accepts(text):
    assert is_rule_id(text)


@pytest.mark.parametrize("text", ["", "iam001", "IAM01", "IAM", "001", "IAM-001", "CFN-3012", "CFN-E3012-x",
                                  "IAM001 ", "IAM_001", "I AM001", "CFN--E3012", "ABCDEFGHI001", "IAM123456",
                                  "PUBLIC-ACCESS001"])
def test_rule_id_pattern_rejects(text):
    assert not is_rule_id(text)


def test_tokens_name_ids_prefixes_and_categories_without_cutting_through_letters():
    assert matches_rule("IAM001", "least-privilege", ["IAM"])
    assert matches_rule("IAM001", "least-privilege", ["least-privilege"])
    assert matches_rule("IAM001", "least-privilege", ["iam001"])
    assert matches_rule("CFN-E3012", "cfn-lint", ["CFN"]) and matches_rule("CFN-E3012", "cfn-lint", ["CFN-E"])
    assert not matches_rule("CFN-W3005", "cfn-lint", ["CFN-E"])
    assert matches_rule("E001", "error", ["E"]) and not matches_rule("ENC001", "encryption", ["E"])
    assert not matches_rule("IAM001", "least-privilege", ["IA"])
    assert all(is_rule_token(t) for t in ("IAM", "CFN-E3012", "CFN", "encryption", "all"))
    # A misspelt category is refused, not taken for a prefix that selects nothing.
    assert not any(is_rule_token(t) for t in ("IAM*", "publc-access", "least-privelege", "", "C F N"))


def test_cfn_lint_style_ids_go_through_configuration_and_suppression_comments(tmp_path):
    from iac_lint.config import ConfigError, read_config_file
    from iac_lint.engine.suppress import read_comments

    config = tmp_path / ".iac-lint.yaml"
    config.write_text("select: [CFN-E3012, IAM]\nseverity: {CFN-E3012: low}\n")
    settings = read_config_file(str(config))
    assert settings["select"] == ["CFN-E3012", "IAM"] and settings["severity"] == {"CFN-E3012": "low"}
    config.write_text("severity: {cfn_e3012: low}\n")
    with pytest.raises(ConfigError, match="not a rule id"):
        read_config_file(str(config))
    comments = read_comments(["  # iac-lint: ignore CFN-E3012, iam001 -- reviewed"], "t.yaml")
    (suppression,) = comments.by_line[1]
    assert suppression.ids == ("CFN-E3012", "IAM001") and not comments.malformed


def test_a_users_rule_may_not_take_a_built_in_finding_id(tmp_path):
    (tmp_path / "E001-mine.yaml").write_text(USER_RULE.format(id="E001"))
    run = cli("rules", "list", "--policies", str(tmp_path))
    assert run.code == 2 and "E001 is iac-lint's own parse-error finding" in run.stderr


# --- the public rule API -------------------------------------------------------------------


def _imports(path: str) -> set[str]:
    tree = ast.parse(read(path), path)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            names.add(node.module or "")
    return names


def test_built_in_rules_import_only_the_rule_api_and_the_model():
    from iac_lint.engine.rules import builtin_policies_dir, rule_files

    python_rules = [p for p in rule_files(builtin_policies_dir()) if p.endswith(".py")]
    assert python_rules
    for path in python_rules:
        for name in _imports(path):
            top = name.split(".")[0]
            allowed = name == "iac_lint.rules" or name == "iac_lint.model" or name.startswith("iac_lint.model.")
            assert allowed or (top != "iac_lint" and top in sys.stdlib_module_names), \
                f"{os.path.relpath(path, REPO)} imports {name}"


def test_the_old_import_path_of_violation_still_works():
    import iac_lint.engine.rules as engine_rules
    import iac_lint.rules as rule_api

    assert engine_rules.Violation is rule_api.Violation


def test_pages_for_a_users_rules_link_their_source_relatively(tmp_path):
    policies = tmp_path / "org" / "encryption"
    policies.mkdir(parents=True)
    (policies / "ORG001-topic-check.yaml").write_text(USER_RULE.format(id="ORG001"))
    out = tmp_path / "site" / "rules"
    done = run_module("iac_lint.docs", "--output", str(out), "--policies", str(tmp_path / "org"))
    assert done.returncode == 0, done.stderr
    page = (out / "ORG001.md").read_text(encoding="utf-8")
    assert "[../../org/encryption/ORG001-topic-check.yaml](../../org/encryption/ORG001-topic-check.yaml)" in page
    assert "| [ORG001](ORG001.md) | topic-check | low | encryption | Topic check |" in (out / "README.md").read_text()
    assert run_module("iac_lint.docs", "--output", str(out), "--check").returncode == 1  # ORG001 is extra now

"""Configuration: where it is found, what it may say, how flags override it, and what it may not do."""

from __future__ import annotations

import os

import pytest
from gate_support import cli, copy_fixture


@pytest.fixture
def project(tmp_path):
    copy_fixture("app.yaml", str(tmp_path), "infra/app.yaml", advice=False)  # these tests write their own
    return tmp_path


def write(path, text: str) -> None:
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def rules_of(run) -> set[str]:
    return {f["rule_id"] for f in run.findings(active_only=True)}


def test_yaml_config_at_the_root_selects_and_sets_fail_on(project):
    write(project / ".iac-lint.yaml", "select: [IAM, ENC002]\nfail_on: critical\n")
    run = cli("scan", ".", "--format", "json", cwd=str(project))
    assert rules_of(run) == {"IAM001", "IAM002", "ENC002"}
    assert run.code == 0  # nothing critical


def test_flags_win_over_the_file(project):
    write(project / ".iac-lint.yaml", "select: [IAM]\nfail_on: critical\n")
    run = cli("scan", ".", "--format", "json", "--select", "ENC", "--fail-on", "low", cwd=str(project))
    assert rules_of(run) == {"ENC001", "ENC002"}
    assert run.code == 1


def test_config_found_at_the_scan_root_when_run_elsewhere(project, tmp_path_factory):
    write(project / ".iac-lint.yaml", "ignore: [ENC, PUB]\n")
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    run = cli("scan", str(project), "--format", "json", cwd=str(elsewhere))
    assert rules_of(run) == {"IAM001", "IAM002"}


def test_pyproject_table(project):
    write(project / "pyproject.toml", '[project]\nname = "x"\n\n[tool.iac-lint]\nignore = ["IAM002"]\n'
                                      'fail-on = "high"\n\n[tool.iac-lint.severity]\nIAM001 = "medium"\n')
    run = cli("scan", ".", "--format", "json", cwd=str(project))
    assert "IAM002" not in rules_of(run)
    iam001 = [f for f in run.findings() if f["rule_id"] == "IAM001"][0]
    assert iam001["severity"] == "medium"
    assert run.code == 0  # IAM001 is medium now, below fail-on high


def test_explicit_config_file(project):
    write(project / "ci" / "strict.yaml", "select: [ENC001]\n")
    run = cli("scan", "infra", "--config", "ci/strict.yaml", "--format", "json", cwd=str(project))
    assert rules_of(run) == {"ENC001"}  # select names an opt-in rule: it runs


def test_missing_explicit_config_file_is_exit_2(project):
    run = cli("scan", "infra", "--config", "nope.yaml", cwd=str(project))
    assert run.code == 2 and "nope.yaml" in run.stderr


def test_unknown_key_names_file_and_line(project):
    write(project / ".iac-lint.yaml", "select: [IAM]\n\nfail-on: high\nignroe: [ENC001]\n")
    run = cli("scan", ".", cwd=str(project))
    assert run.code == 2
    assert ".iac-lint.yaml:4: unknown key 'ignroe' (did you mean 'ignore'?)" in run.stderr


@pytest.mark.parametrize("text, line, words", [
    ("fail_on: severe\n", 1, "fail_on must be one of"),
    ("select:\n  - IAM\n  - encription\n", 3, "'encription' is not a rule id"),
    ("severity:\n  IAM001: high\n  IAM006: urgent\n", 3, "severity of IAM006 must be one of"),
    ("severity: {iam-one: low}\n", 1, "is not a rule id"),
    ("per_path_ignores:\n  legacy/**: IAM001\n  ../up/**: [IAM001]\n", 3, "must be a glob relative"),
    ("select: IAM\nexclude: {a: b}\n", 2, "exclude must be a list of strings"),
    ("policies: [../outside]\n", 1, "points outside"),
    ("baseline: /etc/passwd\n", 1, "points outside"),
    ("- just\n- a list\n", 1, "must be a mapping"),
    ("select: [IAM\n", 2, "not valid YAML"),
])
def test_bad_values_name_file_and_line(project, text, line, words):
    write(project / ".iac-lint.yaml", text)
    run = cli("scan", ".", cwd=str(project))
    assert run.code == 2
    assert f".iac-lint.yaml:{line}: " in run.stderr, run.stderr
    assert words in run.stderr


def test_bad_toml_value_names_the_line(project):
    write(project / "pyproject.toml", '[tool.iac-lint]\nselect = ["IAM"]\nfail_on = 3\n')
    run = cli("scan", ".", cwd=str(project))
    assert run.code == 2 and "pyproject.toml:3: fail_on must be one of" in run.stderr


def test_per_path_ignores_mark_findings_suppressed(project):
    copy_fixture("app.yaml", str(project), "legacy/old/app.yaml", advice=False)
    write(project / ".iac-lint.yaml", "per_path_ignores:\n  legacy/**: [IAM, ENC002]\n")
    run = cli("scan", ".", "--format", "json", cwd=str(project))
    legacy = [f for f in run.findings() if f["file"].startswith("legacy/")]
    quiet = {f["rule_id"] for f in legacy if f["suppressed"]}
    assert quiet == {"IAM001", "IAM002", "ENC002"}
    assert all(f["suppression_kind"] == "external" and f["suppression_reason"] == "per_path_ignores: legacy/**"
               for f in legacy if f["suppressed"])
    assert not any(f["suppressed"] for f in run.findings() if f["file"].startswith("infra/"))


def test_exclude_from_the_file(project):
    copy_fixture("app.yaml", str(project), "examples/app.yaml")
    write(project / ".iac-lint.yaml", "exclude: [examples]\n")
    run = cli("scan", ".", "--format", "json", cwd=str(project))
    assert {f["file"] for f in run.findings()} == {"infra/app.yaml"}


YAML_RULE = """id: ORG001
name: queue-sse-off
severity: low
category: encryption
title: A queue with SSE turned off (organisation rule)
applies_to: queue
when: "explicit_disabled"
message: "Queue {id} is not encrypted"
"""

PY_RULE = '''RULE = {"id": "ORG002", "name": "always", "severity": "high", "category": "encryption",
        "title": "Always", "applies_to": "queue", "message": "ran"}
open("PWNED", "w").write("a pull request ran code")


def check(queue):
    return []
'''


def test_config_policies_load_yaml_rules(project):
    write(project / "rules" / "encryption" / "ORG001-queue-sse-off.yaml", YAML_RULE)
    write(project / ".iac-lint.yaml", "policies: [rules]\nselect: [ORG]\n")
    run = cli("scan", "infra", "--format", "json", cwd=str(project))
    assert run.code == 1, run.stderr
    # The queue header: the rule has no `at`.
    assert [(f["rule_id"], f["line"]) for f in run.findings()] == [("ORG001", 25)]


def test_config_policies_refuse_python_rules(project):
    write(project / "rules" / "encryption" / "ORG002-always.py", PY_RULE)
    write(project / ".iac-lint.yaml", "select: [ENC]\npolicies:\n  - rules\n")
    run = cli("scan", "infra", cwd=str(project))
    assert run.code == 2
    assert ".iac-lint.yaml:2: policies:" in run.stderr
    assert "--policies rules" in run.stderr
    assert not (project / "PWNED").exists()


def test_python_rules_load_when_the_command_line_names_the_directory(project):
    write(project / "rules" / "encryption" / "ORG002-always.py", PY_RULE)
    write(project / ".iac-lint.yaml", "policies: [rules]\n")
    run = cli("scan", "infra", "--policies", "rules", "--format", "json", cwd=str(project))
    assert run.code == 1, run.stderr
    assert (project / "PWNED").exists()  # trusted by the person who ran it: this is how Python rules load


def test_serverless_and_terraform_options_reach_the_parsers(project):
    from iac_lint.config import resolve_config

    write(project / "prod.tfvars", 'region = "eu-west-1"\n')
    write(project / ".iac-lint.yaml", "stage: prod\nparams: {env: prod, replicas: 3}\nvar_files: [prod.tfvars]\n"
                                      "vars: {debug: false}\n")
    config = resolve_config([str(project)])
    assert config.parse.stage == "prod"
    assert config.parse.params == {"env": "prod", "replicas": "3"}
    assert config.parse.var_files == [str(project / "prod.tfvars")]
    assert config.parse.tf_vars == {"debug": "false"}
    overridden = resolve_config([str(project)], stage="dev")
    assert overridden.parse.stage == "dev"


def test_per_path_ignore_globs_read_as_gitignore_lines():
    from iac_lint.config import path_pattern

    def matches(pattern: str, path: str) -> bool:
        return path_pattern(pattern).match_file(path)

    assert matches("legacy/**", "legacy/a/b.yaml")
    assert not matches("legacy/**", "src/legacy.yaml")
    assert matches("*.json", "deep/dir/t.json")
    assert not matches("infra/*.yaml", "infra/sub/t.yaml")
    assert matches("infra/**/t.yaml", "infra/t.yaml")
    assert matches("vendor", "a/vendor/x.tf")
    assert matches("./infra/", "infra/x.yaml")


def test_config_policies_may_not_replace_a_builtin_rule(project):
    write(project / "rules" / "least-privilege" / "IAM001-wildcard-action.yaml",
          YAML_RULE.replace("ORG001", "IAM001").replace('"explicit_disabled"', '"`false`"'))
    write(project / ".iac-lint.yaml", "policies: [rules]\n")
    run = cli("scan", "infra", cwd=str(project))
    assert run.code == 2
    assert ".iac-lint.yaml:1: policies:" in run.stderr and "built-in ids (IAM001-wildcard-action.yaml)" in run.stderr
    trusted = cli("scan", "infra", "--policies", "rules", "--format", "json", cwd=str(project))
    assert "IAM001" not in rules_of(trusted)  # replaced on purpose by whoever runs the scan


def test_config_found_by_walking_up_to_the_repository_root_and_not_above(tmp_path):
    outer = tmp_path / "outer"
    repo = outer / "repo"
    copy_fixture("app.yaml", str(repo), "services/orders/infra/app.yaml")
    (repo / ".git").mkdir()
    write(outer / ".iac-lint.yaml", "select: [PUB]\n")  # above the repository: not ours
    deep = repo / "services" / "orders" / "infra"
    assert rules_of(cli("scan", ".", "--format", "json", cwd=str(deep))) == \
        {"IAM001", "IAM002", "ENC001", "ENC002", "PUB002"}
    write(repo / ".iac-lint.yaml", "select: [IAM]\nbaseline: baselines/orders.json\n")
    missing = cli("scan", ".", cwd=str(deep))
    assert missing.code == 2 and str(repo / "baselines" / "orders.json") in missing.stderr
    # Relative paths stay relative to the file, not to where the scan starts.
    write(repo / "baselines" / "orders.json", '{"version": 1, "findings": []}')
    run = cli("scan", "services/orders/infra/app.yaml", "--format", "json", cwd=str(repo))
    assert rules_of(run) == {"IAM001", "IAM002"}
    assert rules_of(cli("scan", ".", "--format", "json", cwd=str(deep))) == {"IAM001", "IAM002"}


def test_the_nearest_configuration_wins(tmp_path):
    copy_fixture("app.yaml", str(tmp_path), "services/orders/app.yaml")
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".iac-lint.yaml", "select: [IAM]\n")
    write(tmp_path / "services" / "orders" / "pyproject.toml", '[tool.iac-lint]\nselect = ["ENC002"]\n')
    assert rules_of(cli("scan", "services/orders", "--format", "json", cwd=str(tmp_path))) == {"ENC002"}
    assert rules_of(cli("scan", "services", "--format", "json", cwd=str(tmp_path))) == {"IAM001", "IAM002"}


@pytest.mark.parametrize("text, line, words", [
    ("select: [IAM01]\n", 1, "select: 'IAM01' is not a rule id"),
    ("ignore:\n  - ENC\n  - PUBX\n", 1, "ignore: 'PUBX' is not a rule id"),
    ("severity: {IAM999: low}\n", 1, "severity: 'IAM999' is not a rule id"),
])
def test_well_formed_selector_naming_no_rule_is_an_error(project, text, line, words):
    # A selector that names nothing would turn the gate off: the file gets exit 2 with its line.
    write(project / ".iac-lint.yaml", text)
    run = cli("scan", ".", cwd=str(project))
    assert run.code == 2
    assert f".iac-lint.yaml:{line}: {words}" in run.stderr, run.stderr


@pytest.mark.parametrize("flag, token", [("--select", "IAM01"), ("--ignore", "THR9"), ("--select", "nope")])
def test_flag_naming_no_rule_is_exit_2_with_the_config_message(project, flag, token):
    run = cli("scan", ".", flag, token, cwd=str(project))
    assert run.code == 2
    assert f"{flag}: {token!r} is not a rule id (IAM001), a prefix (IAM) or a category" in run.stderr


def test_prefixes_categories_and_builtin_ids_still_select(project):
    for token in ("IAM", "IAM00", "public-access", "E001", "ALL", "secrets"):
        assert cli("scan", ".", "--select", token, cwd=str(project)).code in (0, 1), token


def test_default_profile_runs_the_default_set_and_strict_adds_the_advice(project):
    assert rules_of(cli("scan", "infra", "--format", "json", cwd=str(project))) == {"IAM001", "IAM002", "ENC002"}
    strict = rules_of(cli("scan", "infra", "--profile", "strict", "--format", "json", cwd=str(project)))
    assert strict == {"IAM001", "IAM002", "ENC002", "ENC001"}
    write(project / ".iac-lint.yaml", "profile: strict\nignore: [IAM]\n")
    assert rules_of(cli("scan", "infra", "--format", "json", cwd=str(project))) == {"ENC002", "ENC001"}


def test_extend_select_adds_opt_in_rules_to_the_default_set(project):
    run = cli("scan", "infra", "--extend-select", "ENC001", "--format", "json", cwd=str(project))
    assert rules_of(run) == {"IAM001", "IAM002", "ENC002", "ENC001"}
    # select replaces the set; extend_select adds to it, as ruff's do.
    write(project / ".iac-lint.yaml", "select: [IAM001]\nextend-select: [encryption]\n")
    assert rules_of(cli("scan", "infra", "--format", "json", cwd=str(project))) == {"IAM001", "ENC001", "ENC002"}


@pytest.mark.parametrize("text, words", [
    ("profile: paranoid\n", "profile must be one of default, strict"),
    ("extend_select: [ENC999]\n", "ENC999"),
])
def test_bad_profile_or_extend_select_names_the_file(project, text, words):
    write(project / ".iac-lint.yaml", text)
    run = cli("scan", ".", cwd=str(project))
    assert run.code == 2 and ".iac-lint.yaml:1" in run.stderr and words in run.stderr, run.stderr

"""Writing, testing and shipping a rule with nothing but the CLI: explain, model docs, rules new,
strict validation, Violation, rules test, rule packs, the cookbook."""

from __future__ import annotations

import json
import os
import re
import textwrap

import jsonschema
import pytest
from conftest import REPO
from gate_support import cli

COOKBOOK = os.path.join(REPO, "docs", "cookbook", "rules")


def read(path) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def write(path, text: str) -> str:
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(textwrap.dedent(text))
    return str(path)


SAM = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Limit: {Type: Number}
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Timeout: !Ref Limit
      Environment:
        Variables:
          TABLE: orders
      Policies:
        - Statement:
            - Effect: Allow
              Action: s3:GetObject
              Resource: "*"
"""


# --- 1. explain ----------------------------------------------------------------------------


def test_explain_prints_fields_values_unknowns_links_and_locations(tmp_path):
    write(tmp_path / "template.yaml", SAM)
    run = cli("explain", "template.yaml", "--format", "json", cwd=str(tmp_path))
    assert run.code == 0, run.stderr
    data = run.json()
    assert data["version"] == 1
    (fn,) = [e for e in data["entities"] if e["kind"] == "function"]
    assert fn["id"] == "Api" and fn["format"] == "sam" and fn["type"] == "AWS::Serverless::Function"
    assert fn["location"] == "template.yaml:5:3"
    assert fn["fields"]["runtime"] == "python3.12"
    assert fn["fields"]["timeout"] == {"unknown": fn["fields"]["timeout"]["unknown"]}
    assert fn["fields"]["environment"] == {"TABLE": "orders"}
    assert fn["fields"]["role"]["kind"] == "role" and set(fn["fields"]["role"]) == {"kind", "id"}
    assert fn["locations"]["runtime"] == "template.yaml:8:16"
    assert fn["locations"]["environment.TABLE"].startswith("template.yaml:14:")
    (role,) = [e for e in data["entities"] if e["kind"] == "role"]
    assert role["fields"]["functions"] == [{"kind": "function", "id": "Api"}]
    assert role["fields"]["statements"][0]["actions"] == ["s3:GetObject"]


def test_explain_filters_by_kind_and_speaks_yaml(tmp_path):
    write(tmp_path / "template.yaml", SAM)
    run = cli("explain", "template.yaml", "--kind", "lambda", cwd=str(tmp_path))  # an alias of function
    assert run.code == 0, run.stderr
    assert "kind: function" in run.stdout and "kind: role\n  id" not in run.stdout
    assert cli("explain", "template.yaml", "--kind", "lamda", cwd=str(tmp_path)).code == 2


# --- 2. the model reference ----------------------------------------------------------------


def test_model_docs_are_up_to_date():
    from iac_lint.docs import model_markdown

    with open(os.path.join(REPO, "docs", "model.md"), encoding="utf-8") as handle:
        assert handle.read() == model_markdown(), "run `iac-lint rules model-docs`"


def test_every_model_field_is_documented():
    from iac_lint.model.entities import ENTITY_TYPES
    from iac_lint.model.reference import (
        COMMON_FIELDS,
        FIELD_DOCS,
        KIND_DOCS,
        PART_FIELD_DOCS,
        PART_TYPES,
        fact_fields,
    )

    for kind, cls in ENTITY_TYPES.items():
        assert kind in KIND_DOCS
        names = {n for n, _ in fact_fields(cls)} - set(COMMON_FIELDS)
        assert names == set(FIELD_DOCS[kind]), f"{kind}: document {names ^ set(FIELD_DOCS[kind])}"
    for name, cls in PART_TYPES.items():
        assert {n for n, _ in fact_fields(cls)} == set(PART_FIELD_DOCS[name]), name


def test_model_docs_command_writes_and_checks(tmp_path):
    out = str(tmp_path / "model.md")
    assert cli("rules", "model-docs", "--check", "--output", out).code == 1
    assert cli("rules", "model-docs", "--output", out).code == 0
    assert cli("rules", "model-docs", "--check", "--output", out).code == 0
    assert "### function" in read(out)


# --- 3. scaffold -----------------------------------------------------------------------------


@pytest.mark.parametrize("python", [False, True], ids=["yaml", "python"])
def test_scaffolded_function_rule_passes_its_cases_in_every_format(tmp_path, python):
    rules = str(tmp_path / "rules")
    args = ["rules", "new", "ORG001", "--category", "runtime", "--applies-to", "function", "--dir", rules]
    run = cli(*args, *(["--python"] if python else []))
    assert run.code == 0, run.stderr
    rule = os.path.join(rules, "runtime", f"ORG001-function-check.{'py' if python else 'yaml'}")
    text = read(rule)
    for part in ("what", "why", "example", "fix", "references"):
        assert part in text
    cases = sorted(os.listdir(os.path.join(rules, "runtime", "ORG001")))
    assert {c.split("-")[0] for c in cases} == {"cfn", "sam", "sls", "tf"} and len(cases) == 8
    run = cli("rules", "test", rules)
    assert run.code == 0, run.stdout
    assert "ORG001: cloudformation, sam, serverless, terraform" in run.stdout
    assert run.stdout.strip().endswith("8 passed, 0 failed")
    # And it runs in a scan.
    scan = cli("scan", os.path.join(rules, "runtime", "ORG001", "sam-positive.yaml"), "--policies", rules,
               "--select", "ORG001", "--format", "json")
    assert [f["rule_id"] for f in scan.findings()] == ["ORG001"]


def test_scaffold_for_another_kind_fails_with_a_todo_hint(tmp_path):
    rules = str(tmp_path / "rules")
    assert cli("rules", "new", "ORG002", "-c", "encryption", "--applies-to", "queue", "--dir", rules).code == 0
    run = cli("rules", "test", rules)
    assert run.code == 1
    assert "TODO(rules new)" in run.stdout and "expected, not found" in run.stdout


@pytest.mark.parametrize("kind", ["bucket", "queue", "topic", "table", "stream", "log_group", "key", "role", "api"])
def test_scaffolded_cases_of_every_kind_hold_that_kind_at_the_marked_line(tmp_path, kind):
    rules = str(tmp_path / "rules")
    assert cli("rules", "new", "ORG002", "-c", "tagging", "--applies-to", kind, "--dir", rules).code == 0
    (rule,) = [os.path.join(rules, "tagging", f) for f in os.listdir(os.path.join(rules, "tagging"))
               if f.endswith(".yaml")]
    write(rule, read(rule).replace('when: "`false`"', 'when: "`true`"'))  # what the author will write
    run = cli("rules", "test", rules, "-v")
    positives = [line for line in run.stdout.splitlines() if "positive]" in line]
    assert len(positives) == 4 and all(line.startswith("ok") for line in positives), run.stdout


def test_scaffold_refuses_an_unknown_kind_and_an_existing_rule(tmp_path):
    rules = str(tmp_path / "rules")
    run = cli("rules", "new", "ORG003", "-c", "runtime", "--applies-to", "lambda", "--dir", rules)
    assert run.code == 2 and "did you mean 'function'" in run.stderr
    assert cli("rules", "new", "ORG003", "-c", "runtime", "--dir", rules).code == 0
    assert cli("rules", "new", "ORG003", "-c", "runtime", "--dir", rules).code == 2


# --- 4. validation ---------------------------------------------------------------------------


BAD_RULE = """\
id: ORG001
name: function-timeout
severity: hgh
category: runtime
title: Timeout too long
applies_to: lambda
when: "Timeout > 30"
mesage: "Function {id}"
"""


def test_a_bad_rule_stops_the_scan_with_every_problem_located(tmp_path):
    write(tmp_path / "rules" / "runtime" / "ORG001-function-timeout.yaml", BAD_RULE)
    write(tmp_path / "template.yaml", SAM)
    run = cli("scan", "template.yaml", "--policies", "rules", cwd=str(tmp_path))
    assert run.code == 2
    rule = os.path.join("rules", "runtime", "ORG001-function-timeout.yaml")
    assert f"{rule}:3: severity: 'hgh' is not one of" in run.stderr
    assert (f"{rule}:6: applies_to: 'lambda' is neither an entity kind nor a raw resource type "
            f"(did you mean 'function'?)") in run.stderr
    assert f"{rule}:7: when: not valid JMESPath" in run.stderr and "numbers need backticks" in run.stderr
    assert f"{rule}:8: unknown key 'mesage' (did you mean 'message'?)" in run.stderr


def test_fields_and_placeholders_are_checked_against_the_kind(tmp_path):
    write(tmp_path / "rules" / "runtime" / "ORG001-function-timeout.yaml", """\
        id: ORG001
        name: function-timeout
        severity: high
        category: runtime
        title: Timeout too long
        applies_to: function
        when: "Timeout > `30` && tracing == false"
        at: timeot
        message: "Function {id} times out after {Timeout}s"
        """)
    run = cli("rules", "list", "--policies", str(tmp_path / "rules"))
    assert run.code == 2
    assert ":7: when: 'Timeout' is not a field of this kind (did you mean 'timeout'?)" in run.stderr
    assert ":7: when: false without backticks" in run.stderr
    assert ":8: at: 'timeot' is not a field of this kind (did you mean 'timeout'?)" in run.stderr
    assert ":9: message: placeholder {Timeout} is not a field" in run.stderr


def test_a_python_rule_is_validated_too(tmp_path):
    write(tmp_path / "rules" / "ORG005-x.py", """\
        RULE = {"id": "ORG005", "name": "x", "severity": "low", "category": "runtime", "title": "t",
                "applies_to": "s3", "message": "m", "when": "true"}

        def check(entity):
            return []
        """)
    run = cli("rules", "list", "--policies", str(tmp_path / "rules"))
    assert run.code == 2
    assert ("ORG005-x.py:1: applies_to: 's3' is neither an entity kind nor a raw resource type "
            "(did you mean 'bucket'?)") in run.stderr
    assert "unknown key 'when' (a Python rule decides in check()" in run.stderr


@pytest.mark.parametrize("name", ["rule", "config"])
def test_published_schemas_are_valid_json_schema(name):
    with open(os.path.join(REPO, "schemas", f"{name}.schema.json"), encoding="utf-8") as handle:
        jsonschema.Draft7Validator.check_schema(json.load(handle))


def test_rule_schema_knows_every_entity_kind_and_config_schema_every_key():
    from iac_lint.config import _KEYS
    from iac_lint.engine.validate import load_schema
    from iac_lint.model.entities import ENTITY_TYPES
    from iac_lint.model.reference import SERVERLESS_RAW_TYPES

    kinds, _, serverless, every_resource = load_schema("rule")["properties"]["applies_to"]["anyOf"]
    assert every_resource["const"] == "resource"
    assert kinds["enum"] == list(ENTITY_TYPES)
    assert serverless["enum"] == list(SERVERLESS_RAW_TYPES)
    properties = load_schema("config")["properties"]
    assert {k for k in properties if "-" not in k} == set(_KEYS)


def test_builtin_and_cookbook_rules_pass_strict_validation():
    from iac_lint.engine.rules import builtin_policies_dir, load_rules

    assert len(load_rules([builtin_policies_dir(), COOKBOOK], builtin=False)) > 20


def test_readme_config_example_validates_against_the_config_schema():
    import yaml

    from iac_lint.engine.validate import load_schema

    readme = read(os.path.join(REPO, "README.md"))
    section = readme[readme.index("### Configuration"):]
    example = re.search(r"```yaml\n(.*?)```", section, re.DOTALL).group(1)
    jsonschema.validate(yaml.safe_load(example), load_schema("config"))


def test_readme_rule_example_validates_against_the_rule_schema():
    import yaml

    from iac_lint.engine.validate import rule_problems

    readme = read(os.path.join(REPO, "README.md"))
    section = readme[readme.index("## Writing your own rules"):]
    example = re.search(r"```yaml\n(.*?)```", section, re.DOTALL).group(1)
    assert rule_problems(yaml.safe_load(example)) == []


# --- 5. Violation --------------------------------------------------------------------------


def test_violation_fills_the_message_template_and_points_at_a_fact(tmp_path):
    write(tmp_path / "rules" / "secrets" / "ORG002-env-secret.py", """\
        from iac_lint.rules import RuleMeta, Violation

        RULE: RuleMeta = {"id": "ORG002", "name": "env-secret", "severity": "high", "category": "secrets",
                          "title": "t", "applies_to": "function", "message": "Function {id} ({runtime}) has {key}"}

        def check(fn):
            for key in fn.environment:
                yield Violation(at=f"environment.{key}", fields={"key": key})
        """)
    write(tmp_path / "template.yaml", SAM)
    run = cli("scan", "template.yaml", "--policies", "rules", "--select", "ORG002", "--format", "json",
              cwd=str(tmp_path))
    (finding,) = run.findings()
    assert finding["message"] == "Function Api (python3.12) has TABLE"
    assert finding["line"] == 14


# --- 6. rules test -------------------------------------------------------------------------


CRASHING = """\
from iac_lint.rules import Violation

RULE = {"id": "ORG009", "name": "crash", "severity": "low", "category": "runtime", "title": "t",
        "applies_to": "function", "message": "m"}

def check(fn):
    yield Violation()
    raise KeyError("PASSWORD")
"""


def test_rules_test_shows_a_crashing_rules_traceback_with_debug(tmp_path):
    rules = tmp_path / "rules"
    write(rules / "runtime" / "ORG009-crash.py", CRASHING)
    write(rules / "runtime" / "ORG009" / "sam-one.yaml", SAM.replace("  Api:\n", "  # ruleid: ORG009\n  Api:\n"))
    write(rules / "runtime" / "ORG009" / "sls-none.yml", "service: s\nprovider: {name: aws}\n")
    run = cli("rules", "test", str(rules))
    assert run.code == 1
    assert "E004" in run.stdout and "KeyError" in run.stdout and "ORG009-crash.py:8 in check" in run.stdout
    assert "--debug" in run.stdout and "Traceback" not in run.stdout
    run = cli("rules", "test", str(rules), "--debug")
    assert "| Traceback (most recent call last):" in run.stdout and 'raise KeyError("PASSWORD")' in run.stdout


def test_a_crashing_rule_is_an_e004_at_the_resource_naming_the_rules_line(tmp_path):
    write(tmp_path / "rules" / "runtime" / "ORG009-crash.py", CRASHING)
    write(tmp_path / "template.yaml", SAM)
    run = cli("scan", "template.yaml", "--policies", "rules", "--format", "json", cwd=str(tmp_path))
    (e004,) = [f for f in run.findings() if f["rule_id"] == "E004"]
    assert e004["line"] == 5 and e004["resource"] == "Api"
    assert e004["message"] == "rule ORG009 failed on Api: KeyError: 'PASSWORD' (at ORG009-crash.py:8 in check)"


def test_rules_test_prints_a_diff_and_the_formats_covered(tmp_path):
    rules = tmp_path / "rules"
    write(rules / "runtime" / "ORG010-py.yaml", """\
        id: ORG010
        name: py
        severity: low
        category: runtime
        title: t
        applies_to: function
        when: "runtime == 'python3.12'"
        at: runtime
        message: "Function {id}"
        """)
    write(rules / "runtime" / "ORG010" / "sam-wrong-line.yaml", SAM.replace("  Api:\n", "  # ruleid: ORG010\n  Api:\n"))
    write(rules / "runtime" / "ORG010" / "tf-none.tf", 'resource "aws_s3_bucket" "b" {}\n')
    run = cli("rules", "test", str(rules))
    assert run.code == 1
    case = os.path.join(str(rules), "runtime", "ORG010", "sam-wrong-line.yaml")
    assert f"- ORG010 {case}:6  (expected, not found)" in run.stdout
    assert f"+ ORG010 {case}:9  (found, not expected)" in run.stdout
    assert "ORG010: sam, terraform" in run.stdout


def test_a_scan_of_the_repository_skips_rule_case_folders(tmp_path):
    rules = str(tmp_path / "rules")
    assert cli("rules", "new", "ORG001", "--category", "runtime", "--dir", rules).code == 0
    write(tmp_path / "template.yaml", SAM.replace("Timeout: !Ref Limit", "Timeout: 900"))
    run = cli("scan", ".", "--policies", "rules", "--select", "ORG001", "--format", "json", cwd=str(tmp_path))
    assert {f["file"] for f in run.findings()} == {"template.yaml"}
    # Named on the command line, a case folder is scanned.
    named = cli("scan", os.path.join("rules", "runtime", "ORG001"), "--policies", "rules", "--select", "ORG001",
                "--format", "json", cwd=str(tmp_path))
    assert len(named.findings()) == 4


# --- 7. rule packs ---------------------------------------------------------------------------


@pytest.fixture
def installed_pack(tmp_path, monkeypatch):
    """A tiny rule pack as pip would install it: the package and its dist-info with an entry point."""
    site = tmp_path / "site"
    package = site / "acme_iac_rules"
    write(package / "__init__.py", "")
    write(package / "runtime" / "ACME001-function-runtime.yaml", """\
        id: ACME001
        name: function-runtime
        severity: high
        category: runtime
        title: Not our runtime
        applies_to: function
        when: "runtime != 'nodejs20.x'"
        message: "Function {id} runs {runtime}"
        """)
    dist_info = site / "acme_iac_rules-1.0.dist-info"
    write(dist_info / "METADATA", "Metadata-Version: 2.1\nName: acme-iac-rules\nVersion: 1.0\n")
    write(dist_info / "entry_points.txt", "[iac_lint.policies]\nacme = acme_iac_rules\n")
    monkeypatch.syspath_prepend(str(site))
    return tmp_path


def test_a_pack_runs_only_when_enabled_by_flag_or_configuration(installed_pack):
    write(installed_pack / "project" / "template.yaml", SAM)
    project = str(installed_pack / "project")
    plain = cli("scan", "template.yaml", "--format", "json", cwd=project)
    assert "ACME001" not in {f["rule_id"] for f in plain.findings()}
    flag = cli("scan", "template.yaml", "--plugins", "acme", "--format", "json", cwd=project)
    assert "ACME001" in {f["rule_id"] for f in flag.findings()}
    write(installed_pack / "project" / ".iac-lint.yaml", "plugins: [acme]\n")
    configured = cli("scan", "template.yaml", "--format", "json", cwd=project)
    assert "ACME001" in {f["rule_id"] for f in configured.findings()}


def test_rules_list_and_show_include_an_enabled_pack(installed_pack):
    assert "ACME001" not in cli("rules", "list").stdout
    assert "ACME001" in cli("rules", "list", "--plugins", "acme").stdout
    shown = cli("rules", "show", "ACME001", "--plugins", "acme")
    assert shown.code == 0 and "Not our runtime" in shown.stdout


def test_an_unknown_pack_is_a_configuration_error_naming_the_installed_ones(installed_pack):
    write(installed_pack / "project" / "template.yaml", SAM)
    write(installed_pack / "project" / ".iac-lint.yaml", "select: [ALL]\nplugins: [acne]\n")
    run = cli("scan", "template.yaml", cwd=str(installed_pack / "project"))
    assert run.code == 2
    assert ".iac-lint.yaml:2: plugins: no rule pack named 'acne'" in run.stderr and "acme" in run.stderr


# --- 8. the cookbook -------------------------------------------------------------------------


def test_cookbook_rules_pass_their_cases_in_every_format():
    run = cli("rules", "test", COOKBOOK)
    assert run.code == 0, run.stdout
    for rule_id in ("ORG101", "ORG102", "ORG103"):
        assert f"{rule_id}: cloudformation, sam, serverless, terraform" in run.stdout

"""End-to-end: the command line on real files."""

import json
import os

import pytest
from conftest import REPO

EXAMPLES = os.path.join(REPO, "examples")
UPLOADS = os.path.join(EXAMPLES, "cloudformation-uploads", "uploads.yaml")


def findings_of(out: str) -> list[dict]:
    return json.loads(out)["findings"]


def test_scan_examples_finds_real_problems_at_their_lines(run_cli):
    code, out = run_cli("scan", UPLOADS, "--format", "json")
    assert code == 1
    got = {(f["rule_id"], f["line"]) for f in findings_of(out)}
    assert ("PUB001", 8) in got  # AccessControl: PublicRead
    assert ("PUB003", 22) in got  # Principal: "*"
    assert ("IAM004", 35) in got  # AdministratorAccess
    assert ("PUB005", 49) in got  # AuthType: NONE
    assert ("PUB004", 56) in got  # s3.amazonaws.com without SourceArn


def test_json_output_follows_the_contract(run_cli):
    _code, out = run_cli("scan", UPLOADS, "--format", "json")
    payload = json.loads(out)
    assert payload["version"] == 1
    assert payload["tool"] == {"name": "iac-lint", "version": "0.1.0"}
    keys = {"rule_id", "rule_name", "severity", "category", "message", "file", "line", "column", "end_line",
            "end_column", "resource", "format", "fingerprint", "suppressed"}
    for finding in payload["findings"]:
        assert keys <= set(finding)
        assert finding["format"] == "cloudformation"
        assert not os.path.isabs(finding["file"])
    summary = payload["summary"]
    assert summary["files"] == 1 and summary["findings"] == len(payload["findings"])
    assert sum(summary["by_severity"].values()) == summary["findings"]


def test_text_output_shows_source_line_and_summary(run_cli):
    _code, out = run_cli("scan", UPLOADS)
    assert "   8 |       AccessControl: PublicRead" in out
    assert "\x1b[" not in out  # no colour when not on a terminal
    assert out.strip().splitlines()[-2].startswith("8 findings (")
    assert out.strip().splitlines()[-1] == "8 findings at or above low \u2192 exit 1"


def test_exit_codes_follow_fail_on(run_cli):
    assert run_cli("scan", UPLOADS, "--fail-on", "critical")[0] == 1
    assert run_cli("scan", UPLOADS, "--select", "ENC001", "--fail-on", "medium")[0] == 0
    assert run_cli("scan", UPLOADS, "--select", "ENC001")[0] == 1
    assert run_cli("scan", UPLOADS, "--fail-on", "severe")[0] == 2


def test_select_and_ignore_by_id_prefix_and_category(run_cli):
    def ids(*args):
        return {f["rule_id"] for f in findings_of(run_cli("scan", UPLOADS, "--format", "json", *args)[1])}
    assert ids("--select", "public-access") == {"PUB001", "PUB002", "PUB003", "PUB004", "PUB005"}
    assert ids("--select", "IAM,THR") == {"IAM004", "THR003"}
    assert "PUB001" not in ids("--ignore", "PUB001")
    assert ids("--ignore", "public-access,encryption,IAM004") == {"RUN001", "THR003"}
    # Opt-in rules run only when a selector names them: by id, prefix or category.
    assert "LOG004" not in ids()
    assert "LOG004" in ids("--select", "LOG004") and "LOG004" in ids("--select", "logging")


def test_nothing_to_scan_exits_zero(tmp_path):
    from gate_support import cli

    (tmp_path / "notes.yaml").write_text("just: some\nyaml: file\n")
    run = cli("scan", str(tmp_path), "--format", "json")
    assert run.code == 0
    assert json.loads(run.stdout)["findings"] == []


def test_unparseable_file_is_located_and_others_still_scanned(run_cli, tmp_path):
    (tmp_path / "broken.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n   bad: [\n")
    (tmp_path / "good.yaml").write_text(
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")
    code, out = run_cli("scan", str(tmp_path), "--extend-select", "ENC003", "--format", "json")
    got = {(os.path.basename(f["file"]), f["rule_id"], f["line"]) for f in findings_of(out)}
    assert ("broken.yaml", "E001", 5) in got
    assert ("good.yaml", "ENC003", 2) in got
    assert code == 1


def test_exclude_glob(run_cli):
    _code, out = run_cli("scan", EXAMPLES, "--format", "json", "--exclude", "sam-*")
    files = {f["file"] for f in findings_of(out)}
    assert files and not any("sam-orders" in f for f in files)


def test_rules_list_and_show(run_cli):
    code, out = run_cli("rules", "list")
    assert code == 0 and "IAM001  wildcard-action" in out
    code, out = run_cli("rules", "show", "thr003")
    assert code == 0
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## References"):
        assert heading in out
    assert "never set it to 0" in out
    assert run_cli("rules", "show", "NOPE999")[0] == 2


USER_RULE = """\
id: ORG001
name: function-without-tracing
severity: low
category: logging
title: Function has no active tracing
applies_to: function
when: "tracing != 'Active'"
at: tracing
message: "Function {id} does not trace requests"
docs:
  what: Flags functions without X-Ray active tracing.
  why: Without traces an incident has no request path.
  example: "Tracing: PassThrough"
  fix: "Tracing: Active"
  references: [https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html]
"""

USER_PY_RULE = '''\
"""Flags functions whose environment names a variable PASSWORD."""
from iac_lint.engine.rules import Violation

RULE = {"id": "ORG002", "name": "password-variable", "severity": "high", "category": "secrets",
        "title": "Password in environment", "applies_to": "function", "message": "password in {id}",
        "docs": {"what": "w", "why": "y", "example": "e", "fix": "f", "references": ["r"]}}


def check(fn):
    for key in fn.environment:
        if "PASSWORD" in key.upper():
            yield Violation(f"Function {fn.id} has {key} in its environment", fn.where(f"environment.{key}"), key)
'''


def test_user_rules_yaml_and_python_with_their_own_cases(run_cli, tmp_path):
    policies = tmp_path / "org-policies"
    (policies / "logging" / "ORG001").mkdir(parents=True)
    (policies / "secrets" / "ORG002").mkdir(parents=True)
    (policies / "logging" / "ORG001-function-without-tracing.yaml").write_text(USER_RULE)
    (policies / "secrets" / "ORG002-password-variable.py").write_text(USER_PY_RULE)
    (policies / "logging" / "ORG001" / "sam-untraced.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      Runtime: python3.12\n      # ruleid: ORG001\n      Tracing: PassThrough\n")
    (policies / "logging" / "ORG001" / "sam-traced.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Tracing: Active\nResources:\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n")
    (policies / "secrets" / "ORG002" / "cfn-password.yaml").write_text(
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Environment:\n"
        "        Variables:\n          # ruleid: ORG002\n          DB_PASSWORD: hunter2\n          USER: app\n")
    (policies / "secrets" / "ORG002" / "cfn-clean.yaml").write_text(
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Environment:\n"
        "        Variables:\n          USER: app\n")
    code, out = run_cli("rules", "test", str(policies))
    assert code == 0, out
    assert "4 passed, 0 failed" in out
    code, out = run_cli("scan", str(policies / "secrets" / "ORG002" / "cfn-password.yaml"), "--policies",
                        str(policies), "--select", "ORG", "--format", "json")
    got = sorted((f["rule_id"], f["line"], f["category"]) for f in findings_of(out))
    # ORG001 points at the function header: the template never sets Tracing.
    assert got == [("ORG001", 2, "logging"), ("ORG002", 8, "secrets")]


def test_broken_user_rule_is_a_configuration_error(run_cli, tmp_path):
    (tmp_path / "ORG003-bad.yaml").write_text("id: ORG003\nname: bad\nseverity: extreme\n")
    code, _out = run_cli("scan", UPLOADS, "--policies", str(tmp_path))
    assert code == 2


def test_terraform_module_called_by_a_scanned_root_is_reported_once(run_cli, tmp_path):
    module = tmp_path / "modules" / "queue"
    module.mkdir(parents=True)
    (module / "main.tf").write_text(
        'variable "sse" {}\n\nresource "aws_sqs_queue" "this" {\n  name = "q"\n'
        '  sqs_managed_sse_enabled = var.sse\n}\n')
    for name in ("a", "b"):
        root = tmp_path / "envs" / name
        root.mkdir(parents=True)
        (root / "main.tf").write_text(
            'module "queue" {\n  source = "../../modules/queue"\n  sse    = false\n}\n')
    _code, out = run_cli("scan", str(tmp_path), "--format", "json", "--select", "ENC002")
    got = [(os.path.relpath(f["file"], str(tmp_path)), f["line"]) for f in findings_of(out)]
    # Called with sse = false by both roots: one finding, in the module, at the setting.
    assert got == [(os.path.join("modules", "queue", "main.tf"), 5)]


# --- exit codes and outputs, as a CI job meets them -------------------------------------------


def test_a_path_that_does_not_exist_is_exit_2_not_a_clean_pass(run_cli, tmp_path):
    # A typo in the CI definition must not turn the gate green with "0 findings in 0 files".
    code, out = run_cli("scan", str(tmp_path / "infra-typo"))
    assert code == 2 and "does not exist" in out
    assert run_cli("baseline", "create", str(tmp_path / "infra-typo"), "-o", str(tmp_path / "b.json"))[0] == 2


def test_formats_pair_with_outputs_by_position_and_only_one_goes_to_stdout(run_cli, tmp_path):
    sarif, junit = tmp_path / "r.sarif", tmp_path / "r.xml"
    code, out = run_cli("scan", UPLOADS, "-f", "sarif", "-o", str(sarif), "-f", "json", "-o", "-",
                        "-f", "junit", "-o", str(junit))
    assert code == 1
    assert json.loads(out)["version"] == 1  # stdout holds exactly one document
    assert json.loads(sarif.read_text())["version"] == "2.1.0" and junit.read_text().startswith("<?xml")
    code, out = run_cli("scan", UPLOADS, "-f", "json", "-f", "sarif")
    assert code == 2 and "standard output" in out
    assert run_cli("scan", UPLOADS, "-f", "json", "-o", str(sarif), "-f", "sarif", "-o", str(sarif))[0] == 2
    assert run_cli("scan", UPLOADS, "-o", str(sarif), "-o", str(junit))[0] == 2


def test_an_output_that_cannot_be_written_is_exit_2_with_the_reason(run_cli, tmp_path):
    code, out = run_cli("scan", UPLOADS, "-f", "json", "-o", str(tmp_path / "missing" / "r.json"))
    assert code == 2
    assert "cannot write" in out and "internal error" not in out


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    import sys

    from iac_lint import cli

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli._colour_wanted()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not cli._colour_wanted()
    monkeypatch.setenv("NO_COLOR", "")  # no-color.org: only a non-empty value counts
    assert cli._colour_wanted()
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    assert not cli._colour_wanted()


def test_fail_on_info_fails_on_any_active_finding_and_never_on_suppressed_ones(run_cli, tmp_path):
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  # iac-lint: ignore ENC003 -- topics carry public data only\n"
        "  Topic:\n    Type: AWS::SNS::Topic\n")
    assert run_cli("scan", str(tmp_path), "--fail-on", "info")[0] == 0
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  # iac-lint: ignore ENC003\n  Topic:\n    Type: AWS::SNS::Topic\n")
    code, out = run_cli("scan", str(tmp_path), "--fail-on", "info", "--format", "json")
    assert code == 1 and [f["rule_id"] for f in findings_of(out) if not f["suppressed"]] == ["S001"]
    assert run_cli("scan", str(tmp_path), "--fail-on", "low")[0] == 0


# --- the GitHub Action and the pre-commit hook ---------------------------------------------------


def _action() -> dict:
    import yaml

    with open(os.path.join(REPO, "action.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_action_yml_is_a_well_formed_composite_action():
    action = _action()
    assert action["name"] and action["description"] and action["runs"]["using"] == "composite"
    for name, spec in action["inputs"].items():
        assert spec["description"], name
        assert isinstance(spec.get("default", ""), str), name  # inputs are strings
    for name, spec in action["outputs"].items():
        assert spec["description"] and spec["value"].startswith("${{"), name  # composite outputs need a value
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash", step  # a composite run step must name its shell
            # No expression is pasted into a script: inputs and contexts reach it through env only.
            assert "${{" not in step["run"], step["name"]
        else:
            assert "uses" in step and "shell" not in step


def test_action_scan_step_runs_and_keeps_inputs_out_of_the_shell(tmp_path):
    import shutil
    import subprocess
    import sys

    if shutil.which("bash") is None:
        return
    step = [s for s in _action()["runs"]["steps"] if s.get("id") == "scan"][0]
    project = tmp_path / "repo"
    (project / "infra").mkdir(parents=True)
    shutil.copyfile(os.path.join(REPO, "tests", "fixtures", "gate", "suppressed.yaml"),
                    project / "infra" / "suppressed.yaml")
    shutil.copyfile(UPLOADS, project / "infra" / "uploads.yaml")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "iac-lint"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m iac_lint "$@"\n')
    shim.chmod(0o755)
    output = tmp_path / "github_output"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": REPO,
           "GITHUB_OUTPUT": str(output), "IAC_LINT_PATHS": "infra $(touch pwned) *",
           "IAC_LINT_FAIL_ON": "high", "IAC_LINT_ARGS": "--ignore IAM006", "IAC_LINT_SARIF": "out.sarif",
           "IAC_LINT_ANNOTATIONS": "true"}
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=project, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr  # the gate itself is a later step
    assert not (project / "pwned").exists()
    # "$(touch" and "pwned)" are paths that do not exist: exit 2, reported as such.
    assert "exit-code=2" in output.read_text()
    env["IAC_LINT_PATHS"] = "infra"
    output.write_text("")
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=project, env=env,
                          capture_output=True, text=True)
    assert "exit-code=1" in output.read_text() and "sarif-written=true" in output.read_text()
    assert "::error file=infra/uploads.yaml," in done.stdout
    results = json.loads((project / "out.sarif").read_text())["runs"][0]["results"]
    assert results and not any(r["suppressions"] for r in results)  # code scanning would open them


def _run_scan_step(project, tmp_path, **env_values: str):
    """The action's scan step in bash, with iac-lint from this checkout; returns (process, GITHUB_OUTPUT text)."""
    import shutil
    import subprocess
    import sys

    step = [s for s in _action()["runs"]["steps"] if s.get("id") == "scan"][0]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "iac-lint"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m iac_lint "$@"\n')
    shim.chmod(0o755)
    output = tmp_path / "github_output"
    output.write_text("")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": REPO,
           "GITHUB_OUTPUT": str(output), "IAC_LINT_FAIL_ON": "high", "IAC_LINT_ARGS": "",
           "IAC_LINT_SARIF": "out.sarif", "IAC_LINT_ANNOTATIONS": "true", "IAC_LINT_JOB_SUMMARY": "true",
           **env_values}
    if "GITHUB_STEP_SUMMARY" not in env_values:
        env.pop("GITHUB_STEP_SUMMARY", None)  # a local run, even when these tests run inside Actions
    assert shutil.which("bash")
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=project, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr  # the gate itself is a later step
    return done, output.read_text()


def test_action_paths_are_one_per_line_and_may_contain_spaces(tmp_path):
    import shutil

    project = tmp_path / "repo"
    (project / "my infra").mkdir(parents=True)
    (project / "-other").mkdir()
    shutil.copyfile(UPLOADS, project / "my infra" / "uploads.yaml")
    shutil.copyfile(UPLOADS, project / "-other" / "second.yaml")
    summary = tmp_path / "step_summary.md"
    summary.write_text("earlier step\n")
    done, output = _run_scan_step(project, tmp_path, GITHUB_STEP_SUMMARY=str(summary),
                                  IAC_LINT_PATHS="my infra\r\n\n  -other  \n")
    assert "exit-code=1" in output, done.stderr
    assert "::error file=my infra/uploads.yaml," in done.stdout
    assert "::error file=-other/second.yaml," in done.stdout  # after `--`: a path, not an option
    text = summary.read_text()
    assert text.startswith("earlier step\n## iac-lint\n")  # appended, not overwritten
    assert "| PUB001 bucket-public-acl | my infra/uploads.yaml:" in text
    assert "fail the check" in text

    # A path with a space but written on one line is one path; a missing one is exit 2, said in the summary.
    summary.write_text("")
    done, output = _run_scan_step(project, tmp_path, GITHUB_STEP_SUMMARY=str(summary), IAC_LINT_PATHS="my infra x")
    assert "exit-code=2" in output
    assert "could not run (exit 2)" in summary.read_text()


@pytest.mark.parametrize("extras, installs", [("", "ACTION"), ("cfn-lint", "ACTION[cfn-lint]"),
                                               (" cfn-lint, lsp ", "ACTION[cfn-lint,lsp]"), ("x; rm -rf /", None)])
def test_action_install_step_adds_the_extras_asked_for(extras, installs, tmp_path):
    import subprocess

    step = next(s for s in _action()["runs"]["steps"] if s.get("name") == "Install iac-lint")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "python"  # records what pip would be asked to install
    shim.write_text('#!/bin/sh\nfor a in "$@"; do last="$a"; done\necho "$last" > "$(dirname "$0")/installed"\n')
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "IAC_LINT_ACTION_PATH": "ACTION",
           "IAC_LINT_EXTRAS": extras}
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], env=env, capture_output=True, text=True,
                          check=False)
    if installs is None:
        assert done.returncode == 2 and "extras must be names" in done.stdout
        assert not (bin_dir / "installed").exists()
    else:
        assert done.returncode == 0, done.stderr
        assert (bin_dir / "installed").read_text().strip() == installs


def test_action_without_a_step_summary_file_or_with_job_summary_off_writes_none(tmp_path):
    import shutil

    project = tmp_path / "repo"
    project.mkdir()
    shutil.copyfile(UPLOADS, project / "uploads.yaml")
    done, output = _run_scan_step(project, tmp_path, IAC_LINT_PATHS=".")  # local run: no GITHUB_STEP_SUMMARY
    assert "exit-code=1" in output and "## iac-lint" not in done.stdout
    summary = tmp_path / "step_summary.md"
    summary.write_text("")
    _run_scan_step(project, tmp_path, GITHUB_STEP_SUMMARY=str(summary), IAC_LINT_JOB_SUMMARY="false",
                   IAC_LINT_PATHS=".")
    assert summary.read_text() == ""


def test_the_command_exits_fast_with_every_byte_written_and_its_status():
    """``python -m iac_lint`` (like the ``iac-lint`` script) ends with ``os._exit``: what it printed must all be there,
    with the status ``main`` chose, and a usage error still says why."""
    import subprocess
    import sys

    from gate_support import cli

    done = subprocess.run([sys.executable, "-m", "iac_lint", "scan", EXAMPLES, "--format", "json"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert findings_of(done.stdout) == cli("scan", EXAMPLES, "--format", "json", cwd=REPO).json()["findings"]
    done = subprocess.run([sys.executable, "-m", "iac_lint", "scan", "--no-such-option"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "No such option" in done.stderr and not done.stdout

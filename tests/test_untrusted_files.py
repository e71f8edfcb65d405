"""What a pull request author controls: every file, symlink and name in the tree (issue 11, items 1-3, 5-7, 9).

Each test builds the hostile tree for real (symlinks, FIFOs, sparse files, byte names) and runs the scan
the way CI does; the slow or hanging ones run in a subprocess with a timeout and a memory limit.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from iac_lint import scan
from iac_lint.config import Config

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WILDCARD_ROLE = textwrap.dedent("""\
    AWSTemplateFormatVersion: '2010-09-09'
    Resources:
      Role:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument: {}
          Policies:
            - PolicyName: p
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: "*"
                    Resource: "*"
    """)


def run_cli(*args, timeout=60, memory=None, cwd=None):
    """``iac-lint ARGS`` in a child process (with an address-space limit in bytes, when given)."""
    def limit():
        if memory:
            import resource
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    env = {**os.environ, "PYTHONPATH": REPO}
    return subprocess.run([sys.executable, "-m", "iac_lint", *args], capture_output=True, timeout=timeout,
                          preexec_fn=limit, env=env, cwd=cwd)


def ids(report, rule_id=None):
    return [f for f in report.findings if rule_id is None or f.rule_id == rule_id]


# --- 1. only regular files inside the roots are read ----------------------------------------------------------

def test_symlink_out_of_the_root_is_not_read(tmp_path):
    outside, repo = tmp_path / "outside", tmp_path / "repo"
    outside.mkdir()
    repo.mkdir()
    (outside / "secret.yaml").write_text(WILDCARD_ROLE)
    os.symlink(outside / "secret.yaml", repo / "template.yaml")
    report = scan([str(repo)], Config())
    assert [(f.rule_id, os.path.basename(f.location.file)) for f in report.findings] == [("E002", "template.yaml")]


def test_a_root_named_through_a_link_holds_the_files_it_leads_to(tmp_path):
    from iac_lint.parsers.source import inside

    real = tmp_path / "real"
    real.mkdir()
    os.symlink(real, tmp_path / "link")
    for root in (tmp_path / "link", tmp_path / "real" / ".." / "link"):
        assert inside(str(tmp_path / "link" / "t.yaml"), [str(root)])
        assert inside(str(real / "t.yaml"), [str(root)])
        assert not inside(str(tmp_path / "t.yaml"), [str(root)])


def test_a_root_whose_link_moved_is_resolved_again_by_the_next_scan(tmp_path):
    """A language server lives long: its second scan must check files against where the root's link
    leads now, not where it led at the first."""
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "secret.yaml").write_text(WILDCARD_ROLE)
    workspace = tmp_path / "workspace"
    os.symlink(old, workspace)
    assert [f.rule_id for f in scan([str(workspace)], Config()).findings if f.rule_id == "E002"] == []
    os.unlink(workspace)
    os.symlink(new, workspace)
    os.symlink(old / "secret.yaml", new / "template.yaml")
    report = scan([str(workspace)], Config())
    assert [(f.rule_id, os.path.basename(f.location.file)) for f in report.findings] == [("E002", "template.yaml")]


def test_a_folder_link_moved_between_two_scans_is_followed_anew(tmp_path):
    """Folders are resolved once per scan (``forget_resolved_roots`` starts each), not once per process: a
    language server's next re-lint must see that a folder link now leads out of the workspace."""
    from iac_lint.parsers.source import forget_resolved_roots, inside

    workspace, outside = tmp_path / "workspace", tmp_path / "outside"
    (workspace / "module").mkdir(parents=True)
    outside.mkdir()
    os.symlink(workspace / "module", workspace / "linked")
    forget_resolved_roots()
    assert inside(str(workspace / "linked" / "main.tf"), [str(workspace)])
    os.unlink(workspace / "linked")
    os.symlink(outside, workspace / "linked")
    forget_resolved_roots()
    assert not inside(str(workspace / "linked" / "main.tf"), [str(workspace)])


def test_a_folder_named_like_a_parent_is_inside_the_root(tmp_path):
    """``..x`` is a folder of the root, not a way out of it: a ``.git`` below it is never read either."""
    from iac_lint.parsers.source import in_never_walked_directory

    assert in_never_walked_directory(str(tmp_path / "..x" / ".git" / "config"), [str(tmp_path)])
    assert not in_never_walked_directory(str(tmp_path / "..x" / "config"), [str(tmp_path)])


def test_fifo_is_not_opened(tmp_path):
    os.mkfifo(tmp_path / "template.yaml")
    (tmp_path / "ok.yaml").write_text(WILDCARD_ROLE)
    result = run_cli("scan", str(tmp_path), "-f", "json", timeout=30)
    findings = json.loads(result.stdout)["findings"]
    fifo = [f for f in findings if f["file"].endswith("template.yaml")]
    assert [f["rule_id"] for f in fifo] == ["E001"] and "not a regular file" in fifo[0]["message"]
    assert any(f["rule_id"] == "IAM001" for f in findings)


def test_a_file_whose_size_lies_is_read_only_up_to_the_limit(monkeypatch):
    from iac_lint.parsers import source

    monkeypatch.setattr(source, "MAX_FILE_BYTES", 64)
    text, failed = source.read_text("/proc/self/status")  # st_size 0, content several hundred bytes
    assert text is None and failed is not None and "larger than" in failed.problems[0].message


def test_a_file_whose_size_lies_is_read_whole_under_the_limit():
    from iac_lint.parsers import source

    text, failed = source.read_text("/proc/version")  # st_size 0: read on past its size, to its end
    with open("/proc/version", encoding="utf-8") as handle:
        assert failed is None and text == handle.read()


def test_an_oversized_sparse_file_is_never_read_whole(tmp_path):
    big = tmp_path / "template.yaml"
    with open(big, "wb") as handle:
        handle.write(b"AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n")
        handle.truncate(2 << 30)  # 2 GiB of holes
    result = run_cli("scan", str(tmp_path), "-f", "text", "--no-color", timeout=60, memory=1 << 30)
    assert result.returncode == 1, result.stderr.decode()[-2000:]
    assert b"E001" in result.stdout and b"larger than" in result.stdout


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github", "gitlab", "markdown", "html"])
def test_a_file_name_that_is_not_utf8_works_in_every_format(tmp_path, fmt):
    name = os.path.join(os.fsencode(tmp_path), b"role-\xff.yaml")
    with open(name, "w") as handle:
        handle.write(WILDCARD_ROLE)
    result = run_cli("scan", str(tmp_path), "-f", fmt, "--no-color", timeout=60)
    assert result.returncode == 1, result.stderr.decode(errors="replace")[-2000:]
    assert b"IAM001" in result.stdout or b"wildcard" in result.stdout


# --- 2. includes cannot leak ------------------------------------------------------------------------------------

TOKEN = "ghs_checkouttokenDONOTLEAK0123456789"


def _git_checkout(repo):
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "config").write_text(f'[http]\n\textraheader = AUTHORIZATION: basic {TOKEN}\n')


def test_serverless_file_include_never_reads_git(tmp_path):
    _git_checkout(tmp_path)
    (tmp_path / "serverless.yml").write_text(textwrap.dedent("""\
        service: orders
        provider:
          name: aws
          runtime: python3.12
          iam:
            role:
              statements:
                - Effect: Allow
                  Action: "*"
                  Resource: "*"
        functions:
          ${file(./.git/config)}:
            handler: h.main
        custom:
          leak: ${file(./.git/config)}
        """))
    result = run_cli("scan", str(tmp_path), "-f", "sarif", timeout=60)
    assert TOKEN.encode() not in result.stdout
    assert b"E002" in result.stdout


def test_terraform_file_function_never_reads_git(tmp_path):
    _git_checkout(tmp_path)
    (tmp_path / "main.tf").write_text(textwrap.dedent("""\
        resource "aws_lambda_function" "fn" {
          function_name = file("${path.module}/.git/config")
          role          = "arn:aws:iam::1:role/r"
          handler       = "h.main"
          runtime       = "python3.12"
          environment {
            variables = { PASSWORD = file("${path.module}/.git/config") }
          }
        }
        """))
    result = run_cli("scan", str(tmp_path), "-f", "json", timeout=60)
    assert TOKEN.encode() not in result.stdout
    assert b"E002" in result.stdout


# --- 3. one bad spot never blinds the rest -----------------------------------------------------------------------

def test_error_findings_fail_the_gate_at_every_threshold(tmp_path):
    (tmp_path / "template.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: [1\n")
    result = run_cli("scan", str(tmp_path), "--fail-on", "critical", timeout=60)
    assert result.returncode == 1, result.stdout.decode()


def test_an_evaluator_failure_loses_only_its_attribute(tmp_path):
    (tmp_path / "main.tf").write_text(textwrap.dedent("""\
        locals {
          broken = try([for x in {a = 1} : x if x], [])
        }
        resource "aws_iam_role" "worker" {
          name               = local.broken
          assume_role_policy = "{}"
          inline_policy {
            name   = "all"
            policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
          }
        }
        """))
    report = scan([str(tmp_path)], Config())
    assert "IAM001" in {f.rule_id for f in report.findings}


# --- 5. repository config cannot replace built-in rules --------------------------------------------------------

def test_a_config_rule_with_a_builtin_id_under_another_file_name_is_refused(tmp_path):
    rules = tmp_path / "rules" / "least-privilege"
    rules.mkdir(parents=True)
    (rules / "ORG001-harmless.yaml").write_text(textwrap.dedent("""\
        id: IAM001
        name: wildcard-action
        severity: info
        category: least-privilege
        title: nothing
        applies_to: bucket
        when: "`false`"
        message: never
        docs: {what: x, why: x, example: x, fix: x, references: []}
        """))
    (tmp_path / ".iac-lint.yaml").write_text("policies: [rules/]\n")
    (tmp_path / "template.yaml").write_text(WILDCARD_ROLE)
    result = run_cli("scan", ".", cwd=tmp_path, timeout=60)
    assert result.returncode == 2, result.stdout.decode()
    assert b"IAM001" in result.stderr


# --- 6. outputs cannot be used for injection ------------------------------------------------------------------

def test_text_output_cannot_emit_workflow_commands(tmp_path):
    assert "  Role:\n" in WILDCARD_ROLE
    (tmp_path / "template.yaml").write_text(WILDCARD_ROLE.replace(
        "  Role:\n", '  "Role\\n::stop-commands::pwned\\n::error::fake\\r\\u001b[2J":\n'))
    result = run_cli("scan", str(tmp_path), "-f", "text", "--no-color", timeout=60)
    lines = result.stdout.decode().splitlines()
    assert "IAM001" in result.stdout.decode()
    assert not [line for line in lines if line.startswith("::")]
    assert "\x1b[2J" not in result.stdout.decode() and "\r" not in result.stdout.decode()


def test_a_directive_inside_a_string_value_suppresses_nothing(tmp_path):
    statement = '              - Effect: Allow\n                Action: "*"\n                Resource: "*"\n'
    assert statement in WILDCARD_ROLE
    inline = '              - {Effect: Allow, Action: "*", Resource: "*", Sid: "x # iac-lint: ignore IAM001 -- x"}\n'
    (tmp_path / "template.yaml").write_text(WILDCARD_ROLE.replace(statement, inline))
    report = scan([str(tmp_path)], Config())
    found = [f for f in report.findings if f.rule_id == "IAM001"]
    assert found and not any(f.suppressed for f in found)


def test_junit_attributes_are_cleaned(tmp_path):
    (tmp_path / "template\x01.yaml").write_text(WILDCARD_ROLE.replace("  Role:\n", '  "Role\\u0001\\u001b":\n'))
    result = run_cli("scan", str(tmp_path), "-f", "junit", timeout=60)
    assert b"IAM001" in result.stdout
    import xml.etree.ElementTree as ET
    ET.fromstring(result.stdout)  # an invalid XML character anywhere would raise here


# --- 7. monorepos ---------------------------------------------------------------------------------------------

def test_known_non_iac_files_are_skipped(tmp_path):
    lock = {"name": "x", "packages": {"node_modules/aws-sdk": {"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}}}
    (tmp_path / "package-lock.json").write_text(json.dumps(lock))
    (tmp_path / "tsconfig.build.json").write_text("{ not json")
    from iac_lint.discover import discover
    assert [u.path for u in discover([str(tmp_path)])] == []


def test_an_oversized_file_that_is_not_iac_is_no_high_finding(tmp_path, monkeypatch):
    from iac_lint.parsers import source

    monkeypatch.setattr(source, "MAX_FILE_BYTES", 1024)
    (tmp_path / "data.json").write_text(json.dumps({"rows": ["x" * 50] * 100}))
    report = scan([str(tmp_path)], Config())
    assert [f for f in report.findings if f.severity in ("high", "critical")] == []


# --- 9. library and process hygiene ----------------------------------------------------------------------------

def test_scan_does_not_mutate_the_callers_config(tmp_path):
    (tmp_path / "template.yaml").write_text(WILDCARD_ROLE)
    config = Config()
    scan([str(tmp_path)], config)
    assert config.parse.roots == []


def test_sigint_exits_130(tmp_path):
    (tmp_path / "template.yaml").write_text(WILDCARD_ROLE)
    slow_scan = ("import time, iac_lint.api as api\n"
                 "real = api.lint_all\n"
                 "def slow(*a, **k):\n    print('started', flush=True); time.sleep(30); return real(*a, **k)\n"
                 "api.lint_all = slow\n"
                 "from iac_lint.cli import main\nmain()\n")
    child = subprocess.Popen([sys.executable, "-c", slow_scan, "scan", str(tmp_path)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": REPO})
    assert child.stdout is not None
    child.stdout.readline()
    time.sleep(0.2)
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=30) == 130


def test_a_builder_failure_loses_only_its_resource(tmp_path, monkeypatch):
    from iac_lint.parsers.cloudformation import resources

    def broken(*_):
        raise KeyError("a builder bug")

    monkeypatch.setitem(resources.BUILDERS, "AWS::S3::Bucket", broken)
    (tmp_path / "template.yaml").write_text(WILDCARD_ROLE + "  Bucket:\n    Type: AWS::S3::Bucket\n")
    report = scan([str(tmp_path)], Config(jobs=1))
    errors = [(f.rule_id, f.location.line) for f in report.findings if f.rule_id == "E001"]
    assert errors == [("E001", 14)] and "IAM001" in {f.rule_id for f in report.findings}

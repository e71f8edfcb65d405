"""The human-facing output: text and concise reports, the closing verdict, and a scan that is never silent."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import REPO
from gate_support import cli, copy_fixture

SELECTED = ("--select", "IAM001,ENC002,PUB002", "--no-color")

TEXT = """\
infra/app.yaml:4:3:   PUB002 [low]    Bucket OrdersBucket has no public access block written
   4 |   OrdersBucket:
     |   ^^^^^^^^^^^^
     = resource OrdersBucket, rule bucket-public-access-block; docs: iac-lint rules show PUB002

infra/app.yaml:22:25: IAM001 [high]   Role WorkerRole allows 's3:*': every action of s3
  22 |                 Action: "s3:*"
     |                         ^^^^^^
     = resource WorkerRole, rule wildcard-action; docs: iac-lint rules show IAM001

infra/app.yaml:28:29: ENC002 [medium] Queue OrdersQueue turns off server-side encryption
  28 |       SqsManagedSseEnabled: false
     |                             ^^^^^
     = resource OrdersQueue, rule queue-sse-disabled; docs: iac-lint rules show ENC002

3 findings (1 high, 1 medium, 1 low) in 1 file, 3 resources.
3 findings at or above low \u2192 exit 1
"""

CONCISE = """\
infra/app.yaml:4:3:   PUB002 [low]    Bucket OrdersBucket has no public access block written
infra/app.yaml:22:25: IAM001 [high]   Role WorkerRole allows 's3:*': every action of s3
infra/app.yaml:28:29: ENC002 [medium] Queue OrdersQueue turns off server-side encryption

3 findings (1 high, 1 medium, 1 low) in 1 file, 3 resources.
3 findings at or above low \u2192 exit 1
"""


@pytest.fixture
def project(tmp_path):
    copy_fixture("app.yaml", str(tmp_path), "infra/app.yaml")
    return str(tmp_path)


def test_text_report_has_clickable_locations_the_range_underlined_and_a_docs_pointer(project):
    run = cli("scan", "infra/app.yaml", *SELECTED, cwd=project)
    assert run.code == 1
    assert run.stdout == TEXT


def test_concise_is_one_line_per_finding_without_source_or_colour(project):
    run = cli("scan", "infra/app.yaml", *SELECTED, "--format", "concise", cwd=project)
    assert (run.code, run.stdout) == (1, CONCISE)
    # Not a terminal: no escape codes, even without --no-color.
    plain = cli("scan", "infra/app.yaml", "--select", "IAM001", "--format", "concise", cwd=project)
    assert plain.stdout.startswith("infra/app.yaml:22:25: IAM001 [high] ") and "\x1b[" not in plain.stdout


@pytest.mark.parametrize("fail_on, code, verdict", [
    ("critical", 0, "3 findings, none at or above critical \u2192 exit 0"),
    ("high", 1, "1 finding at or above high \u2192 exit 1"),
    ("MEDIUM", 1, "2 findings at or above medium \u2192 exit 1"),
])
def test_the_closing_line_says_why_the_exit_code_is_what_it_is(project, fail_on, code, verdict):
    for fmt in ("text", "concise"):
        run = cli("scan", "infra/app.yaml", *SELECTED, "--fail-on", fail_on, "--format", fmt, cwd=project)
        assert run.code == code
        assert run.stdout.splitlines()[-1] == verdict


def test_no_findings_closes_with_exit_0(tmp_path):
    (tmp_path / "t.yaml").write_text("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")
    run = cli("scan", "t.yaml", "--select", "IAM", cwd=str(tmp_path))
    assert run.code == 0
    assert run.stdout == "0 findings in 1 file, 1 resource.\nno findings \u2192 exit 0\n"


def test_colour_paints_the_location_severity_and_marker(project):
    run = cli("scan", "infra/app.yaml", "--select", "IAM001", "--color", cwd=project)
    head, _, marker = run.stdout.splitlines()[:3]
    assert head.startswith("\x1b[1minfra/app.yaml:22:25:\x1b[0m IAM001 \x1b[1;31m[high]\x1b[0m ")
    assert marker.endswith("\x1b[1;31m^^^^^^\x1b[0m")


# --- the marker under the range ------------------------------------------------------------------


def _marker_of(tmp_path, line_text: str, column: int, end_line: int | None, end_column: int | None) -> list[str]:
    from iac_lint.api import Report
    from iac_lint.model import Finding, Location
    from iac_lint.report.text import render

    path = tmp_path / "t.yaml"
    path.write_text(f"first: line\n{line_text}\nthird: line\n")
    finding = Finding("IAM001", "wildcard-action", "high", "least-privilege", "m",
                      Location(str(path), 2, column, end_line, end_column), "R", "cloudformation")
    lines = render(Report(findings=[finding])).splitlines()
    return lines[1:3]


def test_a_range_on_one_line_is_underlined_exactly(tmp_path):
    source, marker = _marker_of(tmp_path, '  Action: "s3:*"', 11, 2, 17)
    assert source == '  2 |   Action: "s3:*"'
    assert marker == "    |           ^^^^^^"


def test_a_range_over_several_lines_is_underlined_to_the_end_of_its_first(tmp_path):
    marker = _marker_of(tmp_path, "  Statement:   ", 3, 3, 5)[1]
    assert marker == "    |   ^^^^^^^^^^"


def test_a_point_without_an_end_gets_one_caret(tmp_path):
    assert _marker_of(tmp_path, "  Topic:", 3, None, None)[1] == "    |   ^"


def test_tabs_before_the_range_stay_tabs_so_the_marker_lines_up(tmp_path):
    marker = _marker_of(tmp_path, "\tkey: value", 7, 2, 12)[1]
    assert marker == "    | \t     ^^^^^"


def test_a_long_line_is_cut_around_the_range(tmp_path):
    text = "x: " + "a" * 300 + " WILD " + "b" * 300
    start = text.index("WILD") + 1
    source, marker = _marker_of(tmp_path, text, start, 2, start + 4)
    assert source.startswith("  2 | ...") and source.endswith("...")
    assert source[marker.index("^"):marker.index("^") + 4] == "WILD"


def test_the_docs_pointer_lives_in_one_function():
    from iac_lint.report.text import docs_pointer

    assert docs_pointer("IAM001") == "iac-lint rules show IAM001"


def test_iac_lints_own_findings_point_at_docs_that_exist(tmp_path):
    (tmp_path / "broken.yaml").write_text("Resources:\n  A: [unclosed\n")
    run = cli("scan", "broken.yaml", "--no-color", cwd=str(tmp_path))
    footers = [line for line in run.stdout.splitlines() if line.lstrip().startswith("= ")]
    assert footers and footers[0].endswith("docs: iac-lint rules show E001"), run.stdout
    shown = cli("rules", "show", "E001")
    assert shown.code == 0 and "E001" in shown.stdout


# --- --severity and case-insensitive choices -------------------------------------------------------


def test_severity_filters_what_every_format_shows_but_not_what_fails(project):
    text = cli("scan", "infra/app.yaml", *SELECTED, "--severity", "high", cwd=project)
    assert text.code == 1
    assert [line.split()[1] for line in text.stdout.splitlines() if line.startswith("infra/")] == ["IAM001"]
    closing = "3 findings at or above low (2 below --severity high not shown) \u2192 exit 1"
    assert text.stdout.splitlines()[-1] == closing
    shown = cli("scan", "infra/app.yaml", "--select", "IAM001,ENC002,PUB002", "--severity", "HIGH", "-f", "JSON",
                cwd=project)
    assert [f["rule_id"] for f in shown.json()["findings"]] == ["IAM001"]
    # Everything hidden still fails the gate, and the closing line says so.
    hidden = cli("scan", "infra/app.yaml", *SELECTED, "--severity", "critical", "--fail-on", "medium", cwd=project)
    assert hidden.code == 1
    assert hidden.stdout.splitlines()[-2:] == [
        "0 findings in 1 file, 3 resources.",
        "2 findings at or above medium (3 below --severity critical not shown) \u2192 exit 1"]


def test_choices_are_case_insensitive(project):
    run = cli("scan", "infra/app.yaml", "-f", "Json", "--fail-on", "HIGH", "--severity", "Medium", cwd=project)
    assert run.code == 1 and all(f["severity"] in ("medium", "high", "critical") for f in run.findings())
    assert cli("scan", "infra/app.yaml", "-f", "SARIF", cwd=project).json()["version"] == "2.1.0"


# --- never silent --------------------------------------------------------------------------------


def test_summary_goes_to_stderr_when_every_report_goes_to_a_file(project):
    run = cli("scan", "infra/app.yaml", *SELECTED, "-f", "json", "-o", "r.json", "-f", "sarif", "-o", "r.sarif",
              cwd=project)
    assert run.code == 1 and run.stdout == ""
    assert run.stderr == ("iac-lint: 3 findings (1 high, 1 medium, 1 low) in 1 file, 3 resources; "
                          "3 findings at or above low \u2192 exit 1\n")
    with open(os.path.join(project, "r.json"), encoding="utf-8") as handle:
        assert len(json.load(handle)["findings"]) == 3
    # A report on standard output is the summary itself; --quiet keeps standard error for problems.
    assert cli("scan", "infra/app.yaml", "-f", "json", cwd=project).stderr == ""
    assert cli("scan", "infra/app.yaml", "-f", "json", "-o", "r.json", "--quiet", cwd=project).stderr == ""


def test_a_scan_that_finds_no_iac_says_so_and_fail_on_empty_makes_it_exit_2(tmp_path):
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "notes.yaml").write_text("just: some\nyaml: file\n")
    run = cli("scan", "ci", cwd=str(tmp_path))
    assert run.code == 0
    assert run.stderr == "iac-lint: warning: no infrastructure-as-code files found under ci\n"
    run = cli("scan", "ci", "--fail-on-empty", cwd=str(tmp_path))
    assert run.code == 2
    assert run.stdout.splitlines()[-1] == "no infrastructure-as-code files found (--fail-on-empty) \u2192 exit 2"
    assert "warning: no infrastructure-as-code files found under ci" in run.stderr


def test_fail_on_empty_from_the_configuration_file(tmp_path):
    (tmp_path / "ci").mkdir()
    (tmp_path / ".iac-lint.yaml").write_text("fail_on_empty: true\n")
    assert cli("scan", "ci", cwd=str(tmp_path)).code == 2
    assert cli("scan", "ci", "--no-fail-on-empty", cwd=str(tmp_path)).code == 0
    (tmp_path / ".iac-lint.yaml").write_text("select: [IAM]\nfail-on-empty: sometimes\n")
    run = cli("scan", "ci", cwd=str(tmp_path))
    assert run.code == 2
    assert "configuration error" in run.stderr and ".iac-lint.yaml:2:" in run.stderr


def _without_root_read_bypass() -> None:
    """In the child, before exec: root reads any directory through two capabilities; drop them."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP: gone from the exec'd process
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _can_list_as_child(path: str, preexec) -> bool:
    probe = subprocess.run([sys.executable, "-c", f"import os; os.listdir({path!r})"], preexec_fn=preexec,
                           capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux permissions and capabilities")
def test_an_unreadable_directory_is_a_located_finding(tmp_path):
    project = tmp_path / "repo"
    copy_fixture("app.yaml", str(project), "infra/app.yaml")
    locked = project / "infra" / "locked"
    locked.mkdir()
    locked.chmod(0o000)
    try:
        preexec = _without_root_read_bypass if os.geteuid() == 0 else None
        try:
            readable = _can_list_as_child(str(locked), preexec)
        except (OSError, subprocess.SubprocessError):
            pytest.skip("cannot drop the capabilities that let root read any directory")
        if readable:
            pytest.skip("the directory stays readable after chmod 000 here")
        env = {**os.environ, "PYTHONPATH": REPO}
        done = subprocess.run([sys.executable, "-m", "iac_lint", "scan", "infra", "-f", "json"], cwd=project,
                              env=env, preexec_fn=preexec, capture_output=True, text=True, check=False)
    finally:
        locked.chmod(0o755)
    assert done.returncode == 1, done.stderr
    errors = [(f["file"], f["line"], f["column"], f["rule_id"], f["message"])
              for f in json.loads(done.stdout)["findings"] if f["rule_id"] == "E001"]
    # The same id and wording as an unreadable file's ("cannot read file: ..."), on the directory.
    assert errors == [("infra/locked", 1, 1, "E001", "cannot read directory: Permission denied")]


# --- progress ------------------------------------------------------------------------------------


def test_the_api_reports_progress_to_a_callback_and_prints_nothing(project, capsys):
    from iac_lint.api import scan

    with open(os.path.join(project, "infra", "b.yaml"), "w") as handle:
        handle.write("Resources:\n  T:\n    Type: AWS::SNS::Topic\n")
    calls: list[tuple[int, int]] = []
    scan([os.path.join(project, "infra")], progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 2), (1, 2), (2, 2)]
    assert capsys.readouterr() == ("", "")


def _scan_with_stderr_on_a_pty(cwd: str, *args: str) -> tuple[int, str]:
    import pty

    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": REPO, "PYTHONIOENCODING": "utf-8"}
    with open(os.path.join(cwd, "stdout.txt"), "w") as stdout:  # a file, not a pipe that could fill up
        proc = subprocess.Popen([sys.executable, "-m", "iac_lint", "scan", *args], cwd=cwd, env=env,
                                stdout=stdout, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_on_a_terminal_is_rewritten_in_place_and_cleared(project):
    for n in range(3):
        with open(os.path.join(project, "infra", f"t{n}.yaml"), "w") as handle:
            handle.write("Resources:\n  T:\n    Type: AWS::SNS::Topic\n")
    code, stderr = _scan_with_stderr_on_a_pty(project, "infra", "-f", "json", "-o", "r.json")
    assert code == 1
    assert stderr.startswith("\rscanning 0/4 files\u2026")
    last = "\rscanning 4/4 files\u2026"
    assert last in stderr
    # Cleared before the summary line, so that nothing is left of it on the screen.
    after = stderr[stderr.index(last) + len(last):]
    assert after.startswith("\r" + " " * (len(last) - 1) + "\riac-lint: ")
    code, stderr = _scan_with_stderr_on_a_pty(project, "infra", "-f", "json", "-o", "r.json", "--quiet")
    assert code == 1 and stderr == ""


def test_no_progress_when_stderr_is_not_a_terminal(project):
    env = {**os.environ, "PYTHONPATH": REPO}
    done = subprocess.run([sys.executable, "-m", "iac_lint", "scan", "infra", "-f", "json", "-o", "r.json"],
                          cwd=project, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "scanning" not in done.stderr and "\r" not in done.stderr
    assert done.stderr.startswith("iac-lint: 5 findings")

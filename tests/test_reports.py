"""Every output format, produced from a real scan of the gate fixtures and checked by its consumer's rules."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from gate_support import SARIF_SCHEMA, cli, copy_fixture


@pytest.fixture
def project(tmp_path):
    """A small repository: one template with findings, one with suppressions."""
    copy_fixture("app.yaml", str(tmp_path), "infra/app.yaml")
    copy_fixture("suppressed.yaml", str(tmp_path), "infra/suppressed.yaml")
    return str(tmp_path)


# --- SARIF ----------------------------------------------------------------------------


@pytest.fixture
def sarif(project):
    run = cli("scan", "infra", "--format", "sarif", cwd=project)
    assert run.code == 1
    return json.loads(run.stdout)


def test_sarif_is_valid_against_the_2_1_0_schema(sarif):
    with open(SARIF_SCHEMA, encoding="utf-8") as handle:
        schema = json.load(handle)
    jsonschema.validate(sarif, schema)
    assert sarif["version"] == "2.1.0"


def test_sarif_has_one_descriptor_per_rule_that_ran_with_help_and_security_severity(sarif):
    from iac_lint.api import active_rules
    from iac_lint.config import Config

    ran = [r.id for r in active_rules(Config(profile="strict"))]  # the gate projects opt in to advice
    driver = sarif["runs"][0]["tool"]["driver"]
    ids = [d["id"] for d in driver["rules"]]
    # Every rule that ran, and the built-in findings that occur, sorted by id (shards merge into one list).
    assert set(ran) <= set(ids) and ids == sorted(ids) and len(set(ids)) == len(ids)
    iam001 = driver["rules"][ids.index("IAM001")]
    assert iam001["name"] == "wildcard-action"
    assert iam001["shortDescription"]["text"]
    assert iam001["fullDescription"]["text"].startswith("Flags an `Allow` statement")
    assert "### Why is this bad?" in iam001["help"]["markdown"]
    assert "### References" in iam001["help"]["markdown"]
    assert iam001["helpUri"].startswith("https://")
    assert iam001["properties"]["security-severity"] == "8.0"
    assert "security" in iam001["properties"]["tags"] and "least-privilege" in iam001["properties"]["tags"]
    severities = {d["id"]: d["properties"]["security-severity"] for d in driver["rules"]
                  if not d["id"].startswith("S")}
    assert severities["ENC001"] == "3.0"  # low
    assert severities["PUB002"] == "5.5"  # medium (the rule's; a finding may grade itself)
    for value in severities.values():
        float(value)


def test_sarif_results_point_at_repo_relative_regions_with_fingerprints(sarif):
    run = sarif["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")
    rules = run["tool"]["driver"]["rules"]
    wildcard = [r for r in run["results"] if r["ruleId"] == "IAM001" and not r["suppressions"]]
    assert len(wildcard) == 1
    result = wildcard[0]
    assert rules[result["ruleIndex"]]["id"] == "IAM001"
    assert result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "infra/app.yaml", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 22, "startColumn": 25, "endLine": 22, "endColumn": 31}
    assert len(result["partialFingerprints"]["iacLint/v1"]) == 32
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]


def test_sarif_keeps_suppressed_results_with_their_justification(sarif):
    results = sarif["runs"][0]["results"]
    suppressed = {r["ruleId"]: r["suppressions"][0] for r in results
                  if r["suppressions"] and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                  == "infra/suppressed.yaml"}
    assert suppressed["PUB002"] == {"kind": "inSource", "status": "accepted",
                                    "justification": "served through CloudFront with OAC only"}
    assert suppressed["IAM002"]["justification"] == "the deploy role manages every bucket of the account"
    assert set(suppressed) == {"PUB002", "IAM001", "IAM002", "ENC002"}


def test_sarif_describes_suppression_checks_too(sarif):
    run = sarif["runs"][0]
    s001 = [r for r in run["results"] if r["ruleId"] == "S001"]
    assert len(s001) == 1 and s001[0]["level"] == "note"
    descriptor = run["tool"]["driver"]["rules"][s001[0]["ruleIndex"]]
    assert descriptor["name"] == "suppression-without-reason"
    # GitHub treats any rule with a security-severity as a security rule; a suppression check is not one.
    assert "security-severity" not in descriptor["properties"]
    assert "security" not in descriptor["properties"]["tags"]


def test_sarif_marks_baseline_findings_as_external(project):
    assert cli("baseline", "create", "infra", "--output", "base.json", cwd=project).code == 0
    run = cli("scan", "infra", "--format", "sarif", "--baseline", "base.json", cwd=project)
    assert run.code == 0
    results = json.loads(run.stdout)["runs"][0]["results"]
    kinds = {r["suppressions"][0]["kind"] for r in results if r["ruleId"] == "IAM001"}
    assert kinds == {"external", "inSource"}
    external = [r for r in results if r["suppressions"] and r["suppressions"][0]["kind"] == "external"]
    assert all(r["suppressions"][0]["justification"] == "baseline" for r in external)


# --- JUnit ----------------------------------------------------------------------------


def test_junit_parses_with_one_failing_testcase_per_active_finding(project):
    run = cli("scan", "infra", "--format", "junit", cwd=project)
    root = ET.fromstring(run.stdout)
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"infra/app.yaml", "infra/suppressed.yaml"}
    app = suites["infra/app.yaml"]
    failures = app.findall("testcase/failure")
    assert len(failures) == 5 and app.get("failures") == "5" and app.get("tests") == "5"
    iam = [c for c in app.findall("testcase") if c.get("classname") == "iac-lint.IAM001"]
    assert iam[0].get("line") == "22" and iam[0].find("failure").get("type") == "high"
    skipped = suites["infra/suppressed.yaml"].findall("testcase/skipped")
    assert len(skipped) == 4
    assert int(root.get("failures")) == sum(int(s.get("failures")) for s in suites.values())


def test_junit_gives_a_clean_file_a_passing_testcase(tmp_path):
    (tmp_path / "clean.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n'
        "    Properties:\n      KmsMasterKeyId: alias/topics\n")
    run = cli("scan", "clean.yaml", "--format", "junit", cwd=str(tmp_path))
    assert run.code == 0
    suite = ET.fromstring(run.stdout).find("testsuite")
    assert suite.get("failures") == "0"
    assert [c.get("name") for c in suite.findall("testcase")] == ["no findings"]


# --- GitHub workflow commands -----------------------------------------------------------


def test_github_annotations_for_active_findings(project):
    run = cli("scan", "infra", "--format", "github", cwd=project)
    lines = run.stdout.splitlines()
    wildcard = [line for line in lines if "title=IAM001" in line and "infra/app.yaml" in line]
    assert wildcard == ["::error file=infra/app.yaml,line=22,col=25,endLine=22,endColumn=31,"
                        "title=IAM001 wildcard-action (high)::Role WorkerRole allows 's3:*': every action of s3 "
                        "[WorkerRole]"]
    assert any(line.startswith("::warning file=infra/app.yaml,line=28,") for line in lines)  # medium
    assert any(line.startswith("::notice file=infra/app.yaml,line=4,") for line in lines)  # low
    assert not any("infra/suppressed.yaml" in line and "PUB002" in line for line in lines)  # suppressed
    assert lines[-1].startswith("7 findings")


def test_github_escapes_data_and_properties():
    from iac_lint.report.github import escape_data, escape_property

    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%d\n") == "a%3Ab%2Cc%25d%0A"
    assert escape_data("a:b,c") == "a:b,c"


def test_github_escapes_file_names_with_commas(tmp_path):
    copy_fixture("app.yaml", str(tmp_path), "odd,name:1.yaml")
    run = cli("scan", ".", "--format", "github", cwd=str(tmp_path))
    assert "file=odd%2Cname%3A1.yaml,line=" in run.stdout


# --- Markdown (the GitHub job summary) ----------------------------------------------------


def test_markdown_summary_counts_and_lists_active_findings_worst_first(project):
    run = cli("scan", "infra", "--format", "markdown", "--fail-on", "high", cwd=project)
    assert run.code == 1
    text = run.stdout
    lines = text.splitlines()
    assert lines[0] == "## iac-lint"
    everything = cli("scan", "infra", "--format", "json", cwd=project).findings()
    active = [f for f in everything if not f["suppressed"]]
    failing = [f for f in active if f["severity"] in ("critical", "high")]
    assert f"**{len(failing)} findings at or above `high`** fail the check ({len(active)} active in 2 files)." in text
    assert "| suppressed or baselined |" in text
    rows = [line for line in lines if line.startswith("| ") and ".yaml:" in line]
    assert len(rows) == len(active)
    order = ["critical", "high", "medium", "low", "info"]
    severities = [row.split(" | ")[0].lstrip("| ") for row in rows]
    assert severities == sorted(severities, key=order.index)
    iam001 = [f for f in active if f["rule_id"] == "IAM001"][0]
    assert f"| high | IAM001 wildcard-action | infra/app.yaml:{iam001['line']} |" in text
    for f in everything:
        if f["suppressed"]:  # counted above, never listed
            assert f"{f['rule_id']} {f['rule_name']} | {f['file']}:{f['line']} |" not in text


def test_markdown_cells_cannot_break_the_table_or_inject_markup():
    from iac_lint.api import Report
    from iac_lint.model import Finding, Location
    from iac_lint.report.markdown import render

    nasty = Finding("IAM001", "wildcard-action", "high", "least-privilege",
                    "allows 's3:*' on '*' | <img src=x> [link](http://x) `code`\nsecond line",
                    Location("a_b.yaml", 3), "R", "sam")
    text = render(Report(findings=[nasty]))
    (row,) = [line for line in text.splitlines() if "a\\_b.yaml:3" in line]
    assert row.count(" | ") == 3  # four cells, the message's own | escaped
    assert "\\|" in row and "&lt;img src=x&gt;" in row and "<img" not in row
    assert "'s3:\\*' on '\\*'" in row and "\\[link\\]" in row and "\\`code\\`" in row
    assert "second line" in row  # one line per row


def test_markdown_truncates_politely_and_says_so():
    from iac_lint.api import Report
    from iac_lint.model import Finding, Location
    from iac_lint.report.markdown import MAX_ROWS, render

    many = [Finding("ENC001", "bucket-without-encryption", "low", "encryption", f"bucket {i}",
                    Location("a.yaml", i + 1), f"B{i}", "sam") for i in range(MAX_ROWS + 7)]
    text = render(Report(findings=many))
    assert sum(1 for line in text.splitlines() if line.startswith("| low | ENC001")) == MAX_ROWS
    assert "_7 more findings not listed here" in text
    assert render(Report(findings=[])).splitlines()[2] == "No findings in 0 files."


# --- GitLab Code Quality -----------------------------------------------------------------


def test_gitlab_code_quality_issues(project):
    run = cli("scan", "infra", "--format", "gitlab", cwd=project)
    issues = json.loads(run.stdout)
    assert isinstance(issues, list) and len(issues) == 7  # 5 in app.yaml, ENC001 and S001 in suppressed.yaml
    by_check = {i["check_name"]: i for i in issues if i["location"]["path"] == "infra/app.yaml"}
    wildcard = by_check["IAM001 wildcard-action"]
    assert wildcard["severity"] == "critical"
    assert wildcard["location"]["lines"]["begin"] == 22
    assert wildcard["description"].startswith("IAM001: Role WorkerRole allows")
    assert by_check["ENC001 bucket-without-encryption"]["severity"] == "minor"
    assert by_check["PUB002 bucket-public-access-block"]["severity"] == "minor"  # no block written: low
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}


def test_gitlab_fingerprints_are_unique_when_findings_share_one():
    from iac_lint.api import Report
    from iac_lint.model import Finding, Location
    from iac_lint.report.gitlab import render

    twin = Finding("IAM001", "wildcard-action", "high", "least-privilege", "m", Location("a.yaml", 3), "R", "sam",
                   fingerprint="same")
    issues = json.loads(render(Report(findings=[twin, twin])))
    assert len({i["fingerprint"] for i in issues}) == 2


# --- text and JSON -------------------------------------------------------------------------


def test_text_shows_source_lines_and_ends_with_a_summary(project):
    run = cli("scan", "infra", "--no-color", cwd=project)
    lines = run.stdout.rstrip("\n").splitlines()
    assert lines[-2] == "7 findings (2 high, 1 medium, 3 low, 1 info), 4 suppressed in 2 files, 6 resources."
    assert lines[-1] == "6 findings at or above low \u2192 exit 1"  # the info one is below low
    assert '  22 |                 Action: "s3:*"' in lines


def test_json_marks_suppressed_findings_with_reason_and_kind(project):
    run = cli("scan", "infra", "--format", "json", cwd=project)
    payload = json.loads(run.stdout)
    suppressed = [f for f in payload["findings"] if f["suppressed"]]
    assert {f["rule_id"] for f in suppressed} == {"PUB002", "IAM001", "IAM002", "ENC002"}
    assert all(f["suppression_kind"] == "inSource" for f in suppressed)
    assert payload["summary"]["suppressed"] == 4


def test_several_formats_each_to_its_own_output(project):
    run = cli("scan", "infra", "--format", "sarif", "--output", "out.sarif", "--format", "junit", "--output",
              "out.xml", "--format", "gitlab", "--output", "cq.json", "--format", "text", cwd=project)
    assert run.code == 1
    assert json.loads(Path(project, "out.sarif").read_text())["version"] == "2.1.0"
    ET.parse(os.path.join(project, "out.xml"))
    assert isinstance(json.loads(Path(project, "cq.json").read_text()), list)
    assert run.stdout.rstrip().splitlines()[-2].startswith("7 findings")


def test_reporters_do_not_load_on_start_up():
    import subprocess
    import sys

    from conftest import REPO

    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "iac_lint", "--help"], cwd=REPO,
                          capture_output=True, text=True, check=True)
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    for heavy in ("jsonschema", "xml.etree.ElementTree", "tomllib", "iac_lint.config", "iac_lint.report.sarif"):
        assert heavy not in imported


def test_sarif_of_a_parse_error_is_valid_and_described(tmp_path):
    (tmp_path / "broken.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  A: [\n")
    run = cli("scan", ".", "--format", "sarif", cwd=str(tmp_path))
    log = json.loads(run.stdout)
    with open(SARIF_SCHEMA, encoding="utf-8") as handle:
        jsonschema.validate(log, json.load(handle))
    result = [r for r in log["runs"][0]["results"] if r["ruleId"] == "E001"][0]
    descriptor = log["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert descriptor["name"] == "parse-error" and descriptor["properties"]["security-severity"] == "8.0"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 4


# --- what CI consumers actually read ---------------------------------------------------------


def test_sarif_every_result_says_whether_it_is_suppressed(sarif):
    # SARIF 2.1.0 3.27.23: suppressions is null on every result of a run or on none.
    results = sarif["runs"][0]["results"]
    assert all(isinstance(r.get("suppressions"), list) for r in results)
    assert any(r["suppressions"] == [] for r in results) and any(r["suppressions"] for r in results)


def test_sarif_descriptions_fit_githubs_limits(sarif):
    # GitHub: shortDescription.text and fullDescription.text are limited to 1024 characters, name to 255.
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert "IAM002" in [d["id"] for d in rules]  # its documentation is longer than that
    for descriptor in rules:
        assert len(descriptor["fullDescription"]["text"]) <= 1024
        assert len(descriptor["shortDescription"]["text"]) <= 1024
        assert len(descriptor["name"]) <= 255


def test_sarif_help_uri_of_a_users_rule_is_its_own_reference(tmp_path):
    policies = tmp_path / "org"
    policies.mkdir()
    (policies / "ORG001-topic-check.yaml").write_text(
        "id: ORG001\nname: topic-check\nseverity: low\ncategory: encryption\ntitle: Topic check\n"
        "applies_to: topic\nwhen: \"`true`\"\nmessage: \"Topic {id}\"\n"
        "docs:\n  what: Flags topics.\n  references: [https://wiki.example.com/org001]\n")
    (tmp_path / "t.yaml").write_text("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")
    run = cli("scan", "t.yaml", "--policies", "org", "--select", "ORG001,IAM001", "--format", "sarif",
              cwd=str(tmp_path))
    rules = {d["id"]: d for d in json.loads(run.stdout)["runs"][0]["tool"]["driver"]["rules"]}
    # Not a page of iac-lint's repository, which has no such file.
    assert rules["ORG001"]["helpUri"] == "https://wiki.example.com/org001"
    assert rules["IAM001"]["helpUri"] == "https://github.com/iac-lint/iac-lint/blob/main/docs/rules/IAM001.md"


@pytest.fixture
def repository(project):
    """The project as a git checkout (a ``.git`` is all iac-lint looks for)."""
    os.mkdir(os.path.join(project, ".git"))
    return project


def test_machine_paths_are_relative_to_the_repository_from_a_subdirectory(repository):
    # GitHub resolves SARIF URIs and annotation files against the repository root, GitLab wants "a relative
    # path in the repository": a job with `working-directory: infra` must still name infra/app.yaml.
    here = os.path.join(repository, "infra")
    sarif = json.loads(cli("scan", ".", "--format", "sarif", cwd=here).stdout)
    run = sarif["runs"][0]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"infra/app.yaml", "infra/suppressed.yaml"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == \
        "file://" + os.path.realpath(repository).replace(os.sep, "/") + "/"
    assert "::error file=infra/app.yaml,line=22," in cli("scan", ".", "--format", "github", cwd=here).stdout
    issues = json.loads(cli("scan", ".", "--format", "gitlab", cwd=here).stdout)
    assert {i["location"]["path"] for i in issues} >= {"infra/app.yaml"}
    suites = ET.fromstring(cli("scan", ".", "--format", "junit", cwd=here).stdout).findall("testsuite")
    assert {s.get("name") for s in suites} == {"infra/app.yaml", "infra/suppressed.yaml"}
    # People and scripts still get paths they can use from where they are.
    assert {f["file"] for f in cli("scan", ".", "--format", "json", cwd=here).findings()} == \
        {"app.yaml", "suppressed.yaml"}


def test_fingerprints_do_not_depend_on_the_working_directory(repository):
    def prints(cwd: str, path: str) -> set[str]:
        return {f["fingerprint"] for f in cli("scan", path, "--format", "json", cwd=cwd).findings()}

    assert prints(repository, "infra") == prints(os.path.join(repository, "infra"), ".")


def test_omit_suppressed_leaves_them_out_for_github_code_scanning(project):
    # Code scanning ignores SARIF suppressions and would open an alert for each suppressed result.
    run = cli("scan", "infra", "--format", "sarif", "--omit-suppressed", cwd=project)
    results = json.loads(run.stdout)["runs"][0]["results"]
    assert results and not any(r["suppressions"] for r in results)
    assert run.code == 1


def test_json_report_is_indented_down_to_one_finding_per_line():
    from conftest import REPO

    run = cli("scan", os.path.join(REPO, "examples"), "--format", "json")
    findings = run.json()["findings"]
    assert len(findings) > 5
    lines = run.stdout.splitlines()
    assert lines[:2] == ["{", '  "version": 1,'] and lines[-1] == "}"
    start = lines.index('  "findings": [') + 1
    assert [json.loads(line.strip().rstrip(",")) for line in lines[start:start + len(findings)]] == findings
    assert lines[start + len(findings)] == "  ],"

"""Which files a scan reads: .gitignore files as git reads them, tool folders, paths named on the command line."""

from __future__ import annotations

import os
import shutil

import pytest
from gate_support import cli, copy_fixture, git

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def write(path, text: str) -> None:
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def scanned(run) -> set[str]:
    assert run.code in (0, 1), run.stderr
    return {f["file"] for f in run.findings()}


@pytest.fixture
def repo(tmp_path):
    """A git repository whose root and nested .gitignore files ignore, and re-include, templates."""
    root = tmp_path / "repo"
    root.mkdir()
    git(str(root), "init", "-q", "-b", "main")
    for name in ("infra/app.yaml", "infra/generated/a.yaml", "infra/generated/keep.yaml", "infra/local.yaml",
                 "build/out.yaml", "infra/vendor/x.yaml"):
        copy_fixture("app.yaml", str(root), name)
    write(root / ".gitignore", "# build output\nbuild/\nlocal.yaml\n")
    # A nested file: relative to its own folder, re-including one file of a folder it ignores the rest of.
    write(root / "infra" / "generated" / ".gitignore", "*.yaml\n!keep.yaml\n")
    write(root / "infra" / ".gitignore", "/vendor/\n")
    return root


@needs_git
def test_gitignore_files_are_honoured_as_git_reads_them(repo):
    found = scanned(cli("scan", ".", "--format", "json", cwd=str(repo)))
    assert found == {"infra/app.yaml", "infra/generated/keep.yaml"}
    # git agrees on every file it would track.
    untracked = git(str(repo), "ls-files", "--others", "--exclude-standard").split()
    assert {f for f in untracked if f.endswith(".yaml") and f != ".iac-lint.yaml"} == found


@needs_git
def test_the_root_gitignore_holds_when_the_scan_starts_below_the_root(repo):
    found = scanned(cli("scan", ".", "--format", "json", cwd=str(repo / "infra")))
    assert found == {"app.yaml", "generated/keep.yaml"}  # local.yaml is ignored by the root's .gitignore


@needs_git
def test_no_gitignore_reads_everything(repo):
    found = scanned(cli("scan", ".", "--no-gitignore", "--format", "json", cwd=str(repo)))
    assert found == {"infra/app.yaml", "infra/generated/a.yaml", "infra/generated/keep.yaml", "infra/local.yaml",
                     "build/out.yaml", "infra/vendor/x.yaml"}


@needs_git
def test_respect_gitignore_in_the_configuration(repo):
    write(repo / ".iac-lint.yaml", "respect_gitignore: false\n")
    assert "build/out.yaml" in scanned(cli("scan", ".", "--format", "json", cwd=str(repo)))
    # The flag wins over the file.
    assert "build/out.yaml" not in scanned(cli("scan", ".", "--gitignore", "--format", "json", cwd=str(repo)))


@needs_git
def test_a_negation_cannot_reinclude_a_file_of_an_ignored_folder(repo):
    write(repo / ".gitignore", "build/\n!build/out.yaml\n")
    assert "build/out.yaml" not in scanned(cli("scan", ".", "--format", "json", cwd=str(repo)))


@needs_git
def test_named_paths_are_scanned_even_when_ignored_unless_force_exclude(repo):
    assert scanned(cli("scan", "infra/local.yaml", "--format", "json", cwd=str(repo))) == {"infra/local.yaml"}
    assert scanned(cli("scan", "build", "--format", "json", cwd=str(repo))) == {"build/out.yaml"}
    # Inside a named folder the other rules still apply: the nested .gitignore keeps a.yaml out.
    assert scanned(cli("scan", "infra/generated", "--format", "json", cwd=str(repo))) == \
        {"infra/generated/keep.yaml"}
    forced = cli("scan", "infra/local.yaml", "build", "infra/app.yaml", "--force-exclude", "--format", "json",
                 cwd=str(repo))
    assert scanned(forced) == {"infra/app.yaml"}


def test_gitignore_is_read_outside_a_git_checkout(tmp_path):
    copy_fixture("app.yaml", str(tmp_path), "export/infra/app.yaml")
    copy_fixture("app.yaml", str(tmp_path), "export/infra/old.yaml")
    write(tmp_path / "export" / ".gitignore", "old.yaml\n")
    assert scanned(cli("scan", "export", "--format", "json", cwd=str(tmp_path))) == {"export/infra/app.yaml"}


def test_tool_folders_are_skipped(tmp_path):
    copy_fixture("main.tf", str(tmp_path), "live/prod/main.tf")
    copy_fixture("main.tf", str(tmp_path), "live/prod/.terragrunt-cache/abc/def/main.tf")
    copy_fixture("main.tf", str(tmp_path), "live/prod/.terraform/modules/q/main.tf")
    assert scanned(cli("scan", "live", "--format", "json", cwd=str(tmp_path))) == {"live/prod/main.tf"}


def test_exclude_patterns_are_relative_to_the_configuration_file(tmp_path):
    (tmp_path / ".git").mkdir()
    copy_fixture("app.yaml", str(tmp_path), "infra/app.yaml")
    copy_fixture("app.yaml", str(tmp_path), "infra/examples/app.yaml")
    copy_fixture("app.yaml", str(tmp_path), "examples/app.yaml")
    # Anchored at the file's folder: /examples/ is the top-level one, not infra/examples.
    write(tmp_path / ".iac-lint.yaml", "exclude: [/examples/]\n")
    found = scanned(cli("scan", ".", "--format", "json", cwd=str(tmp_path / "infra")))
    assert found == {"app.yaml", "examples/app.yaml"}
    assert scanned(cli("scan", "..", "--format", "json", cwd=str(tmp_path / "infra"))) == \
        {"../infra/app.yaml", "../infra/examples/app.yaml"}
    # Named on the command line: scanned although excluded, unless --force-exclude.
    assert scanned(cli("scan", "examples", "--format", "json", cwd=str(tmp_path))) == {"examples/app.yaml"}
    assert scanned(cli("scan", "examples", "--force-exclude", "--format", "json", cwd=str(tmp_path))) == set()


@needs_git
def test_git_info_exclude_is_honoured_below_every_gitignore(repo):
    write(repo / ".git" / "info" / "exclude", "app.yaml\n")
    assert scanned(cli("scan", ".", "--format", "json", cwd=str(repo))) == {"infra/generated/keep.yaml"}
    # A .gitignore line wins over it.
    write(repo / "infra" / ".gitignore", "/vendor/\n!app.yaml\n")
    assert scanned(cli("scan", ".", "--format", "json", cwd=str(repo))) == \
        {"infra/app.yaml", "infra/generated/keep.yaml"}


def test_the_pre_commit_hook_keeps_configured_excludes_when_it_names_files(repo):
    """pre-commit passes file names; the hook's own entry must not re-admit what the config excludes."""
    import shlex

    import yaml
    from conftest import REPO

    with open(os.path.join(REPO, ".pre-commit-hooks.yaml"), encoding="utf-8") as handle:
        hook = yaml.safe_load(handle)[0]
    program, command, *flags = shlex.split(hook["entry"])
    assert (program, command) == ("iac-lint", "scan")
    write(repo / ".iac-lint.yaml", "exclude: [legacy/]\n")
    copy_fixture("app.yaml", str(repo), "legacy/old.yaml")
    named = cli("scan", *flags, "legacy/old.yaml", "infra/app.yaml", "--format", "json", cwd=str(repo))
    assert scanned(named) == {"infra/app.yaml"}


def _split_module(root) -> None:
    infra = root / "infra"
    infra.mkdir()
    (infra / "bucket.tf").write_text('resource "aws_s3_bucket" "data" {\n  bucket = "data"\n}\n')
    (infra / "security.tf").write_text(
        'resource "aws_s3_bucket_public_access_block" "data" {\n'
        '  bucket                  = aws_s3_bucket.data.id\n'
        '  block_public_acls       = true\n  block_public_policy     = true\n'
        '  ignore_public_acls      = true\n  restrict_public_buckets = true\n}\n'
        'resource "aws_sqs_queue" "q" {\n  sqs_managed_sse_enabled = false\n}\n')


def test_a_named_tf_file_is_judged_with_its_module_and_reported_alone(tmp_path):
    import json

    _split_module(tmp_path)
    run = cli("scan", "infra/bucket.tf", "--format", "json", cwd=str(tmp_path))
    found = {(f["rule_id"], f["file"]) for f in json.loads(run.stdout)["findings"]}
    # The access block in security.tf counts (no PUB002), and security.tf's own finding is not reported.
    assert ("PUB002", "infra/bucket.tf") not in found
    assert all(file == "infra/bucket.tf" for _, file in found), found
    whole = cli("scan", "infra", "--format", "json", cwd=str(tmp_path))
    assert ("ENC002", "infra/security.tf") in {(f["rule_id"], f["file"]) for f in json.loads(whole.stdout)["findings"]}


def test_two_named_files_of_one_module_are_one_unit(tmp_path):
    import json

    _split_module(tmp_path)
    run = cli("scan", "infra/bucket.tf", "infra/security.tf", "--extend-select", "ENC001", "--format", "json",
              cwd=str(tmp_path))
    data = json.loads(run.stdout)
    assert {f["rule_id"] for f in data["findings"]} == {"ENC001", "ENC002"}
    assert data["summary"]["resources"] == 3


def test_config_exclude_applies_to_named_files_with_force_exclude(tmp_path):
    import json

    _split_module(tmp_path)
    (tmp_path / ".iac-lint.yaml").write_text("exclude: [infra/security.tf]\n")
    named = cli("scan", "infra/security.tf", "--format", "json", cwd=str(tmp_path))
    assert json.loads(named.stdout)["findings"], "named without --force-exclude: scanned"
    forced = cli("scan", "--force-exclude", "infra/security.tf", "--format", "json", cwd=str(tmp_path))
    assert json.loads(forced.stdout)["findings"] == []


def test_a_named_file_inside_a_named_directory_is_reported_once(tmp_path):
    import json

    _split_module(tmp_path)
    run = cli("scan", "infra", "infra/bucket.tf", "--format", "json", cwd=str(tmp_path))
    found = [(f["rule_id"], f["file"], f["line"]) for f in json.loads(run.stdout)["findings"]]
    assert len(found) == len(set(found)) and ("ENC002", "infra/security.tf", 9) in found


def test_paths_named_twice_or_nested_give_each_unit_once(tmp_path):
    import json

    from iac_lint.discover import discover

    _split_module(tmp_path)
    copy_fixture("app.yaml", str(tmp_path), "infra/app.yaml")
    infra = str(tmp_path / "infra")
    units = list(discover([str(tmp_path), infra, infra, os.path.join(infra, "bucket.tf"),
                           os.path.join(infra, "app.yaml")]))
    assert sorted((u.kind, os.path.relpath(u.path, tmp_path)) for u in units) == [
        ("document", os.path.join("infra", "app.yaml")), ("terraform", "infra")]
    assert units[1].report_only == [], "the module came whole from the directory"
    once = json.loads(cli("scan", "infra", "--format", "json", cwd=str(tmp_path)).stdout)
    overlapping = json.loads(cli("scan", ".", "infra", "infra/bucket.tf", "--format", "json",
                                 cwd=str(tmp_path)).stdout)
    assert overlapping["findings"] == once["findings"]
    assert overlapping["summary"]["resources"] == once["summary"]["resources"]


def test_a_module_two_walks_read_with_different_files_is_read_both_ways(tmp_path):
    """Outside the working directory an exclude pattern is matched below each walked root, so the walk of
    ``infra`` and the walk of ``infra/prod`` can leave a module different files: neither is dropped."""
    import json

    prod = tmp_path / "repo" / "infra" / "prod"
    write(prod / "main.tf", 'resource "aws_sqs_queue" "q" {}\n')
    write(prod / "x.tf", 'resource "aws_db_instance" "db" {\n  password = "Zq8-wV3nR7tY2mK9"\n}\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = cli("scan", str(prod.parent), str(prod), "--exclude", "prod/x.tf", "--format", "json",
              cwd=str(elsewhere))
    assert [(f["rule_id"], os.path.basename(f["file"])) for f in json.loads(run.stdout)["findings"]] == [
        ("SEC002", "x.tf")]

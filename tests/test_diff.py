"""Diff mode through the CLI, in throwaway git repositories."""

from __future__ import annotations

import shutil

import pytest
from gate_support import cli, copy_fixture, git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def repo(tmp_path):
    """A repository on ``main`` with the app template and a Terraform module committed."""
    root = tmp_path / "repo"
    root.mkdir()
    git(str(root), "init", "-q", "-b", "main")
    copy_fixture("app.yaml", str(root), "infra/app.yaml")
    copy_fixture("main.tf", str(root), "infra/tf/main.tf")
    git(str(root), "add", ".")
    git(str(root), "commit", "-q", "-m", "initial")
    git(str(root), "checkout", "-q", "-b", "feature")
    return root


def changed(run) -> set[tuple[str, str]]:
    return {(f["rule_id"], f["resource"]) for f in run.findings()}


def edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_nothing_changed_reports_nothing(repo):
    run = cli("scan", "infra", "--changed-since", "main", "--format", "json", cwd=str(repo))
    assert run.code == 0 and run.findings() == []


def test_only_findings_on_the_changed_resource(repo):
    # A change inside the queue's properties: the bucket and the role are untouched.
    edit(repo / "infra" / "app.yaml", "SqsManagedSseEnabled: false",
         "SqsManagedSseEnabled: false\n      VisibilityTimeout: 60")
    git(str(repo), "commit", "-qam", "tune the queue")
    run = cli("scan", "infra", "--changed-since", "main", "--format", "json", cwd=str(repo))
    assert changed(run) == {("ENC002", "OrdersQueue")}
    assert run.code == 1


def test_change_anywhere_in_a_resource_reports_all_of_its_findings(repo):
    edit(repo / "infra" / "app.yaml", "BucketName: orders-intake", "BucketName: orders-intake-v2")
    run = cli("scan", "infra", "--changed-since", "main", "--format", "json", cwd=str(repo))
    assert changed(run) == {("ENC001", "OrdersBucket"), ("PUB002", "OrdersBucket")}


def test_uncommitted_and_committed_changes_both_count(repo):
    edit(repo / "infra" / "app.yaml", "PolicyName: worker", "PolicyName: worker-v2")
    git(str(repo), "commit", "-qam", "rename policy")
    edit(repo / "infra" / "tf" / "main.tf", 'name                    = "orders"', 'name = "orders-v2"')
    run = cli("scan", "infra", "--changed-since", "main", "--format", "json", cwd=str(repo))
    assert changed(run) == {("IAM001", "WorkerRole"), ("IAM002", "WorkerRole"), ("ENC002", "aws_sqs_queue.orders")}


def test_new_and_untracked_files_are_reported_whole(repo):
    copy_fixture("expired.yaml", str(repo), "infra/new/committed.yaml")
    git(str(repo), "add", ".")
    git(str(repo), "commit", "-qm", "add")
    copy_fixture("suppressed.yaml", str(repo), "infra/new/untracked.yaml")
    run = cli("scan", "infra", "--changed-since", "main", "--format", "json", cwd=str(repo))
    files = {f["file"] for f in run.findings()}
    assert files == {"infra/new/committed.yaml", "infra/new/untracked.yaml"}


def test_change_outside_every_resource_reports_the_whole_template(repo):
    # A new Parameters section can change what every resource means.
    edit(repo / "infra" / "app.yaml", "Resources:\n", "Parameters:\n  Env: {Type: String}\nResources:\n")
    run = cli("scan", "infra", "--changed-since", "main", "--format", "json", cwd=str(repo))
    assert {r for r, _ in changed(run)} == {"ENC001", "PUB002", "IAM001", "IAM002", "ENC002"}
    assert all(f["file"] == "infra/app.yaml" for f in run.findings())


def test_comment_only_change_between_resources_reports_nothing(repo):
    edit(repo / "infra" / "app.yaml", "  OrdersQueue:", "  # drained by the worker\n  OrdersQueue:")
    run = cli("scan", "infra", "--changed-since", "main", "--format", "json", cwd=str(repo))
    assert run.findings() == []


def test_changes_on_main_after_branching_are_not_ours(repo):
    git(str(repo), "checkout", "-q", "main")
    edit(repo / "infra" / "app.yaml", "BucketName: orders-intake", "BucketName: orders-main")
    git(str(repo), "commit", "-qam", "main moves on")
    git(str(repo), "checkout", "-q", "feature")
    run = cli("scan", "infra", "--changed-since", "main", "--format", "json", cwd=str(repo))
    assert run.findings() == []


def test_deleting_lines_inside_a_resource_counts_as_changing_it(repo):
    edit(repo / "infra" / "app.yaml", "            Principal: {Service: lambda.amazonaws.com}\n", "")
    run = cli("scan", "infra", "--changed-since", "main", "--format", "json", cwd=str(repo))
    assert {r for r, _ in changed(run)} == {"IAM001", "IAM002"}


def test_unknown_revision_is_exit_2(repo):
    run = cli("scan", "infra", "--changed-since", "no-such-branch", cwd=str(repo))
    assert run.code == 2 and "unknown revision 'no-such-branch'" in run.stderr


def test_outside_a_repository_is_exit_2(tmp_path):
    copy_fixture("app.yaml", str(tmp_path), "plain/app.yaml")
    run = cli("scan", "plain", "--changed-since", "main", cwd=str(tmp_path))
    assert run.code == 2 and "not inside a git repository" in run.stderr


def test_shallow_clone_without_the_ref_says_to_fetch_more_history(repo, tmp_path):
    edit(repo / "infra" / "app.yaml", "BucketName: orders-intake", "BucketName: b2")
    git(str(repo), "commit", "-qam", "second")
    clone = tmp_path / "clone"
    git(str(tmp_path), "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{repo}", str(clone))
    run = cli("scan", "infra", "--changed-since", "main", cwd=str(clone))
    assert run.code == 2
    assert "shallow clone" in run.stderr and "fetch-depth: 0" in run.stderr and "git fetch --deepen" in run.stderr
    # The remote branch exists in name but not in history: merge-base is what fails.
    git(str(clone), "fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main")
    run = cli("scan", "infra", "--changed-since", "origin/main", cwd=str(clone))
    assert run.code == 2 and "no common history" in run.stderr and "fetch-depth: 0" in run.stderr


def test_parse_diff_reads_hunks_and_new_files(tmp_path):
    from iac_lint.engine.diff import parse_diff

    text = """diff --git a/t.yaml b/t.yaml
index 1..2 100644
--- a/t.yaml
+++ b/t.yaml
@@ -3,0 +4,2 @@ Resources:
+  # note
+
@@ -10 +12 @@
-      A: 1
+      A: 2
@@ -20,2 +21,0 @@
-      B: 1
-      C: 1
diff --git a/n.tf b/n.tf
new file mode 100644
--- /dev/null
+++ b/n.tf
@@ -0,0 +1,3 @@
+x
+y
+z
diff --git a/gone.yaml b/gone.yaml
deleted file mode 100644
--- a/gone.yaml
+++ /dev/null
@@ -1 +0,0 @@
-x
"""
    files = parse_diff(text, str(tmp_path))
    t = files[str(tmp_path / "t.yaml")]
    assert not t.new
    assert t.hunks == [(4, 5, False), (12, 12, True), (21, 21, True)]
    assert files[str(tmp_path / "n.tf")].new
    assert str(tmp_path / "gone.yaml") not in files


def test_a_moved_file_is_not_a_changed_one(repo):
    # Reorganising folders must not make the pull request answer for every finding the templates had.
    (repo / "infra" / "orders").mkdir()
    git(str(repo), "mv", "infra/app.yaml", "infra/orders/app.yaml")
    git(str(repo), "commit", "-qm", "move")
    run = cli("scan", "infra", "--changed-since", "main", "--format", "json", cwd=str(repo))
    assert run.code == 0 and run.findings() == []


def test_a_moved_and_edited_file_reports_only_what_was_edited(repo):
    git(str(repo), "mv", "infra/app.yaml", "infra/orders app.yaml")  # a name git has to quote
    edit(repo / "infra" / "orders app.yaml", "SqsManagedSseEnabled: false",
         "SqsManagedSseEnabled: false\n      VisibilityTimeout: 60")
    run = cli("scan", "infra", "--changed-since", "main", "--format", "json", cwd=str(repo))
    assert changed(run) == {("ENC002", "OrdersQueue")}


def test_a_deleted_file_reports_nothing_and_the_rest_still_counts(repo):
    git(str(repo), "rm", "-q", "infra/app.yaml")
    edit(repo / "infra" / "tf" / "main.tf", 'name                    = "orders"', 'name = "orders-v2"')
    run = cli("scan", "infra", "--changed-since", "main", "--format", "json", cwd=str(repo))
    assert changed(run) == {("ENC002", "aws_sqs_queue.orders")}


def test_diff_mode_says_how_many_findings_it_hid(repo):
    edit(repo / "infra" / "app.yaml", "SqsManagedSseEnabled: false",
         "SqsManagedSseEnabled: false\n      VisibilityTimeout: 60")
    run = cli("scan", "infra", "--changed-since", "main", "--format", "json", cwd=str(repo))
    # 6 active findings in all (5 in app.yaml, the Terraform queue); the queue's ENC002 is shown.
    assert changed(run) == {("ENC002", "OrdersQueue")}
    assert run.json()["summary"]["hidden_by_diff"] == 5
    assert "iac-lint: 5 findings on unchanged resources not shown (--changed-since main)" in run.stderr
    text = cli("scan", "infra", "--changed-since", "main", cwd=str(repo))
    assert any(line.endswith("; 5 findings on unchanged resources not shown.") for line in text.stdout.splitlines())


def test_errors_are_never_hidden_by_diff_mode(repo):
    (repo / "infra" / "broken.yaml").write_text("Resources:\n  A: [\n")
    git(str(repo), "add", ".")
    git(str(repo), "commit", "-qm", "a template that does not parse")
    git(str(repo), "checkout", "-q", "-b", "later")
    run = cli("scan", "infra", "--changed-since", "feature", "--format", "json", cwd=str(repo))
    assert changed(run) == {("E001", "")}
    assert run.code == 1 and run.json()["summary"]["hidden_by_diff"] == 6

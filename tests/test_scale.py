"""Scale without changing a byte of output: --jobs, --shard with `iac-lint merge`, the unit cache, --statistics."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
import time

import pytest
from conftest import CORPUS, REPO, needs_corpus

from iac_lint import lint_units as lint_units_module
from iac_lint.api import scan
from iac_lint.config import Config
from iac_lint.discover import discover
from iac_lint.report import renderer
from iac_lint.shard import ShardError, parse_shard, unit_groups, units_of_shard

FIXTURES = os.path.join(REPO, "tests", "fixtures")
EXAMPLES = os.path.join(REPO, "examples")


def _reports(paths: list[str], **settings) -> dict[str, str]:
    """The text, JSON and SARIF reports of a scan with these Config settings (report views, as the command
    line asks for them, unless ``keep_models`` is given)."""
    config = Config(**{"keep_models": False, **settings})
    report = scan(paths, config)
    return {fmt: renderer(fmt)(report, show_suppressed=True) for fmt in ("text", "json", "sarif")}


# --- --jobs --------------------------------------------------------------------------------------


@pytest.mark.parametrize("paths", [[EXAMPLES], [FIXTURES]], ids=["examples", "fixtures"])
def test_a_pool_reports_exactly_what_one_process_does(paths):
    one = _reports(paths, jobs=1)
    assert json.loads(one["json"])["findings"]
    assert _reports(paths, jobs=2) == one
    assert _reports(paths, jobs=3) == one


@needs_corpus
def test_a_pool_reports_exactly_what_one_process_does_on_the_corpus():
    assert _reports([CORPUS], jobs=2)["json"] == _reports([CORPUS], jobs=1)["json"]


@pytest.mark.parametrize("keep_models", [False, True])
def test_whole_models_and_report_views_give_the_same_reports(keep_models):
    assert _reports([FIXTURES], jobs=2, keep_models=keep_models) == _reports([FIXTURES], jobs=1)


def test_library_callers_get_whole_models_from_a_pool():
    report = scan([EXAMPLES], Config(jobs=2))
    assert any(type(e).__name__ == "Function" and e.triggers for tpl in report.templates for e in tpl.entities)


def test_a_pool_keeps_the_templates_reporters_read(tmp_path):
    """Suppression comments, resources and the source lines of findings survive the trip from a worker."""
    report = scan([EXAMPLES], Config(jobs=2, keep_models=False))
    files = {file for tpl in report.templates for file in tpl.sources}
    assert report.resources > 0 and files
    flagged = {f.location.file for f in report.findings}
    for tpl in report.templates:
        for file, lines in tpl.sources.items():
            if file in flagged:
                assert lines, f"{file} has findings but no source lines"


# --- --shard and merge -----------------------------------------------------------------------------


def test_pool_tasks_partition_the_units_largest_first_and_shrink(tmp_path):
    from iac_lint.discover import Unit

    sizes = [50_000, 200, 9_000, 120_000, 700, 3_000] * 20
    units = []
    for index, size in enumerate(sizes):
        path = tmp_path / f"t{index}.yaml"
        path.write_text("#" * size)
        units.append(Unit("document", str(path), [str(path)]))
    batches = lint_units_module._batches(units, 2)
    assert sorted(i for batch in batches for i in batch) == list(range(len(units)))
    order = [i for batch in batches for i in batch]
    assert [sizes[i] for i in order] == sorted(sizes, reverse=True)
    costs = [sum(lint_units_module._unit_cost(units[i]) for i in batch) for batch in batches]
    assert len(batches) > 8 and costs[-1] < costs[0] / 4, costs


def test_pool_tasks_keep_a_module_with_the_examples_that_call_it(tmp_path):
    """One worker parses the module once for all its callers; another worker gets the unrelated units."""
    module = tmp_path / "module"
    (module / "examples").mkdir(parents=True)
    (module / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = var.name\n}\n' * 40)
    for name in ("one", "two", "three"):
        (module / "examples" / name).mkdir()
        call = f'module "m" {{\n  source = "../../"\n  name = "{name}"\n}}\n'
        (module / "examples" / name / "main.tf").write_text(call)
    for index in range(12):
        (tmp_path / f"t{index}.yaml").write_text("Resources: {}\n" + "#" * 4_000)
    units = list(discover([str(tmp_path)]))
    batches = lint_units_module._batches(units, 2)
    assert sorted(i for batch in batches for i in batch) == list(range(len(units)))
    terraform = [i for i, unit in enumerate(units) if unit.kind == "terraform"]
    assert len(terraform) == 4
    holding = [batch for batch in batches if set(terraform) & set(batch)]
    assert len(holding) == 1 and [i for i in holding[0] if i in terraform] == terraform


def test_a_pooled_scan_leaves_the_collector_as_it_found_it_and_workers_collect():
    import gc

    from iac_lint.config import Config

    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            assert scan([EXAMPLES], Config(jobs=2, cache=False)).findings
            assert gc.isenabled() is enabled and gc.get_freeze_count() == 0
        finally:
            gc.enable()
    gc.disable()  # as the parent leaves it across the fork
    try:
        lint_units_module._start_worker(Config(), [], False, None)
        assert gc.isenabled()  # else a worker would keep every unit's garbage
    finally:
        gc.enable()
        lint_units_module._worker = None


def test_a_template_crosses_the_process_boundary_with_its_lines_as_they_were():
    import pickle

    from iac_lint.model import Location, Resource, Template

    sources = {"a.yaml": ["Resources:", "", "  Q: {Type: AWS::SQS::Queue}\r", ""], "b.tf": [],
               "c.yaml": ["one line", "a line with\na newline in it"], "d.yaml": [""]}
    resource = Resource("Q", "AWS::SQS::Queue", "cloudformation", None, Location("a.yaml", 3, 3), "a.yaml")
    tpl = Template("a.yaml", "cloudformation", [resource], [], [], sources, frozenset({"a.yaml"}))
    back = pickle.loads(pickle.dumps(tpl, protocol=pickle.HIGHEST_PROTOCOL))
    assert back.sources == sources and all(type(v) is list for v in back.sources.values())
    assert (back.path, back.format, back.report_files) == (tpl.path, tpl.format, tpl.report_files)
    assert repr(back.resources) == repr(tpl.resources)


def test_report_views_keep_the_resources_reports_look_up_and_count_them_all():
    from iac_lint.config import Config
    from iac_lint.report import renderer

    whole = scan([FIXTURES, EXAMPLES], Config(jobs=1, keep_models=True, cache=False))
    views = scan([FIXTURES, EXAMPLES], Config(jobs=2, keep_models=False, cache=False))
    assert views.resources == whole.resources == sum(len(t.resources) for t in whole.templates)
    assert sum(len(t.resources) for t in views.templates) < whole.resources
    commented = {file for t in whole.templates for file, lines in t.sources.items()
                 if "iac-lint" in "\n".join(lines).lower()}
    assert commented
    kept = {(r.location.file, r.id) for t in views.templates for r in t.resources}
    wanted = {(r.location.file, r.id) for t in whole.templates for r in t.resources
              if r.location.file in commented or r.suppressions}
    assert wanted <= kept
    assert renderer("json")(views) == renderer("json")(whole)  # suppressions judged the same


def test_reports_without_excerpts_leave_flagged_lines_in_the_workers_and_say_the_same():
    from iac_lint.config import Config
    from iac_lint.report import renderer

    def report(keep_lines: bool):
        return scan([FIXTURES, EXAMPLES], Config(jobs=2, keep_models=False, keep_lines=keep_lines, cache=False))

    quoted, bare = report(True), report(False)
    for fmt in ("json", "sarif", "gitlab"):
        assert renderer(fmt)(bare) == renderer(fmt)(quoted)
    assert any(f.fix and f.fix.edits for f in bare.findings)  # made where the lines were
    flagged = {f.location.file for f in bare.findings}
    kept = {file for t in bare.templates for file, lines in t.sources.items() if lines}
    assert kept < {file for t in quoted.templates for file, lines in t.sources.items() if lines} and kept
    assert all("iac-lint" in "".join(lines).lower() for t in bare.templates for file, lines in t.sources.items()
               if lines and file in flagged)  # only for their suppression comments


def test_a_text_report_after_a_json_one_still_quotes_its_lines(run_cli, tmp_path, cache_dir):
    project = _copy(tmp_path)
    run_cli("scan", project, "-f", "json")
    code, text = run_cli("scan", project)
    assert code == 1 and text == run_cli("scan", project, "--no-cache")[1]
    assert " | " in text


def test_parse_shard():
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/2", "3/2", "x/2", "2", "1/0"):
        with pytest.raises(ShardError):
            parse_shard(bad)


def test_shards_partition_the_units_and_keep_called_modules_with_their_callers():
    units = list(discover([FIXTURES]))
    shards = [units_of_shard(units, k, 3) for k in (1, 2, 3)]
    assert sorted(u.path for s in shards for u in s) == sorted(u.path for u in units)
    assert all(shards)
    modules = os.path.join(FIXTURES, "terraform", "modules")
    joined = [g for g in unit_groups(units) if len(g) > 1]
    assert any(any(units[i].path.startswith(modules) for i in g) for g in joined)
    for group in joined:
        owners = {k for k, s in enumerate(shards) for i in group if units[i] in s}
        assert len(owners) == 1
    assert units_of_shard(units, 1, 3) == units_of_shard(list(discover([FIXTURES])), 1, 3)  # deterministic


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_merged_shards_equal_an_unsharded_scan(run_cli, tmp_path, fmt):
    whole = tmp_path / f"whole.{fmt}"
    code, _ = run_cli("scan", FIXTURES, EXAMPLES, "-q", "--no-cache", "-f", fmt, "-o", str(whole))
    assert code == 1
    parts = []
    for k in (1, 2, 3):
        part = tmp_path / f"part{k}.{fmt}"
        run_cli("scan", FIXTURES, EXAMPLES, "-q", "--no-cache", "-f", fmt, "-o", str(part), "--shard", f"{k}/3")
        parts.append(str(part))
    merged = tmp_path / f"merged.{fmt}"
    code, _ = run_cli("merge", *parts, "-o", str(merged))
    assert code == 0
    assert merged.read_text(encoding="utf-8") == whole.read_text(encoding="utf-8")
    code, _ = run_cli("merge", *parts, "-o", str(merged), "--fail-on", "high")
    assert code == 1


def test_merge_refuses_mixed_or_foreign_reports(run_cli, tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.sarif"
    run_cli("scan", EXAMPLES, "-q", "--no-cache", "-f", "json", "-o", str(first))
    run_cli("scan", EXAMPLES, "-q", "--no-cache", "-f", "sarif", "-o", str(second))
    assert run_cli("merge", str(first), str(second))[0] == 2
    other = tmp_path / "other.json"
    other.write_text('{"something": 1}', encoding="utf-8")
    assert run_cli("merge", str(other))[0] == 2


def test_a_bad_shard_is_a_usage_error(run_cli):
    assert run_cli("scan", EXAMPLES, "--shard", "4/3")[0] == 2


# --- the unit cache ----------------------------------------------------------------------------------


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv("IAC_LINT_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def linted(monkeypatch):
    """The units actually parsed (not taken from the cache), in order."""
    seen: list[str] = []
    real = lint_units_module.lint_unit

    def counting(unit, *args, **kwargs):
        seen.append(unit.path)
        return real(unit, *args, **kwargs)

    monkeypatch.setattr(lint_units_module, "lint_unit", counting)
    return seen


def _copy(tmp_path) -> str:
    target = tmp_path / "project"
    shutil.copytree(FIXTURES, target / "fixtures")
    shutil.copytree(EXAMPLES, target / "examples")
    return str(target)


def test_a_cached_rerun_reports_the_same_and_parses_nothing(tmp_path, cache_dir, linted):
    project = _copy(tmp_path)
    cold = _reports([project], jobs=1, cache=True)
    parsed = len(linted)
    assert parsed > 5 and cache_dir.is_dir()
    linted.clear()
    assert _reports([project], jobs=1, cache=True) == cold
    assert len(linted) < parsed / 5  # only units the cache does not keep (unreadable files, E002)
    assert _reports([project], jobs=1, cache=False) == cold


def test_entries_written_by_pool_workers_read_back_as_the_same_report(tmp_path, cache_dir, linted):
    project = _copy(tmp_path)
    cold = _reports([project], jobs=2, cache=True)  # workers store the bytes they send
    assert _reports([project], jobs=1, cache=False) == cold
    linted.clear()
    assert _reports([project], jobs=1, cache=True) == cold
    assert len(linted) < 5


def test_an_edit_reparses_only_its_unit(tmp_path, cache_dir, linted):
    project = _copy(tmp_path)
    _reports([project], jobs=1, cache=True)
    main_tf = os.path.join(project, "examples", "terraform-webhook", "main.tf")
    with open(main_tf, "a", encoding="utf-8") as handle:
        handle.write('\nresource "aws_sqs_queue" "added" {\n  sqs_managed_sse_enabled = false\n}\n')
    linted.clear()
    warm = _reports([project], jobs=1, cache=True)
    assert os.path.dirname(main_tf) in [os.path.abspath(p) for p in linted]
    assert len(linted) < 5
    assert warm == _reports([project], jobs=1, cache=False)
    assert "aws_sqs_queue.added" in warm["json"]


def _age(project: str, seconds: int = 3600) -> None:
    """Every file modified ``seconds`` ago (its change time becomes now)."""
    now = time.time_ns()
    for folder, _dirs, names in os.walk(project):
        for name in names:
            os.utime(os.path.join(folder, name), ns=(now, now - seconds * 10**9))


def test_files_unchanged_since_well_before_an_entry_are_not_hashed_again(tmp_path, cache_dir, monkeypatch):
    from iac_lint import unit_cache

    project = _copy(tmp_path)
    _age(project)
    cold = _reports([project], jobs=1, cache=True)
    hashed: list[str] = []
    real = unit_cache._file_state
    monkeypatch.setattr(unit_cache, "_file_state", lambda path: hashed.append(path) or real(path))
    assert _reports([project], jobs=1, cache=True) == cold
    watched = [f for f in hashed if f.startswith(project)]
    assert not watched, watched[:3]


def test_an_edit_that_keeps_size_and_modification_time_is_seen(tmp_path, cache_dir):
    project = _copy(tmp_path)
    _age(project)
    _reports([project], jobs=1, cache=True)
    _edit_keeping_size_and_time(os.path.join(project, "examples", "terraform-webhook", "main.tf"))
    assert _reports([project], jobs=1, cache=True) == _reports([project], jobs=1, cache=False)


def _edit_keeping_size_and_time(path: str) -> None:
    """An edit of the same size, the modification time set back to what it was (the change time still moves)."""
    info = os.stat(path)
    with open(path, "r+", encoding="utf-8") as handle:
        text = handle.read()
        handle.seek(0)
        handle.write(text.replace("resource", "resourcE", 1))  # an error now
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def test_a_file_modified_just_before_its_entry_was_written_is_hashed_again(tmp_path, cache_dir, monkeypatch):
    """Times kept to the second: a second write in the same second leaves every part of the stamp as it was."""
    from iac_lint import unit_cache

    monkeypatch.setattr(unit_cache, "_stamp", lambda info: [info.st_size, info.st_mtime_ns // 10**9 * 10**9])
    project = _copy(tmp_path)
    _age(project, 0)  # modified now, as an editor saves while the scan runs
    _reports([project], jobs=1, cache=True)
    _edit_keeping_size_and_time(os.path.join(project, "examples", "terraform-webhook", "main.tf"))
    assert _reports([project], jobs=1, cache=True) == _reports([project], jobs=1, cache=False)


def test_a_new_file_in_a_module_is_seen(tmp_path, cache_dir):
    project = _copy(tmp_path)
    _reports([project], jobs=1, cache=True)
    module = os.path.join(project, "examples", "terraform-webhook")
    with open(os.path.join(module, "extra.tf"), "w", encoding="utf-8") as handle:
        handle.write('resource "aws_sqs_queue" "extra" {\n  sqs_managed_sse_enabled = false\n}\n')
    assert _reports([project], jobs=1, cache=True) == _reports([project], jobs=1, cache=False)


@pytest.mark.parametrize("root", ["absolute", ".", "relative/"])
def test_a_new_file_in_a_called_module_is_seen_by_its_caller(tmp_path, cache_dir, monkeypatch, root):
    """The caller's entry watches the called module's folder: a file added there reaches the caller's findings,
    though none of the caller's own files changed.  Folders the walk listed are not listed again, however
    the root is spelt."""
    from iac_lint import unit_cache

    monkeypatch.chdir(tmp_path)
    app, module = tmp_path / "app", tmp_path / "modules" / "queue"
    app.mkdir()
    module.mkdir(parents=True)
    (app / "main.tf").write_text('module "queue" {\n  source = "../modules/queue"\n}\n', encoding="utf-8")
    (module / "main.tf").write_text('variable "name" {\n  default = "jobs"\n}\n', encoding="utf-8")
    paths = {"absolute": [str(tmp_path)], ".": ["."], "relative/": ["../" + tmp_path.name + "/"]}[root]
    cold = _reports(paths, jobs=1, cache=True)
    assert "aws_sqs_queue" not in cold["json"]
    (module / "queue.tf").write_text('resource "aws_sqs_queue" "jobs" {\n  sqs_managed_sse_enabled = false\n}\n',
                                     encoding="utf-8")
    warm = _reports(paths, jobs=1, cache=True)
    assert warm == _reports(paths, jobs=1, cache=False)
    assert "aws_sqs_queue.jobs" in warm["json"]
    listed: list[str] = []
    real = unit_cache._listing
    monkeypatch.setattr(unit_cache, "_listing", lambda folder: listed.append(folder) or real(folder))
    assert _reports(paths, jobs=1, cache=True) == warm
    assert listed == []  # every entry judged on the listings the walk made


def test_options_and_rules_are_part_of_the_key(tmp_path, cache_dir, linted):
    project = _copy(tmp_path)
    _reports([project], jobs=1, cache=True)
    linted.clear()
    config = Config(jobs=1, cache=True, keep_models=False)
    config.parse.tf_vars = {"anything": "else"}
    scan([project], config)
    assert len(linted) > 5
    linted.clear()
    _reports([project], jobs=1, cache=True, select=["IAM"])
    assert len(linted) > 5


def test_a_new_repository_root_is_a_new_run_for_the_cache(tmp_path, cache_dir):
    """Cached findings carry fingerprints relative to the project root: a ``git init`` moves it."""
    project = _copy(tmp_path)
    before = _reports([project], jobs=1, cache=True)
    (tmp_path / "project" / ".git").mkdir()
    from iac_lint.model import paths

    paths.repository_root.cache_clear()  # as a new process finds it
    after = _reports([project], jobs=1, cache=True)
    assert after == _reports([project], jobs=1, cache=False)
    assert after["json"] != before["json"]  # the same findings, other fingerprints


def test_corrupt_entries_are_ignored(tmp_path, cache_dir):
    project = _copy(tmp_path)
    cold = _reports([project], jobs=1, cache=True)
    for folder, _, names in os.walk(cache_dir):
        for name in names:
            with open(os.path.join(folder, name), "r+b") as handle:
                handle.seek(0, os.SEEK_END)
                size = handle.tell()
                handle.seek(size // 2)
                handle.write(b"\x00garbage")
    assert _reports([project], jobs=1, cache=True) == cold


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_cache_directory_others_may_write_is_not_used(tmp_path, cache_dir, linted):
    project = _copy(tmp_path)
    _reports([project], jobs=1, cache=True)
    units = cache_dir / "units"
    units.chmod(units.stat().st_mode | stat.S_IWOTH)
    linted.clear()
    _reports([project], jobs=1, cache=True)
    assert len(linted) > 5


def test_on_windows_a_folder_is_not_judged_by_the_mode_bits_stat_makes_up(tmp_path, monkeypatch):
    from iac_lint import unit_cache

    folder = tmp_path / "cache"
    folder.mkdir()
    folder.chmod(0o777)  # what os.stat reports for every folder on Windows
    assert not unit_cache._usable_directory(str(folder))
    monkeypatch.setattr(unit_cache.os, "name", "nt")
    assert unit_cache._usable_directory(str(folder))


def test_a_run_keeps_its_entries_in_one_file_rewritten_only_when_something_changed(tmp_path, cache_dir):
    project = _copy(tmp_path)
    cold = _reports([project], jobs=2, cache=True)
    packs = list((cache_dir / "units").iterdir())
    assert len(packs) == 1
    before = packs[0].stat()
    assert _reports([project], jobs=1, cache=True) == cold
    after = packs[0].stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # every entry was found


def test_an_entry_that_saw_a_file_otherwise_than_another_is_not_kept(tmp_path):
    """A file that changed while the run read it: of the entries that watched it, the first one's view
    is kept, and an entry that saw other content is linted again next time."""
    from iac_lint.discover import Unit
    from iac_lint.unit_cache import UnitCache

    shared = str(tmp_path / "shared.yml")
    first, second = Unit("document", str(tmp_path / "a.yaml"), []), Unit("document", str(tmp_path / "b.yaml"), [])
    cache = UnitCache(str(tmp_path), "run")
    result = lint_units_module.UnitResult()
    cache.store(first, result, b"first", {"files": {shared: ["old", None, 1]}, "folders": {}})
    cache.store(second, result, b"second", {"files": {shared: ["new", None, 2]}, "folders": {}})
    cache.save()
    again = UnitCache(str(tmp_path), "run")
    assert list(again._entries) == [list(cache._kept)[0]]


def _edit(path: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("\n# edited\n")


def _pack(cache_dir) -> tuple[os.stat_result, bool]:
    """The stamp of the run's first file, and whether its second file is there."""
    packs = [p for p in (cache_dir / "units").iterdir() if not p.name.endswith(".delta")]
    assert len(packs) == 1
    return packs[0].stat(), packs[0].with_name(packs[0].name + ".delta").exists()


def test_a_rerun_writes_only_what_changed_and_reads_it_back(tmp_path, cache_dir, linted):
    project = _copy(tmp_path)
    _reports([project], jobs=1, cache=True)
    before, _ = _pack(cache_dir)
    main_tf = os.path.join(project, "examples", "terraform-webhook", "main.tf")
    _edit(main_tf)
    linted.clear()
    warm = _reports([project], jobs=1, cache=True)
    assert os.path.dirname(main_tf) in linted
    after, beside = _pack(cache_dir)
    assert beside and (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    linted.clear()
    assert _reports([project], jobs=1, cache=True) == warm
    assert not linted  # the edited module too: read from the second file
    assert warm == _reports([project], jobs=1, cache=False)


def test_the_second_file_is_joined_into_the_first_once_it_holds_much(tmp_path, cache_dir):
    project = _copy(tmp_path)
    _reports([project], jobs=1, cache=True)
    _edit(os.path.join(project, "examples", "terraform-webhook", "main.tf"))
    _reports([project], jobs=1, cache=True)
    before, beside = _pack(cache_dir)
    assert beside
    for folder, _dirs, names in os.walk(project):
        for name in names:
            if name.endswith((".tf", ".yaml", ".yml")):
                _edit(os.path.join(folder, name))
    warm = _reports([project], jobs=1, cache=True)
    after, beside = _pack(cache_dir)
    assert not beside and after.st_mtime_ns != before.st_mtime_ns
    assert warm == _reports([project], jobs=1, cache=True) == _reports([project], jobs=1, cache=False)


def test_a_second_file_made_for_another_first_file_is_not_read(tmp_path):
    from iac_lint.discover import Unit
    from iac_lint.unit_cache import DELTA, UnitCache

    units = [Unit("document", str(tmp_path / f"{n}.yaml"), []) for n in "abcdefgh"]
    nothing: dict = {"files": {}, "folders": {}}
    first = UnitCache(str(tmp_path), "run")
    for unit in units:
        first.store(unit, lint_units_module.UnitResult(), pickle.dumps("x" * 100), nothing)
    first.save()
    second = UnitCache(str(tmp_path), "run")
    for unit in units:
        second.read(second.lookup(unit))
    second.store(Unit("document", str(tmp_path / "new.yaml"), []), lint_units_module.UnitResult(),
                 pickle.dumps("y" * 50), nothing)
    second.save()
    delta = tmp_path / ("run" + DELTA)
    made_for_the_first = delta.read_bytes()
    assert len(UnitCache(str(tmp_path), "run")._entries) == 9
    third = UnitCache(str(tmp_path), "run")  # uses one entry of nine: the first file is written anew
    third.read(third.lookup(units[0]))
    third.save()
    assert not delta.exists() and len(UnitCache(str(tmp_path), "run")._entries) == 1
    delta.write_bytes(made_for_the_first)
    assert len(UnitCache(str(tmp_path), "run")._entries) == 1


def test_an_edit_after_a_pooled_run_is_linted_in_a_child_while_the_cache_is_read(tmp_path, cache_dir, linted,
                                                                                   monkeypatch):
    project = _copy(tmp_path)
    _reports([project], jobs=2, cache=True)
    main_tf = os.path.join(project, "examples", "terraform-webhook", "main.tf")
    _edit(main_tf)
    started: list[list[str]] = []
    real = lint_units_module._Beside.start
    monkeypatch.setattr(lint_units_module._Beside, "start",
                        lambda units, *rest: started.append([u.path for u in units]) or real(units, *rest))
    linted.clear()
    warm = _reports([project], jobs=2, cache=True)
    assert started == [[os.path.dirname(main_tf)]]
    assert linted == []  # the child linted it, with its own copy of this list
    assert warm == _reports([project], jobs=1, cache=False)


def test_units_a_failed_child_leaves_are_linted_here(tmp_path, cache_dir, linted, monkeypatch):
    project = _copy(tmp_path)
    _reports([project], jobs=2, cache=True)
    main_tf = os.path.join(project, "examples", "terraform-webhook", "main.tf")
    _edit(main_tf)

    def failing(units):
        raise RuntimeError("the child fails")

    monkeypatch.setattr(lint_units_module, "_lint_in_worker", failing)
    started: list = []
    real = lint_units_module._Beside.start
    monkeypatch.setattr(lint_units_module._Beside, "start",
                        lambda units, *rest: started.append(real(units, *rest)) or started[-1])
    linted.clear()
    warm = _reports([project], jobs=2, cache=True)
    assert len(started) == 1 and started[0] is not None  # a child was started, and failed
    assert linted == [os.path.dirname(main_tf)]
    assert warm == _reports([project], jobs=1, cache=False)


def test_a_child_reaped_by_the_system_still_gives_its_results(tmp_path, cache_dir):
    """Where SIGCHLD is ignored (inherited from some CI runners) no exit status can be had for the child."""
    project = tmp_path / "project"
    shutil.copytree(EXAMPLES, project)
    main_tf = project / "terraform-webhook" / "main.tf"
    probe = ("import signal, sys\nfrom iac_lint.api import scan\nfrom iac_lint.config import Config\n"
             "signal.signal(signal.SIGCHLD, signal.SIG_IGN)\n"
             f"report = scan([{str(project)!r}], Config(cache=sys.argv[1] == 'cache', jobs=2, keep_models=False))\n"
             "print(sorted((f.rule_id, f.location.file, f.location.line) for f in report.findings))\n")
    env = {**os.environ, "PYTHONPATH": REPO, "IAC_LINT_CACHE_DIR": str(cache_dir)}

    def run(mode: str) -> str:
        return subprocess.run([sys.executable, "-c", probe, mode], env=env, capture_output=True, text=True,
                              check=True).stdout

    run("cache")
    main_tf.write_text(main_tf.read_text(encoding="utf-8") + '\nresource "aws_sqs_queue" "added" {\n'
                       '  sqs_managed_sse_enabled = false\n}\n', encoding="utf-8")
    warm = run("cache")
    assert "ENC002" in warm and warm == run("no-cache")


def test_built_in_rules_are_parsed_once_per_build(tmp_path, cache_dir):
    """A second run reads the built-in YAML rules as the first one parsed them, without the YAML parser."""
    project = tmp_path / "project"
    shutil.copytree(os.path.join(EXAMPLES, "terraform-webhook"), project)
    probe = ("import sys\nfrom iac_lint.api import scan\nfrom iac_lint.config import Config\n"
             f"print(len(scan([{str(project)!r}], Config(cache=True)).findings), 'yaml' in sys.modules)\n")
    env = {**os.environ, "PYTHONPATH": REPO, "IAC_LINT_CACHE_DIR": str(cache_dir)}
    runs = [subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    count = runs[0].split()[0]
    assert int(count) > 0 and runs == [f"{count} True\n", f"{count} False\n"]


def test_rules_read_from_their_parsed_documents_are_the_rules_parsed():
    from iac_lint.engine.rules import load_rules

    def described(rules):
        return [(r.id, r.name, r.severity, r.category, r.title, r.applies_to, r.message, r.docs, r.when, r.at,
                 r.formats, r.default, r.subsumes, r.fixes, r.source) for r in rules]

    parsed: dict = {}
    first = described(load_rules(parsed=parsed))
    assert parsed and first == described(load_rules()) == described(load_rules(parsed=parsed))


def test_the_cache_lives_outside_the_scanned_tree(tmp_path, monkeypatch):
    from iac_lint.unit_cache import cache_directory

    monkeypatch.delenv("IAC_LINT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if os.name == "posix" and os.uname().sysname != "Darwin":
        assert cache_directory() == str(tmp_path / "xdg" / "iac-lint")


def test_the_command_line_caches_unless_told_not_to(run_cli, tmp_path, cache_dir):
    project = _copy(tmp_path)
    run_cli("scan", project, "-q", "--no-cache", "-f", "json")
    assert not cache_dir.exists()
    run_cli("scan", project, "-q", "-f", "json")
    assert any(cache_dir.rglob("*"))


# --- --statistics ------------------------------------------------------------------------------------


def test_statistics_count_findings_per_rule(run_cli):
    _code, out = run_cli("scan", EXAMPLES, "--no-cache", "-f", "concise", "--statistics")
    report = json.loads(run_cli("scan", EXAMPLES, "--no-cache", "-f", "json")[1])
    counts: dict[str, int] = {}
    for f in report["findings"]:
        if not f["suppressed"]:
            counts[f["rule_id"]] = counts.get(f["rule_id"], 0) + 1
    lines = [line.split() for line in out.splitlines() if line.split() and line.split()[0].isdigit()]
    stats = {parts[1]: int(parts[0]) for parts in lines if len(parts) >= 3}
    for rule_id, count in counts.items():
        assert stats.get(rule_id) == count
    first = [int(parts[0]) for parts in lines if len(parts) >= 3]
    assert first == sorted(first, reverse=True)


def test_an_upper_case_suppression_survives_a_pool(tmp_path):
    """Suppression markers are matched in any case: the report view keeps such a file's lines."""
    template = tmp_path / "app.yaml"
    template.write_text(
        "Resources:\n"
        "  # IAC-LINT: ignore ENC002,ENC001 -- a queue of public announcements\n"
        "  Site:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties: {SqsManagedSseEnabled: false}\n", encoding="utf-8")
    (tmp_path / "other.yaml").write_text("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n", encoding="utf-8")
    assert _reports([str(tmp_path)], jobs=2) == _reports([str(tmp_path)], jobs=1, keep_models=True)
    assert '"suppressed": true' in _reports([str(tmp_path)], jobs=2)["json"]


def test_a_named_file_and_its_whole_module_are_two_cache_entries(run_cli, tmp_path, cache_dir):
    module = tmp_path / "infra"
    shutil.copytree(os.path.join(EXAMPLES, "terraform-webhook"), module)
    (module / "queue.tf").write_text('resource "aws_sqs_queue" "q" {\n  sqs_managed_sse_enabled = false\n}\n',
                                     encoding="utf-8")
    named = json.loads(run_cli("scan", str(module / "queue.tf"), "-f", "json")[1])
    whole = json.loads(run_cli("scan", str(module), "-f", "json")[1])
    assert {f["file"].rsplit("/", 1)[-1] for f in named["findings"]} == {"queue.tf"}
    assert len({f["file"] for f in whole["findings"]}) > 1
    assert whole == json.loads(run_cli("scan", str(module), "-f", "json", "--no-cache")[1])

"""Every real template in ../shared/corpus scans without a crash (skipped when the corpus is absent)."""

import collections

from conftest import corpus_files, needs_corpus

from iac_lint import scan
from iac_lint.config import Config


def _crashes(report):
    return [f"{f.location}: {f.message}" for f in report.findings
            if f.rule_id == "E004" or (f.rule_id == "E001" and "internal error" in f.message)]


@needs_corpus
def test_every_cloudformation_and_sam_template_scans_without_a_crash():
    files = corpus_files("cloudformation", "sam")
    assert len(files) > 500
    report = scan(files, Config())
    assert _crashes(report) == []
    formats = collections.Counter(t.format for t in report.templates)
    # Nearly every corpus file is recognised as what the manifest says it is.
    assert formats["sam"] > 450 and formats["cloudformation"] > 250
    assert report.findings


@needs_corpus
def test_corpus_through_the_cli_never_exits_2(run_cli):
    files = corpus_files("cloudformation", "sam")[:300]
    code, _out = run_cli("scan", *files, "--format", "json")
    assert code in (0, 1)

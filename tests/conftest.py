import os
import sys
import tempfile

import pytest

# The command line caches results in the user's cache directory: tests use a fresh one of their own.
os.environ["IAC_LINT_CACHE_DIR"] = tempfile.mkdtemp(prefix="iac-lint-test-cache-")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(REPO, "..", "shared", "corpus")


def pytest_addoption(parser):
    parser.addoption("--update-snapshots", action="store_true", default=False,
                     help="rewrite tests/snapshots/*.json from the current parser output")


def corpus_files(*kinds: str) -> list[str]:
    """Corpus paths of the given MANIFEST kinds (cloudformation, sam, serverless, terraform)."""
    manifest = os.path.join(CORPUS, "MANIFEST.tsv")
    if not os.path.exists(manifest):
        return []
    with open(manifest, encoding="utf-8") as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle][1:]
    return [os.path.join(CORPUS, row[0]) for row in rows if len(row) > 4 and row[4] in kinds]


needs_corpus = pytest.mark.skipif(not os.path.isdir(CORPUS), reason="../shared/corpus is not present next to the repo")


@pytest.fixture
def run_cli():
    """Run the CLI in-process and return (exit code, stdout)."""
    from click.testing import CliRunner

    from iac_lint.cli import main

    def run(*args: str):
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        return result.exit_code, result.output

    return run


sys.path.insert(0, REPO)

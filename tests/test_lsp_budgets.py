"""The language server stays responsive on hostile buffers (issue 11, item 8)."""

import os
import subprocess
import sys
import textwrap

from test_untrusted_files import REPO, WILDCARD_ROLE


def test_a_fifo_beside_a_terraform_buffer_cannot_hang_it(tmp_path):
    os.mkfifo(tmp_path / "zz.tf")
    code = textwrap.dedent(f"""\
        from iac_lint.api import lint_text
        findings = lint_text({str(tmp_path / "main.tf")!r},
                             'resource "aws_sqs_queue" "q" {{ sqs_managed_sse_enabled = false }}\\n')
        print(sorted({{f.rule_id for f in findings}}))
        """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=30,
                            env={**os.environ, "PYTHONPATH": REPO})
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert "E001" in result.stdout.decode() and "ENC002" in result.stdout.decode()


def test_the_size_limit_applies_to_a_buffer(tmp_path, monkeypatch):
    from iac_lint import api
    from iac_lint.parsers import source

    monkeypatch.setattr(source, "MAX_FILE_BYTES", 200)
    monkeypatch.setattr(api, "_parse_buffer", lambda *a: (_ for _ in ()).throw(AssertionError("parsed")))
    findings = api.lint_text(str(tmp_path / "template.yaml"), WILDCARD_ROLE * 3)
    assert [(f.rule_id, f.location.line) for f in findings] == [("E001", 1)]
    assert "larger than" in findings[0].message


def test_diagnostics_per_document_are_capped():
    from lsprotocol import types

    from iac_lint.lsp.server import MAX_DIAGNOSTICS, capped_diagnostics

    point = types.Range(types.Position(0, 0), types.Position(0, 1))
    many = [types.Diagnostic(range=point, message=str(i), severity=types.DiagnosticSeverity.Warning)
            for i in range(MAX_DIAGNOSTICS * 3)]
    many.append(types.Diagnostic(range=point, message="worst", severity=types.DiagnosticSeverity.Error))
    shown = capped_diagnostics(many)
    assert len(shown) == MAX_DIAGNOSTICS + 1
    assert shown[0].message == "worst" and "more findings" in shown[-1].message

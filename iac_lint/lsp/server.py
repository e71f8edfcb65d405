"""A language server on stdio: diagnostics while the template is typed.

A thin shell over ``iac_lint.api.lint_text``: every open, change and save of
a document lints the editor's buffer (never the file on disk) and publishes
its findings as diagnostics, with the rule id as the code and a link to the
rule's documentation.  Rules and the project's configuration are loaded once,
when the client initializes.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from iac_lint import __version__
from iac_lint.api import active_rules, lint_text
from iac_lint.config import Config
from iac_lint.docs import help_uris
from iac_lint.engine.rules import Rule
from iac_lint.model import Finding

SEVERITY = {
    "critical": types.DiagnosticSeverity.Error,
    "high": types.DiagnosticSeverity.Error,
    "medium": types.DiagnosticSeverity.Warning,
    "low": types.DiagnosticSeverity.Information,
    "info": types.DiagnosticSeverity.Hint,
}
# Buffers larger than this are linted on save only, so typing stays responsive.
MAX_LIVE_BYTES = 2 * 1024 * 1024


class IacLintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("iac-lint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.config = Config()
        self.rules: list[Rule] = []
        self.help: dict[str, str] = {}

    def configure(self, root: str | None) -> None:
        """The workspace's configuration file, if any, and the rules it selects."""
        config = None
        if root:
            try:
                from iac_lint.config import resolve_config
                config = resolve_config([root])
                config.parse.roots = [os.path.abspath(root)]
            except Exception as exc:  # a broken config must not take the editor's diagnostics down
                self.window_show_message(types.ShowMessageParams(
                    types.MessageType.Warning, f"iac-lint: configuration ignored: {exc}"))
        self.config = config or Config()
        self.rules = active_rules(self.config)
        # Each rule's page, and the built-in findings' (E001 ...): a diagnostic's code links there.
        self.help = help_uris(self.rules)


def path_of(uri: str) -> str:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme == "file" else uri


def fix_data(finding: Finding) -> dict[str, Any] | None:
    """A finding's fix as a diagnostic's ``data`` (1-based, as the finding has it), for the quick fix."""
    fix = finding.fix
    here = os.path.normcase(os.path.abspath(finding.location.file))
    if fix is None or not fix.edits or any(os.path.normcase(os.path.abspath(e.location.file)) != here
                                           for e in fix.edits):
        return None
    return {"fix": {"description": fix.description, "edits": [
        {"line": e.location.line, "column": e.location.column, "end_line": e.location.end_line or e.location.line,
         "end_column": e.location.end_column or e.location.column, "text": e.text} for e in fix.edits]}}


def quick_fixes(doc: TextDocument, diagnostics: list[types.Diagnostic]) -> list[types.CodeAction]:
    """One quick fix per diagnostic that carries a fix in its data."""
    actions = []
    for diag in diagnostics:
        data = diag.data if isinstance(diag.data, dict) else None
        fix = data.get("fix") if data else None
        if not isinstance(fix, dict) or not fix.get("edits"):
            continue
        edits = [types.TextEdit(
            range=doc.range_to_client_units(types.Range(types.Position(e["line"] - 1, e["column"] - 1),
                                                        types.Position(e["end_line"] - 1, e["end_column"] - 1))),
            new_text=e["text"]) for e in fix["edits"]]
        actions.append(types.CodeAction(
            title=f"iac-lint: {fix['description']}", kind=types.CodeActionKind.QuickFix, diagnostics=[diag],
            is_preferred=True, edit=types.WorkspaceEdit(changes={doc.uri: edits})))
    return actions


def diagnostic(finding: Finding, doc: TextDocument, help_uri: str | None) -> types.Diagnostic:
    loc = finding.location
    end_line = loc.end_line or loc.line
    end_column = loc.end_column or loc.column
    if (end_line, end_column) <= (loc.line, loc.column):  # a point: underline to the end of the line
        end_line = loc.line
        end_column = len(doc.lines[loc.line - 1].rstrip("\r\n")) + 1 if loc.line <= len(doc.lines) else loc.column
    server_range = types.Range(types.Position(loc.line - 1, loc.column - 1),
                               types.Position(end_line - 1, max(end_column - 1, 0)))
    return types.Diagnostic(
        range=doc.range_to_client_units(server_range),
        message=finding.message,
        severity=SEVERITY.get(finding.severity, types.DiagnosticSeverity.Warning),
        code=finding.rule_id,
        code_description=types.CodeDescription(href=help_uri) if help_uri else None,
        source="iac-lint",
        data=fix_data(finding),
    )


def diagnostics_for(server: IacLintServer, doc: TextDocument) -> list[types.Diagnostic]:
    path = path_of(doc.uri)
    findings = lint_text(path, doc.source, server.config, server.rules)
    here = os.path.normcase(os.path.abspath(path))
    return [diagnostic(f, doc, server.help.get(f.rule_id)) for f in findings
            if not f.suppressed and os.path.normcase(os.path.abspath(f.location.file)) == here]


def build_server() -> IacLintServer:
    server = IacLintServer()

    @server.feature(types.INITIALIZED)
    def initialized(ls: IacLintServer, params: types.InitializedParams) -> None:
        ls.configure(ls.workspace.root_path)

    def publish(ls: IacLintServer, uri: str, live: bool) -> None:
        doc = ls.workspace.get_text_document(uri)
        if live and len(doc.source) > MAX_LIVE_BYTES:
            return
        if not ls.rules:
            ls.configure(ls.workspace.root_path)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=doc.version, diagnostics=diagnostics_for(ls, doc)))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: IacLintServer, params: types.DidOpenTextDocumentParams) -> None:
        publish(ls, params.text_document.uri, live=False)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: IacLintServer, params: types.DidChangeTextDocumentParams) -> None:
        publish(ls, params.text_document.uri, live=True)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: IacLintServer, params: types.DidSaveTextDocumentParams) -> None:
        publish(ls, params.text_document.uri, live=False)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_action(ls: IacLintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return quick_fixes(ls.workspace.get_text_document(params.text_document.uri), params.context.diagnostics)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: IacLintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))

    return server


def main() -> None:
    build_server().start_io()

"""A language server on stdio: diagnostics while the template is typed, quick fixes and rule docs.

A thin shell over ``iac_lint.api.lint_buffer``: every open, change and save of
a document lints the editor's buffer (never the file on disk) and publishes
its findings as diagnostics, with the rule id as the code and a link to the
rule's documentation.  Changes are debounced and linted off the event loop;
a run whose buffer has moved on is dropped.  A buffer that does not parse
keeps its last good diagnostics plus one at the broken spot, so nothing
flickers while a line is half typed.

Each workspace folder has its own configuration (``config.py``); code
actions live in ``actions.py``, hover text in ``hover.py``.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import ServerTextPosition, ServerTextRange

from iac_lint import __version__
from iac_lint.api import Report, lint_buffer
from iac_lint.lsp.actions import Action, actions_for
from iac_lint.lsp.config import WATCHED, Folders, FolderState, Settings
from iac_lint.lsp.hover import rule_markdown
from iac_lint.model import Finding, severity_rank

SEVERITY = {
    "critical": types.DiagnosticSeverity.Error,
    "high": types.DiagnosticSeverity.Error,
    "medium": types.DiagnosticSeverity.Warning,
    "low": types.DiagnosticSeverity.Information,
    "info": types.DiagnosticSeverity.Hint,
}
# Buffers larger than this are linted on save only, so typing stays responsive.
MAX_LIVE_BYTES = 2 * 1024 * 1024
# Diagnostics published for one document: an editor slows down long before it can show more.
MAX_DIAGNOSTICS = 1000
PARSE_ERROR = "E001"


@dataclass(slots=True)
class Snapshot:
    """What was published for a document, and what quick fixes need to know of its resources."""

    pairs: list[tuple[Finding, types.Diagnostic]] = field(default_factory=list)
    headers: dict[tuple[str, str], int] = field(default_factory=dict)
    types_at: dict[tuple[str, int], str] = field(default_factory=dict)


@dataclass(slots=True)
class DocState:
    published: Snapshot = field(default_factory=Snapshot)
    good: Snapshot | None = None  # the last run whose buffer parsed
    pending: asyncio.Task[None] | None = None


class IacLintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("iac-lint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.folders = Folders()
        self.docs: dict[str, DocState] = {}
        # One worker: runs never overlap, and a queued stale run is dropped by its version check.
        self.linter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="iac-lint")
        self.settled = False

    # --- configuration -----------------------------------------------------------------------

    def folder_roots(self) -> list[str]:
        roots = [path_of(f.uri) for f in self.workspace.folders.values()]
        if not roots and self.workspace.root_path:
            roots = [self.workspace.root_path]
        return roots

    def folder_state(self, path: str) -> FolderState:
        self.folders.set_roots(self.folder_roots())
        state, fresh = self.folders.state(path)
        if fresh and state.error:
            self.window_show_message(types.ShowMessageParams(
                types.MessageType.Warning, f"iac-lint: configuration of {state.root} ignored: {state.error}"))
        return state

    @property
    def snippet_edits(self) -> bool:
        workspace = self.client_capabilities.workspace
        edit = workspace.workspace_edit if workspace else None
        return bool(edit and edit.snippet_edit_support and edit.document_changes)

    async def pull_settings(self) -> None:
        """Each folder's ``iac-lint`` section from the client, where it answers ``workspace/configuration``."""
        workspace = self.client_capabilities.workspace
        if not (workspace and workspace.configuration):
            return
        roots = self.folder_roots()
        items = [types.ConfigurationItem(section="iac-lint")]
        items += [types.ConfigurationItem(scope_uri=from_fs_path(root), section="iac-lint") for root in roots]
        try:
            answer = await self.workspace_configuration_async(types.ConfigurationParams(items=items))
        except Exception:
            return
        values = list(answer or [])
        if values:
            self.folders.defaults = Settings.from_client(values[0], self.folders.defaults)
        for root, value in zip(roots, values[1:], strict=False):
            self.folders.settings[os.path.abspath(root)] = Settings.from_client(value, self.folders.defaults)

    # --- linting -----------------------------------------------------------------------------

    def schedule(self, uri: str, delay: float) -> None:
        state = self.docs.setdefault(uri, DocState())
        if state.pending is not None:
            state.pending.cancel()
        state.pending = asyncio.get_running_loop().create_task(self.relint(uri, delay))

    def relint_open_documents(self) -> None:
        for uri in list(self.workspace.text_documents):
            self.schedule(uri, 0)

    async def relint(self, uri: str, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        doc = self.workspace.get_text_document(uri)
        version, source, path = doc.version, doc.source, path_of(uri)
        folder = self.folder_state(path)
        try:
            report = await asyncio.get_running_loop().run_in_executor(
                self.linter, lint_buffer, path, source, folder.config, folder.rules)
        except Exception as exc:
            self.window_log_message(types.LogMessageParams(
                types.MessageType.Error, f"iac-lint: linting {path} failed: {type(exc).__name__}: {exc}"))
            return
        if uri not in self.workspace.text_documents:
            return  # closed meanwhile
        doc = self.workspace.get_text_document(uri)
        if doc.version != version:
            return  # a newer edit arrived; its own run publishes
        self.publish(doc, report, folder)
        if not self.settled:
            # Rules, parsers and their data are loaded now and live as long as the server: keeping them
            # out of the collector's generations keeps its pauses out of the edit-to-diagnostics time.
            gc.freeze()
            self.settled = True

    def publish(self, doc: TextDocument, report: Report, folder: FolderState) -> None:
        path = path_of(doc.uri)
        here = os.path.normcase(os.path.abspath(path))
        threshold = severity_rank(folder.settings.min_severity)
        snapshot = Snapshot(headers=resource_headers(report), types_at=resource_types(report))
        broken: list[tuple[Finding, types.Diagnostic]] = []
        lines = doc.lines
        for finding in report.findings:
            if finding.suppressed or os.path.normcase(os.path.abspath(finding.location.file)) != here:
                continue
            pair = (finding, diagnostic(finding, doc, help_uri(folder, finding.rule_id), lines))
            if finding.rule_id == PARSE_ERROR:
                broken.append(pair)
            elif severity_rank(finding.severity) >= threshold:
                snapshot.pairs.append(pair)
        state = self.docs.setdefault(doc.uri, DocState())
        if broken and state.good is not None:
            # Keep what the last parsable buffer showed, and say where this one breaks.
            snapshot = Snapshot(state.good.pairs + broken, state.good.headers, state.good.types_at)
        else:
            snapshot.pairs += broken
            if not broken:
                state.good = snapshot
        state.published = snapshot
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=doc.uri, version=doc.version, diagnostics=capped_diagnostics([d for _, d in snapshot.pairs])))

    # --- actions and hover -------------------------------------------------------------------

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        state = self.docs.get(uri)
        if state is None:
            return []
        doc = self.workspace.get_text_document(uri)
        wanted = {(d.code, _key(d.range)) for d in params.context.diagnostics if d.source == "iac-lint"}
        doc_lines = doc.lines
        request = doc.position_codec.range_from_client_units(doc_lines, params.range)
        chosen = [(f, d) for f, d in state.published.pairs if (d.code, _key(d.range)) in wanted]
        if not chosen:
            # The cursor's findings; a client may send its diagnostics back reshaped, so their codes suffice.
            codes = {code for code, _ in wanted}
            chosen = [(f, d) for f, d in state.published.pairs
                      if _overlaps(doc.position_codec.range_from_client_units(doc_lines, d.range), request)
                      and (not codes or d.code in codes)]
        path = path_of(uri)
        folder = self.folder_state(path)
        lines = [line.rstrip("\r\n") for line in doc_lines]
        out: list[types.CodeAction] = []
        seen: set[tuple[str, tuple[int, int], str]] = set()
        for finding, diag in chosen:
            header = state.published.headers.get((finding.location.file, finding.resource))
            header0 = header - 1 if header else None
            resource_type = state.published.types_at.get((finding.location.file, header)) if header else None
            for action in actions_for(finding, folder.by_id.get(finding.rule_id), doc.source, lines, path,
                                      header0, resource_type):
                key = (action.title, action.edit.start, action.edit.snippet)
                if key not in seen:
                    seen.add(key)
                    out.append(self.code_action(doc, action, diag))
        return out

    def code_action(self, doc: TextDocument, action: Action, diag: types.Diagnostic) -> types.CodeAction:
        crlf = "\r\n" in doc.lines[0] if doc.lines else False
        ranges, snippets, plains = [], [], []
        for change in (action.edit, *action.more):
            ranges.append(doc.range_to_client_units(ServerTextRange(ServerTextPosition(*change.start),
                                                                    ServerTextPosition(*change.end))))
            snippets.append(change.snippet.replace("\n", "\r\n") if crlf else change.snippet)
            plains.append(change.plain.replace("\n", "\r\n") if crlf else change.plain)
        workspace_edit: types.WorkspaceEdit
        if self.snippet_edits:
            workspace_edit = types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version),
                edits=[types.SnippetTextEdit(range=r, snippet=types.StringValue(s))
                       for r, s in zip(ranges, snippets, strict=True)])])
        else:
            workspace_edit = types.WorkspaceEdit(
                changes={doc.uri: [types.TextEdit(range=r, new_text=p) for r, p in zip(ranges, plains, strict=True)]})
        return types.CodeAction(title=action.title, kind=types.CodeActionKind.QuickFix, diagnostics=[diag],
                                is_preferred=action.preferred or None, edit=workspace_edit)

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        state = self.docs.get(params.text_document.uri)
        if state is None:
            return None
        doc = self.workspace.get_text_document(params.text_document.uri)
        lines = doc.lines
        at = doc.position_codec.position_from_client_units(lines, params.position)
        folder = self.folder_state(path_of(doc.uri))
        parts: list[str] = []
        for finding, diag in state.published.pairs:
            rule = folder.by_id.get(finding.rule_id)
            if rule is None or at not in doc.position_codec.range_from_client_units(lines, diag.range):
                continue
            text = rule_markdown(rule, finding.format, doc.uri.lower().endswith(".json"))
            if text not in parts:
                parts.append(text)
        if not parts:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                        value="\n\n---\n\n".join(parts)))


def _key(r: types.Range) -> tuple[int, int, int, int]:
    return r.start.line, r.start.character, r.end.line, r.end.character


def _overlaps(a: ServerTextRange, b: ServerTextRange) -> bool:
    return a.start <= b.end and b.start <= a.end


def path_of(uri: str) -> str:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme == "file" else uri


def help_uri(folder: FolderState, rule_id: str) -> str | None:
    return folder.help.get(rule_id)


def resource_headers(report: Report) -> dict[tuple[str, str], int]:
    from iac_lint.engine.suppress import resource_headers as headers
    return headers(report.templates)


def resource_types(report: Report) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    for tpl in report.templates:
        for resource in tpl.resources:
            out.setdefault((resource.location.file, resource.location.line), resource.type)
    return out


def capped_diagnostics(diagnostics: list[types.Diagnostic], limit: int = MAX_DIAGNOSTICS) -> list[types.Diagnostic]:
    """At most ``limit`` diagnostics, the most severe first, and one at the top saying how many more there are."""
    if len(diagnostics) <= limit:
        return diagnostics
    ranked = sorted(diagnostics, key=lambda d: d.severity or types.DiagnosticSeverity.Hint)[:limit]
    more = len(diagnostics) - limit
    ranked.append(types.Diagnostic(
        range=types.Range(types.Position(0, 0), types.Position(0, 0)), source="iac-lint", code="E005",
        severity=types.DiagnosticSeverity.Information,
        message=f"{more} more findings in this file are not shown (at most {limit} per document); "
                "`iac-lint scan` lists them all"))
    return ranked


def diagnostic(finding: Finding, doc: TextDocument, help_uri: str | None,
               lines: Sequence[str] | None = None) -> types.Diagnostic:
    """``lines``: the document's lines, when the caller converts many findings (``doc.lines`` splits anew)."""
    lines = doc.lines if lines is None else lines
    loc = finding.location
    end_line = loc.end_line or loc.line
    end_column = loc.end_column or loc.column
    if (end_line, end_column) <= (loc.line, loc.column):  # a point: underline to the end of the line
        end_line = loc.line
        end_column = len(lines[loc.line - 1].rstrip("\r\n")) + 1 if loc.line <= len(lines) else loc.column
    server_range = ServerTextRange(ServerTextPosition(loc.line - 1, loc.column - 1),
                                   ServerTextPosition(end_line - 1, max(end_column - 1, 0)))
    return types.Diagnostic(
        range=doc.position_codec.range_to_client_units(lines, server_range),
        related_information=_related_information(finding, doc, lines) or None,
        message=finding.message,
        severity=SEVERITY.get(finding.severity, types.DiagnosticSeverity.Warning),
        code=finding.rule_id,
        code_description=types.CodeDescription(href=help_uri) if help_uri else None,
        source="iac-lint",
    )


def _related_information(finding: Finding, doc: TextDocument,
                         lines: Sequence[str]) -> list[types.DiagnosticRelatedInformation]:
    """The finding's other nodes of the same root cause (a statement's actions), for the editor's list."""
    out = []
    for related in finding.related:
        loc = related.location
        end = (loc.end_line or loc.line, loc.end_column or loc.column)
        server_range = ServerTextRange(ServerTextPosition(loc.line - 1, loc.column - 1),
                                       ServerTextPosition(end[0] - 1, max(end[1] - 1, 0)))
        # The finding is in this document: a related node in the finding's file is in it too.
        same_file = os.path.realpath(loc.file) == os.path.realpath(finding.location.file)
        uri = doc.uri if same_file else (from_fs_path(os.path.abspath(loc.file)) or doc.uri)
        client_range = doc.position_codec.range_to_client_units(lines, server_range) if same_file else \
            types.Range(start=types.Position(server_range.start.line, server_range.start.character),
                        end=types.Position(server_range.end.line, server_range.end.character))
        out.append(types.DiagnosticRelatedInformation(location=types.Location(uri=uri, range=client_range),
                                                      message=related.message))
    return out


def build_server() -> IacLintServer:
    server = IacLintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: IacLintServer, params: types.InitializeParams) -> None:
        ls.folders.defaults = Settings.from_client(params.initialization_options)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: IacLintServer, params: types.InitializedParams) -> None:
        workspace = ls.client_capabilities.workspace
        watched = workspace.did_change_watched_files if workspace else None
        if watched and watched.dynamic_registration:
            watchers = [types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED]
            await ls.client_register_capability_async(types.RegistrationParams(registrations=[types.Registration(
                id="iac-lint-config-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))]))
        await ls.pull_settings()
        ls.folders.forget()
        ls.relint_open_documents()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: IacLintServer, params: types.DidChangeConfigurationParams) -> None:
        ls.folders.defaults = Settings.from_client(params.settings, ls.folders.defaults)
        ls.folders.settings.clear()
        await ls.pull_settings()
        ls.folders.forget()
        ls.relint_open_documents()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: IacLintServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.folders.forget([path_of(change.uri) for change in params.changes])
        ls.relint_open_documents()

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def did_change_folders(ls: IacLintServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        ls.folders.forget()
        ls.relint_open_documents()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: IacLintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: IacLintServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        settings = ls.folders.settings_of(ls.folders.root_of(path_of(uri)))
        if settings.lint_on == "save" or len(ls.workspace.get_text_document(uri).source) > MAX_LIVE_BYTES:
            return
        ls.schedule(uri, settings.debounce_ms / 1000)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: IacLintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: IacLintServer, params: types.DidCloseTextDocumentParams) -> None:
        state = ls.docs.pop(params.text_document.uri, None)
        if state is not None and state.pending is not None:
            state.pending.cancel()
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_action(ls: IacLintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return ls.code_actions(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: IacLintServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params)

    return server


def main() -> None:
    build_server().start_io()

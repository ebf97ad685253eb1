"""The language server: pygls wiring around ``check_source``.

Diagnostics are pushed after ``didOpen``, ``didChange`` and ``didSave``, or pulled with
``textDocument/diagnostic`` by clients that declare they pull (those get no pushes, so they
never show each finding twice). A change after a quiet spell is analysed at once; changes in a
burst of typing are debounced, and only the latest text is analysed. Results for a version
that is no longer current are dropped.

An open document is analysed again (after the debounce interval) when another open document
that it imports changes, or is closed without saving: the analysis follows the editor's text of
the user's files it imports.

A document that does not parse keeps its last good diagnostics (its positions may lag behind
the edit until the code parses again) and gets no code actions, so no stale edit can be
applied; the parse error goes to the client's log.
"""

from __future__ import annotations

import asyncio
import os
import itertools
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls import uris
from pygls.lsp.server import LanguageServer

from inplace_fixer import engine, guard, model
from inplace_fixer.config import ConfigError
from inplace_fixer.inference import imports
from inplace_fixer.lsp import actions, diagnostics, edits, notebook
from inplace_fixer.lsp.protocol import AnsweringProtocol, answer_parse_error
from inplace_fixer.lsp.settings import SECTION, EditorSettings, SettingsError, document_config
from inplace_fixer.lsp.text import UTF16, TextIndex
from inplace_fixer.reparse import DocumentParses

NAME = "inplace-fixer"
DEBOUNCE_SECONDS = 0.15

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Analysis:
    """What ``check_source`` said about one version of a document under one configuration."""

    version: int | None
    config: model.Config
    index: TextIndex
    result: model.FileResult
    diagnostics: tuple[types.Diagnostic, ...]
    result_id: str


@dataclass
class DocumentState:
    last_change: float = float("-inf")
    pending: asyncio.Task | None = None  # the debounced analyse-and-publish
    running: asyncio.Task | None = None  # the analysis under way, shared by all who need it
    running_key: tuple | None = None
    analysis: Analysis | None = None  # the latest finished analysis
    last_good: Analysis | None = None  # the latest analysis of text that parsed
    reported: str | None = None  # the last problem reported, not to repeat it on every keystroke
    # The last parse, for parsing only the statements the next edit touches (only the one
    # worker thread uses it).
    parses: DocumentParses = field(default_factory=DocumentParses)
    # How many times a file it imports changed in the editor: part of the analysis's key, so
    # that the same version is analysed again.
    imports_changed: int = 0
    analysis_key: tuple | None = None
    imported: tuple[int | None, frozenset[Path]] | None = None  # (version, the files it imports)


def _range_key(range_: types.Range) -> tuple[int, int, int, int]:
    return (range_.start.line, range_.start.character, range_.end.line, range_.end.character)


class InplaceFixerServer(LanguageServer):
    def __init__(self, version: str, debounce_seconds: float = DEBOUNCE_SECONDS) -> None:
        # Full sync: pygls applies incremental changes with str.splitlines, which breaks lines at
        # \f and \u2028 where the client does not; whole texts are cheap next to an analysis.
        super().__init__(
            NAME,
            version,
            text_document_sync_kind=types.TextDocumentSyncKind.Full,
            protocol_cls=AnsweringProtocol,
            notebook_document_sync=notebook.SYNC_OPTIONS,
        )
        self.debounce_seconds = debounce_seconds
        self.editor_settings = EditorSettings()
        self.documents: dict[str, DocumentState] = {}
        # One worker: analyses queue instead of competing for the GIL, and one queued for a text
        # that has changed since is skipped when its turn comes (see _run_analysis).
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inplace-fixer")
        self._result_ids = itertools.count(1)
        self.notebook_diagnostics = notebook.NotebookDiagnostics()

    def report_server_error(self, error: Exception, source) -> None:
        if not answer_parse_error(self.protocol, error):
            super().report_server_error(error, source)

    # Client capabilities.

    @property
    def position_encoding(self) -> str:
        return str(self.workspace.position_encoding or UTF16)

    @property
    def client_pulls_diagnostics(self) -> bool:
        text_document = self.client_capabilities.text_document
        return text_document is not None and text_document.diagnostic is not None

    @property
    def client_takes_versioned_edits(self) -> bool:
        workspace = self.client_capabilities.workspace
        edit = workspace.workspace_edit if workspace else None
        return bool(edit and edit.document_changes)

    # Settings.

    def set_editor_settings(self, value: Any, where: str) -> bool:
        """Take the editor's settings; keep the previous ones and tell the user if unusable."""
        try:
            self.editor_settings = EditorSettings.from_json(value, where)
        except SettingsError as error:
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Error, message=f"{NAME}: {error}")
            )
            return False
        return True

    def settings_changed(self) -> None:
        for uri in self.documents:
            self.schedule(uri)
        self.refresh_pulled_diagnostics()

    def refresh_pulled_diagnostics(self) -> None:
        """Ask a client that pulls diagnostics to pull them again, if it takes such requests."""
        workspace = self.client_capabilities.workspace
        if self.client_pulls_diagnostics and workspace and workspace.diagnostics:
            if workspace.diagnostics.refresh_support:
                self.workspace_diagnostic_refresh(None)

    # Analysis.

    def current_version(self, uri: str) -> int | None:
        return self.workspace.get_text_document(uri).version

    async def analyze(self, uri: str) -> Analysis | None:
        """The analysis of the document's current text, from the cache when it is up to date;
        None when the document is not open, its configuration file is unusable, or its text
        changed again before the analysis could start."""
        state = self.documents.get(uri)
        if state is None:
            return None
        document = self.workspace.get_text_document(uri)
        path = uris.to_fs_path(uri)
        try:
            config = document_config(Path(path) if path else None, self.editor_settings)
        except ConfigError as error:
            self.report_once(state, str(error), types.MessageType.Error)
            return None
        key = (document.version, config, state.imports_changed)
        if state.analysis is not None and state.analysis_key == key:
            return state.analysis
        if state.running_key != key or state.running is None:
            state.running_key = key
            state.running = asyncio.ensure_future(
                self._run_analysis(state, key, document.source, path or uri)
            )
        # shield: a waiter that gives up (a newer change arrived) must not cancel the others.
        return await asyncio.shield(state.running)

    async def _run_analysis(self, state: DocumentState, key: tuple, text: str, path: str) -> Analysis | None:
        """Analyse in the worker thread; None if a newer text or configuration was asked for
        before the worker got to this one."""
        version, config, _ = key
        encoding = self.position_encoding
        uri = next((uri for uri, other in self.documents.items() if other is state), None)

        def work() -> tuple[Analysis, list[str]] | None:
            if state.running_key != key:
                return None
            # Diagnostics and quick-fixes need the findings only; "fix all" computes the fixed
            # source when it is asked for (fix_all_result).
            # Other files of the workspace that import this one see the editor's text.
            changed = False
            if os.path.isabs(path):
                changed = self._editor_text_changes(path, text)
                imports.RESOLVER.set_overlay(path, text)
            result = engine.check_source(text, path, config, fix=False, parses=state.parses)
            index = TextIndex(text, encoding)
            found = tuple(diagnostics.to_diagnostic(f, index, version) for f in result.findings)
            importers = self._importers_of(path, uri) if changed else []
            return Analysis(version, config, index, result, found, str(next(self._result_ids))), importers

        done = await asyncio.get_running_loop().run_in_executor(self.executor, work)
        if done is None:
            return None
        analysis, importers = done
        for importer in importers:
            self.imported_file_changed(importer)
        if importers:
            self.refresh_pulled_diagnostics()
        state.analysis, state.analysis_key = analysis, key
        # What the next edit's incremental parse needs of a full parse, and the line shifts the
        # analysis did not need, made while the user is not typing yet (the worker takes an
        # edit's analysis after it). Submitted once this task yields: after the diagnostics are
        # published, which the worker's thread would otherwise slow down (the GIL).
        asyncio.get_running_loop().call_soon(self._submit_prepare, state.parses)
        if analysis.result.error is None:
            state.last_good = analysis
            state.reported = None
        else:
            self.report_once(state, f"{path}: {analysis.result.error}", types.MessageType.Info)
        return analysis

    def _submit_prepare(self, parses: DocumentParses) -> None:
        try:
            self.executor.submit(self._prepare, parses)
        except RuntimeError:  # the server is shutting down
            pass

    @staticmethod
    def _prepare(parses: DocumentParses) -> None:
        try:
            parses.prepare()
        except Exception:  # the next edit parses in full and reports what went wrong, if anything
            logger.exception("preparing the incremental parse failed")

    @staticmethod
    def _editor_text_changes(path: str, text: str) -> bool:
        """Whether ``text`` differs from what the files importing ``path`` last saw of it."""
        before = imports.RESOLVER.overlay.get(Path(path).resolve())
        if before is None:
            before = imports.RESOLVER.read(Path(path))
        return before != text

    def _importers_of(self, path: str, uri: str | None) -> list[str]:
        """The other open documents that import the file at ``path`` (directly: the analysis of
        a document reads the editor's text of the files it imports, not of those they import).
        Runs on the worker thread, the only one that uses the documents' parses."""
        target = Path(path).resolve()
        found = []
        for other_uri, other in list(self.documents.items()):
            other_path = uris.to_fs_path(other_uri) if other_uri != uri else None
            if other_path and os.path.isabs(other_path) and target in self._files_imported_by(other_uri, other, other_path):
                found.append(other_uri)
        return found

    def _files_imported_by(self, uri: str, state: DocumentState, path: str) -> frozenset[Path]:
        document = self.workspace.get_text_document(uri)
        if state.imported is None or state.imported[0] != document.version:
            text = document.source
            tree = state.parses.tree_of(text) or guard.syntax_tree(text)[1]
            imported = imports.RESOLVER.imported_files(Path(path), tree) if tree is not None else []
            state.imported = (document.version, frozenset(file.resolve() for file in imported))
        return state.imported[1]

    async def file_closed(self, path: str, uri: str) -> None:
        """The file on disk is current again: the open documents that import the file are
        analysed again if the editor's text differed from it (closed without saving)."""

        def work() -> list[str]:
            edited = imports.RESOLVER.overlay.get(Path(path).resolve())
            imports.RESOLVER.set_overlay(path, None)
            if edited is None or edited == imports.RESOLVER.read(Path(path)):
                return []
            return self._importers_of(path, uri)

        importers = await asyncio.get_running_loop().run_in_executor(self.executor, work)
        for importer in importers:
            self.imported_file_changed(importer)
        if importers:
            self.refresh_pulled_diagnostics()

    def imported_file_changed(self, uri: str) -> None:
        """A file that the open document ``uri`` imports changed in the editor: analyse the
        document again once the typing pauses."""
        state = self.documents.get(uri)
        if state is not None:
            state.imports_changed += 1
            self.schedule(uri, delay=self.debounce_seconds)

    def report_once(self, state: DocumentState, message: str, kind: types.MessageType) -> None:
        if state.reported == message:
            return
        state.reported = message
        self.window_log_message(types.LogMessageParams(type=kind, message=f"{NAME}: {message}"))
        if kind == types.MessageType.Error:
            self.window_show_message(types.ShowMessageParams(type=kind, message=f"{NAME}: {message}"))

    def schedule(self, uri: str, typed: bool = False, delay: float = 0.0) -> None:
        """Analyse and publish: at once (or after ``delay``), unless ``typed`` (a didChange)
        follows another edit within the debounce interval, in which case once typing pauses."""
        state = self.documents[uri]
        if typed:
            now = asyncio.get_running_loop().time()
            if now - state.last_change < self.debounce_seconds:
                delay = self.debounce_seconds
            state.last_change = now
        if state.pending is not None:
            state.pending.cancel()
        state.pending = asyncio.ensure_future(self._publish_after(uri, delay))

    async def _publish_after(self, uri: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        try:
            analysis = await self.analyze(uri)
        except Exception as error:  # a tool bug: tell the user, keep serving other documents
            logger.exception("analysis of %s failed", uri)
            self.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Error,
                    message=f"{NAME}: internal error analysing {uri}: {error!r} (please report it)",
                )
            )
            return
        if analysis is None or analysis.result.error is not None or self.client_pulls_diagnostics:
            return
        if uri not in self.documents or analysis.version != self.current_version(uri):
            return  # a newer text is on its way
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, diagnostics=list(analysis.diagnostics), version=analysis.version
            )
        )

    # Requests.

    async def pull_diagnostics(self, uri: str, previous_result_id: str | None):
        if uri in self.notebook_diagnostics.by_cell:  # a notebook cell (lsp/notebook.py)
            return types.RelatedFullDocumentDiagnosticReport(items=self.notebook_diagnostics.by_cell[uri])
        analysis = await self.analyze(uri)
        state = self.documents.get(uri)
        shown = state.last_good if state is not None else None
        if analysis is not None and analysis.result.error is None:
            shown = analysis
        if shown is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        if shown.result_id == previous_result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=shown.result_id)
        return types.RelatedFullDocumentDiagnosticReport(
            items=list(shown.diagnostics), result_id=shown.result_id
        )

    async def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        analysis = await self.analyze(uri)
        if analysis is None or analysis.result.error is not None:
            return []
        only = params.context.only
        result: list[types.CodeAction] = []
        if actions.wants_kind(only, actions.QUICK_FIX_KIND):
            for shown in params.context.diagnostics:
                diagnostic = self._current_diagnostic(analysis, shown)
                if diagnostic is not None:
                    result.extend(self._quick_fixes(uri, analysis, diagnostic))
        if actions.wants_kind(only, actions.FIX_ALL_KIND) and analysis.result.findings:
            text, path, config = analysis.index.text, analysis.result.path, analysis.config
            full = await asyncio.get_running_loop().run_in_executor(
                self.executor, lambda: engine.check_source(text, path, config)
            )
            if full.changed:
                fixed = edits.diff_edits(analysis.index, full.fixed_source)
                edit = self._workspace_edit(uri, analysis, fixed)
                result.append(actions.fix_all(edit, unsafe=analysis.config.unsafe_fixes))
        return result

    @staticmethod
    def _current_diagnostic(analysis: Analysis, shown: types.Diagnostic) -> types.Diagnostic | None:
        """Our diagnostic, for the analysed version, that the client's copy ``shown`` stands for.

        The ``data`` we attached names the finding exactly when it is for this version; a copy
        from an older version, or one that lost its ``data``, must match by code and range."""
        if shown.source != diagnostics.SOURCE:
            return None
        data = shown.data if isinstance(shown.data, dict) else {}
        for diagnostic in analysis.diagnostics:
            if diagnostic.code != shown.code:
                continue
            if data.get("version") == analysis.version and "span" in data:
                if diagnostic.data["span"] == data["span"]:
                    return diagnostic
            elif _range_key(diagnostic.range) == _range_key(shown.range):
                return diagnostic
        return None

    def _quick_fixes(
        self, uri: str, analysis: Analysis, diagnostic: types.Diagnostic
    ) -> list[types.CodeAction]:
        result = []
        fix = diagnostic.data.get("fix")
        if fix is not None and fix["applicability"] != model.Applicability.DISPLAY_ONLY.value:
            fix_edits = [diagnostics.text_edit_from_json(edit) for edit in fix["edits"]]
            edit = self._workspace_edit(uri, analysis, fix_edits)
            result.append(actions.quick_fix(diagnostic, fix["applicability"], fix["reason"], edit))
        code = str(diagnostic.code)
        first_line, _, last_line, _ = diagnostic.data["span"]
        ignore_edit = edits.noqa_edit(analysis.index, first_line, last_line, code)
        result.append(actions.ignore(diagnostic, code, self._workspace_edit(uri, analysis, [ignore_edit])))
        return result

    def _workspace_edit(
        self, uri: str, analysis: Analysis, text_edits: list[types.TextEdit]
    ) -> types.WorkspaceEdit:
        return actions.workspace_edit(uri, analysis.version, text_edits, self.client_takes_versioned_edits)

    async def hover(self, params: types.HoverParams) -> types.Hover | None:
        analysis = await self.analyze(params.text_document.uri)
        if analysis is None or analysis.result.error is not None:
            return None
        offset = analysis.index.offset_of_lsp(params.position)
        hits = [
            (finding, diagnostic)
            for finding, diagnostic in zip(analysis.result.findings, analysis.diagnostics, strict=True)
            if analysis.index.offset_of(finding.start) <= offset <= analysis.index.offset_of(finding.end)
        ]
        if not hits:
            return None
        return types.Hover(
            contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown,
                value="\n\n---\n\n".join(diagnostics.hover_markdown(f) for f, _ in hits),
            ),
            range=hits[0][1].range,
        )


def build_server(version: str, debounce_seconds: float = DEBOUNCE_SECONDS) -> InplaceFixerServer:
    """A server with every feature registered; start it with ``start_io`` or ``start_tcp``."""
    server = InplaceFixerServer(version, debounce_seconds)

    @server.feature(types.INITIALIZE)
    def initialize(ls: InplaceFixerServer, params: types.InitializeParams) -> None:
        ls.set_editor_settings(params.initialization_options, "initializationOptions")

    @server.feature(types.INITIALIZED)
    async def initialized(ls: InplaceFixerServer, params: types.InitializedParams) -> None:
        workspace = ls.client_capabilities.workspace
        if workspace is not None and workspace.configuration:
            await pull_configuration(ls)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: InplaceFixerServer, params: types.DidChangeConfigurationParams
    ) -> None:
        if params.settings:
            if ls.set_editor_settings(params.settings, "workspace/didChangeConfiguration"):
                ls.settings_changed()
            return
        workspace = ls.client_capabilities.workspace
        if workspace is not None and workspace.configuration:
            await pull_configuration(ls)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: InplaceFixerServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.documents[params.text_document.uri] = DocumentState()
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: InplaceFixerServer, params: types.DidChangeTextDocumentParams) -> None:
        if params.text_document.uri in ls.documents:
            ls.schedule(params.text_document.uri, typed=True)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: InplaceFixerServer, params: types.DidSaveTextDocumentParams) -> None:
        if params.text_document.uri in ls.documents:
            ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: InplaceFixerServer, params: types.DidCloseTextDocumentParams) -> None:
        state = ls.documents.pop(params.text_document.uri, None)
        if state is not None and state.pending is not None:
            state.pending.cancel()
        closed = uris.to_fs_path(params.text_document.uri)
        if closed and os.path.isabs(closed):
            asyncio.ensure_future(ls.file_closed(closed, params.text_document.uri))
        if not ls.client_pulls_diagnostics:
            ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
            )

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(identifier=NAME, inter_file_dependencies=False, workspace_diagnostics=False),
    )
    async def document_diagnostic(ls: InplaceFixerServer, params: types.DocumentDiagnosticParams):
        return await ls.pull_diagnostics(params.text_document.uri, params.previous_result_id)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[actions.QUICK_FIX_KIND, actions.FIX_ALL_KIND],
            resolve_provider=False,
        ),
    )
    async def code_action(ls: InplaceFixerServer, params: types.CodeActionParams):
        return await ls.code_actions(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: InplaceFixerServer, params: types.HoverParams):
        return await ls.hover(params)

    notebook.register(server)
    return server


async def pull_configuration(server: InplaceFixerServer) -> None:
    """Ask the client for its ``inplace-fixer`` settings; a client with none keeps ours."""
    values = await server.workspace_configuration_async(
        types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
    )
    if values and values[0]:
        if server.set_editor_settings(values[0], "workspace/configuration"):
            server.settings_changed()

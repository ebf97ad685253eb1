"""Notebook documents in the editor (LSP 3.17 ``notebookDocument/*`` sync), where the client
supports it: VS Code and other notebook editors send the notebook's cells, pygls keeps them in the
workspace, and the cells are checked as one program, as ``check`` does for ``.ipynb`` files
(``inplace_fixer.notebooks``). Diagnostics are published per cell document, and answered per cell
to clients that pull them. Quick fixes in cells are not offered yet.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls import uris

from inplace_fixer import engine, notebooks
from inplace_fixer.config import ConfigError
from inplace_fixer.lsp import diagnostics
from inplace_fixer.lsp.settings import document_config
from inplace_fixer.lsp.text import TextIndex

if TYPE_CHECKING:
    from inplace_fixer.lsp.server import InplaceFixerServer

logger = logging.getLogger(__name__)

SYNC_OPTIONS = types.NotebookDocumentSyncOptions(
    notebook_selector=[
        types.NotebookDocumentFilterWithCells(cells=[types.NotebookCellLanguage(language="python")], notebook="*")
    ]
)


def cell_diagnostics(server: InplaceFixerServer, notebook_uri: str) -> dict[str, list[types.Diagnostic]] | None:
    """Each cell document's diagnostics; None when the cells do not parse or the configuration
    is unusable (the previous diagnostics stay)."""
    notebook = server.workspace.get_notebook_document(notebook_uri=notebook_uri)
    if notebook is None:
        return None
    cells, documents = [], {}
    for number, cell in enumerate(notebook.cells, start=1):
        document = server.workspace.get_text_document(cell.document)
        order = cell.execution_summary.execution_order if cell.execution_summary else None
        cells.append(notebooks.Cell(number, document.source, order, cell.kind == types.NotebookCellKind.Code))
        documents[number] = document
    program = notebooks.program_of(notebooks.Notebook("", tuple(cells), "source", "python"))
    path = uris.to_fs_path(notebook_uri)
    try:
        config = document_config(Path(path) if path else None, server.editor_settings)
    except ConfigError as error:
        logger.info("%s: %s", notebook_uri, error)
        return None
    result = engine.check_source(program.text, path or notebook_uri, config, fix=False)
    if result.error is not None:
        return None
    found: dict[str, list[types.Diagnostic]] = {document.uri: [] for document in documents.values()}
    encoding = server.position_encoding
    for finding in result.findings:
        placed = notebooks.in_cell(finding, program)
        document = documents[placed.cell]  # type: ignore[index]
        found[document.uri].append(
            diagnostics.to_diagnostic(placed, TextIndex(document.source, encoding), document.version)
        )
    return found


class NotebookDiagnostics:
    """The latest diagnostics of every open notebook's cells, and their (debounced) refresh."""

    def __init__(self) -> None:
        self.by_cell: dict[str, list[types.Diagnostic]] = {}
        self.cells_of: dict[str, list[str]] = {}
        self.pending: dict[str, asyncio.Task] = {}

    def schedule(self, server: InplaceFixerServer, notebook_uri: str, delay: float) -> None:
        task = self.pending.pop(notebook_uri, None)
        if task is not None:
            task.cancel()
        self.pending[notebook_uri] = asyncio.ensure_future(self._refresh(server, notebook_uri, delay))

    async def _refresh(self, server: InplaceFixerServer, notebook_uri: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        found = await asyncio.get_running_loop().run_in_executor(
            server.executor, cell_diagnostics, server, notebook_uri
        )
        if found is None:
            return
        gone = set(self.cells_of.get(notebook_uri, ())) - set(found)
        self.cells_of[notebook_uri] = list(found)
        for uri in gone:
            self.by_cell.pop(uri, None)
        self.by_cell.update(found)
        if server.client_pulls_diagnostics:
            return
        for uri in [*found, *gone]:
            server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=found.get(uri, []))
            )

    def close(self, server: InplaceFixerServer, notebook_uri: str) -> None:
        task = self.pending.pop(notebook_uri, None)
        if task is not None:
            task.cancel()
        for uri in self.cells_of.pop(notebook_uri, ()):
            self.by_cell.pop(uri, None)
            if not server.client_pulls_diagnostics:
                server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def register(server: InplaceFixerServer) -> None:
    """The notebookDocument/* handlers (the server announces SYNC_OPTIONS to clients that
    declare notebook support)."""
    state = server.notebook_diagnostics

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def did_open(ls: InplaceFixerServer, params: types.DidOpenNotebookDocumentParams) -> None:
        state.schedule(ls, params.notebook_document.uri, 0.0)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def did_change(ls: InplaceFixerServer, params: types.DidChangeNotebookDocumentParams) -> None:
        state.schedule(ls, params.notebook_document.uri, ls.debounce_seconds)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def did_save(ls: InplaceFixerServer, params: types.DidSaveNotebookDocumentParams) -> None:
        state.schedule(ls, params.notebook_document.uri, 0.0)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def did_close(ls: InplaceFixerServer, params: types.DidCloseNotebookDocumentParams) -> None:
        state.close(ls, params.notebook_document.uri)

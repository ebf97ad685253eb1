"""Notebooks in the editor: a real client opens a notebook through ``notebookDocument/didOpen``
(LSP 3.17) against the real server; the cells are checked as one program and the diagnostics come
per cell document, and move with a ``notebookDocument/didChange``."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types

from tests.lsp.client import REAL_SERVER, RecordingClient, eventually, server_config

pytestmark = pytest.mark.asyncio(loop_scope="module")

CELLS = [
    (types.NotebookCellKind.Markup, "# A notebook"),
    (types.NotebookCellKind.Code, "import torch\nx = torch.ones(3, requires_grad=True)\n%timeit x.sum()"),
    (types.NotebookCellKind.Code, "h = torch.tanh(x)\nh.mul_(2)\nh.sum().backward()"),
]


@pytest_lsp.fixture(config=server_config(REAL_SERVER), scope="module")
async def client(lsp_client: RecordingClient):
    capabilities = types.ClientCapabilities(
        notebook_document=types.NotebookDocumentClientCapabilities(
            synchronization=types.NotebookDocumentSyncClientCapabilities()
        )
    )
    result = await lsp_client.initialize_session(types.InitializeParams(capabilities=capabilities))
    sync = result.capabilities.notebook_document_sync
    assert sync is not None and sync.notebook_selector[0].cells[0].language == "python"
    yield
    await lsp_client.shutdown_session()


def latest(client: RecordingClient, uri: str) -> list[types.Diagnostic] | None:
    found = [p for p in client.published if p.uri == uri]
    return None if not found else list(found[-1].diagnostics)


async def test_cells_are_one_program_with_diagnostics_per_cell(client: RecordingClient, tmp_path) -> None:
    notebook_uri = (tmp_path / "train.ipynb").as_uri()
    cell_uris = [f"{notebook_uri}#cell{index}" for index in range(len(CELLS))]
    client.notebook_document_did_open(
        types.DidOpenNotebookDocumentParams(
            notebook_document=types.NotebookDocument(
                uri=notebook_uri, notebook_type="jupyter-notebook", version=1,
                cells=[types.NotebookCell(kind=kind, document=uri) for (kind, _), uri in zip(CELLS, cell_uris)],
            ),
            cell_text_documents=[
                types.TextDocumentItem(uri=uri, language_id="python" if kind == types.NotebookCellKind.Code else "markdown", version=1, text=text)
                for (kind, text), uri in zip(CELLS, cell_uris)
            ],
        )
    )
    await eventually(lambda: latest(client, cell_uris[2]))
    (diagnostic,) = latest(client, cell_uris[2])
    # `x` comes from the cell before; the finding is on line 2 of the third cell (0-based: 1).
    assert diagnostic.code == "IPF002"
    assert diagnostic.range == types.Range(types.Position(1, 0), types.Position(1, 9))
    assert "line 1 of cell 3" in diagnostic.message
    assert latest(client, cell_uris[1]) == []

    # The cell is edited: the in-place call is gone, and so is its diagnostic.
    client.notebook_document_did_change(
        types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(version=2, uri=notebook_uri),
            change=types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    text_content=[
                        types.NotebookDocumentCellContentChanges(
                            document=types.VersionedTextDocumentIdentifier(uri=cell_uris[2], version=2),
                            changes=[types.TextDocumentContentChangeWholeDocument(text="h = torch.tanh(x)\nh = h * 2\n")],
                        )
                    ]
                )
            ),
        )
    )
    await eventually(lambda: latest(client, cell_uris[2]) == [])
    client.notebook_document_did_close(
        types.DidCloseNotebookDocumentParams(
            notebook_document=types.NotebookDocumentIdentifier(uri=notebook_uri),
            cell_text_documents=[types.TextDocumentIdentifier(uri=uri) for uri in cell_uris],
        )
    )

"""The real server, with two open files of one package: a change of ``blocks.py`` in the editor
reaches the diagnostics of ``model.py``, which imports it, without an edit of ``model.py``; an
open file that does not import it is left alone.

What ``model.py`` must show after each change is what ``check_source`` gives for it when the
editor's text of ``blocks.py`` is that version (tests/test_lsp_reuse.py has the package).
"""

from __future__ import annotations

import asyncio

import pytest
import pytest_lsp
from lsprotocol import types

from inplace_fixer import check_source
from inplace_fixer.inference.imports import RESOLVER
from tests.lsp.client import (
    REAL_SERVER,
    RecordingClient,
    change_document,
    eventually,
    open_document,
    published_for,
    server_config,
)
from tests.test_lsp_reuse import BLOCKS_VERSIONS, MODEL, _package

pytestmark = pytest.mark.asyncio(loop_scope="module")

UNRELATED = "import torch\n\n\ndef f(x):\n    x.add_(1)\n    return x\n"


@pytest_lsp.fixture(config=server_config(REAL_SERVER), scope="module")
async def client(lsp_client: RecordingClient):
    await lsp_client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    yield
    await lsp_client.shutdown_session()


def expected_messages(model_path: str, blocks_path: str, blocks_text: str) -> list[str]:
    RESOLVER.set_overlay(blocks_path, blocks_text)
    try:
        findings = check_source(MODEL, model_path, fix=False).findings
    finally:
        RESOLVER.set_overlay(blocks_path, None)
    return [f"{finding.message} [{finding.name}]" for finding in findings]


def publications(client: RecordingClient, uri: str) -> list[types.PublishDiagnosticsParams]:
    return [params for params in client.published if params.uri == uri]


async def test_a_change_of_an_open_imported_file_reaches_the_diagnostics_of_its_importer(
    client: RecordingClient, tmp_path
) -> None:
    blocks, model = _package(tmp_path)
    unrelated = tmp_path / "mypkg" / "unrelated.py"
    unrelated.write_text(UNRELATED)
    blocks_uri, model_uri, unrelated_uri = (path.as_uri() for path in (blocks, model, unrelated))
    open_document(client, blocks_uri, BLOCKS_VERSIONS[0])
    open_document(client, model_uri, MODEL)
    open_document(client, unrelated_uri, UNRELATED)
    await published_for(client, unrelated_uri, 1)
    shown = [diagnostic.message for diagnostic in await published_for(client, model_uri, 1)]
    assert shown == expected_messages(str(model), str(blocks), BLOCKS_VERSIONS[0])
    seen = [shown]
    for version, text in enumerate(BLOCKS_VERSIONS[1:], start=2):
        before = len(publications(client, model_uri))
        change_document(client, blocks_uri, text, version)
        await published_for(client, blocks_uri, version)
        await eventually(lambda: len(publications(client, model_uri)) > before)
        latest = publications(client, model_uri)[-1]
        assert latest.version == 1  # model.py itself was not edited
        shown = [diagnostic.message for diagnostic in latest.diagnostics]
        assert shown == expected_messages(str(model), str(blocks), text)
        seen.append(shown)
    assert seen[0] != seen[1] != seen[2] and seen[3] == seen[0]  # each change showed
    await asyncio.sleep(0.5)  # past the debounce interval: anything scheduled has run
    assert len(publications(client, unrelated_uri)) == 1  # it does not import blocks.py


async def test_closing_an_imported_file_unsaved_brings_back_what_its_disk_text_gives(client: RecordingClient, tmp_path) -> None:
    blocks, model = _package(tmp_path)  # on disk: BLOCKS_VERSIONS[0]
    blocks_uri, model_uri = blocks.as_uri(), model.as_uri()
    open_document(client, blocks_uri, BLOCKS_VERSIONS[0])
    open_document(client, model_uri, MODEL)
    await published_for(client, model_uri, 1)
    before = len(publications(client, model_uri))
    change_document(client, blocks_uri, BLOCKS_VERSIONS[1], 2)  # never saved
    await eventually(lambda: len(publications(client, model_uri)) > before)
    edited = [diagnostic.message for diagnostic in publications(client, model_uri)[-1].diagnostics]
    assert edited == expected_messages(str(model), str(blocks), BLOCKS_VERSIONS[1])
    before = len(publications(client, model_uri))
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=blocks_uri)))
    await eventually(lambda: len(publications(client, model_uri)) > before)
    shown = [diagnostic.message for diagnostic in publications(client, model_uri)[-1].diagnostics]
    assert shown == expected_messages(str(model), str(blocks), BLOCKS_VERSIONS[0]) != edited

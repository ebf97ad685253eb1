"""The real server over every golden case: what an editor user gets equals what the CLI writes.

For each case, with and without unsafe fixes: the diagnostics are the engine's findings at the
right LSP ranges; fix-all turns the text into ``check_source(...).fixed_source`` (what
``--apply`` and ``--apply --unsafe-fixes`` write); and taking the quick-fixes one at a time, as
a user clicking through them would, ends at the same text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types

from inplace_fixer import Config, check_source
from inplace_fixer.files import decode_source
from tests.lsp.client import (
    REAL_SERVER,
    RecordingClient,
    apply_edits,
    change_document,
    open_document,
    published_for,
    server_config,
    workspace_edits,
)
from tests.test_golden import case_id, discover_cases

pytestmark = pytest.mark.asyncio(loop_scope="module")

CASES = discover_cases()
# Quick-fixes applied one at a time: more than any case has findings, so a loop cannot hide.
MAX_QUICK_FIXES = 30


def initialize_params(unsafe: bool) -> types.InitializeParams:
    capabilities = types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)
        )
    )
    return types.InitializeParams(capabilities=capabilities, initialization_options={"unsafeFixes": unsafe})


@pytest_lsp.fixture(config=server_config(REAL_SERVER), scope="module")
async def safe_client(lsp_client: RecordingClient):
    await lsp_client.initialize_session(initialize_params(unsafe=False))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=server_config(REAL_SERVER), scope="module")
async def unsafe_client(lsp_client: RecordingClient):
    await lsp_client.initialize_session(initialize_params(unsafe=True))
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(params=[False, True], ids=["safe", "unsafe"])
def mode(request, safe_client, unsafe_client) -> tuple[RecordingClient, Config]:
    if request.param:
        return unsafe_client, Config(unsafe_fixes=True)
    return safe_client, Config()


def utf16_position(text: str, line: int, col: int) -> types.Position:
    """An engine position (1-based, code points) as LSP's, counted here independently."""
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text) or [""]
    if line > len(lines):
        return types.Position(line=len(lines), character=0)
    before = lines[line - 1][: col - 1]
    return types.Position(line=line - 1, character=len(before.encode("utf-16-le")) // 2)


def document(tmp_path_factory, case: Path, label: str) -> tuple[str, str]:
    directory = tmp_path_factory.mktemp(label)  # no settings file above it: the defaults apply
    return (directory / case.name).as_uri(), decode_source(case.read_bytes()).text


async def fix_all(client: RecordingClient, uri: str) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll]),
        )
    )
    return list(result or [])


def close(client: RecordingClient, uri: str) -> None:
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))


@pytest.mark.parametrize("case", CASES, ids=case_id)
async def test_diagnostics_and_fix_all_match_the_engine(case, mode, tmp_path_factory):
    client, config = mode
    uri, text = document(tmp_path_factory, case, "fix_all")
    expected = check_source(text, case.name, config)
    open_document(client, uri, text)
    published = await published_for(client, uri, 1)
    actions = await fix_all(client, uri)
    close(client, uri)

    assert [(d.code, d.range) for d in published] == [
        (
            f.code,
            types.Range(
                start=utf16_position(text, f.start.line, f.start.col),
                end=utf16_position(text, f.end.line, f.end.col),
            ),
        )
        for f in expected.findings
    ]
    if expected.changed:
        (action,) = actions
        assert apply_edits(text, workspace_edits(action.edit, uri)) == expected.fixed_source
    else:
        assert actions == []


@pytest.mark.parametrize("case", CASES, ids=case_id)
async def test_quick_fixes_one_at_a_time_match_the_engine(case, mode, tmp_path_factory):
    client, config = mode
    uri, text = document(tmp_path_factory, case, "quick_fix")
    expected = check_source(text, case.name, config).fixed_source
    wanted_titles = {"Rewrite out of place"}
    version = 1
    open_document(client, uri, text)
    for _ in range(MAX_QUICK_FIXES):
        published = await published_for(client, uri, version)
        edit = None
        for diagnostic in published:
            offered = await client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    range=diagnostic.range,
                    context=types.CodeActionContext(
                        diagnostics=[diagnostic], only=[types.CodeActionKind.QuickFix]
                    ),
                )
            )
            for action in offered or []:
                if action.title in wanted_titles or (
                    config.unsafe_fixes and action.title.startswith("Rewrite out of place (unsafe:")
                ):
                    edit = action.edit
                    break
            if edit is not None:
                break
        if edit is None:
            break
        text = apply_edits(text, workspace_edits(edit, uri))
        version += 1
        change_document(client, uri, text, version)
    close(client, uri)

    assert text == expected

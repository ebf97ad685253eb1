"""The language server end to end, through a real LSP client (pytest-lsp) over stdio.

The server runs with tests/lsp/fake_engine.py in place of ``check_source``, whose answers are
known, so these tests pin down the adapter: positions, titles, edits, settings, scheduling and
errors. tests/test_lsp_golden.py runs the real engine over the golden cases.
"""

from __future__ import annotations

import asyncio
from asyncio.subprocess import PIPE
from pathlib import Path

import attrs
import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import client_capabilities

from inplace_fixer.model import Config
from tests.lsp import fake_engine
from tests.lsp.client import (
    FAKE_ENGINE_SERVER,
    SERVER_ENV,
    RawConnection,
    RecordingClient,
    apply_edits,
    change_document,
    eventually,
    kill_if_running,
    lsp_range_of,
    open_document,
    published_for,
    server_config,
    workspace_edits,
)

# One event loop for the module, so that the tests that leave settings alone share one server.
pytestmark = pytest.mark.asyncio(loop_scope="module")

PUSH_CLIENT = "neovim@0.7"  # pushes only, UTF-16, plain `changes` edits
PULL_CLIENT = "neovim@0.11"  # pulls diagnostics, offers UTF-8 first, takes configuration requests


@pytest_lsp.fixture(config=server_config(FAKE_ENGINE_SERVER), scope="module")
async def client(lsp_client: RecordingClient):
    """A server shared by the tests that keep the default settings; each uses its own URIs."""
    await initialize(lsp_client)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=server_config(FAKE_ENGINE_SERVER), loop_scope="module")
async def fresh_client(lsp_client: RecordingClient):
    """A server of the test's own, for tests that initialize it their way or change settings."""
    yield
    await lsp_client.shutdown_session()


async def initialize(
    client: RecordingClient, spec: str = PUSH_CLIENT, options: object = None, root: Path | None = None
) -> None:
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(spec),
            initialization_options=options,
            root_uri=root.as_uri() if root else None,
        )
    )


def document_uri(tmp_path: Path, name: str = "model.py") -> str:
    return (tmp_path / name).as_uri()


async def code_actions(
    client: RecordingClient, uri: str, diagnostics: list[types.Diagnostic], only: list[str] | None = None
) -> list[types.CodeAction]:
    range_ = diagnostics[0].range if diagnostics else types.Range(types.Position(0, 0), types.Position(0, 0))
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=range_,
            context=types.CodeActionContext(diagnostics=diagnostics, only=only),
        )
    )
    return list(result or [])


def fixed_by_engine(text: str, unsafe: bool = False) -> str:
    return fake_engine.check_source(text, "-", Config(unsafe_fixes=unsafe)).fixed_source


async def test_diagnostics_underline_the_finding_after_non_ascii_text(client: RecordingClient, tmp_path):
    text = 's = "é😀 𝔘"; y *= 3\nprint("ü")\narg *= 2\n'
    uri = document_uri(tmp_path)
    open_document(client, uri, text)
    diagnostics = await published_for(client, uri, 1)

    assert [d.range for d in diagnostics] == [lsp_range_of(text, "y *= 3"), lsp_range_of(text, "arg *= 2")]
    first, second = diagnostics
    assert (first.code, first.source, first.severity) == (
        "IPF001",
        "inplace-fixer",
        types.DiagnosticSeverity.Error,
    )
    assert second.severity == types.DiagnosticSeverity.Warning  # no breaks-backward category
    assert "augmented-assignment" in first.message
    assert first.code_description.href.endswith("#ipf001-augmented-assignment")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-32"])
async def test_columns_follow_the_negotiated_position_encoding(
    fresh_client: RecordingClient, tmp_path, encoding
):
    capabilities = client_capabilities(PUSH_CLIENT)
    capabilities.general = types.GeneralClientCapabilities(position_encodings=[encoding])
    result = await fresh_client.initialize_session(types.InitializeParams(capabilities=capabilities))
    assert result.capabilities.position_encoding == encoding
    text = 's = "é😀"; y *= 3\n'
    uri = document_uri(tmp_path)
    open_document(fresh_client, uri, text)

    diagnostics = await published_for(fresh_client, uri, 1)

    assert [d.range for d in diagnostics] == [lsp_range_of(text, "y *= 3", encoding)]


async def test_quick_fix_rewrites_only_its_finding(client: RecordingClient, tmp_path):
    text = 'import torch\ns = "😀"; y *= 3  # scale\nz = y\n'
    uri = document_uri(tmp_path)
    open_document(client, uri, text)
    diagnostics = await published_for(client, uri, 1)

    actions = await code_actions(client, uri, diagnostics, only=[types.CodeActionKind.QuickFix])
    rewrite = next(a for a in actions if a.title == "Rewrite out of place")
    edits = workspace_edits(rewrite.edit, uri)

    assert rewrite.kind == types.CodeActionKind.QuickFix and rewrite.is_preferred
    assert list(rewrite.diagnostics) == [diagnostics[0]]
    assert all(e.range.start.line == e.range.end.line == 1 for e in edits)  # not the whole document
    assert apply_edits(text, edits) == fixed_by_engine(text)


async def test_quick_fix_found_from_data_when_the_client_echoes_a_wrong_range(
    client: RecordingClient, tmp_path
):
    text = 's = "😀𝔘"; y *= 3\n'
    uri = document_uri(tmp_path)
    open_document(client, uri, text)
    (diagnostic,) = await published_for(client, uri, 1)
    # Neovim 0.7 sends back byte columns where UTF-16 ones were published; ``data`` survives.
    start = len('s = "😀𝔘"; '.encode())
    mangled = attrs.evolve(
        diagnostic, range=types.Range(types.Position(0, start), types.Position(0, start + len("y *= 3")))
    )

    (rewrite, _ignore) = await code_actions(client, uri, [mangled], only=[types.CodeActionKind.QuickFix])

    assert apply_edits(text, workspace_edits(rewrite.edit, uri)) == fixed_by_engine(text)


async def test_quick_fix_found_by_range_when_the_client_drops_data(client: RecordingClient, tmp_path):
    text = "x = 1\ny *= 3\n"
    uri = document_uri(tmp_path)
    open_document(client, uri, text)
    (diagnostic,) = await published_for(client, uri, 1)
    change_document(client, uri, "x = 2\ny *= 3\n", 2)  # the client still shows version 1
    await published_for(client, uri, 2)

    (rewrite, _ignore) = await code_actions(
        client, uri, [attrs.evolve(diagnostic, data=None)], only=[types.CodeActionKind.QuickFix]
    )

    assert apply_edits("x = 2\ny *= 3\n", workspace_edits(rewrite.edit, uri)) == "x = 2\ny = y * (3)\n"


async def test_unsafe_quick_fix_says_why_and_display_only_gets_none(client: RecordingClient, tmp_path):
    text = "def f(arg):\n    arg *= 2\n    shown *= 3\n"
    uri = document_uri(tmp_path)
    open_document(client, uri, text)
    unsafe, display_only = await published_for(client, uri, 1)

    unsafe_titles = [a.title for a in await code_actions(client, uri, [unsafe])]
    display_titles = [a.title for a in await code_actions(client, uri, [display_only])]

    assert unsafe_titles == [
        "Rewrite out of place (unsafe: arg is a function argument)",
        "Ignore IPF001 on this line",
    ]
    assert display_titles == ["Ignore IPF001 on this line"]


async def test_versioned_edits_for_clients_that_take_them(fresh_client: RecordingClient, tmp_path):
    await initialize(fresh_client, "visual-studio-code")
    text = "y *= 3\n"
    uri = document_uri(tmp_path)
    open_document(fresh_client, uri, text, version=7)
    diagnostics = await published_for(fresh_client, uri, 7)

    (rewrite, _ignore) = await code_actions(
        fresh_client, uri, diagnostics, only=[types.CodeActionKind.QuickFix]
    )

    (document_edit,) = rewrite.edit.document_changes
    assert (document_edit.text_document.uri, document_edit.text_document.version) == (uri, 7)
    assert apply_edits(text, workspace_edits(rewrite.edit, uri)) == fixed_by_engine(text)


@pytest.mark.parametrize("unsafe", [False, True])
async def test_fix_all_equals_the_engine_fixed_source(fresh_client: RecordingClient, tmp_path, unsafe):
    await initialize(fresh_client, options={"unsafeFixes": unsafe})
    text = (
        "import torch\n\n\ndef f(arg, x):\n"
        "    y *= 3\n    arg *= x  # note\n    keep = 1\n    x *= 2; shown *= 4\n"
    )
    uri = document_uri(tmp_path)
    open_document(fresh_client, uri, text)
    await published_for(fresh_client, uri, 1)

    (fix_all,) = await code_actions(fresh_client, uri, [], only=[types.CodeActionKind.SourceFixAll])
    edits = workspace_edits(fix_all.edit, uri)

    assert fix_all.kind == "source.fixAll.inplace-fixer"
    assert apply_edits(text, edits) == fixed_by_engine(text, unsafe)
    touched_lines = {line for e in edits for line in range(e.range.start.line, e.range.end.line + 1)}
    assert touched_lines == ({4, 5, 7} if unsafe else {4, 7})


async def test_source_action_request_gets_no_quick_fixes(client: RecordingClient, tmp_path):
    uri = document_uri(tmp_path)
    open_document(client, uri, "y *= 3\n")
    diagnostics = await published_for(client, uri, 1)

    actions = await code_actions(client, uri, diagnostics, only=[types.CodeActionKind.Source])

    assert [a.kind for a in actions] == ["source.fixAll.inplace-fixer"]


@pytest.mark.parametrize(
    ("line", "commented"),
    [
        ("y *= 3", "y *= 3  # noqa: IPF001"),
        ("y *= 3   # keep this", "y *= 3   # keep this  # noqa: IPF001"),
        ("y *= 3  # noqa: IPF006", "y *= 3  # noqa: IPF006, IPF001"),
        ('s = "# not a comment"; y *= 3', 's = "# not a comment"; y *= 3  # noqa: IPF001'),
    ],
)
async def test_ignore_action_adds_or_extends_the_noqa_comment(
    client: RecordingClient, tmp_path, line, commented
):
    text = f"import torch\n{line}\n"
    uri = document_uri(tmp_path)
    open_document(client, uri, text)
    diagnostics = await published_for(client, uri, 1)

    ignore = next(a for a in await code_actions(client, uri, diagnostics) if a.title.startswith("Ignore"))
    new_text = apply_edits(text, workspace_edits(ignore.edit, uri))
    change_document(client, uri, new_text, 2)

    assert ignore.title == "Ignore IPF001 on this line"
    assert new_text == f"import torch\n{commented}\n"
    assert await published_for(client, uri, 2) == []


async def test_an_edit_that_removes_the_mutation_clears_its_diagnostic(client: RecordingClient, tmp_path):
    uri = document_uri(tmp_path)
    open_document(client, uri, "y *= 3\nx *= 2\n")
    assert len(await published_for(client, uri, 1)) == 2

    change_document(client, uri, "y = y * 3\nx *= 2\n", 2)

    assert [d.range.start.line for d in await published_for(client, uri, 2)] == [1]


async def test_a_burst_of_changes_publishes_only_for_the_latest_text(client: RecordingClient, tmp_path):
    uri = document_uri(tmp_path)
    open_document(client, uri, "pass\n")
    await published_for(client, uri, 1)
    texts = {version: "pass\n" + "y *= 3\n" * version for version in range(2, 12)}

    for version, text in texts.items():
        change_document(client, uri, text, version)
    final = await published_for(client, uri, 11)
    await asyncio.sleep(0.5)  # anything still in flight would arrive now

    later = [p.version for p in client.published if p.uri == uri and p.version > 1]
    assert len(final) == 11
    assert later[-1] == 11
    assert len(later) < len(texts)  # debounced: not one analysis per keystroke
    for published in client.published:
        if published.uri == uri and published.version > 1:  # each matches its own version's text
            assert len(published.diagnostics) == texts[published.version].count("y *= 3")


async def test_configuration_change_reanalyses_open_documents(fresh_client: RecordingClient, tmp_path):
    await initialize(fresh_client, options={"ignore": ["IPF001"]})
    uri = document_uri(tmp_path)
    open_document(fresh_client, uri, "y *= 3\n")
    assert await published_for(fresh_client, uri, 1) == []

    published_before = len(fresh_client.published)
    fresh_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"inplace-fixer": {"ignore": []}})
    )
    await eventually(lambda: len(fresh_client.published) > published_before)

    assert [d.code for d in fresh_client.published[-1].diagnostics] == ["IPF001"]


async def test_settings_are_pulled_when_the_change_notification_carries_none(
    fresh_client: RecordingClient, tmp_path
):
    await initialize(fresh_client, "visual-studio-code")
    uri = document_uri(tmp_path)
    open_document(fresh_client, uri, "y *= 3\n")
    assert len(await published_for(fresh_client, uri, 1)) == 1

    fresh_client.set_configuration({"select": ["IPF002"]}, section="inplace-fixer")
    published_before = len(fresh_client.published)
    fresh_client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await eventually(lambda: len(fresh_client.published) > published_before)

    assert not fresh_client.published[-1].diagnostics


async def test_project_settings_come_from_pyproject_and_editor_settings_override_them(
    fresh_client: RecordingClient, tmp_path
):
    (tmp_path / "pyproject.toml").write_text('[tool.inplace-fixer]\nignore = ["IPF001"]\n')
    (tmp_path / "pkg").mkdir()
    await initialize(fresh_client, root=tmp_path)
    uri = document_uri(tmp_path / "pkg")
    open_document(fresh_client, uri, "y *= 3\n")
    assert await published_for(fresh_client, uri, 1) == []

    fresh_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"ignore": []})
    )
    change_document(fresh_client, uri, "y *= 3\n\n", 2)

    assert len(await published_for(fresh_client, uri, 2)) == 1


async def test_saving_reanalyses_with_the_current_settings_file(client: RecordingClient, tmp_path):
    uri = document_uri(tmp_path)
    open_document(client, uri, "y *= 3\n")
    assert len(await published_for(client, uri, 1)) == 1
    published_before = len(client.published)

    (tmp_path / "pyproject.toml").write_text('[tool.inplace-fixer]\nignore = ["IPF001"]\n')
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))
    await eventually(lambda: len(client.published) > published_before)

    assert (client.published[-1].uri, client.published[-1].version) == (uri, 1)
    assert not client.published[-1].diagnostics


async def test_an_unusable_settings_file_is_reported_by_name(fresh_client: RecordingClient, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.inplace-fixer]\nselect = "IPF"\n')
    await initialize(fresh_client, root=tmp_path)
    open_document(fresh_client, document_uri(tmp_path), "y *= 3\n")

    await eventually(lambda: fresh_client.messages)

    (message,) = fresh_client.messages
    assert message.type == types.MessageType.Error
    assert str(tmp_path / "pyproject.toml") in message.message and "'select'" in message.message


async def test_unusable_editor_settings_are_reported_and_the_previous_ones_kept(
    fresh_client: RecordingClient, tmp_path
):
    await initialize(fresh_client, options={"ignore": ["IPF001"]})
    fresh_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"ignore": "IPF001", "unsafeFixes": "yes"})
    )
    await eventually(lambda: fresh_client.messages)
    uri = document_uri(tmp_path)
    open_document(fresh_client, uri, "y *= 3\n")

    assert "'ignore' must be a list of strings" in fresh_client.messages[0].message
    assert await published_for(fresh_client, uri, 1) == []  # the ignore from initializationOptions holds


async def test_unparsable_text_keeps_the_last_good_diagnostics(client: RecordingClient, tmp_path):
    uri = document_uri(tmp_path)
    open_document(client, uri, "y *= 3\n")
    good = await published_for(client, uri, 1)

    change_document(client, uri, "y *= 3\ndef broken(:\n", 2)
    await eventually(
        lambda: any("cannot parse" in m.message and str(tmp_path) in m.message for m in client.log_messages)
    )
    actions = await code_actions(client, uri, good)
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(0, 1))
    )
    change_document(client, uri, "x = 1\ny *= 3\n", 3)
    repaired = await published_for(client, uri, 3)

    assert [p.version for p in client.published if p.uri == uri] == [1, 3]
    assert list(client.diagnostics[uri]) == repaired and repaired[0].range.start.line == 1
    assert actions == [] and hover is None  # no edit computed for text that no longer matches


async def test_closing_a_document_clears_its_diagnostics(client: RecordingClient, tmp_path):
    uri = document_uri(tmp_path)
    open_document(client, uri, "y *= 3\n")
    await published_for(client, uri, 1)

    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))

    await eventually(lambda: client.published[-1].uri == uri and not client.published[-1].diagnostics)


async def test_hover_shows_the_message_and_reason(client: RecordingClient, tmp_path):
    text = 's = "😀"; y *= 3\n'
    uri = document_uri(tmp_path)
    open_document(client, uri, text)
    (diagnostic,) = await published_for(client, uri, 1)

    inside = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), diagnostic.range.start)
    )
    outside = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(0, 1))
    )

    assert inside.range == diagnostic.range
    assert "IPF001" in inside.contents.value and "y may require grad" in inside.contents.value
    assert "#ipf001-augmented-assignment" in inside.contents.value
    assert outside is None


async def test_pull_clients_get_reports_and_no_pushes(fresh_client: RecordingClient, tmp_path):
    await initialize(fresh_client, PULL_CLIENT)
    text = 's = "é"; y *= 3\n'
    uri = document_uri(tmp_path)
    open_document(fresh_client, uri, text)

    first = await fresh_client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri))
    )
    again = await fresh_client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri), previous_result_id=first.result_id
        )
    )
    change_document(fresh_client, uri, "pass\n", 2)
    changed = await fresh_client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri), previous_result_id=first.result_id
        )
    )

    assert [d.range for d in first.items] == [lsp_range_of(text, "y *= 3", "utf-8")]
    assert again.kind == "unchanged" and again.result_id == first.result_id
    assert changed.kind == "full" and not changed.items
    assert fresh_client.published == []


async def test_malformed_and_unknown_requests_get_errors_and_the_server_lives_on(tmp_path):
    process = await asyncio.create_subprocess_exec(
        *FAKE_ENGINE_SERVER, env=SERVER_ENV, stdin=PIPE, stdout=PIPE
    )
    connection = RawConnection(process.stdout, process.stdin)
    uri = document_uri(tmp_path)
    try:
        await connection.request(1, "initialize", {"capabilities": {}})
        await connection.send({"method": "initialized", "params": {}})
        await connection.send(
            {
                "method": "textDocument/didOpen",
                "params": {
                    "textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": "y *= 3\n"}
                },
            }
        )
        wrong_params = await connection.request(2, "textDocument/codeAction", {"textDocument": 42})
        unknown_method = await connection.request(3, "inplaceFixer/noSuchMethod", {})
        await connection.send_bytes(b"{not json")
        not_json = await connection.next_response()
        unopened = await connection.request(
            4,
            "textDocument/hover",
            {"textDocument": {"uri": uri + "x"}, "position": {"line": 0, "character": 0}},
        )
        hover = await connection.request(
            5, "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}
        )
        exit_code = await connection.shut_down(6, process)
    finally:
        await kill_if_running(process)

    assert wrong_params["error"]["code"] in (-32602, -32603)  # invalid params, or internal error
    assert unknown_method["error"]["code"] == -32601  # method not found
    assert not_json["id"] is None and not_json["error"]["code"] == -32700  # parse error
    assert unopened["result"] is None
    assert "IPF001" in hover["result"]["contents"]["value"]
    assert exit_code == 0


async def test_tcp_option_serves_the_protocol():
    probe = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    process = await asyncio.create_subprocess_exec(
        *FAKE_ENGINE_SERVER, "--tcp", f"127.0.0.1:{port}", env=SERVER_ENV, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        for _ in range(400):
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.05)
        response = await RawConnection(reader, writer).request(1, "initialize", {"capabilities": {}})
        writer.close()
    finally:
        process.terminate()
        await process.wait()

    assert response["result"]["serverInfo"]["name"] == "inplace-fixer"
    assert response["result"]["capabilities"]["codeActionProvider"]["codeActionKinds"] == [
        "quickfix",
        "source.fixAll.inplace-fixer",
    ]

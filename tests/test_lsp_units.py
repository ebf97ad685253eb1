"""The language server's pure parts, without a server: positions, edits, settings, diagnostics."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner
from lsprotocol import types

from inplace_fixer.lsp import actions, diagnostics, edits, lsp
from inplace_fixer.lsp.settings import EditorSettings, SettingsError, document_config
from inplace_fixer.lsp.text import TextIndex
from inplace_fixer.model import Applicability, Config, Edit, Finding, Fix, Position
from tests.lsp.client import ROOT, apply_edits

MIXED = 'a = "é"\r\ns = "😀𝔘"; y.mul_(2)\rz\f= "\u2028"\nlast'


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_every_offset_survives_a_round_trip_through_lsp_positions(encoding):
    index = TextIndex(MIXED, encoding)
    offsets = [o for o in range(len(MIXED) + 1) if not MIXED.startswith("\n", o) or MIXED[o - 1] != "\r"]

    assert [index.offset_of_lsp(index.lsp_position(o)) for o in offsets] == offsets


def test_lsp_columns_count_utf16_units_after_astral_characters():
    index = TextIndex(MIXED)
    start = MIXED.index("y.mul_")

    position = index.lsp_position(start)

    assert (position.line, position.character) == (1, len('s = "') + 2 + 2 + len('"; '))
    assert index.engine_position(start) == Position(2, len('s = "😀𝔘"; ') + 1)


def test_only_lsp_line_breaks_start_lines():
    index = TextIndex(MIXED)

    assert index.line_count == 4  # \r\n, \r and \n; not \f nor \u2028
    assert index.line_text(2) == 'z\f= "\u2028"'
    assert index.offset_of(Position(4, 5)) == len(MIXED)  # the last line has no line break


@pytest.mark.parametrize("seed", range(20))
def test_line_starts_without_carriage_returns_are_those_of_the_lsp_line_breaks(seed):
    """Text without "\\r" takes a faster path (a split at "\\n"): the same line starts."""
    import random

    from inplace_fixer.lsp.text import LINE_BREAK, _line_starts

    rng = random.Random(seed)
    text = "".join(rng.choice(("a", "\n", "\f", "\u2028", "\x85", "é", "😀", " ")) for _ in range(rng.randrange(40)))
    assert _line_starts(text) == [0, *(match.end() for match in LINE_BREAK.finditer(text))]
    lf_only = MIXED.replace("\r\n", "\n").replace("\r", "\n")
    assert TextIndex(lf_only).line_count == 4 and TextIndex(lf_only).line_text(2) == 'z\f= "\u2028"'


def test_positions_past_a_line_or_the_text_are_clamped():
    index = TextIndex("ab\ncd\n")

    assert index.offset_of_lsp(types.Position(line=0, character=99)) == 2
    assert index.offset_of_lsp(types.Position(line=9, character=0)) == 6
    assert index.offset_of(Position(3, 1)) == 6  # the line after a final newline
    assert index.offset_of(Position(9, 1)) == 6


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("a\nb\nc\n", "a\nB\nc\n"),
        ("a\nb\nc\n", "a\nc\n"),
        ("a\nc\n", "a\nb1\nb2\nc\n"),
        ("x = 1", "x = 2"),  # no final newline
        ("x\r\ny *= 3\r\nz\r\n", "x\r\ny = y * 3\r\nz\r\n"),
        ("😀 = 1\n\n\n" * 50, "😀 = 2\n\n\n" + "😀 = 1\n\n\n" * 49),
        ("x = 1\n\n" * 200 + "y *= 3\n" + "\n" * 300, "x = 1\n\n" * 200 + "y = y * 3\n" + "\n" * 300),
        ("", "new\n"),
        ("gone\n", ""),
    ],
)
def test_diff_edits_turn_the_old_text_into_the_new_one(old, new):
    found = edits.diff_edits(TextIndex(old), new)

    assert apply_edits(old, found) == new
    assert sum(len(e.new_text) for e in found) <= max(len(new) - len(old), 0) + 12


def test_diff_edits_leave_unchanged_lines_alone():
    old = "".join(f"line {n}\n" for n in range(100))
    new = old.replace("line 10\n", "line ten\n").replace("line 90\n", "")

    found = edits.diff_edits(TextIndex(old), new)

    assert [(e.range.start.line, e.range.end.line) for e in found] == [(10, 10), (90, 91)]


def test_a_fix_edit_is_narrowed_to_the_changed_characters():
    text = "import torch\ny *= 3  # scale\n"
    fix = Fix(Applicability.SAFE, None, (Edit(Position(2, 1), Position(3, 1), "y = y * 3  # scale\n"),))

    (edit,) = edits.fix_edits(TextIndex(text), fix)

    assert apply_edits(text, [edit]) == "import torch\ny = y * 3  # scale\n"
    assert (edit.range.start.character, edit.range.end.character, edit.new_text) == (2, 4, "= y *")


@pytest.mark.parametrize(
    ("text", "lines", "expected"),
    [
        ("y *= 3\n", (1, 1), "y *= 3  # noqa: IPF001\n"),
        ("y *= 3   \n", (1, 1), "y *= 3  # noqa: IPF001\n"),
        ("y *= 3  # why\n", (1, 1), "y *= 3  # why  # noqa: IPF001\n"),
        ("y *= 3  # noqa: IPF006\n", (1, 1), "y *= 3  # noqa: IPF006, IPF001\n"),
        ("y *= 3  # NOQA:IPF006 IPF002\n", (1, 1), "y *= 3  # NOQA:IPF006 IPF002, IPF001\n"),
        ('s = "# no"; y *= 3\n', (1, 1), 's = "# no"; y *= 3  # noqa: IPF001\n'),
        # Multi-line statements: the first line that can hold a comment, or an existing noqa.
        ('y = f(\n    """a\nb""")\n', (1, 3), 'y = f(  # noqa: IPF001\n    """a\nb""")\n'),
        ('y = """a\nb""" + \\\n  c\n', (1, 3), 'y = """a\nb""" + \\\n  c  # noqa: IPF001\n'),
        ("y.add_(\n    1,  # noqa: IPF006\n)\n", (1, 3), "y.add_(\n    1,  # noqa: IPF006, IPF001\n)\n"),
        ("y *= 3\r\nz = 1\r\n", (1, 1), "y *= 3  # noqa: IPF001\r\nz = 1\r\n"),
        ("y *= 3", (1, 1), "y *= 3  # noqa: IPF001"),
    ],
)
def test_noqa_edit(text, lines, expected):
    edit = edits.noqa_edit(TextIndex(text), *lines, "IPF001")

    assert apply_edits(text, [edit]) == expected


def test_the_engine_honours_the_noqa_comment_the_server_writes():
    from inplace_fixer import check_source

    text = "import torch\nx = torch.randn(3, requires_grad=True)\ny = torch.sigmoid(x)\ny.mul_(2)\n"
    (finding,) = check_source(text).findings
    edit = edits.noqa_edit(TextIndex(text), finding.start.line, finding.end.line, finding.code)

    assert check_source(apply_edits(text, [edit])).findings == ()


def test_editor_settings_override_only_the_keys_they_set():
    project = Config(select=("IPF",), ignore=("IPF007",), unsafe_fixes=True)

    settings = EditorSettings.from_json({"inplace-fixer": {"ignore": ["ipf001"]}}, "here")

    assert settings.apply_to(project) == Config(select=("IPF",), ignore=("IPF001",), unsafe_fixes=True)
    assert EditorSettings.from_json(None, "here").apply_to(project) == project


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"select": "IPF001"}, "here: 'select' must be a list of strings, got 'IPF001'"),
        ({"unsafeFixes": 1}, "here: 'unsafeFixes' must be true or false, got 1"),
        ({"ignore": ["IPX9"]}, "here: 'ignore': unknown rule code, prefix or category 'IPX9'"),
        ({"selct": []}, "here: unknown setting 'selct'"),
        ([1], "here: settings must be an object"),
    ],
)
def test_unusable_editor_settings_say_which_key_and_why(value, message):
    with pytest.raises(SettingsError) as error:
        EditorSettings.from_json(value, "here")

    assert str(error.value).startswith(message)


def test_document_config_reads_the_nearest_settings_file(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.inplace-fixer]\nignore = ["IPF006"]\n')
    (tmp_path / "sub").mkdir()

    config = document_config(tmp_path / "sub" / "model.py", EditorSettings())

    assert config.ignore == ("IPF006",)
    assert document_config(None, EditorSettings()) == Config()


def finding(category: str | None = None, fix: Fix | None = None) -> Finding:
    return Finding(
        path="m.py",
        start=Position(2, 1),
        end=Position(2, 7),
        code="IPF001",
        name="augmented-assignment",
        message="`y *= 3` modifies `y` in place",
        fix=fix,
        category=category,
        reason="`x` (created with requires_grad=True, line 1)",
    )


@pytest.mark.parametrize(
    ("category", "severity"),
    [
        ("breaks-backward", types.DiagnosticSeverity.Error),
        ("silent-wrong-gradient", types.DiagnosticSeverity.Error),
        ("in-gradient-path", types.DiagnosticSeverity.Warning),
        (None, types.DiagnosticSeverity.Warning),
    ],
)
def test_severity_comes_from_the_category(category, severity):
    diagnostic = diagnostics.to_diagnostic(finding(category), TextIndex("x\ny *= 3\n"), 1)

    assert diagnostic.severity == severity


def test_the_diagnostic_carries_its_fix_for_its_version():
    fix = Fix(
        Applicability.UNSAFE, "`y` is an argument", (Edit(Position(2, 1), Position(2, 7), "y = y * 3"),)
    )

    diagnostic = diagnostics.to_diagnostic(finding(fix=fix), TextIndex("x\ny *= 3\n"), 4)
    (edit,) = [diagnostics.text_edit_from_json(e) for e in diagnostic.data["fix"]["edits"]]

    assert diagnostic.data["version"] == 4
    assert (diagnostic.data["fix"]["applicability"], diagnostic.data["fix"]["reason"]) == (
        "unsafe",
        "`y` is an argument",
    )
    assert apply_edits("x\ny *= 3\n", [edit]) == "x\ny = y * 3\n"


def test_hover_has_the_reason_and_the_rule_docs():
    text = diagnostics.hover_markdown(finding())

    assert "Gradient path: `x` (created with requires_grad=True, line 1)" in text
    assert "## What it does" in text and "## Fix safety" in text
    assert diagnostics.rule_docs_url(finding()) in text


@pytest.mark.parametrize(
    ("only", "kind", "wanted"),
    [
        (None, actions.FIX_ALL_KIND, True),
        (["source"], actions.FIX_ALL_KIND, True),
        (["source.fixAll"], actions.FIX_ALL_KIND, True),
        (["source.organizeImports"], actions.FIX_ALL_KIND, False),
        (["quickfix"], actions.FIX_ALL_KIND, False),
        (["source"], actions.QUICK_FIX_KIND, False),
        (["quickfix"], actions.QUICK_FIX_KIND, True),
    ],
)
def test_requested_kinds_nest_by_dots(only, kind, wanted):
    assert actions.wants_kind(only, kind) is wanted


def test_the_lsp_command_needs_neither_pygls_to_load_nor_torch_to_serve():
    code = (
        "import sys\n"
        "import inplace_fixer.lsp\n"
        "assert 'pygls' not in sys.modules, 'pygls imported by the command module'\n"
        "import inplace_fixer.lsp.server\n"
        "assert 'torch' not in sys.modules, 'torch imported by the server'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_a_bad_tcp_address_is_a_usage_error():
    result = CliRunner().invoke(lsp, ["--tcp", "localhost"])

    assert result.exit_code == 2
    assert "expected HOST:PORT" in result.output

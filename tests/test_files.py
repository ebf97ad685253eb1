"""Reading, writing back and discovering files: bytes must survive, the right files are found."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from inplace_fixer import files
from inplace_fixer.model import Config, FileResult

LATIN1_SOURCE = "# -*- coding: latin-1 -*-\r\nname = 'café'\r\ny = x * 2\r\n".encode("latin-1")
BOM_CRLF_SOURCE = b"\xef\xbb\xbfimport torch\r\ny = torch.ones(2)\r\ny *= 3"


@pytest.mark.parametrize(
    ("data", "encoding", "bom"),
    [
        (b"x = 1\n", "utf-8", False),
        (BOM_CRLF_SOURCE, "utf-8", True),
        (LATIN1_SOURCE, "iso-8859-1", False),
        ("s = 'π'\r\nt = 1\rno_newline = 2".encode(), "utf-8", False),
    ],
)
def test_decode_then_encode_gives_the_same_bytes(data: bytes, encoding: str, bom: bool) -> None:
    source = files.decode_source(data)
    assert (source.encoding, source.bom) == (encoding, bom)
    assert not source.text.startswith(files.BOM)
    assert source.encode(source.text) == data


def test_line_endings_are_not_translated() -> None:
    assert (
        files.decode_source(BOM_CRLF_SOURCE).text == "import torch\r\ny = torch.ones(2)\r\ny *= 3"
    )


def test_latin1_text_is_decoded_by_its_cookie() -> None:
    assert "café" in files.decode_source(LATIN1_SOURCE).text


def test_unknown_encoding_cookie_is_a_read_error() -> None:
    with pytest.raises(files.ReadError, match="unknown encoding"):
        files.decode_source(b"# coding: no-such-codec\nx = 1\n")


def test_undecodable_bytes_name_the_line() -> None:
    with pytest.raises(files.ReadError, match=r"line 2 is not valid utf-8 \(byte 0xff"):
        files.decode_source(b"x = 1\ny = '\xff'\n")


def test_undecodable_first_line_without_a_cookie_names_the_line() -> None:
    with pytest.raises(
        files.ReadError, match=r"line 1 is not valid utf-8 \(byte 0xe9 at offset 5\)"
    ):
        files.decode_source("s = 'é'\n".encode("latin-1"))


def test_missing_file_is_a_read_error(tmp_path: Path) -> None:
    with pytest.raises(files.ReadError, match="No such file or directory"):
        files.read_source(tmp_path / "absent.py")


def test_write_keeps_encoding_bom_and_permissions(tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_bytes(BOM_CRLF_SOURCE)
    path.chmod(0o754)
    source = files.read_source(path)
    files.write_source_atomic(path, source.text.replace("y *= 3", "y = y * 3"), like=source)
    assert path.read_bytes() == BOM_CRLF_SOURCE.replace(b"y *= 3", b"y = y * 3")
    assert stat.S_IMODE(path.stat().st_mode) == 0o754
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.py"]


def test_write_keeps_latin1(tmp_path: Path) -> None:
    path = tmp_path / "legacy.py"
    path.write_bytes(LATIN1_SOURCE)
    source = files.read_source(path)
    files.write_source_atomic(path, source.text.replace("x * 2", "x * 3"), like=source)
    assert path.read_bytes() == LATIN1_SOURCE.replace(b"x * 2", b"x * 3")


def test_write_through_a_symlink_replaces_the_target(tmp_path: Path) -> None:
    target = tmp_path / "real.py"
    target.write_text("a = 1\n")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    files.write_source_atomic(link, "a = 2\n", like=files.read_source(link))
    assert link.is_symlink()
    assert target.read_text() == "a = 2\n"


def test_failed_write_leaves_the_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "model.py"
    path.write_text("a = 1\n")

    def failing_replace(source: str, destination: os.PathLike[str]) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        files.write_source_atomic(path, "a = 2\n", like=files.read_source(path))
    assert path.read_text() == "a = 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.py"]


def test_check_file_gives_the_checker_decoded_text(tmp_path: Path) -> None:
    path = tmp_path / "legacy.py"
    path.write_bytes(LATIN1_SOURCE)
    seen = []

    def fake_check(source: str, path: str, config: Config) -> FileResult:
        seen.append((source, path, config))
        return FileResult(path=path, source=source, fixed_source=source)

    config = Config(unsafe_fixes=True)
    result = files.check_file(path, config, check=fake_check)
    assert seen == [(LATIN1_SOURCE.decode("latin-1"), str(path), config)]
    assert result.error is None


def test_unreadable_file_becomes_an_error_result(tmp_path: Path) -> None:
    def must_not_run(source: str, path: str, config: Config) -> FileResult:
        raise AssertionError("the checker ran on a file that could not be read")

    result = files.check_file(tmp_path / "absent.py", check=must_not_run)
    assert result.error == "cannot read: No such file or directory"


def test_checker_crash_is_not_swallowed(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")

    def crashing(source: str, path: str, config: Config) -> FileResult:
        raise KeyError("tool bug")

    with pytest.raises(KeyError):
        files.check_file(path, check=crashing)


# ---------------------------------------------------------------------------------------------
# discover


def make_tree(root: Path, layout: dict[str, str]) -> None:
    for relative, content in layout.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def found(
    paths: list[Path | str], config: Config = Config(), root: Path | None = None
) -> list[str]:
    base = root or Path.cwd()
    return [
        Path(os.path.relpath(p, base)).as_posix()
        for p in files.discover(paths, config, exclude_root=root)
    ]


def test_directories_yield_python_files_in_sorted_order(tmp_path: Path) -> None:
    make_tree(
        tmp_path, {"b.py": "", "a/z.py": "", "a/b/c.py": "", "notes.txt": "", "a/stub.pyi": ""}
    )
    assert found([tmp_path], root=tmp_path) == ["a/b/c.py", "a/z.py", "b.py"]


def test_hidden_and_virtualenv_directories_are_skipped(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "src/keep.py": "",
            ".hidden/skip.py": "",
            "venv/lib/skip.py": "",
            ".venv/skip.py": "",
            "env/skip.py": "",
            "lib/site-packages/skip.py": "",
            "src/__pycache__/skip.py": "",
            "web/node_modules/skip.py": "",
            "my-env/pyvenv.cfg": "home = /usr/bin\n",
            "my-env/lib/skip.py": "",
        },
    )
    assert found([tmp_path], root=tmp_path) == ["src/keep.py"]


def test_a_named_hidden_or_venv_directory_is_still_walked(tmp_path: Path) -> None:
    make_tree(tmp_path, {".tools/run.py": "", "venv/own.py": ""})
    assert found([tmp_path / ".tools", tmp_path / "venv"], root=tmp_path) == [
        ".tools/run.py",
        "venv/own.py",
    ]


def test_gitignore_files_apply_to_their_subtree(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            ".gitignore": "build/\n*_pb2.py\n",
            "build/gen.py": "",
            "model_pb2.py": "",
            "model.py": "",
            "pkg/.gitignore": "local.py\n!keep_pb2.py\n",
            "pkg/local.py": "",
            "pkg/keep_pb2.py": "",
            "pkg/other_pb2.py": "",
            "other/local.py": "",
        },
    )
    assert found([tmp_path], root=tmp_path) == ["model.py", "other/local.py", "pkg/keep_pb2.py"]


def test_gitignore_above_the_walked_directory_applies_inside_a_repository(tmp_path: Path) -> None:
    make_tree(tmp_path, {".gitignore": "generated/\n", "src/generated/g.py": "", "src/m.py": ""})
    (tmp_path / ".git").mkdir()
    assert found([tmp_path / "src"], root=tmp_path) == ["src/m.py"]


def test_gitignore_outside_any_repository_does_not_reach_down(tmp_path: Path) -> None:
    make_tree(tmp_path, {".gitignore": "generated/\n", "src/generated/g.py": "", "src/m.py": ""})
    assert found([tmp_path / "src"], root=tmp_path) == ["src/generated/g.py", "src/m.py"]


def test_config_exclude_patterns_are_relative_to_the_config_root(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {"legacy/old.py": "", "src/legacy/kept.py": "", "src/new.py": "", "src/x_test.py": ""},
    )
    config = Config(exclude=("/legacy/", "*_test.py"))
    assert found([tmp_path], config, root=tmp_path) == ["src/legacy/kept.py", "src/new.py"]


def test_named_files_are_always_checked(tmp_path: Path) -> None:
    make_tree(
        tmp_path, {".gitignore": "ignored.py\n", "ignored.py": "", "excluded.py": "", "script": ""}
    )
    named = [tmp_path / "script", tmp_path / "ignored.py", tmp_path / "excluded.py"]
    assert found(named, Config(exclude=("excluded.py",)), root=tmp_path) == [
        "excluded.py",
        "ignored.py",
        "script",
    ]


def test_a_file_reached_twice_is_listed_once(tmp_path: Path) -> None:
    make_tree(tmp_path, {"pkg/a.py": ""})
    assert found([tmp_path / "pkg", tmp_path / "pkg" / "a.py", tmp_path], root=tmp_path) == [
        "pkg/a.py"
    ]


def test_relative_paths_stay_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path, {"pkg/a.py": ""})
    monkeypatch.chdir(tmp_path)
    assert [str(p) for p in files.discover(["."])] == ["pkg/a.py"]
    assert [str(p) for p in files.discover(["pkg"])] == [os.path.join("pkg", "a.py")]


def test_a_missing_named_path_is_passed_on_to_fail_when_read(tmp_path: Path) -> None:
    assert list(files.discover([tmp_path / "absent.py"])) == [tmp_path / "absent.py"]

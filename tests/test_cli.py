"""The command line: plumbing through click's CliRunner with a stand-in engine, then end to end
through real ``python -m inplace_fixer`` processes on the real engine, with real ``git apply``
and ``patch -p1``."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import inplace_fixer
from inplace_fixer import cli, engine
from inplace_fixer.model import Applicability, Config, Edit, FileResult, Finding, Fix, Position

REPO_ROOT = Path(inplace_fixer.__file__).resolve().parent.parent
SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


# ---------------------------------------------------------------------------------------------
# A stand-in engine, so the plumbing is tested on its own: `NAME *= VALUE` is IPF001 with a safe
# fix, `NAME.mul_(VALUE)` is IPF002 with an unsafe one, `NAME.data.zero_()` is IPF007 without
# a fix; a file with `CRASH` in it makes the engine raise.


class FakeRule:
    def __init__(self, code: str, name: str, summary: str) -> None:
        self.code, self.name, self.summary = code, name, summary
        self.fixable = "never" if code == "IPF007" else "always"
        self.__doc__ = f"## What it does\n{summary}.\n\n## Fix safety\nNone.\n"


FAKE_RULES = [
    FakeRule("IPF001", "augmented-assignment", "Augmented assignment mutates a tensor in place"),
    FakeRule("IPF002", "inplace-method", "In-place Tensor method"),
    FakeRule("IPF007", "data-mutation", "Mutation through .data"),
]

FAKE_PATTERNS = [
    (
        "IPF001",
        re.compile(r"(?P<name>\w+) \*= (?P<value>[^\r\n]+)"),
        "{name} = {name} * {value}",
        Applicability.SAFE,
    ),
    (
        "IPF002",
        re.compile(r"(?P<name>\w+)\.mul_\((?P<value>[^\r\n]+)\)"),
        "{name} = {name} * {value}",
        Applicability.UNSAFE,
    ),
    ("IPF007", re.compile(r"(?P<name>\w+)\.data\.zero_\(\)"), None, None),
]


def fake_check_source(source: str, path: str = "-", config: Config = Config()) -> FileResult:
    if "CRASH" in source:
        raise RuntimeError("boom")
    try:
        ast.parse(source)
    except SyntaxError as exc:
        return FileResult(
            path=path, source=source, error=f"cannot parse: line {exc.lineno}: {exc.msg}"
        )
    findings, fixed, lines = [], [], source.split("\n")
    for number, line in enumerate(lines, start=1):
        for code, pattern, template, applicability in FAKE_PATTERNS:
            match = pattern.match(line.lstrip())
            if not match or not config.is_selected(code):
                continue
            col = len(line) - len(line.lstrip()) + 1
            start, end = Position(number, col), Position(number, col + match.end())
            fix = None
            if template:
                reason = (
                    None if applicability is Applicability.SAFE else "the tensor may be aliased"
                )
                fix = Fix(
                    applicability, reason, (Edit(start, end, template.format(**match.groupdict())),)
                )
            name = next(rule.name for rule in FAKE_RULES if rule.code == code)
            finding = Finding(path, start, end, code, name, f"{code} fired", fix)
            findings.append(finding)
            if fix and (applicability is Applicability.SAFE or config.unsafe_fixes):
                fixed.append(finding)
                lines[number - 1] = (
                    line[: col - 1] + fix.edits[0].content + line[col - 1 + match.end() :]
                )
    return FileResult(path, source, tuple(findings), "\n".join(lines), tuple(fixed))


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "check_source", fake_check_source)
    monkeypatch.setattr(cli, "load_rules", lambda: FAKE_RULES)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str, input: bytes | str | None = None) -> Result:
    return CliRunner().invoke(cli.cli, list(args), input=input, catch_exceptions=False)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


MIXED = "import torch\ny = torch.ones(2)\ny *= 3\ny.mul_(2)\ny.data.zero_()\n"


# ---------------------------------------------------------------------------------------------
# check: reporting


@pytest.mark.usefixtures("fake_engine")
def test_findings_are_reported_with_exit_1(project: Path) -> None:
    write(project / "m.py", MIXED)
    result = invoke("check", "m.py")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "m.py:3:1: IPF001 IPF001 fired [*]",
        "m.py:4:1: IPF002 IPF002 fired",
        "m.py:5:1: IPF007 IPF007 fired",
    ]
    assert (
        result.stderr == "Found 3 findings (1 fixable with --apply, 1 more with --unsafe-fixes).\n"
    )


@pytest.mark.usefixtures("fake_engine")
def test_clean_file_exits_0(project: Path) -> None:
    write(project / "m.py", "x = 1\n")
    result = invoke("check", "m.py")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "All checks passed.\n")


@pytest.mark.usefixtures("fake_engine")
def test_exit_zero_keeps_0_for_findings_but_not_for_broken_files(project: Path) -> None:
    write(project / "m.py", MIXED)
    assert invoke("check", "--exit-zero", "m.py").exit_code == 0
    write(project / "broken.py", "def f(:\n")
    assert invoke("check", "--exit-zero", "m.py", "broken.py").exit_code == 2


@pytest.mark.usefixtures("fake_engine")
def test_unparsable_file_exits_2_and_the_others_are_still_checked(project: Path) -> None:
    write(project / "a_broken.py", "def f(:\n")
    write(project / "b.py", "y *= 2\n")
    result = invoke("check", ".")
    assert result.exit_code == 2
    assert result.stdout == "b.py:1:1: IPF001 IPF001 fired [*]\n"
    assert result.stderr.startswith("a_broken.py: cannot parse: line 1: ")
    assert result.stderr.endswith(
        "Found 1 finding (1 fixable with --apply). 1 file was not checked.\n"
    )


@pytest.mark.usefixtures("fake_engine")
def test_undecodable_file_is_a_read_error(project: Path) -> None:
    write(project / "bad.py", b"x = '\xff'\n")
    result = invoke("check", "bad.py")
    assert result.exit_code == 2
    assert "bad.py: cannot read: line 1 is not valid utf-8" in result.stderr


@pytest.mark.usefixtures("fake_engine")
def test_missing_path_is_a_read_error(project: Path) -> None:
    result = invoke("check", "absent.py")
    assert result.exit_code == 2
    assert "absent.py: cannot read: No such file or directory" in result.stderr


@pytest.mark.usefixtures("fake_engine")
def test_an_engine_crash_is_reported_for_that_file_only(project: Path) -> None:
    write(project / "a.py", "CRASH = 1\n")
    write(project / "b.py", "y *= 2\n")
    result = invoke("check", "a.py", "b.py")
    assert result.exit_code == 2
    assert result.stdout == "b.py:1:1: IPF001 IPF001 fired [*]\n"
    error_line = next(line for line in result.stderr.splitlines() if line.startswith("a.py:"))
    assert error_line.startswith("a.py: internal error: RuntimeError: boom (traceback in ")
    log = Path(re.search(r"traceback in (\S+);", error_line).group(1))
    assert "RuntimeError: boom" in log.read_text()
    log.unlink()


@pytest.mark.usefixtures("fake_engine")
def test_directories_skip_gitignored_hidden_and_venv_files(project: Path) -> None:
    for relative in ["src/m.py", "src/gen/g.py", ".hidden/h.py", "venv/v.py", "tool-env/t.py"]:
        write(project / relative, "y *= 2\n")
    write(project / "tool-env" / "pyvenv.cfg", "")
    write(project / ".gitignore", "gen/\n")
    result = invoke("check", ".")
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["src/m.py"]


@pytest.mark.usefixtures("fake_engine")
def test_no_python_files(project: Path) -> None:
    (project / "empty").mkdir()
    result = invoke("check", "empty")
    assert (result.exit_code, result.stderr) == (0, "No Python files found.\n")


# ---------------------------------------------------------------------------------------------
# check: selection and configuration


@pytest.mark.usefixtures("fake_engine")
def test_select_and_ignore_flags(project: Path) -> None:
    write(project / "m.py", MIXED)
    selected = invoke("check", "--select", "IPF001,IPF002", "--ignore", "IPF002", "m.py")
    assert [line.split()[1] for line in selected.stdout.splitlines()] == ["IPF001"]
    repeated = invoke("check", "--select", "IPF001", "--select", "IPF007", "m.py")
    assert [line.split()[1] for line in repeated.stdout.splitlines()] == ["IPF001", "IPF007"]


@pytest.mark.usefixtures("fake_engine")
def test_unknown_code_in_a_flag_is_a_usage_error(project: Path) -> None:
    write(project / "m.py", MIXED)
    result = invoke("check", "--select", "E501", "m.py")
    assert result.exit_code == 2
    assert "--select: unknown rule code, prefix or category 'E501'" in result.stderr


@pytest.mark.usefixtures("fake_engine")
def test_pyproject_settings_apply_and_flags_win(project: Path) -> None:
    write(
        project / "pyproject.toml",
        '[tool.inplace-fixer]\nignore = ["IPF007"]\nunsafe-fixes = true\n',
    )
    write(project / "pkg" / "m.py", MIXED)
    result = invoke("check", "pkg")
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["IPF001", "IPF002"]
    assert result.stdout.count("[*]") == 2  # the unsafe fix is on, from the file
    flagged = invoke("check", "--no-unsafe-fixes", "pkg")
    assert flagged.stdout.count("[*]") == 1


@pytest.mark.usefixtures("fake_engine")
def test_config_exclude_skips_files_but_not_named_ones(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.inplace-fixer]\nexclude = ["legacy/"]\n')
    write(project / "legacy" / "old.py", "y *= 2\n")
    write(project / "new.py", "y *= 2\n")
    assert [line.split(":")[0] for line in invoke("check", ".").stdout.splitlines()] == ["new.py"]
    assert invoke("check", "legacy/old.py").stdout.startswith("legacy/old.py:1:1")


@pytest.mark.usefixtures("fake_engine")
def test_unknown_config_key_names_file_and_key(project: Path) -> None:
    pyproject = write(project / "pyproject.toml", "[tool.inplace-fixer]\nselekt = ['IPF001']\n")
    write(project / "m.py", "x = 1\n")
    result = invoke("check", "m.py")
    assert result.exit_code == 2
    assert f"{pyproject.resolve()}: [tool.inplace-fixer]: unknown key 'selekt'" in result.stderr


@pytest.mark.usefixtures("fake_engine")
def test_invalid_toml_is_exit_2(project: Path) -> None:
    write(project / "pyproject.toml", "[tool.inplace-fixer\n")
    write(project / "m.py", "x = 1\n")
    result = invoke("check", "m.py")
    assert result.exit_code == 2
    assert "pyproject.toml: invalid TOML" in result.stderr


@pytest.mark.usefixtures("fake_engine")
def test_explicit_standalone_config(project: Path) -> None:
    write(project / "pyproject.toml", "[tool.inplace-fixer]\nselect = ['IPF007']\n")
    write(project / "ci" / "strict.toml", "select = ['IPF001']\n")
    write(project / "m.py", MIXED)
    result = invoke("check", "--config", "ci/strict.toml", "m.py")
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["IPF001"]
    missing = invoke("check", "--config", "ci/none.toml", "m.py")
    assert missing.exit_code == 2


# ---------------------------------------------------------------------------------------------
# check: write-back modes


@pytest.mark.usefixtures("fake_engine")
def test_apply_writes_safe_fixes_and_reports_what_remains(project: Path) -> None:
    path = write(project / "m.py", MIXED)
    result = invoke("check", "--apply", "m.py")
    assert result.exit_code == 1
    assert path.read_text() == MIXED.replace("y *= 3", "y = y * 3")
    assert result.stdout.splitlines() == [
        "m.py:4:1: IPF002 IPF002 fired",
        "m.py:5:1: IPF007 IPF007 fired",
    ]
    assert (
        result.stderr == "Found 3 findings (1 fixed, 2 remaining, 1 fixable with --unsafe-fixes).\n"
    )


@pytest.mark.usefixtures("fake_engine")
def test_apply_exits_0_when_everything_is_fixed(project: Path) -> None:
    path = write(project / "m.py", "y *= 3\ny.mul_(2)\n")
    result = invoke("check", "--apply", "--unsafe-fixes", "m.py")
    assert (result.exit_code, result.stdout) == (0, "")
    assert path.read_text() == "y = y * 3\ny = y * 2\n"


@pytest.mark.usefixtures("fake_engine")
def test_diff_prints_and_changes_nothing(project: Path) -> None:
    path = write(project / "m.py", MIXED)
    result = invoke("check", "--diff", "m.py")
    assert result.exit_code == 1
    assert path.read_text() == MIXED
    assert result.stdout.splitlines() == [
        "--- a/m.py",
        "+++ b/m.py",
        "@@ -1,5 +1,5 @@",
        " import torch",
        " y = torch.ones(2)",
        "-y *= 3",
        "+y = y * 3",
        " y.mul_(2)",
        " y.data.zero_()",
    ]
    assert (
        "m.py:4:1: IPF002" in result.stderr
    )  # what the diff leaves is on stderr, not in the patch


@pytest.mark.usefixtures("fake_engine")
def test_diff_exit_code(project: Path) -> None:
    write(project / "clean.py", "x = 1\n")
    write(project / "unfixable.py", "y.data.zero_()\n")
    assert (
        invoke("check", "--diff", "clean.py").exit_code,
        invoke("check", "--diff", "clean.py").stdout,
    ) == (0, "")
    unfixable = invoke("check", "--diff", "unfixable.py")
    assert (unfixable.exit_code, unfixable.stdout) == (1, "")


@pytest.mark.usefixtures("fake_engine")
def test_conflicting_and_mismatched_flags_are_usage_errors(project: Path) -> None:
    write(project / "m.py", MIXED)
    both = invoke("check", "--diff", "--apply", "m.py")
    assert both.exit_code == 2 and "--diff and --apply cannot be used together" in both.stderr
    assert invoke("check", "--diff", "--format", "json", "m.py").exit_code == 2
    assert invoke("check", "-", "m.py", input="x = 1\n").exit_code == 2
    assert invoke("check").exit_code == 2
    assert invoke("check", "--format", "xml", "m.py").exit_code == 2


@pytest.mark.usefixtures("fake_engine")
def test_diff_of_a_crlf_bom_latin1_tree_applies_with_git(project: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("needs git")
    originals = {
        "crlf.py": b"\xef\xbb\xbfimport torch\r\ny = torch.ones(2)\r\ny *= 3",
        "latin.py": "# coding: latin-1\ns = 'café'\ny *= 3\n".encode("latin-1"),
    }
    for name, data in originals.items():
        write(project / name, data)
    diff = invoke("check", "--diff", ".")
    subprocess.run(["git", "init", "-q"], check=True)
    subprocess.run(["git", "apply", "-"], input=diff.stdout_bytes, check=True)
    patched = {name: (project / name).read_bytes() for name in originals}
    for name, data in originals.items():
        write(project / name, data)
    invoke("check", "--apply", ".")
    assert patched == {name: (project / name).read_bytes() for name in originals}
    assert patched["latin.py"] == originals["latin.py"].replace(b"y *= 3", b"y = y * 3")


# ---------------------------------------------------------------------------------------------
# check: formats


@pytest.mark.usefixtures("fake_engine")
def test_json_format(project: Path) -> None:
    write(project / "m.py", MIXED)
    result = invoke("check", "--format", "json", "m.py")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert [(f["path"], f["line"], f["code"]) for f in findings] == [
        ("m.py", 3, "IPF001"),
        ("m.py", 4, "IPF002"),
        ("m.py", 5, "IPF007"),
    ]
    assert findings[1]["fix"]["applicability"] == "unsafe"
    assert result.stderr == ""


@pytest.mark.usefixtures("fake_engine")
def test_sarif_format_validates(project: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    write(project / "pkg" / "m.py", MIXED)
    result = invoke("check", "--format", "sarif", ".")
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(log)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert uris == {"pkg/m.py"}


# ---------------------------------------------------------------------------------------------
# check: standard input


@pytest.mark.usefixtures("fake_engine")
def test_stdin_is_reported_under_its_filename(project: Path) -> None:
    result = invoke("check", "--stdin-filename", "src/m.py", "-", input=MIXED)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "src/m.py:3:1: IPF001 IPF001 fired [*]"


@pytest.mark.usefixtures("fake_engine")
def test_stdin_apply_writes_the_fixed_source_to_stdout(project: Path) -> None:
    source = b"\xef\xbb\xbfy = 1\r\ny *= 3\r\ny.data.zero_()"
    result = invoke("check", "--apply", "-", input=source)
    assert result.stdout_bytes == source.replace(b"y *= 3", b"y = y * 3")
    assert result.exit_code == 1
    assert "-:3:1: IPF007" in result.stderr


@pytest.mark.usefixtures("fake_engine")
def test_stdin_apply_gives_back_unparsable_input_unchanged(project: Path) -> None:
    result = invoke("check", "--apply", "-", input="def f(:\n")
    assert (result.exit_code, result.stdout) == (2, "def f(:\n")
    assert "-: cannot parse" in result.stderr


@pytest.mark.usefixtures("fake_engine")
def test_stdin_config_is_found_from_the_stdin_filename(project: Path) -> None:
    write(project / "sub" / "inplace-fixer.toml", "ignore = ['IPF001']\n")
    result = invoke("check", "--stdin-filename", "sub/m.py", "-", input=MIXED)
    assert "IPF001" not in result.stdout


# ---------------------------------------------------------------------------------------------
# rules and help


@pytest.mark.usefixtures("fake_engine")
def test_rules_lists_every_rule() -> None:
    result = invoke("rules")
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.stdout.splitlines()[1:]] == [
        "IPF001",
        "IPF002",
        "IPF007",
    ]


@pytest.mark.usefixtures("fake_engine")
def test_rules_code_prints_the_docs() -> None:
    result = invoke("rules", "ipf002")
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "IPF002 (inplace-method)\n\n## What it does\nIn-place Tensor method."
    )


@pytest.mark.usefixtures("fake_engine")
def test_rules_unknown_code_is_exit_2() -> None:
    result = invoke("rules", "IPF999")
    assert result.exit_code == 2
    assert "unknown rule code 'IPF999'" in result.stderr


def test_help_documents_exit_codes() -> None:
    for args in (["--help"], ["check", "--help"]):
        output = invoke(*args).stdout
        assert "Exit codes:" in output
        assert (
            "2  usage or configuration error, or a file that could not be read or parsed" in output
        )


def test_exit_code_decision() -> None:
    fixable = Finding("m.py", Position(1, 1), Position(1, 2), "IPF001", "n", "m", None)
    clean = FileResult("c.py", "x", fixed_source="x")
    found = FileResult("m.py", "a", (fixable,), fixed_source="a")
    fixed = FileResult("m.py", "a", (fixable,), fixed_source="b", fixed=(fixable,))
    broken = FileResult("b.py", "", error="cannot parse: x")
    mode = cli.WriteBack
    assert cli.exit_code([clean], mode.CHECK, exit_zero=False) == 0
    assert cli.exit_code([clean, found], mode.CHECK, exit_zero=False) == 1
    assert cli.exit_code([found], mode.CHECK, exit_zero=True) == 0
    assert cli.exit_code([fixed], mode.CHECK, exit_zero=False) == 1
    assert cli.exit_code([fixed], mode.APPLY, exit_zero=False) == 0
    assert cli.exit_code([fixed], mode.DIFF, exit_zero=False) == 1
    assert cli.exit_code([found], mode.APPLY, exit_zero=False) == 1
    assert cli.exit_code([clean, broken], mode.CHECK, exit_zero=True) == 2


# ---------------------------------------------------------------------------------------------
# Real processes


def run(*args: str, cwd: Path, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    }
    return subprocess.run(
        [sys.executable, "-m", "inplace_fixer", *args],
        cwd=cwd,
        input=input,
        capture_output=True,
        env=env,
        timeout=120,
    )


def test_importing_the_cli_imports_neither_torch_nor_pygls(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from inplace_fixer.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'pygls', 'lsprotocol'}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert done.stdout.splitlines()[-1] == "[]"


SAMPLE = (
    "import torch\n"
    "x = torch.randn(3, requires_grad=True)\n"
    "y = x * 2\n"
    "y = torch.sigmoid(y)\n"
    "y.mul_(2)\n"
)


def test_real_engine_reports_the_sample(tmp_path: Path) -> None:
    write(tmp_path / "sample.py", SAMPLE)
    done = run("check", "sample.py", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stdout.decode().startswith("sample.py:5:1: IPF002 ")


def test_real_engine_apply_then_check_is_clean(tmp_path: Path) -> None:
    path = write(tmp_path / "sample.py", SAMPLE)
    applied = run("check", "--apply", "--unsafe-fixes", "sample.py", cwd=tmp_path)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert path.read_text() != SAMPLE
    compile(path.read_text(), "sample.py", "exec")
    again = run("check", "sample.py", cwd=tmp_path)
    assert again.returncode == 0, again.stdout


def sample_variants() -> dict[str, bytes]:
    """The sample stored in the ways a rewrite must keep: CRLF with a BOM and no final newline,
    a latin-1 cookie, and a plain file missing its last newline."""
    crlf = SAMPLE.replace("\n", "\r\n").rstrip("\r\n")
    latin = "# -*- coding: latin-1 -*-\n# café\n" + SAMPLE
    return {
        "bom_crlf.py": b"\xef\xbb\xbf" + crlf.encode(),
        "latin.py": latin.encode("latin-1"),
        "no_newline.py": SAMPLE.rstrip("\n").encode(),
    }


def restore(root: Path, variants: dict[str, bytes]) -> None:
    for name, data in variants.items():
        (root / name).write_bytes(data)


@pytest.mark.skipif(
    shutil.which("git") is None or shutil.which("patch") is None, reason="needs git and patch"
)
def test_real_diff_applied_by_git_and_patch_equals_apply(tmp_path: Path) -> None:
    variants = sample_variants()
    restore(tmp_path, variants)
    diff = run("check", "--diff", "--unsafe-fixes", ".", cwd=tmp_path)
    assert diff.returncode == 1 and diff.stdout, diff.stderr
    assert {name.decode() for name in re.findall(rb"^\+\+\+ b/(\S+)$", diff.stdout, re.M)} == set(
        variants
    )

    applied = run("check", "--apply", "--unsafe-fixes", ".", cwd=tmp_path)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    expected = {name: (tmp_path / name).read_bytes() for name in variants}
    assert (
        expected["bom_crlf.py"].startswith(b"\xef\xbb\xbf") and b"\r\n" in expected["bom_crlf.py"]
    )
    assert not expected["bom_crlf.py"].endswith(b"\n")
    assert "café".encode("latin-1") in expected["latin.py"]

    restore(tmp_path, variants)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(
        ["git", "apply", "-"], cwd=tmp_path, input=diff.stdout, check=True, capture_output=True
    )
    assert {name: (tmp_path / name).read_bytes() for name in variants} == expected

    restore(tmp_path, variants)
    subprocess.run(
        ["patch", "-p1", "--binary", "--quiet"], cwd=tmp_path, input=diff.stdout, check=True
    )
    assert {name: (tmp_path / name).read_bytes() for name in variants} == expected


def test_real_unchanged_files_keep_their_bytes(tmp_path: Path) -> None:
    clean = {
        "bom_crlf.py": b"\xef\xbb\xbfimport torch\r\nx = torch.ones(3)\r\n",
        "latin.py": "# -*- coding: latin-1 -*-\ns = 'café'\n".encode("latin-1"),
    }
    restore(tmp_path, clean)
    done = run("check", "--apply", ".", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert {name: (tmp_path / name).read_bytes() for name in clean} == clean


def test_real_unparsable_file_exits_2_and_others_are_reported(tmp_path: Path) -> None:
    write(tmp_path / "a_broken.py", "def f(:\n    y *= 2\n")
    write(tmp_path / "b.py", SAMPLE)
    done = run("check", ".", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.decode().startswith("a_broken.py: cannot parse: ")
    assert done.stdout.decode().startswith("b.py:5:1: IPF002 ")


def test_real_stdin_apply(tmp_path: Path) -> None:
    done = run(
        "check",
        "--apply",
        "--unsafe-fixes",
        "--stdin-filename",
        "m.py",
        "-",
        cwd=tmp_path,
        input=SAMPLE.encode(),
    )
    assert done.returncode == 0, done.stderr
    path = write(tmp_path / "m.py", SAMPLE)
    run("check", "--apply", "--unsafe-fixes", "m.py", cwd=tmp_path)
    assert done.stdout == path.read_bytes()


def test_real_directory_walk_respects_gitignore_and_skips_venvs(tmp_path: Path) -> None:
    for relative in [
        "src/m.py",
        "src/generated/g.py",
        ".cache/c.py",
        ".venv/lib/v.py",
        "env2/lib/e.py",
    ]:
        write(tmp_path / relative, SAMPLE)
    write(tmp_path / "env2" / "pyvenv.cfg", "home = /usr\n")
    write(tmp_path / ".gitignore", "generated/\n")
    done = run("check", ".", cwd=tmp_path)
    assert {line.split(":")[0] for line in done.stdout.decode().splitlines()} == {"src/m.py"}


def test_real_rules_listing_and_docs(tmp_path: Path) -> None:
    listing = run("rules", cwd=tmp_path)
    assert listing.returncode == 0
    codes = [line.split()[0] for line in listing.stdout.decode().splitlines()[1:]]
    assert codes == sorted(codes) and {"IPF001", "IPF002", "IPF007"} <= set(codes)
    doc = run("rules", "IPF001", cwd=tmp_path)
    assert doc.returncode == 0 and b"Why is this bad?" in doc.stdout
    unknown = run("rules", "IPF999", cwd=tmp_path)
    assert unknown.returncode == 2 and b"unknown rule code 'IPF999'" in unknown.stderr


def test_real_sarif_validates_and_describes_every_rule(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    write(tmp_path / "pkg" / "sample.py", SAMPLE)
    done = run("check", "--format", "sarif", ".", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    log = json.loads(done.stdout)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(log)
    (run_log,) = log["runs"]
    for rule in run_log["tool"]["driver"]["rules"]:
        assert rule["fullDescription"]["text"] != rule["shortDescription"]["text"], rule["id"]
    (result,) = run_log["results"]
    assert result["ruleId"] == "IPF002"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "pkg/sample.py"
    assert location["region"]["startLine"] == 5

"""Settings from pyproject.toml / inplace-fixer.toml, flags on top, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from inplace_fixer.config import (
    ConfigError,
    Overrides,
    find_config_file,
    load_config_file,
    parse_code_list,
    resolve_settings,
)
from inplace_fixer.model import Config

CODES = ("IPF001", "IPF002", "IPF006", "IPF007")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_pyproject_table_is_read(tmp_path: Path) -> None:
    pyproject = write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.inplace-fixer]\nselect = ["IPF00"]\nignore = ["IPF007"]\n'
        'unsafe-fixes = true\nexclude = ["gen/"]\n',
    )
    assert load_config_file(pyproject) == Config(
        select=("IPF00",), ignore=("IPF007",), unsafe_fixes=True, exclude=("gen/",)
    )


def test_standalone_file_has_keys_at_top_level(tmp_path: Path) -> None:
    standalone = write(tmp_path / "inplace-fixer.toml", 'ignore = ["IPF006"]\n')
    assert load_config_file(standalone) == Config(ignore=("IPF006",))


def test_pyproject_without_the_table_gives_defaults(tmp_path: Path) -> None:
    assert load_config_file(write(tmp_path / "pyproject.toml", "[tool.black]\n")) == Config()


def test_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    pyproject = write(tmp_path / "pyproject.toml", "[tool.inplace-fixer]\nunsafe_fixes = true\n")
    with pytest.raises(ConfigError) as caught:
        load_config_file(pyproject)
    message = str(caught.value)
    assert str(pyproject) in message
    assert "unknown key 'unsafe_fixes'" in message
    assert "unsafe-fixes" in message  # the known keys are listed, so the typo is obvious


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('select = "IPF001"', "'select' must be a list of strings"),
        ("exclude = [1]", "'exclude' must be a list of strings"),
        ('unsafe-fixes = "yes"', "'unsafe-fixes' must be true or false"),
    ],
)
def test_mistyped_values_are_errors(tmp_path: Path, body: str, expected: str) -> None:
    standalone = write(tmp_path / "inplace-fixer.toml", body + "\n")
    with pytest.raises(ConfigError, match=expected):
        load_config_file(standalone)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    broken = write(tmp_path / "pyproject.toml", "[tool.inplace-fixer\n")
    with pytest.raises(ConfigError, match=rf"{tmp_path}.*pyproject.toml: invalid TOML"):
        load_config_file(broken)


def test_search_walks_up_and_skips_pyprojects_without_the_table(tmp_path: Path) -> None:
    root_config = write(tmp_path / "pyproject.toml", "[tool.inplace-fixer]\n")
    write(tmp_path / "pkg" / "pyproject.toml", "[project]\nname = 'pkg'\n")
    source = write(tmp_path / "pkg" / "src" / "m.py", "")
    assert find_config_file(source) == root_config.resolve()


def test_standalone_file_wins_over_pyproject_in_the_same_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.inplace-fixer]\n")
    standalone = write(tmp_path / "inplace-fixer.toml", "")
    assert find_config_file(tmp_path) == standalone.resolve()


def test_no_config_anywhere_gives_defaults_anchored_at_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = resolve_settings(tmp_path, known_codes=CODES)
    assert (settings.config, settings.path, settings.root) == (Config(), None, tmp_path)


def test_flags_override_the_file(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[tool.inplace-fixer]\nselect = ["IPF001"]\nunsafe-fixes = true\n',
    )
    settings = resolve_settings(
        tmp_path, Overrides(select=("IPF002",), unsafe_fixes=False), known_codes=CODES
    )
    assert settings.config.select == ("IPF002",)
    assert settings.config.unsafe_fixes is False
    assert settings.root == tmp_path.resolve()


def test_values_not_given_as_flags_come_from_the_file(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[tool.inplace-fixer]\nignore = ["IPF006"]\nunsafe-fixes = true\n',
    )
    settings = resolve_settings(tmp_path / "m.py", Overrides(), known_codes=CODES)
    assert settings.config == Config(ignore=("IPF006",), unsafe_fixes=True)


def test_explicit_config_file_is_used_instead_of_the_search(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.inplace-fixer]\nignore = ["IPF001"]\n')
    chosen = write(tmp_path / "ci" / "inplace-fixer.toml", 'ignore = ["IPF002"]\n')
    settings = resolve_settings(tmp_path, config_file=chosen, known_codes=CODES)
    assert settings.config.ignore == ("IPF002",)
    assert settings.path == chosen
    assert settings.root == chosen.parent.resolve()


def test_unknown_code_in_the_file_names_the_file(tmp_path: Path) -> None:
    pyproject = write(tmp_path / "pyproject.toml", '[tool.inplace-fixer]\nignore = ["E501"]\n')
    with pytest.raises(ConfigError, match=rf"{pyproject}.*unknown rule code, prefix or category 'E501'"):
        resolve_settings(tmp_path, known_codes=CODES)


def test_unknown_code_in_a_flag_names_the_flag(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--select: unknown rule code, prefix or category 'IPF9'"):
        resolve_settings(tmp_path, Overrides(select=("IPF9",)), known_codes=CODES)


def test_prefixes_are_accepted(tmp_path: Path) -> None:
    settings = resolve_settings(
        tmp_path, Overrides(select=("IPF",), ignore=("IPF00",)), known_codes=CODES
    )
    assert (settings.config.select, settings.config.ignore) == (("IPF",), ("IPF00",))


def test_code_lists_are_comma_separated_and_repeatable() -> None:
    assert parse_code_list(["IPF001, ipf002", "IPF006", ""]) == ("IPF001", "IPF002", "IPF006")


def test_a_category_is_a_valid_selector(tmp_path):
    settings = resolve_settings(tmp_path, Overrides(select=("BREAKS-BACKWARD",)), known_codes=("IPF001", "IPF002"))
    assert settings.config.select == ("BREAKS-BACKWARD",)
    assert settings.config.is_selected("IPF001")
    assert settings.config.is_category_selected("breaks-backward")
    assert not settings.config.is_category_selected("in-gradient-path")

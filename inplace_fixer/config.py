"""The user's settings: ``[tool.inplace-fixer]`` in pyproject.toml or a standalone
inplace-fixer.toml, overridden by command-line flags.

Settings are found by walking up from the first checked path; ``--config FILE`` names one directly.
A standalone file holds the same keys at top level. Anything unknown or mistyped is an error naming
the file and the key, never silently ignored.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import tomllib

from inplace_fixer import guard
from inplace_fixer.model import CATEGORIES, Config, is_category

PYPROJECT = "pyproject.toml"
STANDALONE = "inplace-fixer.toml"
TABLE = "tool.inplace-fixer"

_LIST_KEYS = {"select": "select", "ignore": "ignore", "exclude": "exclude"}
_BOOL_KEYS = {"unsafe-fixes": "unsafe_fixes"}
KNOWN_KEYS = tuple(sorted({*_LIST_KEYS, *_BOOL_KEYS}))


class ConfigError(Exception):
    """The configuration is unusable; the message names the file (or flag) and the cause."""


@dataclass(frozen=True)
class Settings:
    config: Config
    path: Path | None  # the file the settings came from, None for the defaults
    root: Path  # where ``exclude`` patterns are anchored: the file's directory, else the cwd


@dataclass(frozen=True)
class Overrides:
    """What the command line says; None (or empty) means "not given, keep the file's value"."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unsafe_fixes: bool | None = None


def find_config_file(start: Path) -> Path | None:
    """The nearest inplace-fixer.toml, or pyproject.toml with a [tool.inplace-fixer] table, in
    ``start`` or a directory above it."""
    start = guard.identity(start)  # a symlink loop is the file's own error, reported when it is read
    directory = start if start.is_dir() else start.parent
    for candidate_dir in (directory, *directory.parents):
        standalone = candidate_dir / STANDALONE
        if standalone.is_file():
            return standalone
        pyproject = candidate_dir / PYPROJECT
        if pyproject.is_file() and "inplace-fixer" in _read_toml(pyproject).get("tool", {}):
            return pyproject
    return None


def load_config_file(path: Path) -> Config:
    """The settings in ``path``: its [tool.inplace-fixer] table if it is a pyproject.toml, its top
    level otherwise."""
    document = _read_toml(path)
    if path.name == PYPROJECT:
        table = document.get("tool", {}).get("inplace-fixer", {})
        where = f"{path}: [{TABLE}]"
    else:
        table = document
        where = str(path)
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    return config_from_table(table, where)


def config_from_table(table: dict, where: str) -> Config:
    values: dict = {}
    for key, value in table.items():
        if key in _LIST_KEYS:
            if not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
                raise ConfigError(f"{where}: '{key}' must be a list of strings, got {value!r}")
            values[_LIST_KEYS[key]] = tuple(value)
        elif key in _BOOL_KEYS:
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: '{key}' must be true or false, got {value!r}")
            values[_BOOL_KEYS[key]] = value
        else:
            raise ConfigError(f"{where}: unknown key '{key}' (known keys: {', '.join(KNOWN_KEYS)})")
    return Config(**values)


def resolve_settings(
    start: Path,
    overrides: Overrides = Overrides(),
    config_file: Path | None = None,
    *,
    known_codes: Collection[str],
) -> Settings:
    """Settings from ``config_file`` (or the one found above ``start``), then the flags on top.

    Every rule code or prefix, in the file or the flags, must select at least one of
    ``known_codes``.
    """
    path = config_file or find_config_file(start)
    config = load_config_file(path) if path else Config()
    if path:
        check_selectors((*config.select, *config.ignore), known_codes, str(path))
    check_selectors(overrides.select, known_codes, "--select")
    check_selectors(overrides.ignore, known_codes, "--ignore")
    if overrides.select:
        config = replace(config, select=overrides.select)
    if overrides.ignore:
        config = replace(config, ignore=overrides.ignore)
    if overrides.unsafe_fixes is not None:
        config = replace(config, unsafe_fixes=overrides.unsafe_fixes)
    root = path.resolve().parent if path else Path.cwd()
    return Settings(config=config, path=path, root=root)


def check_selectors(selectors: Iterable[str], known_codes: Iterable[str], where: str) -> None:
    """Refuse a code or prefix that selects no rule: it is almost always a typo."""
    codes = tuple(known_codes)
    for selector in selectors:
        if is_category(selector):
            continue
        if not any(code.startswith(selector) for code in codes):
            raise ConfigError(
                f"{where}: unknown rule code, prefix or category '{selector}' "
                f"(categories: {', '.join(CATEGORIES)})"
            )


def parse_code_list(values: Iterable[str]) -> tuple[str, ...]:
    """Flag values as the user typed them, repeated and comma-separated: ``IPF001,IPF002``."""
    return tuple(
        code.strip().upper() for value in values for code in value.split(",") if code.strip()
    )


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc

"""Settings for one document: the project's file, then what the editor sends on top.

The project's settings come from the nearest ``[tool.inplace-fixer]`` table (or
inplace-fixer.toml) above the document, read again for every analysis so that an edited file
takes effect at once. The editor's settings come from ``initializationOptions`` and
``workspace/didChangeConfiguration``, as ``{"select": [...], "ignore": [...], "unsafeFixes":
bool}`` (optionally nested under an ``"inplace-fixer"`` key); a key the editor sets overrides
the file's value, a key it leaves out keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from inplace_fixer import config as project_config
from inplace_fixer import rules
from inplace_fixer.model import Config

SECTION = "inplace-fixer"
_LIST_KEYS = {"select": "select", "ignore": "ignore"}
_BOOL_KEYS = {"unsafeFixes": "unsafe_fixes"}


class SettingsError(ValueError):
    """Editor settings that cannot be used; the message names the key and the cause."""


@dataclass(frozen=True)
class EditorSettings:
    """The Config fields the editor set; fields it did not set are absent."""

    overrides: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def from_json(cls, value: Any, where: str) -> EditorSettings:
        if value is None:
            return cls()
        if isinstance(value, dict) and isinstance(value.get(SECTION), dict):
            value = value[SECTION]
        if not isinstance(value, dict):
            raise SettingsError(f"{where}: settings must be an object, got {value!r}")
        overrides = []
        for key, item in value.items():
            if key in _LIST_KEYS:
                if not (isinstance(item, list) and all(isinstance(code, str) for code in item)):
                    raise SettingsError(f"{where}: '{key}' must be a list of strings, got {item!r}")
                codes = tuple(code.strip().upper() for code in item)
                try:
                    project_config.check_selectors(codes, rules.RULES_BY_CODE, f"{where}: '{key}'")
                except project_config.ConfigError as error:
                    raise SettingsError(str(error)) from error
                overrides.append((_LIST_KEYS[key], codes))
            elif key in _BOOL_KEYS:
                if not isinstance(item, bool):
                    raise SettingsError(f"{where}: '{key}' must be true or false, got {item!r}")
                overrides.append((_BOOL_KEYS[key], item))
            elif key != SECTION:
                known = ", ".join((*_LIST_KEYS, *_BOOL_KEYS))
                raise SettingsError(f"{where}: unknown setting '{key}' (known: {known})")
        return cls(tuple(overrides))

    def apply_to(self, config: Config) -> Config:
        return replace(config, **dict(self.overrides))


def document_config(path: Path | None, editor: EditorSettings) -> Config:
    """The configuration for a document at ``path`` (None when it is not a file on disk).

    Raises ``config.ConfigError`` for an unusable settings file."""
    config = Config()
    if path is not None:
        found = project_config.find_config_file(path)
        if found is not None:
            config = project_config.load_config_file(found)
            selectors = (*config.select, *config.ignore)
            project_config.check_selectors(selectors, rules.RULES_BY_CODE, str(found))
    return editor.apply_to(config)

"""Codemod commands over ``check_source``: each applies the fixes its configuration allows.

The commands hold no analysis of their own. The engine finds and fixes; a command turns the
engine's result into what the LibCST runner expects: a new tree, ``SkipFile`` when nothing
changed, and one warning per finding left in the file saying why it was not fixed.

Run them without a formatter (``--no-format``): the fixes are minimal edits, and reformatting
would rewrite lines the user never asked to touch.
"""

from __future__ import annotations

import argparse
from abc import abstractmethod

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext, SkipFile

from inplace_fixer import rules
from inplace_fixer.config import ConfigError, check_selectors, parse_code_list
from inplace_fixer.engine import check_source
from inplace_fixer.model import Applicability, Config, FileResult, Finding


class _FixInplaceCommand(CodemodCommand):
    """What every command shares; a subclass only says which fixes its configuration allows."""

    @property
    @abstractmethod
    def config(self) -> Config: ...

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        path = self.context.filename or "-"
        result = check_source(tree.code, path, self.config)
        if result.error is not None:
            self.warn(f"not checked: {result.error}")
            raise SkipFile(result.error)
        for finding in result.remaining:
            self.warn(_why_not_fixed(finding, self.config))
        if not result.changed:
            raise SkipFile("no fix to apply")
        return _parse_like(result, tree)


class FixInplace(_FixInplaceCommand):
    DESCRIPTION = (
        "Rewrite in-place tensor mutations out of place where that keeps the program's meaning "
        "(safe fixes); warn about the rest."
    )

    @property
    def config(self) -> Config:
        return Config()


class FixInplaceUnsafe(_FixInplaceCommand):
    DESCRIPTION = (
        "Rewrite in-place tensor mutations out of place, including unsafe fixes whose effect "
        "can be observed elsewhere (aliases, views, the caller's tensor); review the diff."
    )

    @property
    def config(self) -> Config:
        return Config(unsafe_fixes=True)


class FixInplaceSelect(_FixInplaceCommand):
    DESCRIPTION = "Rewrite in-place tensor mutations out of place for the chosen rule codes only."

    def __init__(
        self,
        context: CodemodContext,
        select: tuple[str, ...] = ("IPF",),
        ignore: tuple[str, ...] = (),
        unsafe_fixes: bool = False,
    ) -> None:
        super().__init__(context)
        self._config = Config(select=tuple(select), ignore=tuple(ignore), unsafe_fixes=unsafe_fixes)

    @property
    def config(self) -> Config:
        return self._config

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--select",
            type=_rule_codes,
            default=("IPF",),
            metavar="CODES",
            help="Comma-separated rule codes, prefixes or categories (breaks-backward, ...) to fix "
            "(default: IPF, every rule).",
        )
        arg_parser.add_argument(
            "--ignore",
            type=_rule_codes,
            default=(),
            metavar="CODES",
            help="Comma-separated rule codes, prefixes or categories to leave alone.",
        )
        arg_parser.add_argument(
            "--unsafe-fixes",
            action="store_true",
            help="Also apply fixes marked unsafe.",
        )


def _rule_codes(value: str) -> tuple[str, ...]:
    """An argparse type: a typo in a code is refused before any file is touched."""
    codes = parse_code_list([value])
    try:
        check_selectors(codes, [rule.code for rule in rules.ALL_RULES], "codes")
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from error
    return codes


def _why_not_fixed(finding: Finding, config: Config) -> str:
    where = f"{finding.start.line}:{finding.start.col} {finding.code} {finding.message}"
    fix = finding.fix
    if fix is None:
        return f"{where}; report only, no automatic fix exists"
    if fix.applicability is Applicability.DISPLAY_ONLY:
        return f"{where}; not fixed: {fix.reason}"
    if fix.applicability is Applicability.UNSAFE and not config.unsafe_fixes:
        return f"{where}; unsafe fix not applied: {fix.reason} (FixInplaceUnsafe applies it)"
    # An allowed fix that did not make it into the output (it overlapped another one).
    return f"{where}; fix not applied, run the command again"


def _parse_like(result: FileResult, original: cst.Module) -> cst.Module:
    """The fixed source as a tree that writes back with the original file's encoding."""
    assert result.fixed_source is not None  # ``changed`` implies it
    return cst.parse_module(result.fixed_source, config=original.config_for_parsing)

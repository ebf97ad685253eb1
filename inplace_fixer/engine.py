"""The library entry point: parse -> infer -> find -> fix, for one source text.

``check_source`` is what the CLI, the language server and the codemods call. It never prints and
never raises for bad input: a source that does not parse becomes ``FileResult.error``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from dataclasses import dataclass
from typing import Optional, Sequence, Union

import libcst as cst

from inplace_fixer import changes_elsewhere, guard
from inplace_fixer.any_pattern import AnyPattern
from inplace_fixer import rules as rule_registry
from inplace_fixer.categories import categorize
from inplace_fixer.cst_build import Unsupported, built_module
from inplace_fixer.cst_build.twins import positions_and_twins
from inplace_fixer.cst_parse import parse_module
from inplace_fixer.fix_edits import public_fix, render, suggestion
from inplace_fixer.inference.imports import MAX_IMPORT_DEPTH, resolver_for, top_level
from inplace_fixer.inference import reuse
from inplace_fixer.inference.interpreter import Interpreter
from inplace_fixer.inference.values import Reason
from inplace_fixer.model import Applicability, Config, FileResult, Finding, Position
from inplace_fixer.output_check import FixerBug, check_edited_statements_parse, check_parses
from inplace_fixer.pending_graphs import mutation_allowed_statements
from inplace_fixer.positions import positions_and_code, positions_by_statement
from inplace_fixer.reparse import DocumentParses
from inplace_fixer.rules.base import ProposedFix, Report, Rule, RuleContext
from inplace_fixer.source import first_line, line_offsets, physical_lines, quoting
from inplace_fixer.suppression import is_suppressed, suppressions

# Syntax that can mutate a tensor in place. A file without any skips parsing and analysis. Each
# pattern starts with a literal, for the regex engine's fast scan (any_pattern.py): a lookbehind
# after the literal checks what comes before it.
_MAY_MUTATE = AnyPattern(
    r"\]\s*=(?!=)",  # element assignment
    r"=(?<=[-+*/%&|^]=)(?!=)", r"(?:<<|>>)=(?!=)",  # augmented assignment (`**=` ends in `*=`)
    r"_(?<=[A-Za-z0-9]_)\s*\(",  # foo_( : in-place method or function
    r",\s*True\b", r"inplace(?<!\winplace)\b", r"out(?<!\wout)\s*=(?!=)",  # nn.Dropout(p, True), inplace=True, out=
    r"\.data\b",
    # IPF009: changes of what a forward saved
    r"\.step\s*\(", r"load_state_dict(?<!\wload_state_dict)\b", r"\.apply\s*\(",
)
_MAX_FIX_PASSES = 4


@dataclass(frozen=True)
class _Located:
    rule: type[Rule]
    report: Report
    finding: Finding


def check_source(
    source: str, path: str = "-", config: Config = Config(), *, fix: bool = True,
    parses: Optional[DocumentParses] = None,
) -> FileResult:
    """Findings for ``source`` and the source with the fixes ``config`` allows applied.

    With ``fix=False`` only the findings (each with its fix and edits) are computed and
    ``fixed_source`` is None: an editor needs the whole fixed source only for "fix all".
    ``parses`` (the language server's, one per open document) holds the document's previous
    parse: only the statements an edit touched are parsed again (reparse.py)."""
    # Without fixes, only suppressions and positions read the AST's lines, through ``parses``.
    reused = parses.reparse(source, lazy_lines=not fix) if parses is not None else None
    # The module an import of this file parsed, when this process checks many files
    # (inference/parsed_files.py). Not for the language server's documents, whose nodes change in
    # place as the user types.
    resolver = resolver_for(path) if parses is None else None
    shared = resolver if resolver is not None and resolver.planned is not None else None
    key = Path(path).resolve() if shared is not None else None
    known = shared.parsed.get(key, source) if shared is not None else None
    # What Python's own parser rejects, and nesting that would crash libcst's native parser or
    # exhaust the recursion limit, never reaches libcst (see guard.py; reparse.py guards each
    # piece it parses). A text libcst parsed before passed them.
    if reused is not None:
        problem, tree = None, reused[0]
    elif known is not None:
        problem, tree = guard.syntax_tree(source)
    else:
        problem, tree = guard.checked_tree(source)
    if problem is not None:
        return FileResult(path=path, source=source, error=f"cannot parse: {problem}")
    if not _MAY_MUTATE.search(source) and not (_MENTIONS_TORCH.search(source) and _imports_user_code(tree, path)):
        return FileResult(path=path, source=source, fixed_source=source)
    if not _may_hold_tensors(source, tree, path):
        return FileResult(path=path, source=source, fixed_source=source)
    # A tree built from Python's AST costs a fifth of libcst's parse (cst_build); the statements
    # findings need are parsed by libcst afterwards (twins.py). Not for a module an import will
    # take (its messages give lines from libcst's code), nor for the language server's documents.
    build = parses is None and known is None and tree is not None and not (
        shared is not None and key in shared.imported_in_plan
    )
    made = _built(tree, source) if build else None
    if reused is not None:
        module: Optional[cst.Module] = reused[1]
    elif known is not None:
        module = known[1]
    elif made is not None:
        module, quotes = made
    else:
        build = False
        module, problem = _parsed(source)
    if module is not None:
        if parses is not None and reused is None:
            parses.remember(source, tree, module)
        try:
            if known is None:
                if build:
                    try:
                        with quoting(quotes):
                            return _check_module(module, source, path, config, fix, tree, parses, built=True)
                    except _NeedsLibcst:
                        module, problem = _parsed(source)
                        if module is None:
                            return FileResult(path=path, source=source, error=f"cannot parse: {problem}")
                result = _check_module(module, source, path, config, fix, tree, parses)
                # For a later import of it; only now, as no import during the check may meet its nodes.
                if shared is not None and key in shared.imported_in_plan:
                    shared.parsed.put(key, source, top_level(tree), module)
                return result
            # Its nodes are also an import's: an import cycle back to it must not meet them.
            with shared.parsed.checking(key, module):  # type: ignore[union-attr]
                return _check_module(module, source, path, config, fix, tree, parses)
        except RecursionError:
            problem = _TOO_DEEP
    return FileResult(path=path, source=source, error=f"cannot parse: {problem}")


def _parsed(source: str) -> tuple[Optional[cst.Module], Optional[str]]:
    """libcst's module of ``source``, or why libcst cannot parse it."""
    try:
        return parse_module(source), None
    except RecursionError:
        return None, _TOO_DEEP
    except cst.ParserSyntaxError as error:
        return None, f"valid Python that libcst cannot parse: {_one_line(error)}"
    except Exception as error:  # libcst 1.9 raises TypeError on `() if 0 else(lambda:())`
        return None, f"valid Python that libcst cannot parse: {type(error).__name__}: {error}"


# Tests compare the two ways (tests/test_built_trees.py): a check of a built tree must find and fix
# exactly what a check of libcst's tree does.
BUILD_FROM_PYTHON_AST = True


def _built(tree: ast.Module, source: str):
    if not BUILD_FROM_PYTHON_AST:
        return None
    try:
        return built_module(tree, source)
    except (Unsupported, RecursionError):  # libcst's parser says what it makes of the file
        return None


class _NeedsLibcst(Exception):
    """A finding's statement could not be placed from a built tree: check the file parsed by libcst."""


# A file that never names torch makes no tensor that an op of its own saves (configuration files).
_MENTIONS_TORCH = re.compile(r"torch(?<!\wtorch)\b")  # `\btorch\b`, starting with a literal (any_pattern.py)


# What every way for a value of the analysis to be a tensor names: the torch package, a `Tensor`
# annotation (also a string one), and forward() (whose arguments are taken to be tensors in a
# class whose base is a library's, which may be an nn.Module: `class M(LightningModule)`).
_NAMES_A_TENSOR = AnyPattern(r"torch(?<!\wtorch)\b", r"forward(?<!\wforward)\b", r"Tensor(?<!\wTensor)\b")


def _may_hold_tensors(source: str, tree, path: str) -> bool:
    """Whether a value of this file may be a tensor, as the analysis sees it: the file names torch,
    a Tensor or a forward(), or imports one of the user's files that does (or imports one that
    does, as far as the analysis follows imports). Configuration, tokenizer and package
    ``__init__`` files have in-place syntax (`config["key"] = v`, `i += 1`) and no tensor, and
    are neither parsed by libcst nor analysed: 947 of the 2,632 files of transformers
    ``models/``, 9% of its lines."""
    return _NAMES_A_TENSOR.search(source) is not None or _imports_matching(tree, path, _NAMES_A_TENSOR)


def _imports_user_code(tree, path: str) -> bool:
    """Whether the file imports one of the user's own files through which a call can change a
    tensor of this file in place (changes_elsewhere.py), with no in-place syntax here: a file
    that has in-place syntax itself, or imports one that has, as far as imports are followed."""
    return _imports_matching(tree, path, _MAY_MUTATE)


def _imports_matching(tree, path: str, pattern: Union[re.Pattern, AnyPattern]) -> bool:
    """Whether one of the user's files that this file imports (or one they import, as far as
    imports are followed) has text that ``pattern`` matches."""
    resolver = resolver_for(path)
    if resolver is None or tree is None:
        return False
    return any(_through_imports(resolver, target, 1, pattern) for target in resolver.imported_files(Path(path), tree))


def _through_imports(resolver, path: Path, depth: int, pattern: Union[re.Pattern, AnyPattern]) -> bool:
    """Whether ``path`` (imported at ``depth``) or a file it imports in turn has text that
    ``pattern`` matches. A file that cannot be read counts as one that has: nothing is skipped
    on a guess."""
    if depth > MAX_IMPORT_DEPTH:
        return False
    text = resolver.text_of(path)
    if text is None or pattern.search(text):
        return True
    if "import" not in text:
        return False
    _, tree = guard.checked_tree(text)
    if tree is None:
        return True
    return any(_through_imports(resolver, target, depth + 1, pattern) for target in resolver.imported_files(path, tree))


# A nesting the guard's count does not foresee: a long implicit string concatenation, which
# Python's AST folds into one constant but libcst nests one level per string.
_TOO_DEEP = "nested too deeply to analyse (Python's recursion limit)"


def _check_module(
    module: cst.Module, source: str, path: str, config: Config, fix: bool, tree, parses: Optional[DocumentParses] = None,
    built: bool = False,
) -> FileResult:
    located, generated = _find(module, source, path, config, tree, parses, built)
    if not located:
        return FileResult(path=path, source=source, fixed_source=source)
    if not fix:
        return FileResult(path=path, source=source, findings=tuple(item.finding for item in located))
    fixed_source, fixed = _fix(generated, located, config, source)
    if fixed_source != source:
        fixed_source, fixed = _settle(fixed_source, located, fixed, path, config, source, tree)
    return FileResult(
        path=path,
        source=source,
        findings=tuple(item.finding for item in located),
        fixed_source=fixed_source,
        fixed=fixed,
    )


def _one_line(error: cst.ParserSyntaxError) -> str:
    message = " ".join(error.message.split()) or "syntax error"
    return f"{message} (line {error.editor_line}, column {error.editor_column})"


def _find(
    module: cst.Module, source: str, path: str, config: Config, tree: Optional[ast.Module] = None,
    parses: Optional[DocumentParses] = None, built: bool = False,
) -> tuple[list[_Located], str]:
    """The findings, and the module's code as libcst generates it (the text the findings'
    positions count in; empty when nothing was reported, since nothing needed it). ``tree``,
    Python's AST of ``source``, lets the positions be found statement by statement. With
    ``parses`` (the language server's), the analysis of the document's last text is reused for
    what the edit cannot change (inference/reuse.py)."""
    selected = [rule for rule in rule_registry.ALL_RULES if config.is_selected(rule.code)]
    if not selected:
        return [], ""
    # The same computation TensorFactsProvider exposes, called directly because the engine also
    # needs the order in which the inference reached the nodes, to drive the rules.
    if parses is not None:
        interpreter = reuse.analysed(parses, module, path, resolver_for(path))
        # The rules read the facts often: a plain dict, not the recording one (a Python get).
        facts = dict(interpreter.facts)
    else:
        interpreter = Interpreter(module, path=path, resolver=resolver_for(path))
        facts = interpreter.run()
    context = RuleContext(
        module=module, torch_name=interpreter.torch_name(), facts=facts,
        inplace_module_calls=interpreter.inplace_module_calls, source=source,
    )
    active = [rule(context) for rule in selected]
    _dispatch(active, interpreter.order)
    reports = [(type(rule), report) for rule in active for report in rule.reports]
    if not reports and not interpreter.changes_through_calls:
        return [], ""
    allowed = frozenset(mutation_allowed_statements(module, facts))
    reports += changes_elsewhere.reports(interpreter, path, config, allowed)
    if not reports:
        return [], ""
    categories = [categorize(rule.code, report, facts, allowed) for rule, report in reports]
    # Positions cost code generation: only files with findings pay for it, only the statements
    # that hold the nodes the findings mention are generated when the AST places them, and the
    # whole module otherwise.
    mentioned = _mentioned_nodes(reports, categories)
    positions = None
    twins: dict = {}
    if built:
        placed = positions_and_twins(module, mentioned, source, tree, _enclosing(interpreter, facts))
        if placed is None or not _all_placed(placed[0], reports, mentioned, interpreter):
            raise _NeedsLibcst
        positions, twins = placed
        generated = source
    elif tree is not None:
        positions = positions_by_statement(
            module, mentioned, source, tree, _enclosing(interpreter, facts), parses.pairings if parses is not None else None
        )
        generated = source  # each generated statement matched the source text
        if positions is not None and not _all_placed(positions, reports, mentioned, interpreter):
            positions = None
    if positions is None:
        positions, generated = positions_and_code(module, mentioned)
    lines = physical_lines(source)
    # Tokenizing for suppression comments may start at any top-level statement (suppression.py).
    if tree is None:
        starts: Sequence[int] = ()
    elif parses is not None:  # its lines may wait to be shifted (line_shifts.py)
        starts = parses.first_lines(tree)
    else:
        starts = [first_line(node) for node in tree.body]
    suppressed = suppressions(source, lines, starts)

    def line_of(node) -> object:
        code_range = positions.get(node)
        if code_range is None and interpreter.resolver is not None:
            return interpreter.resolver.locate(node, path) or "?"  # a line of an imported file
        return "?" if code_range is None else code_range.start.line

    located = []
    for (rule, report), category in zip(reports, categories):
        code_range = positions.get(report.node)
        if code_range is None:
            continue  # a node of another file, met while following a call into it: not reported here
        if is_suppressed(suppressed, rule.code, range(code_range.start.line, code_range.end.line + 1)):
            continue
        if not config.is_category_selected(category.name):
            continue
        fix = public_fix(report.fix, module, positions, lines, line_of, twins)
        message = render(category.message, line_of) or report.message.replace(
            "{grad}", render(report.grad_reason, line_of) or "it may require grad"
        )
        summary = render(report.fix.summary, line_of) if report.fix is not None else None
        finding = Finding(
            path=path,
            start=Position(code_range.start.line, code_range.start.column + 1),
            end=Position(code_range.end.line, code_range.end.column + 1),
            code=rule.code,
            name=rule.name,
            message=message + suggestion(fix, summary),
            fix=fix,
            category=category.name,
            reason=render(category.reason, line_of) or render(report.grad_reason, line_of),
        )
        located.append(_Located(rule, report, finding))
    located.sort(key=lambda item: (item.finding.start.line, item.finding.start.col, item.finding.code))
    return located, generated


def _enclosing(interpreter: Interpreter, facts):
    """The statement line (or compound statement) that holds an expression or small statement."""

    def enclosing(node):
        fact = facts.get(node)
        if fact is not None and fact.site is not None:
            return fact.site.line or fact.site.statement
        return interpreter.line_of_small.get(node)

    return enclosing


def _all_placed(positions, reports, mentioned, interpreter: Interpreter) -> bool:
    """Whether every node of this module that the findings need got a range: the flagged and
    replaced nodes, and the nodes the inference met in this module (a node it met while
    following a call into another file has no range here, by design)."""
    needed = [report.node for _, report in reports]
    needed += [original for _, report in reports if report.fix is not None for original, _ in report.fix.replacements]
    needed += [node for node in mentioned if interpreter.met(node)]
    return all(node in positions for node in needed)


def _mentioned_nodes(reports, categories) -> list[cst.CSTNode]:
    """The nodes whose positions the findings need: flagged and replaced nodes, and the
    statements their messages cite by line."""
    nodes: list[cst.CSTNode] = []
    for (_, report), category in zip(reports, categories):
        nodes.append(report.node)
        if report.fix is not None:
            nodes.extend(original for original, _ in report.fix.replacements)
        for reason in (
            report.grad_reason, report.fix and report.fix.reason, report.fix and report.fix.summary,
            category.reason, category.message,
        ):
            if isinstance(reason, Reason) and reason.node is not None:
                nodes.append(reason.node)  # type: ignore[arg-type]
            if isinstance(reason, Reason) and reason.via is not None:
                nodes.append(reason.via)  # type: ignore[arg-type]
    return nodes


def _dispatch(rules: Sequence[Rule], order: Sequence[cst.CSTNode]) -> None:
    table: dict[str, list] = {}
    for rule in rules:
        for node_type, method in rule.visitors().items():
            table.setdefault(node_type, []).append(getattr(rule, method))
    for node in order:
        for visit in table.get(type(node).__name__, ()):
            visit(node)


def _allowed(fix: Optional[ProposedFix], config: Config) -> bool:
    if fix is None:
        return False
    if fix.applicability is Applicability.SAFE:
        return True
    return fix.applicability is Applicability.UNSAFE and config.unsafe_fixes


def _fix(
    generated: str, located: Sequence[_Located], config: Config, original: str
) -> tuple[str, tuple[Finding, ...]]:
    """Apply the allowed fixes' edits to the source text (each edit is the code libcst generates
    for one replaced node, placed at that node's position in ``generated``, libcst's code for the
    module). Edits that overlap an earlier one are left for the next pass, as Ruff does;
    rewriting the whole tree would cost a full transform."""
    source = generated
    if original != source:
        # libcst does not reproduce a few characters (a form feed at the start of a line):
        # edit the user's own text, and only on lines libcst reproduced exactly.
        ours, theirs = physical_lines(source), physical_lines(original)
        unchanged = {i + 1 for i, (a, b) in enumerate(zip(ours, theirs)) if a == b}
        source = original
    else:
        unchanged = None
    offsets = line_offsets(source)
    chosen: list[tuple[int, int, str]] = []
    fixed: list[Finding] = []
    for item in located:
        if _allowed(item.report.fix, config) and item.finding.fix is not None:
            edits = item.finding.fix.edits
            if unchanged is not None and not all(
                line in unchanged for e in edits for line in range(e.start.line, e.end.line + (e.end.col > 1))
            ):
                continue
            spans = [
                (offsets[e.start.line - 1] + e.start.col - 1, offsets[e.end.line - 1] + e.end.col - 1, e.content)
                for e in edits
            ]
            if any(start < other_end and other_start < end or start == other_start
                   for start, end, _ in spans for other_start, other_end, _ in chosen):
                continue  # overlaps a fix already taken: the next pass gets it (all its edits, or none)
            chosen.extend(spans)
            fixed.append(item.finding)
    if not chosen:
        return source, ()
    chosen.sort(key=lambda span: span[0])
    pieces: list[str] = []
    position = 0
    for start, end, content in chosen:
        pieces.append(source[position:start])
        pieces.append(content)
        position = end
    pieces.append(source[position:])
    return "".join(pieces), tuple(fixed)


def _settle(
    fixed_source: str, located: Sequence[_Located], fixed: tuple[Finding, ...], path: str, config: Config,
    source: str, tree: Optional[ast.Module],
) -> tuple[str, tuple[Finding, ...]]:
    """Make the result a fixed point: fixes that overlapped another one get another pass, and the
    output is checked to parse (output_check.py); libcst parses the output only when another
    pass needs its tree."""
    wanted = [item.finding for item in located if _allowed(item.report.fix, config)]
    if len(fixed) == len(wanted):  # one pass did it all: only the statements it edited are new
        edits = [edit for finding in fixed if finding.fix is not None for edit in finding.fix.edits]
        check_edited_statements_parse(source, tree, fixed_source, edits, path)
        return fixed_source, fixed
    for _ in range(_MAX_FIX_PASSES):
        output_tree = check_parses(fixed_source, path)
        if len(fixed) == len(wanted):
            break
        try:
            module = parse_module(fixed_source)
        except cst.ParserSyntaxError as error:
            raise FixerBug(f"{path}: inplace-fixer produced code that libcst cannot parse ({_one_line(error)})") from error
        # Python's AST of the output places this pass's findings statement by statement.
        again, generated = _find(module, fixed_source, path, config, output_tree)
        if not any(_allowed(item.report.fix, config) for item in again):
            fixed = tuple(wanted)
            break
        fixed_source, _ = _fix(generated, again, config, fixed_source)
    else:
        check_parses(fixed_source, path)  # the last pass's output
    return fixed_source, fixed

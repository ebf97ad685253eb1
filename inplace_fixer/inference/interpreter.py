"""One pass of abstract interpretation over a module: what each expression may be at run time.

The pass resolves imports to qualified names as it goes (no separate scope analysis: libcst's
stock Scope and QualifiedName providers cost about 8x the parse, see bench/bench_check.py), walks
each function's statements in order with an environment of name -> Value, joins the environments
of branches, and runs loop bodies twice so that facts carried around a loop are seen. Every
expression it evaluates gets a NodeFact (value + site) that the rules read.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence

import libcst as cst

from inplace_fixer.inference.bindings import BindingsMixin
from inplace_fixer.inference.containers import ContainersMixin
from inplace_fixer.inference.definitions import DefinitionsMixin
from inplace_fixer.inference.expressions import ExpressionsMixin
from inplace_fixer.inference.imports import ModuleResolver
from inplace_fixer.inference.flags import false_flag, true_flag  # noqa: F401 (re-exported for rules)
from inplace_fixer.inference.sites import NodeFact
from inplace_fixer.inference.state import Env, PendingFunction, State, join_qualname, split_qualname
from inplace_fixer.inference.statements import StatementsMixin
from inplace_fixer.inference.torch_calls import TorchCallsMixin
from inplace_fixer.inference.user_calls import UserCallsMixin
from inplace_fixer.inference.values import Kind, Value


@dataclass
class Interpreter(
    StatementsMixin, DefinitionsMixin, BindingsMixin, ExpressionsMixin, ContainersMixin, TorchCallsMixin,
    UserCallsMixin,
):
    module: cst.Module
    facts: dict[cst.CSTNode, NodeFact] = field(default_factory=dict)
    _ids: Iterable[int] = field(default_factory=itertools.count)
    _pending: list[PendingFunction] = field(default_factory=list)
    # Every expression and statement reached, in source pre-order (parents before children):
    # rules are driven over this list instead of a second walk of the whole tree.
    order: list[cst.CSTNode] = field(default_factory=list)
    _ordered: set[int] = field(default_factory=set)
    # small statement -> the line (SimpleStatementLine or suite) that holds it, for positions.py
    line_of_small: dict = field(default_factory=dict)
    # id(constructor call of an nn module with inplace=True) -> the arguments it was called with
    inplace_module_calls: dict[int, list[Value]] = field(default_factory=dict)
    # What each module-level name holds once the module body has run (imports included).
    module_names: Env = field(default_factory=dict)
    # The program index: the classes of the checked code by name (inference.program).
    classes: dict = field(default_factory=dict)
    # Facts recorded while a function is analysed at a call site: they replace that function's
    # stand-alone facts (where its arguments could only be guessed), joined over call sites.
    context_facts: dict[cst.CSTNode, NodeFact] = field(default_factory=dict)
    call_memo: dict = field(default_factory=dict)
    analysed_at_call_sites: set = field(default_factory=set)
    # Where the module is on disk, to resolve imports of the user's other files (inference.imports).
    path: Optional[str] = None
    resolver: Optional[ModuleResolver] = None
    import_depth: int = 0
    _resolved: dict = field(default_factory=dict)
    call_analyses: int = 0
    # Names the analysis met (read, called or taken as an attribute), and names that only a
    # branch that cannot run calls: a private function called only there is not reached.
    mentioned: set = field(default_factory=set)
    # Calls whose callee changes an argument in place (user_calls.ChangeThroughCall).
    changes_through_calls: list = field(default_factory=list)
    unreached_calls: set = field(default_factory=set)
    # Of an imported module's interpreter: the ids of the libcst modules whose nodes its module
    # body met, its own and its imports' (imports.py: a check never meets its own nodes as another
    # module's).
    modules_met: set = field(default_factory=set)

    def torch_name(self) -> Optional[str]:
        """The module-level name bound to the ``torch`` package itself, if any."""
        names = [n for n, v in self.module_names.items() if v.kind is Kind.API and v.qualname == "torch"]
        return "torch" if "torch" in names else (names[0] if names else None)

    def met(self, node: cst.CSTNode) -> bool:
        """Whether the analysis reached ``node`` in this module (not in a file it imports)."""
        return id(node) in self._ordered

    # ------------------------------------------------------------------ driver
    def run_module_body(self, statements: Optional[Sequence[cst.CSTNode]] = None) -> None:
        """Only the module body: what an imported module defines (its functions are analysed at
        the importing file's call sites). ``statements``: the top-level statements to run, when
        the importer cannot reach the others (imports.reachable_definitions)."""
        state = State(env=self.module_names, globals={}, function=None)
        state.globals = state.env
        self._statements(self.module.body if statements is None else statements, state, line=None)

    def _resolve_api(self, value: Value) -> Value:
        """An imported name (an API value) as its module in the user's files defines it, if it is
        one; else the value itself."""
        qualname = value.qualname
        if value.kind is not Kind.API or qualname is None or self.resolver is None or "." not in qualname:
            return value
        if qualname.startswith(("torch", "builtins.")):
            return value
        if qualname not in self._resolved:
            module, name = split_qualname(qualname)
            self._resolved[qualname] = self._imported(module, name) or value
        return self._resolved[qualname]

    def _imported(self, module: str, name: str) -> Optional[Value]:
        """``name`` as the user's module ``module`` defines it, when that module is one of the
        user's files; its classes join this program's."""
        if self.resolver is None or self.path is None:
            return None
        target = self._find_module(module)
        if target is not None:
            exports = self._exports(target, self._names_taken(module, name))
            if exports is None:
                return None
            for class_name, info in exports.classes.items():
                info.foreign = True
                self.classes.setdefault(class_name, info)
            value = exports.module_names.get(name)
            if value is not None:
                kinds = (Kind.FUNCTION, Kind.CLASS, Kind.MODULE_CLASS, Kind.MODULE, Kind.OBJECT)
                return value if value.kind in kinds else None
        # `from pkg import mod`: a submodule, when pkg/__init__.py does not define the name.
        submodule = join_qualname(module, name)
        if self._find_module(submodule) is not None:
            return Value(Kind.API, qualname=submodule)
        return None

    # What the user's other files say, through the resolver. The language server's
    # ReusingInterpreter (inference/reuse.py) notes each answer, to replay a root only while the
    # resolver still gives the same.
    def _find_module(self, module: str) -> Optional[Path]:
        assert self.resolver is not None and self.path is not None
        return self.resolver.find(Path(self.path), module)

    def _exports(self, target: Path, names: Optional[frozenset[str]]):
        assert self.resolver is not None
        return self.resolver.exports(target, self.import_depth + 1, _imported_interpreter(self.resolver), names)

    def _names_taken(self, module: str, name: str) -> Optional[frozenset[str]]:
        """What this file takes from ``module`` (``name``, and the other names its imports bind
        from there): only their definitions need reading. None when the module itself is bound
        to a name, so that any of its attributes may be used."""
        prefix = join_qualname(module, "")
        taken = {name}
        for value in self.module_names.values():
            qualname = value.qualname
            if value.kind is not Kind.API or qualname is None:
                continue
            if qualname == module:
                return None
            if qualname.startswith(prefix) and "." not in qualname[len(prefix):]:
                taken.add(qualname[len(prefix):])
        return frozenset(taken)

    def run(self) -> dict[cst.CSTNode, NodeFact]:
        state = State(env=self.module_names, globals={}, function=None)
        state.globals = state.env
        self._module_body_root(state)
        unreached: list[PendingFunction] = []
        while self._pending:
            # Later definitions first: in a model file the classes that call the others (the
            # model, then its layers) come last, so most functions are first reached at a call
            # site, and need no stand-alone analysis (its facts would be replaced anyway).
            pending, self._pending = self._pending[::-1], []
            # Private helpers (`_name`) after the rest: a helper that a later definition calls
            # (`_encode_memory` called by `_batch_encode`, called by an inference_mode forward)
            # is then reached at its call sites first, with its callers' arguments and grad mode,
            # instead of being analysed on its own with guessed arguments and grad on, which would
            # analyse the helpers it calls as if grad were on too.
            pending.sort(key=lambda function: _is_private(function.info.name))
            for function in pending:
                if function.info.node in self.analysed_at_call_sites:
                    continue
                if self._only_called_where_unreached(function.info):
                    unreached.append(function)  # decided once everything else has run
                    continue
                self._function_root(function)
            if not self._pending:
                # Met (live) by an analysis that ran after it was put aside: analyse it after all.
                self._pending = [f for f in unreached if f.info.name in self.mentioned]
                unreached = [f for f in unreached if f.info.name not in self.mentioned]
        self.facts.update(self.context_facts)
        return self.facts

    # The roots of the analysis: the module body, then each function analysed on its own. The
    # language server's ReusingInterpreter (inference/reuse.py) records and replays them.
    def _module_body_root(self, state: State) -> None:
        self._statements(self.module.body, state, line=None)

    def _function_root(self, function: PendingFunction) -> None:
        self._run_function(function)

    def _only_called_where_unreached(self, info) -> bool:
        """A private function (`_name`) that the module calls only in branches that cannot run
        (`if inplace_safe:` with every call leaving it False): nothing reaches it, so it is not
        analysed on its own (a public one may be called from outside the checked files)."""
        name = info.name
        return _is_private(name) and name in self.unreached_calls and name not in self.mentioned



def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _imported_interpreter(resolver: ModuleResolver):
    def make(module: cst.Module, path: Path, depth: int) -> Interpreter:
        return Interpreter(module, path=str(path), resolver=resolver, import_depth=depth)

    return make

"""Re-analyse only what an edit can change, for the language server.

The analysis of a module (``Interpreter.run``) is a sequence of *roots*: the module body, then
each function analysed on its own (``_run_function``), in an order that ``run`` decides from what
the earlier roots did. A root reads shared state that earlier roots wrote (the memoised call
summaries, the facts joined over call sites, the attributes classes get from ``__init__``) and
writes some of its own. ``ReusingInterpreter`` records, for every root, what it read (the value
of every fact and summary it looked at, the first time it looked), what it wrote, and which
function bodies it executed (its own, each callee analysed at one of its call sites, each
``__init__`` run for class attributes).

After an edit that replaced only the body of functions (``DocumentParses.changed_bodies``: every
other node of the module is the same object), ``rerun`` drives ``run`` again, in the same order
a fresh analysis would take, and for each root either *replays* its record or runs it again.
A root is replayed only when that is provably what running it would do:

- it executed none of the edited bodies (and it is the very same root: a nested function whose
  enclosing function ran again is a new root);
- everything it read is what it read the first time: each fact and context fact (identical or
  equal), each memoised summary it found (and each it missed is still missing), each class and
  each class's attributes, each imported name resolved, and the call budget cannot run out
  during it;
- the user's other files it imported are unchanged: the resolver finds the same files, and gives
  the very interpreter of each that the root used (it reads a file again when its text changed,
  on disk or in the editor, so an edit of an imported file runs again the roots that used it).

Anything else runs again, and its new record replaces the old. The module body is always
replayed (it defines what every root reads); an edit of a body that the module body executed
(a module-level call, class attributes computed there), a change of a file the module body
imported, a root that writes a module-level name, a name a nested function closes over, or
defines a class, or a budget that ran out falls back to a fresh analysis. Replaying a root applies its
writes in the order the fresh run would make them, so ``facts``, ``order`` (which drives the
rules) and the rest come out equal to a fresh ``run`` on the new module: tests/test_lsp_reuse.py
checks that the findings are, message for message, on random edits of real files and on edits
that change findings elsewhere.

The command line never uses this module: the plain ``Interpreter`` records nothing.
"""

from __future__ import annotations

import itertools
import weakref
from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from inplace_fixer.inference.interpreter import Interpreter
from inplace_fixer.inference.program import MAX_CALL_ANALYSES
from inplace_fixer.inference.state import PendingFunction, State

_ABSENT = object()


class NotReusable(Exception):
    """The record cannot stand for this analysis: run a fresh one."""


class _FactsLog(dict):
    """A dict of facts that notes, for the root under way, the value of each key the first time
    the root reads or writes it, and which keys it writes."""

    __slots__ = ("touched", "written")

    def __init__(self) -> None:
        super().__init__()
        self.touched: Optional[dict] = None
        self.written: Optional[set] = None

    def _touch(self, key) -> None:
        touched = self.touched
        if touched is not None and key not in touched:
            touched[key] = dict.get(self, key, _ABSENT)

    def get(self, key, default=None):
        self._touch(key)
        return dict.get(self, key, default)

    def __getitem__(self, key):
        self._touch(key)
        return dict.__getitem__(self, key)

    def __contains__(self, key) -> bool:
        self._touch(key)
        return dict.__contains__(self, key)

    def __setitem__(self, key, value) -> None:
        self._touch(key)
        if self.written is not None:
            self.written.add(key)
        dict.__setitem__(self, key, value)

    def setdefault(self, key, default=None):
        if key not in self:  # touches the key
            self[key] = default
        return dict.__getitem__(self, key)


class _ClassesLog(_FactsLog):
    """The program's classes. The module body defines the file's own; a root may add only the
    classes of an imported file (each root that imports one adds them, see
    ``Interpreter._imported``), which a replay adds again. A class defined inside a function
    (written after the module body, ``sealed``) turns reuse off."""

    __slots__ = ("sealed", "written_after")

    def __init__(self) -> None:
        super().__init__()
        self.sealed = False
        self.written_after = False

    def __setitem__(self, key, value) -> None:
        if self.sealed and not getattr(value, "foreign", False):
            self.written_after = True
        super().__setitem__(key, value)


class _MemoLog(dict):
    """The call summaries, noting for the root under way each lookup and each new summary."""

    __slots__ = ("events", "reached")

    def __init__(self) -> None:
        super().__init__()
        self.events: Optional[list] = None
        self.reached: Optional[set] = None

    def get(self, key, default=None):
        found = dict.get(self, key, _ABSENT)
        if self.events is not None:
            self.events.append(("get", key, found))
        return default if found is _ABSENT else found

    def __setitem__(self, key, value) -> None:
        if self.events is not None:
            self.events.append(("set", key, value))
            self.reached.add(key[0])  # the callee's body was executed at this call site
        dict.__setitem__(self, key, value)


class _Watched(dict):
    """The module's names: written by the module body only, or reuse is off."""

    __slots__ = ("sealed", "written_after")

    def __init__(self) -> None:
        super().__init__()
        self.sealed = False
        self.written_after = False

    def __setitem__(self, key, value) -> None:
        if self.sealed:
            self.written_after = True
        dict.__setitem__(self, key, value)

    def setdefault(self, key, default=None):
        if self.sealed and key not in self:
            self.written_after = True
        return dict.setdefault(self, key, default)


# The interpreter's dicts that roots share, each a _FactsLog: the facts, the facts of functions
# analysed at call sites, the classes (the file's own and those its imports bring), and the
# imported names resolved so far.
_LOGGED = ("facts", "context_facts", "classes", "_resolved")


@dataclass(eq=False)
class _Record:
    """What one root read, wrote and executed."""

    reached: set = field(default_factory=set)
    # Per _LOGGED dict: the value of each key the root touched, as it first found it, and the
    # keys it wrote.
    touched: dict = field(default_factory=lambda: {name: {} for name in _LOGGED})
    written: dict = field(default_factory=lambda: {name: set() for name in _LOGGED})
    memo_events: list = field(default_factory=list)
    attributes: list = field(default_factory=list)  # ("computed" | "read", ClassInfo, tuple)
    # What the resolver answered: ("find", module, path) and ("exports", path, names, interpreter).
    imports: list = field(default_factory=list)
    # Filled when the root ends: per _LOGGED dict, the value of each key it wrote.
    after: dict = field(default_factory=dict)
    order: list = field(default_factory=list)
    order_ids: frozenset = frozenset()
    line_of_small: dict = field(default_factory=dict)
    mentioned: set = field(default_factory=set)
    unreached_calls: set = field(default_factory=set)
    analysed_at_call_sites: set = field(default_factory=set)
    inplace_module_calls: dict = field(default_factory=dict)
    changes_through_calls: list = field(default_factory=list)
    pending: list = field(default_factory=list)
    call_analyses: int = 0


def _same(current, recorded) -> bool:
    return current is recorded or (current is not _ABSENT and recorded is not _ABSENT and current == recorded)


class ReusingInterpreter(Interpreter):
    """An ``Interpreter`` that records each root, and can run again after an edit of function
    bodies replaying the roots the edit cannot change (see the module docstring)."""

    def __init__(self, module: cst.Module, path: Optional[str], resolver) -> None:
        super().__init__(
            module, facts=_FactsLog(), context_facts=_FactsLog(), call_memo=_MemoLog(),
            module_names=_Watched(), classes=_ClassesLog(), path=path, resolver=resolver,
            _resolved=_FactsLog(),
        )
        self._records: dict[int, tuple[object, _Record]] = {}  # id(root) -> (root, its record)
        self._module_record: Optional[_Record] = None
        self._module_names_after: dict = {}
        self._replaying: Optional[dict] = None  # during rerun: the previous records
        self._edited: frozenset = frozenset()
        self._current: Optional[_Record] = None
        self.replayed = 0  # roots replayed by the last run (for tests and the benchmark)
        # During rerun: whether a root ran again. Until one has, every root so far was replayed,
        # so the shared state is exactly what the last run had at this point, and what the next
        # root read then it would read now: its reads need no comparison.
        self._diverged = False
        self.budget_ran_out = False
        self._closures: list[_Watched] = []  # what nested functions and lambdas close over

    # ------------------------------------------------------------------ the roots
    def _module_body_root(self, state: State) -> None:
        if self._replaying is None:
            self._module_record = self._recorded(lambda: super(ReusingInterpreter, self)._module_body_root(state))
            self._module_names_after = dict(self.module_names)
        else:
            assert self._module_record is not None
            dict.clear(self.module_names)
            dict.update(self.module_names, self._module_names_after)
            if not self._replay(self._module_record):
                raise NotReusable("the module body cannot be replayed")
        self.module_names.sealed = self.classes.sealed = True

    def _function_root(self, function: PendingFunction) -> None:
        previous = self._replaying.get(id(function)) if self._replaying is not None else None
        if previous is not None and previous[0] is function and self._replay(previous[1]):
            self._records[id(function)] = previous
            self.replayed += 1
            return
        self._diverged = True
        record = self._recorded(lambda: super(ReusingInterpreter, self)._function_root(function))
        self._records[id(function)] = (function, record)

    def _recorded(self, run_root) -> _Record:
        """Run one root, noting what it reads, writes and executes."""
        record = _Record()
        saved = (
            self.order, self._ordered, self.line_of_small, self.mentioned, self.unreached_calls,
            self.analysed_at_call_sites, self.inplace_module_calls, self.changes_through_calls, self._pending,
        )
        self.order, self._ordered, self.line_of_small = [], set(), {}
        self.mentioned, self.unreached_calls, self.analysed_at_call_sites = set(), set(), set()
        self.inplace_module_calls, self.changes_through_calls, self._pending = {}, [], []
        logs = self._logs()
        for name, log in logs.items():
            log.touched, log.written = record.touched[name], record.written[name]
        memo = self.call_memo
        memo.events, memo.reached = record.memo_events, record.reached
        self._current = record
        before = self.call_analyses
        try:
            run_root()
        finally:
            for log in logs.values():
                log.touched = log.written = None
            memo.events = memo.reached = None
            self._current = None
            record.order, record.line_of_small = self.order, self.line_of_small
            record.mentioned, record.unreached_calls = self.mentioned, self.unreached_calls
            record.analysed_at_call_sites = self.analysed_at_call_sites
            record.inplace_module_calls, record.changes_through_calls = self.inplace_module_calls, self.changes_through_calls
            record.pending = self._pending
            record.order_ids = frozenset(map(id, record.order))
            (self.order, self._ordered, self.line_of_small, self.mentioned, self.unreached_calls,
             self.analysed_at_call_sites, self.inplace_module_calls, self.changes_through_calls, self._pending) = saved
        record.call_analyses = self.call_analyses - before
        record.after = {
            name: {key: dict.__getitem__(log, key) for key in record.written[name]} for name, log in logs.items()
        }
        if self.call_analyses >= MAX_CALL_ANALYSES:
            self.budget_ran_out = True  # the budget may have cut this root's analyses short
        self._apply_shared(record)
        return record

    def _run_function(self, function: PendingFunction) -> None:
        if self._current is not None:
            self._current.reached.add(function.info.node)
        super()._run_function(function)

    def _class_attributes(self, cls) -> tuple:
        record = self._current
        before, computing = cls.attributes, cls.computing
        result = super()._class_attributes(cls)
        if record is not None and not computing:
            if before is None:
                record.attributes.append(("computed", cls, result))
                init = cls.methods.get("__init__")
                if init is not None:
                    record.reached.add(init.node)
            else:
                record.attributes.append(("read", cls, before))
        return result

    def _closure(self, state: State) -> dict:
        # A nested function's closure is a copy of its enclosing function's names, which the
        # nested function's analyses may write (an in-place change of a closed-over tensor): a
        # write that a replay would not repeat, so a run with one is not reused.
        closure = super()._closure(state)
        if not state.function:
            return closure  # the module's names, watched already
        watched = _Watched()
        dict.update(watched, closure)
        watched.sealed = True
        self._closures.append(watched)
        return watched

    def _find_module(self, module: str):
        found = super()._find_module(module)
        if self._current is not None:
            self._current.imports.append(("find", module, found))
        return found

    def _exports(self, target, names):
        exports = super()._exports(target, names)
        if self._current is not None:
            self._current.imports.append(("exports", target, names, exports))
        return exports

    def _logs(self) -> dict:
        return {name: getattr(self, name) for name in _LOGGED}

    def _same_imports(self, record: _Record) -> bool:
        """Whether the resolver answers what it answered to the root: the user's files it
        imported are still there, unchanged (``exports`` gives the very same interpreter while a
        file's text is unchanged, and reads it again when it changed on disk or in the editor)."""
        for event in record.imports:
            if event[0] == "find":
                if Interpreter._find_module(self, event[1]) != event[2]:
                    return False
            elif Interpreter._exports(self, event[1], event[2]) is not event[3]:
                return False
        return True

    # ------------------------------------------------------------------ replay
    def _replay(self, record: _Record) -> bool:
        """Apply ``record`` if the root would do exactly that now; else change nothing."""
        if not self._edited.isdisjoint(record.reached):
            return False
        if self.call_analyses + record.call_analyses >= MAX_CALL_ANALYSES:
            return False
        logs, memo = self._logs(), self.call_memo
        if self._diverged and not self._same_reads(record, logs, memo):
            return False
        computed: dict = {}
        for event, cls, value in record.attributes:
            current = computed.get(id(cls), cls.attributes)
            if event == "computed":
                # An imported class's attributes stay from one run to the next (rerun): the root
                # that worked them out the last time now finds them, the same, as it would read them.
                if current is not None and not (cls.foreign and _same(current, value)):
                    return False
                computed[id(cls)] = value
            elif current is None or not _same(current, value):
                return False
        if not self._same_imports(record):
            return False
        for name, log in logs.items():
            dict.update(log, record.after[name])
        for event, key, value in record.memo_events:
            if event == "set":
                dict.__setitem__(memo, key, value)
        for event, cls, value in record.attributes:
            if event == "computed":
                cls.attributes = value
        self.call_analyses += record.call_analyses
        self._apply_shared(record)
        return True

    @staticmethod
    def _same_reads(record: _Record, logs: dict, memo: dict) -> bool:
        """Whether every fact, class, resolved name and memoised summary the root read is what
        it read the last time."""
        for name, log in logs.items():
            for key, value in record.touched[name].items():
                if not _same(dict.get(log, key, _ABSENT), value):
                    return False
        own: dict = {}
        for event, key, value in record.memo_events:
            if event == "set":
                own[key] = value
                continue
            current = own.get(key, _ABSENT)
            if current is _ABSENT:
                current = dict.get(memo, key, _ABSENT)
            if not _same(current, value):
                return False
        return True

    def _apply_shared(self, record: _Record) -> None:
        """The root's additions to what run() and the rules read, in the order a run makes them."""
        ordered = self._ordered
        if ordered.isdisjoint(record.order_ids):  # the usual case: whole, in one step
            self.order.extend(record.order)
            ordered |= record.order_ids
        else:
            for node in record.order:
                if id(node) not in ordered:
                    ordered.add(id(node))
                    self.order.append(node)
        self.line_of_small.update(record.line_of_small)
        self.mentioned |= record.mentioned
        self.unreached_calls |= record.unreached_calls
        self.analysed_at_call_sites |= record.analysed_at_call_sites
        for key, arguments in record.inplace_module_calls.items():
            self.inplace_module_calls.setdefault(key, []).extend(arguments)
        self.changes_through_calls.extend(record.changes_through_calls)
        self._pending.extend(record.pending)

    def reusable(self) -> bool:
        return not (
            self.module_names.written_after or self.classes.written_after
            or self.budget_ran_out or self._module_record is None
            or any(closure.written_after for closure in self._closures)
        )

    def rerun(self, module: cst.Module, edited: frozenset, resolver) -> None:
        """Analyse ``module`` again (the same nodes as the last run's but for the bodies of the
        ``edited`` functions), replaying what the edit cannot change. Raises NotReusable."""
        assert self._module_record is not None
        if not edited.isdisjoint(self._module_record.reached):
            raise NotReusable("the module body executed an edited function")
        previous = self._records
        next_id = next(self._ids)
        self.module, self.resolver = module, resolver
        dict.clear(self.facts)
        self.context_facts, self.call_memo = _FactsLog(), _MemoLog()
        self.order, self._ordered, self.line_of_small = [], set(), {}
        self.inplace_module_calls, self.changes_through_calls, self._pending = {}, [], []
        self.mentioned, self.unreached_calls, self.analysed_at_call_sites = set(), set(), set()
        self._resolved, self.call_analyses, self._ids = _FactsLog(), 0, itertools.count(next_id)
        self.module_names.sealed = self.classes.sealed = False
        # The classes come back as the module body and each root add them (replayed or run);
        # what instances of the file's own hold is worked out again. An imported class's
        # attributes are shared with every file that imports it, and stay.
        for cls in self.classes.values():
            if not cls.foreign:
                cls.attributes, cls.computing = None, False
        dict.clear(self.classes)
        self._records, self._replaying, self._edited, self.replayed = {}, previous, edited, 0
        self._diverged = False
        try:
            self.run()
        finally:
            self._replaying, self._edited = None, frozenset()
        if not self.reusable():
            raise NotReusable("the edited code reaches what cannot be replayed")


# ---------------------------------------------------------------------------- per document

@dataclass
class _DocumentAnalysis:
    interpreter: ReusingInterpreter
    body: tuple  # the module's statements when it ran
    revision: int  # DocumentParses.revision when it ran


_DOCUMENTS: "weakref.WeakKeyDictionary[object, _DocumentAnalysis]" = weakref.WeakKeyDictionary()


def analysed(parses, module: cst.Module, path: str, resolver) -> Interpreter:
    """The analysis of ``module``, the current parse of the document ``parses`` holds: the last
    one's, with only what the edits since then can change run again, when that is provable;
    else a fresh one (recorded for the next edit)."""
    last = _DOCUMENTS.pop(parses, None)
    if last is not None and _same_statements(last.body, module.body):
        edited = parses.bodies_changed_since(last.revision)
        if edited is not None:
            try:
                last.interpreter.rerun(module, edited, resolver)
            except NotReusable:
                pass
            else:
                _DOCUMENTS[parses] = _DocumentAnalysis(last.interpreter, tuple(module.body), parses.revision)
                return last.interpreter
    interpreter = ReusingInterpreter(module, path=path, resolver=resolver)
    interpreter.run()
    if interpreter.reusable():
        _DOCUMENTS[parses] = _DocumentAnalysis(interpreter, tuple(module.body), parses.revision)
    return interpreter


def _same_statements(before: tuple, after) -> bool:
    return len(before) == len(after) and all(a is b for a, b in zip(before, after))

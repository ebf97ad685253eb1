"""The packaged torch facts: fresh against the installed torch, true when torch runs, torch-free.

Every verdict here comes from running torch at test time, not from the generator's own code:
the generator's answers are compared against what the ops actually do.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import subprocess
import sys
import types
import warnings
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from inplace_fixer import torch_data

REPO_ROOT = Path(__file__).resolve().parents[1]
GENERATOR_PATH = REPO_ROOT / "tools" / "generate_torch_data.py"
DATA_PATH = REPO_ROOT / "inplace_fixer" / "data" / "torch_ops.json"


@pytest.fixture(scope="module")
def generator() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("generate_torch_data", GENERATOR_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def data() -> dict:
    return json.loads(DATA_PATH.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _quiet_torch_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _resolve(qualname: str):
    module_name, _, attribute = qualname.rpartition(".")
    module = torch
    for part in module_name.split(".")[1:]:
        module = getattr(module, part)
    return getattr(module, attribute, None)


def _is_plain_callable(value) -> bool:
    return (
        callable(value) and not isinstance(value, types.ModuleType) and not inspect.isclass(value)
    )


def _probe_tensor(shape=(2, 3)) -> torch.Tensor:
    count = 1
    for size in shape:
        count *= size
    return torch.linspace(0.1, 0.9, count).reshape(shape)


def _call_first_fitting(function, candidates):
    """Call with the first argument tuple the op accepts; (arguments, result) or (None, None)."""
    for arguments in candidates:
        try:
            return arguments, function(*arguments)
        except (RuntimeError, TypeError, IndexError, ValueError):
            continue
    return None, None


def _observed_kind(result) -> str:
    if isinstance(result, torch.Tensor):
        return "tensor"
    if (
        isinstance(result, (tuple, list))
        and result
        and all(isinstance(r, torch.Tensor) for r in result)
    ):
        return "tensors"
    return "other"


def _shares_storage(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


# ---------------------------------------------------------------------------------------------
# (i) the checked-in file is what the installed torch gives


def test_checked_in_file_matches_regeneration(generator, data):
    regenerated = generator.generate()
    differing = sorted(
        k for k in regenerated.keys() | data.keys() if regenerated.get(k) != data.get(k)
    )
    details = []
    for key in differing:
        new, old = regenerated.get(key), data.get(key)
        if isinstance(new, dict) and isinstance(old, dict):
            changed = sorted(k for k in new.keys() | old.keys() if new.get(k) != old.get(k))
            details.append(f"  {key}: {len(changed)} entries differ, e.g. {changed[:8]}")
        elif isinstance(new, list) and isinstance(old, list):
            added, removed = sorted(set(new) - set(old)), sorted(set(old) - set(new))
            details.append(f"  {key}: added {added[:8]}, removed {removed[:8]}")
        else:
            details.append(f"  {key}: {old!r} -> {new!r}")
    assert not differing, (
        f"{DATA_PATH.relative_to(REPO_ROOT)} is stale for torch {torch.__version__}:\n"
        + "\n".join(details)
        + f"\nregenerate with: {generator.REGENERATE_COMMAND}"
    )
    assert generator.render(regenerated) == DATA_PATH.read_text(encoding="utf-8"), (
        f"same facts, different formatting; regenerate with: {generator.REGENERATE_COMMAND}"
    )


# ---------------------------------------------------------------------------------------------
# (ii) the facts hold when torch runs


def test_inplace_methods_are_exactly_the_public_trailing_underscore_methods(data):
    on_torch = {
        name
        for name in dir(torch.Tensor)
        if name.endswith("_") and not name.startswith("_") and callable(getattr(torch.Tensor, name))
    }
    assert set(data["tensor_inplace_methods"]) == on_torch


def test_out_of_place_counterparts_exist_and_missing_ones_do_not(data):
    for name, entry in data["tensor_inplace_methods"].items():
        base = name[:-1]
        tensor_attribute = inspect.getattr_static(torch.Tensor, base, None)
        tensor_has = callable(tensor_attribute) and not isinstance(tensor_attribute, property)
        assert (entry["out_of_place"] == base) == tensor_has, name
        assert entry["out_of_place"] in (None, base), name
        assert (entry["torch_out_of_place"] == base) == _is_plain_callable(
            getattr(torch, base, None)
        ), name


def test_boolean_kinds_return_bool_out_of_place_and_logical_ones_escape_autograd(data):
    boolean = {
        n: e
        for n, e in data["tensor_inplace_methods"].items()
        if e["kind"] in ("comparison", "logical")
    }
    assert boolean
    for name, entry in boolean.items():
        self_tensor, other = _probe_tensor(), _probe_tensor().flip(0)
        arguments, result = _call_first_fitting(getattr(self_tensor, name[:-1]), [(other,), ()])
        assert arguments is not None and result.dtype == torch.bool, name
        non_leaf = _probe_tensor().requires_grad_() * 1
        grad_fn_before = non_leaf.grad_fn
        getattr(non_leaf, name)(*arguments)
        recorded = non_leaf.grad_fn is not grad_fn_before
        assert recorded == (entry["kind"] == "comparison"), name


def test_value_ops_without_extra_arguments_equal_their_out_of_place_call(data):
    checked = []
    for name, entry in data["tensor_inplace_methods"].items():
        if entry["kind"] != "value":
            continue
        mutated = _probe_tensor()
        arguments, _ = _call_first_fitting(getattr(mutated, name), [(), (_probe_tensor().flip(0),)])
        if arguments is None:
            continue
        expected = getattr(_probe_tensor(), entry["out_of_place"])(*arguments)
        assert torch.allclose(mutated, expected.to(mutated.dtype), equal_nan=True), name
        checked.append(name)
    assert len(checked) > len(data["tensor_inplace_methods"]) // 3, checked


def test_random_methods_follow_the_seed(data):
    random_methods = [n for n, e in data["tensor_inplace_methods"].items() if e["kind"] == "random"]
    assert random_methods
    for name in random_methods:
        draws = []
        for seed in (1, 1, 2):
            torch.manual_seed(seed)
            arguments, result = _call_first_fitting(getattr(torch.zeros(64), name), [(), (0.5,)])
            assert arguments is not None, name
            draws.append(result.clone())
        assert torch.equal(draws[0], draws[1]), name
        assert not torch.equal(draws[0], draws[2]), name


def test_value_kinds_are_not_random(data):
    # The same in-place call twice from the same state must agree for every deterministic kind.
    for name, entry in data["tensor_inplace_methods"].items():
        if entry["kind"] not in ("value", "comparison", "logical"):
            continue
        candidates = [(), (_probe_tensor().flip(0),)]
        torch.manual_seed(0)
        arguments, first = _call_first_fitting(getattr(_probe_tensor(), name), candidates)
        if arguments is None:
            continue
        torch.manual_seed(1)
        second = getattr(_probe_tensor(), name)(*arguments)
        assert torch.equal(first.nan_to_num(), second.nan_to_num()), name


def test_metadata_methods_keep_storage_and_values(data):
    metadata = [n for n, e in data["tensor_inplace_methods"].items() if e["kind"] == "metadata"]
    assert metadata
    candidates = [(), (0,), (0, 1), ((3, 2), (1, 3))]
    for name in metadata:
        for shape in ((2, 3), (1, 2, 3)):
            tensor = _probe_tensor(shape)
            before_layout = (tensor.shape, tensor.stride())
            storage_before = tensor.untyped_storage()
            values_before = torch.frombuffer(
                bytearray(bytes(storage_before)), dtype=torch.float32
            ).clone()
            arguments, result = _call_first_fitting(getattr(tensor, name), candidates)
            if arguments is not None and (tensor.shape, tensor.stride()) != before_layout:
                break
        assert arguments is not None, name
        assert result is tensor, name
        assert (tensor.shape, tensor.stride()) != before_layout, name
        assert tensor.untyped_storage().data_ptr() == storage_before.data_ptr(), name
        values_after = torch.frombuffer(
            bytearray(bytes(tensor.untyped_storage())), dtype=torch.float32
        )
        assert torch.equal(values_before, values_after), name


def test_fill_methods_have_no_tensor_counterpart_and_overwrite_values(data):
    fills = [n for n, e in data["tensor_inplace_methods"].items() if e["kind"] == "fill"]
    assert fills
    for name in fills:
        assert not callable(getattr(torch.Tensor, name[:-1], None)), name
        tensor = _probe_tensor((3, 3))
        arguments, _ = _call_first_fitting(
            getattr(tensor, name), [(), (0.0,), (torch.zeros(3, 3),)]
        )
        assert arguments is not None, name
        assert not torch.equal(tensor, _probe_tensor((3, 3))), name


def test_torch_inplace_functions_resolve(data):
    on_torch = {
        f"torch.{n}"
        for n in dir(torch)
        if n.endswith("_") and not n.startswith("_") and _is_plain_callable(getattr(torch, n))
    }
    assert set(data["torch_inplace_functions"]) == on_torch
    on_functional = {
        f"torch.nn.functional.{n}"
        for n in dir(F)
        if n.endswith("_") and not n.startswith("_") and _is_plain_callable(getattr(F, n))
    }
    assert set(data["functional_inplace_functions"]) == on_functional
    entries = {**data["torch_inplace_functions"], **data["functional_inplace_functions"]}
    for qualname, entry in entries.items():
        if entry["out_of_place"] is not None:
            assert _is_plain_callable(_resolve(entry["out_of_place"])), qualname
            assert entry["out_of_place"].rsplit(".", 1)[1] == qualname.rsplit(".", 1)[1][:-1]


def _filled_arguments(
    signature: inspect.Signature, inplace_position: int | None, skip: int
) -> tuple[list, dict]:
    """Arguments passing True only at ``inplace_position`` (or as ``inplace=`` when None).

    Other parameters get their default, ``training=True``, or 0.5 when required. A wrong
    position puts True on another parameter and leaves ``inplace`` at its default (False).
    """
    parameters = list(signature.parameters.values())[skip:]
    values = {}
    for parameter in parameters:
        if parameter.name == "training":
            values["training"] = True
        elif parameter.default is inspect.Parameter.empty and parameter.kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        ):
            values[parameter.name] = 0.5
    if inplace_position is None:
        return [], {**values, "inplace": True}
    names = [p.name for p in parameters][: inplace_position + 1]
    assert len(names) == inplace_position + 1, "inplace_position past the last parameter"
    positional = [values.pop(n, signature.parameters[n].default) for n in names[:-1]] + [True]
    values.pop(names[-1], None)
    return positional, values


def test_functional_inplace_param_mutates_the_input_at_that_position(data):
    for qualname, entry in data["functional_inplace_param"].items():
        function = _resolve(qualname)
        signature = inspect.signature(function)
        position = entry["inplace_position"]
        # The input tensor is passed separately, so positions shift by one.
        positional, keywords = _filled_arguments(
            signature, None if position is None else position - 1, 1
        )
        non_leaf = _probe_tensor().requires_grad_() * 1 - 0.5
        version = non_leaf._version
        result = function(non_leaf, *positional, **keywords)
        assert result is non_leaf and non_leaf._version > version, qualname
    on_functional = {
        f"torch.nn.functional.{n}"
        for n in dir(F)
        if not n.startswith("_")
        and inspect.isfunction(getattr(F, n))
        and "inplace" in inspect.signature(getattr(F, n)).parameters
    }
    assert set(data["functional_inplace_param"]) == on_functional


def test_modules_honour_inplace_exactly_when_they_mutate_their_input(data):
    assert data["modules_inplace_param"]
    for qualname, entry in data["modules_inplace_param"].items():
        module_class = _resolve(qualname)
        signature = inspect.signature(module_class.__init__)
        positional, keywords = _filled_arguments(signature, entry["inplace_position"], 1)
        module = module_class(*positional, **keywords).train()
        assert module.inplace is True, qualname
        non_leaf = _probe_tensor().requires_grad_() * 1 - 0.5
        version = non_leaf._version
        module(non_leaf)
        assert (non_leaf._version > version) == entry["honours_inplace"], qualname


def test_nn_modules_are_the_public_module_classes(data):
    on_torch = {
        f"torch.nn.{n}"
        for n in dir(torch.nn)
        if not n.startswith("_")
        and inspect.isclass(getattr(torch.nn, n))
        and issubclass(getattr(torch.nn, n), torch.nn.Module)
    }
    assert set(data["nn_modules"]) == on_torch


def _spot_calls():
    x = _probe_tensor()
    return {
        "torch.add": [lambda: torch.add(x, x)],
        "torch.chunk": [lambda: torch.chunk(x, 2)],
        "torch.split": [lambda: torch.split(x, 1)],
        "torch.numel": [lambda: torch.numel(x)],
        "torch.is_tensor": [lambda: torch.is_tensor(x)],
        "torch.get_default_dtype": [lambda: torch.get_default_dtype()],
        "torch.max": [lambda: torch.max(x), lambda: torch.max(x, 0)],
        "torch.unique": [lambda: torch.unique(x), lambda: torch.unique(x, return_counts=True)],
        "torch.nn.functional.relu": [lambda: F.relu(x)],
        "torch.nn.functional.max_pool1d": [
            lambda: F.max_pool1d(x[None], 2),
            lambda: F.max_pool1d(x[None], 2, return_indices=True),
        ],
        "torch.linalg.norm": [lambda: torch.linalg.norm(x)],
        "torch.special.expit": [lambda: torch.special.expit(x)],
        "torch.fft.fft": [lambda: torch.fft.fft(x)],
        "torch.tensor": [lambda: torch.tensor([1.0])],
        "torch.nn.Parameter": [lambda: torch.nn.Parameter(x)],
    }


@pytest.mark.parametrize("qualname", sorted(_spot_calls()))
def test_function_return_kind_matches_calls(qualname):
    observed = {_observed_kind(call()) for call in _spot_calls()[qualname]}
    kind = torch_data.torch_function_return_kind(qualname)
    assert kind is not None
    expected = {"tensor", "tensors"} if kind == "mixed" else {kind.value}
    assert observed == expected


def test_factories_return_fresh_tensors_and_aliasing_constructors_are_not_factories():
    assert torch_data.is_factory("torch.zeros") and torch_data.is_factory("torch.randn_like")
    x = _probe_tensor()
    for qualname, call in {
        "torch.zeros": lambda: torch.zeros(2, 3),
        "torch.arange": lambda: torch.arange(3),
        "torch.zeros_like": lambda: torch.zeros_like(x),
        "torch.tensor": lambda: torch.tensor([1.0]),
    }.items():
        assert torch_data.is_factory(qualname)
        result = call()
        assert result.grad_fn is None and not _shares_storage(result, x), qualname
    # as_tensor may hand back its argument: not a factory.
    assert torch.as_tensor(x) is x
    assert not torch_data.is_factory("torch.as_tensor")
    assert torch.add(x, 1) is not x and not torch_data.is_factory("torch.add")


def test_tensor_method_return_kinds_match_calls():
    x = _probe_tensor()
    calls = {
        "item": [lambda: x[0, 0].item()],
        "tolist": [lambda: x.tolist()],
        "size": [lambda: x.size(), lambda: x.size(0)],
        "dim": [lambda: x.dim()],
        "is_contiguous": [lambda: x.is_contiguous()],
        "split": [lambda: x.split(1)],
        "unbind": [lambda: x.unbind()],
        "max": [lambda: x.max(), lambda: x.max(0)],
        "topk": [lambda: x.topk(1)],
        "add": [lambda: x.add(1)],
        "__len__": [lambda: len(x)],
        "__getitem__": [lambda: x[0], lambda: x[[0, 1]]],
        "__add__": [lambda: x + 1],
    }
    for name, name_calls in calls.items():
        observed = {_observed_kind(call()) for call in name_calls}
        kind = torch_data.tensor_method_return_kind(name)
        assert kind is not None, name
        expected = {"tensor", "tensors"} if kind == "mixed" else {kind.value}
        assert observed == expected, name


def test_view_methods_share_storage_when_called(data):
    candidates = [(), (0,), (0, 1), (-1,), ((3, 2), (1, 3)), (2,), (1, 0)]
    verified = set()
    for name, kind in data["view_methods"].items():
        base = _probe_tensor()
        attribute = inspect.getattr_static(torch.Tensor, name, None)
        if not callable(attribute):
            continue  # properties (T, mT, real) are checked below
        arguments, result = _call_first_fitting(getattr(base, name), candidates)
        if arguments is None:
            continue  # sparse-only accessors (indices, crow_indices) reject a dense tensor
        results = list(result) if kind == "multi_view" else [result]
        if kind == "may_alias" and not all(_shares_storage(r, base) for r in results):
            continue
        assert all(_shares_storage(r, base) for r in results), name
        verified.add(name)
    assert {"view", "transpose", "t", "unsqueeze", "chunk", "unbind", "split"} <= verified
    base = _probe_tensor()
    assert _shares_storage(base.T, base) and torch_data.view_kind("T") is not None
    assert _shares_storage(base.mT, base) and torch_data.view_kind("mT") is not None


def test_non_view_methods_return_new_storage(data):
    base = _probe_tensor()
    for name, call in {"clone": base.clone, "add": lambda: base.add(1), "exp": base.exp}.items():
        assert name not in data["view_methods"]
        assert not _shares_storage(call(), base)


def test_getitem_may_alias_because_only_basic_indexing_views():
    base = _probe_tensor()
    assert _shares_storage(base[0], base) and not _shares_storage(base[[0]], base)
    assert torch_data.view_kind("__getitem__") == torch_data.ViewKind.MAY_ALIAS


def test_view_functions_share_storage_when_called(data):
    x = _probe_tensor()
    for qualname, call in {
        "torch.transpose": lambda: torch.transpose(x, 0, 1),
        "torch.chunk": lambda: torch.chunk(x, 2),
        "torch.unbind": lambda: torch.unbind(x),
    }.items():
        assert qualname in data["view_functions"]
        result = call()
        results = list(result) if data["view_functions"][qualname] == "multi_view" else [result]
        assert all(_shares_storage(r, x) for r in results), qualname
    assert "torch.add" not in data["view_functions"]


# ---------------------------------------------------------------------------------------------
# the accessor module


def test_every_entry_is_readable_through_the_accessors(data):
    for name in data["tensor_inplace_methods"]:
        assert torch_data.inplace_method(name).name == name
    for qualname in {**data["torch_inplace_functions"], **data["functional_inplace_functions"]}:
        assert torch_data.torch_inplace_function(qualname).qualname == qualname
    for qualname in data["torch_functions"]:
        assert torch_data.torch_function_return_kind(qualname) is not None
    for name in data["tensor_methods"]:
        assert torch_data.tensor_method_return_kind(name) is not None
    for name in data["view_methods"]:
        assert torch_data.view_kind(name) is not None
    for qualname in data["view_functions"]:
        assert torch_data.function_view_kind(qualname) is not None
    for qualname in data["modules_inplace_param"]:
        assert torch_data.module_inplace_param(qualname) is not None
    for qualname in data["functional_inplace_param"]:
        assert torch_data.functional_inplace_param(qualname) is not None
    assert torch_data.inplace_method("add") is None
    assert torch_data.module_inplace_param("torch.nn.Linear") is None
    assert torch_data.is_nn_module_class("torch.nn.Linear")
    assert not torch_data.is_nn_module_class("torch.nn.functional.relu")
    assert torch_data.torch_version() == torch.__version__


def test_accessors_do_not_import_torch():
    script = (
        "import sys, inplace_fixer.torch_data as t\n"
        "t.inplace_method('add_'); t.torch_function_return_kind('torch.add'); t.view_kind('view')\n"
        "assert 'torch' not in sys.modules, [m for m in sys.modules if m.startswith('torch')]\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr


def test_missing_data_file_is_a_clear_one_line_error(monkeypatch):
    monkeypatch.setattr(torch_data, "_DATA_FILE", "no_such_file.json")
    torch_data._data.cache_clear()
    try:
        with pytest.raises(torch_data.TorchDataError, match="no_such_file.json") as raised:
            torch_data.inplace_method("add_")
        assert "\n" not in str(raised.value)
    finally:
        monkeypatch.undo()
        torch_data._data.cache_clear()

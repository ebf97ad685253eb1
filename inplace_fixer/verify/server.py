"""A warm worker: imports torch once, then verifies pairs sent as JSON lines on stdin.

``python -m inplace_fixer.verify.server [fork|subprocess]``. Each request is one JSON object per
line (``original``, ``rewritten``, ``timeout``, ``memory_limit``); each answer is one line with
either ``result`` (a VerifyResult) or ``internal_error`` (a verifier bug, with its traceback).
The first line written is ``{"ready": true}``. Programs never run in this process: every run is
a child, so nothing they do can break the worker.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import sys
import traceback
import warnings
from typing import Any, BinaryIO


def _claim_protocol_streams() -> tuple[BinaryIO, BinaryIO]:
    """Move the protocol off fds 0 and 1 so nothing torch or a library prints can corrupt it."""
    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    return requests, answers


def _warm_up() -> None:
    # torch warns at import when numpy is absent; numpy is optional for the programs we run.
    warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
    import torch

    # One intra-op thread per worker (a batch uses one worker per core), set before the first
    # fork: a forked child cannot use a thread pool its parent had started.
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    # Imported lazily by common programs (every optimizer.step() imports torch._dynamo): paid
    # once here instead of in every child, where it costs more than the run itself.
    import torch._dynamo  # noqa: F401
    import torch.optim  # noqa: F401

    try:
        import numpy  # noqa: F401 - seeded in each child when present
    except ImportError:
        pass
    import inplace_fixer.verify.verifier  # noqa: F401 - everything a child needs, imported once

    _exercise_common_kernels(torch)
    # Children share the worker's memory copy-on-write; a garbage collection in a child walks
    # every object and dirties the pages it touches. Frozen objects are never walked.
    gc.collect()
    gc.freeze()


def _exercise_common_kernels(torch) -> None:  # noqa: ANN001 - torch is imported lazily
    """First calls initialise kernels and caches; do that once here rather than in each child."""
    model = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    data = torch.randn(2, 3, requires_grad=True)
    hidden = torch.sigmoid(model(data)) * torch.tanh(data).exp().sum()
    loss = torch.softmax(hidden, dim=0).log().mean()
    loss.backward()
    optimizer.step()
    torch.autograd.grad((data * data).sum(), data)


def serve(launcher_name: str) -> None:
    requests, answers = _claim_protocol_streams()
    _warm_up()
    from inplace_fixer.verify.launch import ForkLauncher, SubprocessLauncher, scratch_directory
    from inplace_fixer.verify.verifier import verify_pair

    launcher_class = {"fork": ForkLauncher, "subprocess": SubprocessLauncher}[launcher_name]
    scratch_dir = scratch_directory()
    launcher = launcher_class(scratch_dir)
    try:
        _answer(answers, {"ready": True})
        for line in requests:
            request = json.loads(line)
            try:
                result = verify_pair(
                    request["original"],
                    request["rewritten"],
                    launcher,
                    timeout=request["timeout"],
                    memory_limit=request["memory_limit"],
                )
                _answer(answers, {"result": result.to_json()})
            except Exception:  # noqa: BLE001 - reported to the caller as a verifier bug
                _answer(answers, {"internal_error": traceback.format_exc()})
    finally:
        launcher.close()
        shutil.rmtree(scratch_dir, ignore_errors=True)


def _answer(answers: BinaryIO, message: dict[str, Any]) -> None:
    answers.write(json.dumps(message).encode("utf-8") + b"\n")
    answers.flush()


if __name__ == "__main__":
    serve(sys.argv[1] if len(sys.argv) > 1 else "fork")

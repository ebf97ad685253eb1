"""`inplace-fixer verify` output: JSON shape, text, exit codes, bad input; and no torch import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from inplace_fixer.verify.cli import verify
from inplace_fixer.verify.corpus import GOLDEN_ROOT
from inplace_fixer.verify.result import Verdict

VERDICTS = {verdict.value for verdict in Verdict}


def _case(name: str) -> tuple[str, str]:
    return str(GOLDEN_ROOT / f"{name}.py"), str(GOLDEN_ROOT / f"{name}.rewritten.py")


def test_json_output_has_verdict_and_evidence() -> None:
    original, rewritten = _case("fixed/saved_result_sigmoid_mul_")
    outcome = CliRunner().invoke(verify, [original, rewritten, "--format", "json"])
    assert outcome.exit_code == 0, outcome.output
    payload = json.loads(outcome.output)
    assert payload["verdict"] == "fixed"
    assert payload["verdict"] in VERDICTS
    assert payload["path"] == original and payload["rewritten_path"] == rewritten
    evidence = payload["evidence"]
    assert evidence["original"]["error"]["kind"] == "saved-tensor-modified"
    assert evidence["rewritten"]["status"] == "ok"
    assert evidence["losses"][0]["match"] == "bitwise"
    # The original fails inside backward(): the exact oracle (the original re-run with saved
    # tensors cloned when saved) gives the gradients to compare, not finite differences.
    assert evidence["oracle"] == "saved-tensor clone reference"
    assert evidence["gradients"] and all(g["match"] == "bitwise" for g in evidence["gradients"])


def test_text_output_and_exit_code_for_a_difference(tmp_path: Path) -> None:
    original, _ = _case("other/dtype_promotion")
    rewritten = tmp_path / "after.py"
    rewritten.write_text(Path(_case("other/dtype_promotion")[1]).read_text())
    outcome = CliRunner().invoke(verify, [original, str(rewritten)])
    assert outcome.exit_code == 1
    first_line = outcome.output.splitlines()[0]
    assert first_line.endswith(": different")
    assert "first difference: global x: dtype torch.float32 became torch.float64" in outcome.output


def test_one_file_is_rewritten_in_memory_by_the_engine() -> None:
    original, _ = _case("article/example2_out_of_place")
    outcome = CliRunner().invoke(verify, [original, "--format", "json"])
    payload = json.loads(outcome.output)
    assert payload["rewritten_path"] is None
    assert payload["verdict"] == "equivalent"
    assert outcome.exit_code == 0


def test_missing_file_is_a_one_line_error_with_exit_code_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope.py"
    outcome = CliRunner().invoke(verify, [str(missing)])
    assert outcome.exit_code == 2
    assert outcome.output.strip() == f"Error: {missing}: no such file"


def test_undecodable_file_names_the_file_and_the_cause(tmp_path: Path) -> None:
    binary = tmp_path / "latin1.py"
    binary.write_bytes(b"x = '\xe9'\n")
    outcome = CliRunner().invoke(verify, [str(binary)])
    assert outcome.exit_code == 2
    assert outcome.output.strip().startswith(f"Error: {binary}: not UTF-8")


def test_importing_the_verifier_and_its_command_does_not_import_torch() -> None:
    code = (
        "import sys\n"
        "import inplace_fixer.verify, inplace_fixer.verify.cli, inplace_fixer.verify.corpus\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_package_itself_is_the_python_entry_point() -> None:
    import inplace_fixer.verify

    source = "import torch\nx = torch.ones(2, requires_grad=True)\ny = x * 2\ny *= 3\ny.sum().backward()\n"
    result = inplace_fixer.verify(source, source.replace("y *= 3", "y = y * 3"), timeout=5.0)
    assert result.verdict is Verdict.EQUIVALENT
    assert [gradient["rewritten"]["values"] for gradient in result.gradients] == [[6.0, 6.0]]

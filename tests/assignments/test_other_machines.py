"""The hidden tests as committed work on a machine whose CPU or BLAS rounds differently from the author's.

Another machine is simulated with another OpenBLAS kernel (`OPENBLAS_CORETYPE`), which changes the last bits of
matrix products. Under each, `release` and `grade` run as an instructor runs them, in a copy of the course; and a
genuinely changed case or reference is still reported stale.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder import ASSIGNMENTS
from autograder.checks import embed
from tests.conftest import ROOT, repo_copy

OTHER_KERNELS = ("Prescott", "Sandybridge")


def _python(code: str, cwd: Path = ROOT, coretype: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    run = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    if check:
        assert run.returncode == 0, f"{code}\nexited {run.returncode}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    return run


ENCODED = "from autograder.checks.embed import encode; import json; print(json.dumps([encode(n) for n in {names!r}]))"


def test_other_kernels_really_round_differently():
    """The simulation is real: some OpenBLAS kernel gives other last bits for the hidden tests' expected values."""
    names = ["to_grayscale", "correlate_batch", "affine", "conv_forward"]
    default = _python(ENCODED.format(names=names)).stdout
    others = [_python(ENCODED.format(names=names), coretype=k).stdout for k in OTHER_KERNELS]
    assert any(other != default for other in others), "no OpenBLAS kernel changed a bit: this test simulates nothing"


@pytest.mark.parametrize("coretype", OTHER_KERNELS)
def test_release_and_grade_on_another_machine(coretype, tmp_path):
    """With the hidden tests as committed, release succeeds and grade gives the reference full marks, the stub zero."""
    repo = repo_copy(tmp_path)
    stale = _python("from autograder.checks.embed import source_notebooks, stale_reasons; import json; "
                    "print(json.dumps({p.stem: stale_reasons(p) for p in source_notebooks()}))", repo, coretype)
    assert json.loads(stale.stdout) == {a: {} for a in ASSIGNMENTS}

    released = _python("import sys; from autograder.__main__ import main; sys.exit(main(['release']))", repo, coretype)
    assert released.stdout.count("released ") == len(ASSIGNMENTS), released.stderr
    for assignment in ASSIGNMENTS:
        folder = tmp_path / "submissions" / assignment
        folder.mkdir(parents=True)
        shutil.copy(repo / "autograder" / "source" / assignment / f"{assignment}.ipynb", folder / "reference.ipynb")
        shutil.copy(repo / "chapters" / "exercises" / f"{assignment}.ipynb", folder / "stub.ipynb")
        out = tmp_path / "graded" / assignment
        _python(f"import sys; from autograder.__main__ import main; "
                f"sys.exit(main(['grade', '{assignment}', '{folder}', '--out', '{out}', '--workers', '2']))", repo, coretype)
        rows = {line.split(",")[0]: line.split(",") for line in (out / "grades.csv").read_text().splitlines()[1:]}
        reference, stub = rows["reference"], rows["stub"]
        assert reference[4] == "graded" and float(reference[2]) == float(reference[3]) > 0, reference
        assert stub[4] == "graded" and float(stub[2]) == 0.0, stub


def test_embed_on_another_machine_changes_nothing(tmp_path):
    """`embed` run on another machine leaves every up-to-date cell as committed (no last-bit churn in git)."""
    repo = repo_copy(tmp_path)
    before = {p: p.read_bytes() for p in (repo / "autograder" / "source").glob("*/*.ipynb")}
    _python("import sys; from autograder.__main__ import main; sys.exit(main(['embed']))", repo, "Prescott")
    assert {p: p.read_bytes() for p in before} == before


STALE = "from autograder.checks.embed import source_notebooks, stale_reasons; import json; " \
        "print(json.dumps({p.stem: stale_reasons(p) for p in source_notebooks()}))"


def test_a_changed_reference_is_stale_until_embedded(tmp_path):
    """Changing a reference function marks the hidden tests stale, names the file, and release refuses until `embed`."""
    repo = repo_copy(tmp_path)
    activation = repo / "solutions" / "activation.py"
    text = activation.read_text()
    assert "return np.maximum(as_array(z, \"z\"), 0.0)" in text
    activation.write_text(text.replace("return np.maximum(as_array(z, \"z\"), 0.0)",
                                       "return np.maximum(as_array(z, \"z\"), 0.01 * as_array(z, \"z\"))"))
    stale = json.loads(_python(STALE, repo).stdout)["ex04_activation"]
    assert "test_relu" in stale and "solutions/activation.py" in stale["test_relu"], stale

    refused = _python("import sys; from autograder.__main__ import main; sys.exit(main(['release']))", repo, check=False)
    assert refused.returncode == 1 and "solutions/activation.py" in refused.stderr and "embed" in refused.stderr

    before = (repo / "autograder" / "source" / "ex04_activation" / "ex04_activation.ipynb").read_text()
    _python("from autograder.__main__ import main; main(['embed'])", repo)
    assert json.loads(_python(STALE, repo).stdout) == {a: {} for a in ASSIGNMENTS}
    after = (repo / "autograder" / "source" / "ex04_activation" / "ex04_activation.ipynb").read_text()
    assert _blob(after, "test_relu") != _blob(before, "test_relu"), "the leaky relu must give other expected values"


def test_a_changed_case_is_stale(tmp_path):
    """Changing a hidden case (a filter size) in cases.py marks the hidden tests stale, naming cases.py."""
    repo = repo_copy(tmp_path)
    cases = repo / "autograder" / "checks" / "cases.py"
    text = cases.read_text()
    assert "(2, 5, 5, 3, 3, 4, 1, 0)" in text
    cases.write_text(text.replace("(2, 5, 5, 3, 3, 4, 1, 0)", "(2, 5, 5, 3, 2, 4, 1, 0)"))
    stale = json.loads(_python(STALE, repo).stdout)["ex06_feature_maps"]
    assert "autograder/checks/cases.py" in stale["test_conv_forward"], stale


def _blob(notebook_text: str, grade_id: str) -> str:
    notebook = nbformat.reads(notebook_text, as_version=4)
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return embed.BLOB.search(cell.source).group(0)


def _perturbed(name: str, relative: float) -> tuple[int, list[str]]:
    """The cases of `name` encoded as embed does, with every number scaled by (1 + relative)."""
    import base64
    import zlib

    manifest, data = embed._manifest(name)
    values = np.frombuffer(data, "<f8") * (1 + relative)
    head = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    payload = base64.b64encode(zlib.compress(head + values.astype("<f8").tobytes())).decode()
    return len(head), [payload]


def test_values_are_compared_within_the_harness_tolerance():
    """Embedded values that differ in the last bits are up to date; values that would grade differently are stale."""
    assert embed.cases_differ("conv_forward", *_perturbed("conv_forward", 4e-16)) is None
    assert embed.cases_differ("conv_forward", *_perturbed("conv_forward", 1e-4)) == "the inputs or expected values changed"
    size, lines = embed.encode("affine")
    assert embed.cases_differ("conv_forward", size, lines) == "the cases changed (calls, shapes or expected errors)"
    assert embed.cases_differ("affine", size, lines) is None
    assert embed.cases_differ("affine", size, ["bm90IHpsaWI="]).startswith("the embedded cases cannot be decoded")


def test_an_edited_hidden_block_is_stale(tmp_path):
    """Hand-editing the generated hidden test text is caught, with every definition file unchanged."""
    repo = repo_copy(tmp_path)
    path = repo / "autograder" / "source" / "ex02_correlation" / "ex02_correlation.ipynb"
    path.write_text(path.read_text().replace('_hidden_check(\\"correlate\\", correlate,', '_hidden_check(\\"correlate\\", convolve,'))
    stale = json.loads(_python(STALE, repo).stdout)["ex02_correlation"]
    assert stale == {"test_correlate": "its generated text was edited"}

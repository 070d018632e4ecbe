"""Wrong answers to ex05 lose exactly the points they should, with messages in the lecture's terms."""

from __future__ import annotations

import pytest

from tests.assignments.roundtrip import autograded, cell_error, grade_answers, lost

A = "ex05_dot_product"

AFFINE_BY_LOOPS = '''
def affine(X, W, b):
    X, W, b = np.asarray(X, dtype=float), np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    if X.ndim != 4 or W.ndim != 4:
        raise ValueError(f"X must be (N, n_H, n_W, n_C) and W (n_H, n_W, n_C, K); got {X.shape} and {W.shape}")
    if W.shape[:3] != X.shape[1:]:
        raise ValueError(f"W has filters of shape {W.shape[:3]} but X has images of shape {X.shape[1:]}")
    if b.shape != (W.shape[3],):
        raise ValueError(f"b has shape {b.shape} but W has K={W.shape[3]} filters")
    Z = np.zeros((X.shape[0], W.shape[3]))
    for n in range(X.shape[0]):
        for k in range(W.shape[3]):
            Z[n, k] = np.sum(X[n] * W[..., k]) + b[k]
    return Z
'''

WRONG = {
    # flatten reads column by column (Fortran order) instead of row by row.
    "column_major": {"flatten": "def flatten(X):\n    return np.asarray(X, dtype=float).flatten(order='F')\n"},
    # flatten returns a view of X (allowed: the contract asks for row-major order, not a copy);
    # correlate_dot forgets the bias.
    "view_and_no_bias": {
        "flatten": "def flatten(X):\n    return np.ravel(np.asarray(X, dtype=float))\n",
        "correlate_dot": "def correlate_dot(X, F, b=0.0):\n    return float(flatten(X) @ flatten(F))\n",
    },
    # correlate_dot compares the number of entries, not the shapes.
    "size_only": {"correlate_dot": (
        "def correlate_dot(X, F, b=0.0):\n    X, F = np.asarray(X, dtype=float), np.asarray(F, dtype=float)\n"
        "    if X.size != F.size:\n        raise ValueError(f'X has {X.size} entries but F has {F.size}')\n"
        "    return float(flatten(X) @ flatten(F) + b)\n")},
    # affine reads W with the filter axis K first: each column mixes entries of several filters.
    "filters_as_rows": {"affine": (
        "def affine(X, W, b):\n    X, W = np.asarray(X, dtype=float), np.asarray(W, dtype=float)\n"
        "    N, K = X.shape[0], W.shape[-1]\n    return X.reshape(N, -1) @ W.reshape(K, -1).T + b\n")},
    # a correct affine, written with loops.
    "loops": {"affine": AFFINE_BY_LOOPS},
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return grade_answers(tmp_path_factory.mktemp(A), A, WRONG)



def test_column_major_flatten_fails_the_flatten_test_only(results):
    """Reading column by column fails test_flatten with the row-by-row formula; correlate_dot, which flattens X and F alike, keeps its points."""
    course, scores = results
    assert lost(scores, "column_major") == {"test_flatten"}
    message = cell_error(autograded(course, A, "column_major"), "test_flatten")
    assert "flatten(X)[i·n_W + j] must be X[i, j]" in message


def test_a_view_is_fine_but_a_missing_bias_is_reported(results):
    """A flatten that returns a view of X keeps its points; a correlate_dot without b loses its cell, with the reason."""
    course, scores = results
    assert lost(scores, "view_and_no_bias") == {"test_correlate_dot"}
    notebook = autograded(course, A, "view_and_no_bias")
    assert "z = X ⊗ F + b = 3 + b = 3.5 with b = 0.5" in cell_error(notebook, "test_correlate_dot")


def test_comparing_sizes_instead_of_shapes_loses_the_correlate_dot_points(results):
    """Accepting X (3, 4) with F (4, 3) because both have 12 entries fails test_correlate_dot, saying the shapes must agree."""
    course, scores = results
    assert lost(scores, "size_only") == {"test_correlate_dot"}
    message = cell_error(autograded(course, A, "size_only"), "test_correlate_dot")
    assert "X and F must have the same shape, not only the same number of entries" in message


def test_filters_read_with_the_wrong_axis_fail_both_affine_cells(results):
    """W flattened with the filter axis K first gives Z of the right shape but wrong values: test_affine and the hidden checks of test_affine_vectorized fail."""
    course, scores = results
    assert lost(scores, "filters_as_rows") == {"test_affine", "test_affine_vectorized"}
    notebook = autograded(course, A, "filters_as_rows")
    assert "Z[n, k] must be X[n] ⊗ W[..., k] + b[k]" in cell_error(notebook, "test_affine")
    assert "hidden checks failed" in cell_error(notebook, "test_affine_vectorized")


def test_a_correct_loop_answer_loses_only_the_vectorized_point(results):
    """affine with for loops keeps every correctness point and loses exactly test_affine_vectorized, which names the loop."""
    course, scores = results
    assert lost(scores, "loops") == {"test_affine_vectorized"}
    assert scores["loops"]["test_affine_vectorized"][0] == 0
    message = cell_error(autograded(course, A, "loops"), "test_affine_vectorized")
    assert "not vectorized: affine uses a for loop" in message

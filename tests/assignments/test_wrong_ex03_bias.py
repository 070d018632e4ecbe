"""Wrong answers to ex03 lose exactly the points they should, with messages in the lecture's terms."""

from __future__ import annotations

import pytest

from tests.assignments.roundtrip import autograded, cell_error, grade_answers, lost

A = "ex03_bias"

CHECKED_BANK = (
    "    X = np.asarray(X, dtype=float)\n"
    "    W = np.asarray(W, dtype=float)\n"
    "    b = np.asarray(b, dtype=float)\n"
    "    if X.ndim != 3 or W.ndim != 4 or W.shape[:3] != X.shape:\n"
    "        raise ValueError(f'W of shape {W.shape} does not fit X of shape {X.shape}')\n"
    "    if b.shape != (W.shape[3],):\n"
    "        raise ValueError(f'b has shape {b.shape} but W has K={W.shape[3]} filters')\n"
)

WRONG = {
    # z = X ⊗ F: the classical correlation of chapter 2, the bias forgotten.
    "missing_bias": {"correlate_bias": (
        "def correlate_bias(X, F, b):\n"
        "    X, F = np.asarray(X, dtype=float), np.asarray(F, dtype=float)\n"
        "    if X.shape != F.shape:\n"
        "        raise ValueError(f'X has shape {X.shape} but F has shape {F.shape}')\n"
        "    if np.ndim(b) != 0:\n"
        "        raise ValueError('b must be a scalar')\n"
        "    return float(np.sum(X * F))\n")},
    # The right number, but no check that b is one number: a vector b is broadcast into a vector z.
    "no_scalar_check": {"correlate_bias": (
        "def correlate_bias(X, F, b):\n"
        "    return np.sum(np.asarray(X, dtype=float) * np.asarray(F, dtype=float)) + b\n")},
    # Reshaping W to (K, -1) cuts the array in the wrong place: the rows are not the filters W[..., k].
    "filters_mixed_up": {"correlate_filters": (
        "def correlate_filters(X, W, b):\n" + CHECKED_BANK
        + "    return W.reshape(W.shape[3], -1) @ X.reshape(-1) + b\n")},
    # Correct, but one filter at a time.
    "loop_filters": {"correlate_filters": (
        "def correlate_filters(X, W, b):\n" + CHECKED_BANK
        + "    z = np.zeros(W.shape[3])\n"
        "    for k in range(W.shape[3]):\n"
        "        z[k] = np.sum(X * W[..., k]) + b[k]\n"
        "    return z\n")},
    # Correct and vectorized, but with no checks: NumPy broadcasts a b of shape (1,) over all K filters.
    "unchecked_bank": {"correlate_filters": (
        "def correlate_filters(X, W, b):\n"
        "    return np.tensordot(np.asarray(X, dtype=float), np.asarray(W, dtype=float), axes=3) + b\n")},
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return grade_answers(tmp_path_factory.mktemp(A), A, WRONG)



def test_missing_bias_fails_the_correlate_bias_test_only(results):
    """Returning X ⊗ F without + b fails test_correlate_bias, and only it, with a message naming the bias."""
    course, scores = results
    assert lost(scores, "missing_bias") == {"test_correlate_bias"}
    message = cell_error(autograded(course, A, "missing_bias"), "test_correlate_bias")
    assert "the bias b was not added" in message and "z = X ⊗ F + b" in message


def test_vector_bias_must_be_rejected(results):
    """Adding a b of shape (2,) without complaint returns a vector instead of one z: test_correlate_bias gives no points."""
    course, scores = results
    assert lost(scores, "no_scalar_check") == {"test_correlate_bias"}
    assert scores["no_scalar_check"]["test_correlate_bias"][0] == 0
    message = cell_error(autograded(course, A, "no_scalar_check"), "test_correlate_bias")
    assert "b of shape (2,)" in message and "one filter F has one bias b" in message


def test_filters_cut_along_the_wrong_axis_lose_both_filter_cells(results):
    """Reshaping W to (K, -1) mixes the filters: the correctness and the vectorized cell fail, correlate_bias keeps its points."""
    course, scores = results
    assert lost(scores, "filters_mixed_up") == {"test_correlate_filters", "test_correlate_filters_vectorized"}
    message = cell_error(autograded(course, A, "filters_mixed_up"), "test_correlate_filters")
    assert "z[k] = X ⊗ W[..., k] + b[k] with filter k = W[..., k]" in message


def test_correct_loop_loses_only_the_vectorized_point(results):
    """A correct loop over the K filters keeps every correctness point and loses exactly the vectorized one."""
    course, scores = results
    assert lost(scores, "loop_filters") == {"test_correlate_filters_vectorized"}
    assert scores["loop_filters"]["test_correlate_filters_vectorized"][0] == 0
    message = cell_error(autograded(course, A, "loop_filters"), "test_correlate_filters_vectorized")
    assert "not vectorized: correlate_filters uses a for loop" in message


def test_unchecked_bias_shape_loses_the_correctness_points(results):
    """Letting NumPy broadcast b of shape (1,) over K=4 filters fails test_correlate_filters with the expected shape (K,) = (4,)."""
    course, scores = results
    assert lost(scores, "unchecked_bank") == {"test_correlate_filters"}
    message = cell_error(autograded(course, A, "unchecked_bank"), "test_correlate_filters")
    assert "b of shape (1,) and K=4 filters" in message and "shape (K,) = (4,)" in message

"""Wrong answers to ex02 lose exactly the points they should, with messages in the lecture's terms."""

from __future__ import annotations

import pytest

from tests.assignments.roundtrip import autograded, cell_error, grade_answers, lost

A = "ex02_correlation"
WRONG = {
    "products_not_summed": {"correlate": (
        "def correlate(X, F):\n"
        "    X, F = np.asarray(X, dtype=float), np.asarray(F, dtype=float)\n"
        "    if X.shape != F.shape:\n"
        "        raise ValueError(f'X has shape {X.shape} but F has shape {F.shape}')\n"
        "    return X * F\n")},
    "unflipped": {"convolve": (
        "def convolve(X, F):\n"
        "    X, F = np.asarray(X, dtype=float), np.asarray(F, dtype=float)\n"
        "    if X.shape != F.shape:\n"
        "        raise ValueError(f'X has shape {X.shape} but F has shape {F.shape}')\n"
        "    return float(np.sum(X * F))\n")},
    "channels_flipped": {"convolve": (
        "def convolve(X, F):\n"
        "    X, F = np.asarray(X, dtype=float), np.asarray(F, dtype=float)\n"
        "    if X.shape != F.shape:\n"
        "        raise ValueError(f'X has shape {X.shape} but F has shape {F.shape}')\n"
        "    return float(np.sum(X * np.flip(F)))\n")},
    "zero_norm_unchecked": {"similarity": (
        "def similarity(X, F):\n"
        "    X, F = np.asarray(X, dtype=float), np.asarray(F, dtype=float)\n"
        "    if X.shape != F.shape:\n"
        "        raise ValueError(f'X has shape {X.shape} but F has shape {F.shape}')\n"
        "    return float(np.sum(X * F) / (np.linalg.norm(X) * np.linalg.norm(F)))\n")},
    "batch_wrong_axis": {"correlate_batch": (
        "def correlate_batch(X, F):\n"
        "    X, F = np.asarray(X, dtype=float), np.asarray(F, dtype=float)\n"
        "    if X.shape[1:] != F.shape:\n"
        "        raise ValueError(f'X has shape {X.shape} but F has shape {F.shape}')\n"
        "    return np.sum(X * F, axis=0)\n")},
    "batch_loop": {"correlate_batch": (
        "def correlate_batch(X, F):\n"
        "    X, F = np.asarray(X, dtype=float), np.asarray(F, dtype=float)\n"
        "    if X.shape[1:] != F.shape:\n"
        "        raise ValueError(f'X has shape {X.shape} but F has shape {F.shape}')\n"
        "    z = np.zeros(X.shape[0])\n"
        "    for n in range(X.shape[0]):\n"
        "        z[n] = np.sum(X[n] * F)\n"
        "    return z\n")},
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return grade_answers(tmp_path_factory.mktemp(A), A, WRONG)



def test_unsummed_products_fail_the_correlate_test_only(results):
    """Returning the products X[i, j]·F[i, j] instead of their sum fails test_correlate only, asking for one scalar z."""
    course, scores = results
    assert lost(scores, "products_not_summed") == {"test_correlate"}
    message = cell_error(autograded(course, A, "products_not_summed"), "test_correlate")
    assert "expected one scalar z = X ⊗ F" in message


def test_unflipped_filter_is_reported_as_a_correlation(results):
    """A convolve that forgets to flip F returns the correlation; the message says to flip F first."""
    course, scores = results
    assert lost(scores, "unflipped") == {"test_convolve"}
    assert "flip F first" in cell_error(autograded(course, A, "unflipped"), "test_convolve")


def test_flipping_the_channels_is_caught(results):
    """np.flip(F) also reverses the channel axis: test_convolve fails and says channels must not be flipped."""
    course, scores = results
    assert lost(scores, "channels_flipped") == {"test_convolve"}
    assert "flipped the channels too" in cell_error(autograded(course, A, "channels_flipped"), "test_convolve")


def test_zero_norm_must_give_zero_not_nan(results):
    """Dividing by ‖X‖ ‖F‖ = 0 gives nan for an all-zero patch; test_similarity fails and names the 0/0."""
    course, scores = results
    assert lost(scores, "zero_norm_unchecked") == {"test_similarity"}
    assert "must be 0.0, not 0/0" in cell_error(autograded(course, A, "zero_norm_unchecked"), "test_similarity")


def test_summing_over_the_batch_axis_is_reported_as_a_shape(results):
    """Summing over axis 0 (the images) instead of the pixels gives shape (n_H, n_W); the message expects (N,)."""
    course, scores = results
    assert scores["batch_wrong_axis"]["test_correlate_batch"][0] == 0
    assert lost(scores, "batch_wrong_axis") == {"test_correlate_batch", "test_correlate_batch_vectorized"}
    message = cell_error(autograded(course, A, "batch_wrong_axis"), "test_correlate_batch")
    assert "expected (N,) = (5,)" in message


def test_a_correct_loop_loses_only_the_vectorized_point(results):
    """A correct correlate_batch with a for loop keeps its correctness points and loses exactly the vectorized point."""
    course, scores = results
    assert lost(scores, "batch_loop") == {"test_correlate_batch_vectorized"}
    assert scores["batch_loop"]["test_correlate_batch_vectorized"][0] == 0
    message = cell_error(autograded(course, A, "batch_loop"), "test_correlate_batch_vectorized")
    assert "not vectorized: correlate_batch uses a for loop" in message

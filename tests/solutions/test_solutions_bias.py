"""Chapter 3 — correlation with bias: correlate_bias, correlate_filters."""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import loops
from strategies import HYPOTHESIS, VALUES, BIASES, tolerance as _tol
import solutions as S


@st.composite
def banks(draw):
    """X: (n_H, n_W, n_C), W: (n_H, n_W, n_C, K), b: (K,)."""
    n_H, n_W, n_C, K = (draw(st.integers(1, 4)) for _ in range(4))
    X = draw(hnp.arrays(np.float64, (n_H, n_W, n_C), elements=VALUES))
    W = draw(hnp.arrays(np.float64, (n_H, n_W, n_C, K), elements=VALUES))
    b = draw(hnp.arrays(np.float64, (K,), elements=BIASES))
    return X, W, b


# --- against the loop versions -------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 5), (1, 1, 1), (3, 3, 3), (4, 2, 1), (2, 3, 5)])
@pytest.mark.parametrize("b", [0.0, 1.5, -7, np.float32(2.5), np.array(3.25), np.int64(4)])
def test_correlate_bias_matches_loops(shape, b):
    rng = np.random.default_rng(list(shape))
    X, F = rng.normal(size=shape), rng.normal(size=shape)
    z = S.correlate_bias(X, F, b)
    assert type(z) is float
    assert z == pytest.approx(loops.correlate_bias(X, F, b), rel=1e-12, abs=_tol(X, F, b))


@pytest.mark.parametrize("n_H, n_W, n_C", [(1, 1, 1), (3, 3, 1), (3, 3, 3), (2, 5, 2), (5, 2, 4)])
@pytest.mark.parametrize("K", [1, 2, 5])
def test_correlate_filters_matches_loops(n_H, n_W, n_C, K):
    rng = np.random.default_rng([n_H, n_W, n_C, K])
    X = rng.normal(size=(n_H, n_W, n_C))
    W = rng.normal(size=(n_H, n_W, n_C, K))
    b = rng.normal(size=K)
    z = S.correlate_filters(X, W, b)
    assert z.shape == (K,)
    assert z.dtype == np.float64
    assert_allclose(z, loops.correlate_filters(X, W, b), rtol=1e-12, atol=1e-12)


# --- identities ----------------------------------------------------------------------------------


@HYPOTHESIS
@given(banks())
def test_correlate_filters_is_correlate_bias_for_each_k(bank):
    X, W, b = bank
    z = S.correlate_filters(X, W, b)
    assert z.shape == b.shape
    for k in range(len(b)):
        assert z[k] == pytest.approx(S.correlate_bias(X, W[..., k], b[k]), rel=1e-12, abs=_tol(X, W[..., k], b[k]))


@HYPOTHESIS
@given(banks(), BIASES)
def test_correlate_bias_shifts_by_b(bank, b):
    X, W, _ = bank
    F = W[..., 0]
    assert S.correlate_bias(X, F, b) == pytest.approx(S.correlate(X, F) + b, rel=1e-12, abs=_tol(X, F, b))
    assert S.correlate_bias(X, F, 0) == S.correlate(X, F)


@HYPOTHESIS
@given(banks())
def test_correlate_filters_of_a_zero_image_is_the_bias(bank):
    X, W, b = bank
    assert_allclose(S.correlate_filters(np.zeros_like(X), W, b), b, rtol=0, atol=0)


# --- worked examples -----------------------------------------------------------------------------


def test_correlate_bias_of_the_3x3_example():
    X = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    F = [[2, 0, 1], [1, 3, 0], [0, 1, -1]]
    # X ⊗ F = 23 (worked term by term in test_solutions_correlation.py)
    assert S.correlate_bias(X, F, 2) == 25.0
    assert S.correlate_bias(X, F, -23.5) == -0.5


def test_correlate_filters_by_hand():
    # One 2×1 image with two channels; K = 3 filters.
    X = np.array([[[1, 2]], [[3, 4]]])  # (2, 1, 2)
    W = np.zeros((2, 1, 2, 3))
    W[..., 0] = [[[1, 0]], [[0, 0]]]  # reads X[0, 0, 0] = 1
    W[..., 1] = [[[0, 0]], [[0, 1]]]  # reads X[1, 0, 1] = 4
    W[..., 2] = [[[1, 1]], [[1, 1]]]  # sums X: 10
    b = [10, 20, 30]
    assert S.correlate_filters(X, W, b).tolist() == [11, 24, 40]

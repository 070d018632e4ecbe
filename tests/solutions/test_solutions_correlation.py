"""Chapter 2 — correlation: correlate, convolve, similarity, correlate_batch."""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import loops
from strategies import HYPOTHESIS, VALUES, tolerance as _tol
import solutions as S

# Multiples of 1/8 in [-10, 10]: exact in binary and never so tiny that ‖X‖·‖F‖ underflows.
EIGHTHS = st.integers(-80, 80).map(lambda v: v / 8)
SHAPES = hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=5)


@st.composite
def pairs(draw, elements=VALUES):
    """Two arrays X, F of one shape, (n_H, n_W) or (n_H, n_W, n_C)."""
    shape = draw(SHAPES)
    return draw(hnp.arrays(np.float64, shape, elements=elements)), draw(hnp.arrays(np.float64, shape, elements=elements))


# 2-D and 3-D shapes: 1×1, non-square, n_C = 1, single rows and columns.
CASES = [(1, 1), (3, 3), (2, 5), (5, 2), (1, 4), (4, 1), (1, 1, 1), (3, 3, 1), (3, 3, 3), (2, 4, 3), (5, 3, 2)]


# --- against the loop versions -------------------------------------------------------------------


@pytest.mark.parametrize("shape", CASES)
@pytest.mark.parametrize("seed", [0, 1])
def test_correlate_and_convolve_match_loops(shape, seed):
    rng = np.random.default_rng([seed, *shape])
    X, F = rng.normal(size=shape), rng.normal(size=shape)
    for name in ("correlate", "convolve"):
        z = getattr(S, name)(X, F)
        assert type(z) is float, name
        assert z == pytest.approx(getattr(loops, name)(X, F), rel=1e-12, abs=_tol(X, F))


@pytest.mark.parametrize("shape", CASES)
@pytest.mark.parametrize("seed", [0, 1])
def test_similarity_matches_loops(shape, seed):
    rng = np.random.default_rng([seed, *shape])
    X, F = rng.normal(size=shape), rng.normal(size=shape)
    s = S.similarity(X, F)
    assert type(s) is float
    assert s == pytest.approx(loops.similarity(X, F), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("N", [1, 2, 6])
@pytest.mark.parametrize("shape", CASES)
def test_correlate_batch_matches_loops(N, shape):
    rng = np.random.default_rng([N, *shape])
    X, F = rng.normal(size=(N, *shape)), rng.normal(size=shape)
    z = S.correlate_batch(X, F)
    assert z.shape == (N,)
    assert z.dtype == np.float64
    assert_allclose(z, loops.correlate_batch(X, F), rtol=1e-12, atol=1e-12)


# --- identities ----------------------------------------------------------------------------------


@HYPOTHESIS
@given(pairs())
def test_convolve_is_correlate_with_the_filter_flipped(pair):
    X, F = pair
    flipped = np.flip(F, axis=(0, 1))
    assert S.convolve(X, F) == pytest.approx(S.correlate(X, flipped), rel=1e-12, abs=_tol(X, F))
    assert S.convolve(X, flipped) == pytest.approx(S.correlate(X, F), rel=1e-12, abs=_tol(X, F))


@HYPOTHESIS
@given(pairs())
def test_convolve_equals_correlate_for_a_symmetric_filter(pair):
    X, G = pair
    F = G + np.flip(G, axis=(0, 1))  # F[i, j] == F[n_H-1-i, n_W-1-j]
    assert S.convolve(X, F) == pytest.approx(S.correlate(X, F), rel=1e-12, abs=_tol(X, F))


@HYPOTHESIS
@given(pairs())
def test_convolve_differs_from_correlate_for_a_one_hot_filter(pair):
    X, _ = pair
    assume(X.shape[0] * X.shape[1] > 1)
    F = np.zeros_like(X)
    F[0, 0] = 1.0  # correlate reads X[0, 0], convolve reads X[n_H-1, n_W-1]
    assert S.correlate(X, F) == pytest.approx(float(np.sum(X[0, 0])))
    assert S.convolve(X, F) == pytest.approx(float(np.sum(X[-1, -1])))


@HYPOTHESIS
@given(pairs(), st.floats(-5, 5, allow_subnormal=False), st.floats(-5, 5, allow_subnormal=False))
def test_correlate_is_bilinear(pair, a, c):
    X, F = pair
    Y = np.flip(X)  # a second input of the same shape
    lhs = S.correlate(a * X + c * Y, F)
    rhs = a * S.correlate(X, F) + c * S.correlate(Y, F)
    assert lhs == pytest.approx(rhs, rel=1e-9, abs=10 * (abs(a) * _tol(X, F) + abs(c) * _tol(Y, F)))


@HYPOTHESIS
@given(pairs())
def test_correlate_is_symmetric(pair):
    X, F = pair
    assert S.correlate(X, F) == pytest.approx(S.correlate(F, X), rel=1e-12, abs=_tol(X, F))


@HYPOTHESIS
@given(st.integers(1, 4), SHAPES, st.data())
def test_correlate_batch_is_correlate_per_image(N, shape, data):
    X = data.draw(hnp.arrays(np.float64, (N, *shape), elements=VALUES))
    F = data.draw(hnp.arrays(np.float64, shape, elements=VALUES))
    z = S.correlate_batch(X, F)
    assert z.shape == (N,)
    for n in range(N):
        assert z[n] == pytest.approx(S.correlate(X[n], F), rel=1e-12, abs=_tol(X[n], F))


@HYPOTHESIS
@given(pairs(EIGHTHS))
def test_similarity_is_between_minus_one_and_one_and_symmetric(pair):
    X, F = pair
    s = S.similarity(X, F)
    assert -1.0 <= s <= 1.0
    assert s == pytest.approx(S.similarity(F, X), rel=1e-12, abs=1e-12)


@HYPOTHESIS
@given(pairs(EIGHTHS), st.floats(0.01, 100))
def test_similarity_of_a_multiple(pair, c):
    _, F = pair
    assume(np.any(F != 0))
    assert S.similarity(c * F, F) == pytest.approx(1.0, abs=1e-12)
    assert S.similarity(-c * F, F) == pytest.approx(-1.0, abs=1e-12)
    assert S.similarity(F, -c * F) == pytest.approx(-1.0, abs=1e-12)


@HYPOTHESIS
@given(pairs(EIGHTHS))
def test_similarity_with_a_zero_array_is_zero(pair):
    X, _ = pair
    zero = np.zeros_like(X)
    assert S.similarity(X, zero) == 0.0
    assert S.similarity(zero, X) == 0.0
    assert type(S.similarity(zero, X)) is float


@HYPOTHESIS
@given(pairs(EIGHTHS))
def test_similarity_is_correlation_over_norms(pair):
    X, F = pair
    nX, nF = np.sqrt(np.sum(X * X)), np.sqrt(np.sum(F * F))
    assume(nX > 0 and nF > 0)
    assert S.similarity(X, F) == pytest.approx(S.correlate(X, F) / (nX * nF), rel=1e-9, abs=1e-12)


# --- worked examples -----------------------------------------------------------------------------

# The lecture's 3×3 example with small integers.
X33 = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
F33 = np.array([[2, 0, 1], [1, 3, 0], [0, 1, -1]])


def test_the_3x3_example_term_by_term():
    X, F = X33, F33
    z = (
        X[0, 0] * F[0, 0] + X[0, 1] * F[0, 1] + X[0, 2] * F[0, 2]
        + X[1, 0] * F[1, 0] + X[1, 1] * F[1, 1] + X[1, 2] * F[1, 2]
        + X[2, 0] * F[2, 0] + X[2, 1] * F[2, 1] + X[2, 2] * F[2, 2]
    )
    # 1·2 + 2·0 + 3·1 + 4·1 + 5·3 + 6·0 + 7·0 + 8·1 + 9·(−1) = 2 + 3 + 4 + 15 + 8 − 9 = 23
    assert z == 23
    assert S.correlate(X, F) == 23.0
    assert S.correlate(X.tolist(), F.tolist()) == 23.0
    assert loops.correlate(X, F) == 23.0


def test_the_3x3_example_convolved():
    # F flipped on both axes: [[-1, 1, 0], [0, 3, 1], [1, 0, 2]]
    # 1·(−1) + 2·1 + 3·0 + 4·0 + 5·3 + 6·1 + 7·1 + 8·0 + 9·2 = −1 + 2 + 15 + 6 + 7 + 18 = 47
    assert S.convolve(X33, F33) == 47.0
    assert loops.convolve(X33, F33) == 47.0


def test_convolve_reads_the_opposite_corner():
    F = [[1, 0, 0], [0, 0, 0], [0, 0, 0]]
    assert S.correlate(X33, F) == 1.0  # X[0, 0]
    assert S.convolve(X33, F) == 9.0  # X[2, 2]


def test_convolve_does_not_flip_channels():
    # Two channels; the filter picks channel 0 at pixel (0, 0).  Flipping (i, j) moves it to pixel (1, 1),
    # still channel 0: X[1, 1, 0] = 7.  Had the channels been flipped too, the answer would be X[1, 1, 1] = 8.
    X = np.array([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
    F = np.zeros((2, 2, 2))
    F[0, 0, 0] = 1
    assert S.correlate(X, F) == 1.0
    assert S.convolve(X, F) == 7.0


def test_correlate_of_a_colour_pair_by_hand():
    X = [[[1, 2]], [[3, 4]]]  # (2, 1, 2)
    F = [[[5, 6]], [[7, 8]]]
    assert S.correlate(X, F) == 1 * 5 + 2 * 6 + 3 * 7 + 4 * 8  # 70


def test_similarity_by_hand():
    X = [[1, 0], [0, 0]]
    F = [[1, 1], [0, 0]]
    # z = 1, ‖X‖ = 1, ‖F‖ = √2
    assert S.similarity(X, F) == pytest.approx(1 / np.sqrt(2), rel=1e-15)
    assert S.similarity(X, [[0, 1], [0, 0]]) == 0.0  # orthogonal
    assert S.similarity(X33, X33) == pytest.approx(1.0, abs=1e-15)
    assert S.similarity(X33, -2 * X33) == pytest.approx(-1.0, abs=1e-15)


def test_correlate_batch_by_hand():
    X = [[[1, 2], [3, 4]], [[0, 0], [0, 1]], [[-1, -1], [-1, -1]]]  # N = 3
    F = [[1, 0], [0, 2]]
    z = S.correlate_batch(X, F)
    assert z.dtype == np.float64
    assert z.tolist() == [1 + 8, 2, -3]

"""Chapter 5 — correlation as a dot product: flatten, correlate_dot, affine."""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import loops
from strategies import HYPOTHESIS, VALUES, BIASES, tolerance as _tol
import solutions as S


@st.composite
def pairs(draw):
    shape = draw(hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=5))
    return draw(hnp.arrays(np.float64, shape, elements=VALUES)), draw(hnp.arrays(np.float64, shape, elements=VALUES))


@st.composite
def batches(draw):
    """X: (N, n_H, n_W, n_C), W: (n_H, n_W, n_C, K), b: (K,)."""
    N, n_H, n_W, n_C, K = (draw(st.integers(1, 4)) for _ in range(5))
    X = draw(hnp.arrays(np.float64, (N, n_H, n_W, n_C), elements=VALUES))
    W = draw(hnp.arrays(np.float64, (n_H, n_W, n_C, K), elements=VALUES))
    b = draw(hnp.arrays(np.float64, (K,), elements=BIASES))
    return X, W, b


# --- against the loop versions -------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(), (1,), (5,), (1, 1), (3, 3), (2, 5), (4, 1, 3), (2, 3, 4, 2)])
def test_flatten_matches_loops(shape):
    X = np.random.default_rng(list(shape) or 0).normal(size=shape)
    v = S.flatten(X)
    assert v.shape == (X.size,)
    assert v.dtype == np.float64
    assert_array_equal(v, loops.flatten(X))


def test_flatten_reads_a_fortran_ordered_array_row_by_row():
    X = np.asfortranarray(np.arange(12.0).reshape(3, 4))
    assert_array_equal(S.flatten(X), np.arange(12.0))
    assert_array_equal(S.flatten(X.T), loops.flatten(X.T))  # a transposed view: [0, 4, 8, 1, 5, 9, ...]


def test_flatten_returns_a_new_array():
    X = np.arange(6.0).reshape(2, 3)
    v = S.flatten(X)
    v[0] = 99.0
    assert X[0, 0] == 0.0


@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 5), (1, 1, 1), (3, 3, 3), (5, 2, 2)])
@pytest.mark.parametrize("b", [None, 0.0, -3, 2.5])
def test_correlate_dot_matches_loops(shape, b):
    rng = np.random.default_rng(list(shape))
    X, F = rng.normal(size=shape), rng.normal(size=shape)
    z = S.correlate_dot(X, F) if b is None else S.correlate_dot(X, F, b)
    assert type(z) is float
    expected = loops.correlate_dot(X, F) if b is None else loops.correlate_dot(X, F, b)
    assert z == pytest.approx(expected, rel=1e-12, abs=_tol(X, F, b or 0.0))


@pytest.mark.parametrize("N", [1, 2, 5])
@pytest.mark.parametrize("n_H, n_W, n_C", [(1, 1, 1), (3, 3, 1), (3, 3, 3), (2, 5, 2), (4, 3, 1)])
@pytest.mark.parametrize("K", [1, 4])
def test_affine_matches_loops(N, n_H, n_W, n_C, K):
    rng = np.random.default_rng([N, n_H, n_W, n_C, K])
    X = rng.normal(size=(N, n_H, n_W, n_C))
    W = rng.normal(size=(n_H, n_W, n_C, K))
    b = rng.normal(size=K)
    Z = S.affine(X, W, b)
    assert Z.shape == (N, K)
    assert Z.dtype == np.float64
    assert_allclose(Z, loops.affine(X, W, b), rtol=1e-12, atol=1e-12)


# --- identities ----------------------------------------------------------------------------------


@HYPOTHESIS
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4), elements=VALUES))
def test_flatten_reshaped_back_is_x(X):
    v = S.flatten(X)
    assert v.shape == (X.size,)
    assert_array_equal(v.reshape(X.shape), X)


@HYPOTHESIS
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=6), elements=VALUES))
def test_flatten_reads_row_by_row(X):
    n_H, n_W = X.shape
    v = S.flatten(X)
    for i in range(n_H):
        for j in range(n_W):
            assert v[i * n_W + j] == X[i, j]


@HYPOTHESIS
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=3, max_dims=3, max_side=4), elements=VALUES))
def test_flatten_reads_a_colour_image_pixel_by_pixel(X):
    n_H, n_W, n_C = X.shape
    v = S.flatten(X)
    for i in range(n_H):
        for j in range(n_W):
            for c in range(n_C):
                assert v[(i * n_W + j) * n_C + c] == X[i, j, c]


@HYPOTHESIS
@given(pairs())
def test_correlate_equals_correlate_dot(pair):
    X, F = pair
    z = S.correlate_dot(X, F)
    assert z == pytest.approx(S.correlate(X, F), rel=1e-12, abs=_tol(X, F))
    assert z == pytest.approx(float(S.flatten(X) @ S.flatten(F)), rel=1e-12, abs=_tol(X, F))


@HYPOTHESIS
@given(pairs(), BIASES)
def test_correlate_bias_equals_correlate_dot_with_b(pair, b):
    X, F = pair
    assert S.correlate_bias(X, F, b) == pytest.approx(S.correlate_dot(X, F, b), rel=1e-12, abs=_tol(X, F, b))


@HYPOTHESIS
@given(batches())
def test_affine_is_correlate_bias_for_each_n_and_k(batch):
    X, W, b = batch
    Z = S.affine(X, W, b)
    N, K = X.shape[0], W.shape[3]
    assert Z.shape == (N, K)
    for n in range(N):
        assert_allclose(Z[n], S.correlate_filters(X[n], W, b), rtol=1e-12, atol=_tol(X[n], W, b))
        for k in range(K):
            expected = S.correlate_bias(X[n], W[..., k], b[k])
            assert Z[n, k] == pytest.approx(expected, rel=1e-12, abs=_tol(X[n], W[..., k], b[k]))


@HYPOTHESIS
@given(batches())
def test_affine_is_one_matrix_product_of_flattened_images(batch):
    X, W, b = batch
    N, K = X.shape[0], W.shape[3]
    rows = np.stack([S.flatten(X[n]) for n in range(N)])  # (N, n_H·n_W·n_C)
    columns = np.stack([S.flatten(W[..., k]) for k in range(K)], axis=1)  # (n_H·n_W·n_C, K)
    atol = max(_tol(X[n], W, b) for n in range(N))
    assert_allclose(S.affine(X, W, b), rows @ columns + b, rtol=1e-12, atol=atol)


# --- worked examples -----------------------------------------------------------------------------


def test_flatten_the_3x3_example():
    # Lecture L11: a 3×3 image read row by row is a vector in R^9.
    assert S.flatten([[1, 2, 3], [4, 5, 6], [7, 8, 9]]).tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert S.flatten([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]).tolist() == [1, 2, 3, 4, 5, 6, 7, 8]


def test_correlate_dot_of_the_3x3_example():
    X = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    F = [[2, 0, 1], [1, 3, 0], [0, 1, -1]]
    # [1..9] · [2, 0, 1, 1, 3, 0, 0, 1, −1] = 2 + 3 + 4 + 15 + 8 − 9 = 23
    assert S.correlate_dot(X, F) == 23.0
    assert S.correlate_dot(X, F, 2) == 25.0
    assert S.correlate_dot(X, F, b=-0.5) == 22.5


def test_correlate_dot_accepts_vectors():
    assert S.correlate_dot([1, 2, 3], [4, 5, 6]) == 32.0


def test_affine_by_hand():
    # N = 2 images of 1×2 pixels, one channel; K = 2 filters.
    X = [[[[1], [2]]], [[[3], [4]]]]  # (2, 1, 2, 1)
    W = np.zeros((1, 2, 1, 2))
    W[0, :, 0, 0] = [1, 1]  # sum of the two pixels
    W[0, :, 0, 1] = [1, -1]  # difference
    b = [0.5, -10]
    assert S.affine(X, W, b).tolist() == [[3.5, -11.0], [7.5, -11.0]]

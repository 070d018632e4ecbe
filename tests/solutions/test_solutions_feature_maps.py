"""Chapter 6 — feature maps: zero_pad, correlate2d, im2col, conv_forward."""

from __future__ import annotations

import itertools

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import loops
from strategies import HYPOTHESIS, VALUES, BIASES
import solutions as S

RTOL, ATOL = 1e-12, 1e-9  # values of size ~1 in the parametrized cases, ~100 in the hypothesis ones

# (N, n_H, n_W, n_C, f, K, stride, pad): N = 1, n_C = 1, 1×1 filters, f = n_H, non-square images,
# strides that do and do not divide n_H + 2p − f, paddings larger than f.
CONV_CASES = [
    (1, 1, 1, 1, 1, 1, 1, 0),
    (1, 3, 3, 1, 3, 1, 1, 0),
    (1, 3, 3, 1, 3, 2, 1, 1),
    (1, 5, 5, 3, 3, 2, 1, 1),
    (2, 4, 6, 1, 1, 3, 1, 0),
    (2, 4, 6, 2, 1, 1, 2, 0),
    (1, 7, 7, 1, 3, 1, 2, 1),
    (3, 6, 4, 2, 2, 2, 2, 0),
    (2, 5, 8, 3, 3, 4, 3, 2),
    (1, 2, 9, 1, 2, 2, 1, 0),
    (1, 9, 2, 2, 2, 1, 4, 0),
    (2, 3, 5, 1, 4, 1, 1, 1),
    (1, 2, 2, 1, 5, 2, 1, 2),
    (1, 1, 3, 2, 3, 1, 1, 1),
    (2, 6, 6, 1, 3, 2, 5, 0),
    (1, 4, 4, 4, 4, 3, 1, 0),
]
# Every stride × pad × f on one non-square batch.
GRID = [(2, 5, 7, 2, f, 2, s, p) for f, s, p in itertools.product([1, 2, 3], [1, 2, 3], [0, 1, 2])]


def _conv_inputs(N, n_H, n_W, n_C, f, K, seed):
    rng = np.random.default_rng([seed, N, n_H, n_W, n_C, f, K])
    return rng.normal(size=(N, n_H, n_W, n_C)), rng.normal(size=(f, f, n_C, K)), rng.normal(size=K)


# --- against the loop versions -------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (1, 3, 3, 1), (2, 4, 6, 3), (3, 2, 5, 2)])
@pytest.mark.parametrize("pad", [0, 1, 2, 3])
def test_zero_pad_matches_loops(shape, pad):
    X = np.random.default_rng(list(shape)).normal(size=shape)
    P = S.zero_pad(X, pad)
    N, n_H, n_W, n_C = shape
    assert P.shape == (N, n_H + 2 * pad, n_W + 2 * pad, n_C)
    assert P.dtype == np.float64
    assert_array_equal(P, loops.zero_pad(X, pad))


@pytest.mark.parametrize(
    "x_shape, f_shape",
    [((1, 1), (1, 1)), ((3, 3), (3, 3)), ((5, 5), (3, 3)), ((4, 7), (2, 3)), ((7, 4), (3, 1)), ((6, 6), (1, 6)),
     ((2, 9), (2, 2)), ((5, 3), (5, 1))],
)
def test_correlate2d_matches_loops(x_shape, f_shape):
    rng = np.random.default_rng([*x_shape, *f_shape])
    X, F = rng.normal(size=x_shape), rng.normal(size=f_shape)
    Z = S.correlate2d(X, F)
    assert Z.shape == (x_shape[0] - f_shape[0] + 1, x_shape[1] - f_shape[1] + 1)
    assert Z.dtype == np.float64
    assert_allclose(Z, loops.correlate2d(X, F), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("N, n_H, n_W, n_C, f, K, stride, pad", CONV_CASES + GRID)
def test_im2col_matches_loops(N, n_H, n_W, n_C, f, K, stride, pad):
    X, _, _ = _conv_inputs(N, n_H, n_W, n_C, f, K, 0)
    X = S.zero_pad(X, pad)  # im2col has no padding of its own
    cols = S.im2col(X, f, stride)
    H_out, W_out = loops.output_size(X.shape[1], f, stride), loops.output_size(X.shape[2], f, stride)
    assert cols.shape == (N * H_out * W_out, f * f * n_C)
    assert cols.dtype == np.float64
    assert_array_equal(cols, loops.im2col(X, f, stride))


@pytest.mark.parametrize("N, n_H, n_W, n_C, f, K, stride, pad", CONV_CASES + GRID)
def test_conv_forward_matches_loops(N, n_H, n_W, n_C, f, K, stride, pad):
    X, W, b = _conv_inputs(N, n_H, n_W, n_C, f, K, 1)
    Z = S.conv_forward(X, W, b, stride=stride, pad=pad)
    H_out = (n_H + 2 * pad - f) // stride + 1
    W_out = (n_W + 2 * pad - f) // stride + 1
    assert Z.shape == (N, H_out, W_out, K)
    assert Z.dtype == np.float64
    assert_allclose(Z, loops.conv_forward(X, W, b, stride, pad), rtol=RTOL, atol=ATOL)


def test_conv_forward_positional_stride_and_pad():
    X, W, b = _conv_inputs(1, 5, 6, 2, 3, 2, 2)
    assert_allclose(S.conv_forward(X, W, b, 2, 1), loops.conv_forward(X, W, b, 2, 1), rtol=RTOL, atol=ATOL)
    assert_allclose(S.conv_forward(X, W, b), loops.conv_forward(X, W, b, 1, 0), rtol=RTOL, atol=ATOL)


# --- identities ----------------------------------------------------------------------------------


@st.composite
def layers(draw, padded=True):
    """A batch X, a square filter bank W, biases b, a stride and a padding that fit together."""
    N, n_H, n_W, n_C, K = (draw(st.integers(1, n)) for n in (3, 6, 6, 3, 3))
    pad = draw(st.integers(0, 2)) if padded else 0
    f = draw(st.integers(1, min(n_H, n_W) + 2 * pad))
    stride = draw(st.integers(1, 4))
    X = draw(hnp.arrays(np.float64, (N, n_H, n_W, n_C), elements=VALUES))
    W = draw(hnp.arrays(np.float64, (f, f, n_C, K), elements=VALUES))
    b = draw(hnp.arrays(np.float64, (K,), elements=BIASES))
    return X, W, b, stride, pad


def _atol(X, W, b) -> float:
    """Rounding of a sum of f·f·n_C products of size ≤ max|X|·max|W|, plus b."""
    return 1e-12 * (1.0 + np.max(np.abs(b)) + W[..., 0].size * np.max(np.abs(X), initial=0) * np.max(np.abs(W)))


@HYPOTHESIS
@given(layers())
def test_conv_forward_matches_loops_on_random_layers(layer):
    X, W, b, stride, pad = layer
    assert_allclose(S.conv_forward(X, W, b, stride, pad), loops.conv_forward(X, W, b, stride, pad),
                    rtol=1e-12, atol=_atol(X, W, b))


@HYPOTHESIS
@given(layers(padded=False))
def test_im2col_times_flattened_filters_is_the_layer(layer):
    X, W, b, stride, _ = layer
    f, K = W.shape[0], W.shape[3]
    N, n_H, n_W, _ = X.shape
    H_out, W_out = (n_H - f) // stride + 1, (n_W - f) // stride + 1
    Z = S.im2col(X, f, stride) @ W.reshape(-1, K) + b
    assert Z.shape == (N * H_out * W_out, K)
    conv = S.conv_forward(X, W, b, stride=stride)
    assert_allclose(Z, conv.reshape(-1, K), rtol=1e-12, atol=_atol(X, W, b))
    assert_allclose(Z.reshape(N, H_out, W_out, K), conv, rtol=1e-12, atol=_atol(X, W, b))


@HYPOTHESIS
@given(layers(padded=False))
def test_im2col_rows_are_flattened_windows(layer):
    X, W, _, stride, _ = layer
    f = W.shape[0]
    N, n_H, n_W, _ = X.shape
    H_out, W_out = (n_H - f) // stride + 1, (n_W - f) // stride + 1
    cols = S.im2col(X, f, stride)
    row = 0
    for n in range(N):  # rows in (n, i, j) order
        for i in range(H_out):
            for j in range(W_out):
                window = X[n, i * stride:i * stride + f, j * stride:j * stride + f, :]
                assert_array_equal(cols[row], S.flatten(window))
                row += 1
    assert row == cols.shape[0]


@HYPOTHESIS
@given(st.data(), st.integers(1, 3), st.integers(1, 5), st.integers(1, 3), st.integers(1, 3))
def test_conv_forward_with_a_filter_the_size_of_the_image_is_affine(data, N, n, n_C, K):
    X = data.draw(hnp.arrays(np.float64, (N, n, n, n_C), elements=VALUES))
    W = data.draw(hnp.arrays(np.float64, (n, n, n_C, K), elements=VALUES))
    b = data.draw(hnp.arrays(np.float64, (K,), elements=BIASES))
    Z = S.conv_forward(X, W, b)
    assert Z.shape == (N, 1, 1, K)
    assert_allclose(Z, S.affine(X, W, b).reshape(N, 1, 1, K), rtol=1e-12, atol=_atol(X, W, b))


@HYPOTHESIS
@given(layers(), st.floats(-3, 3, allow_subnormal=False), st.floats(-3, 3, allow_subnormal=False))
def test_conv_forward_is_linear_in_x(layer, a, c):
    X, W, b, stride, pad = layer
    Y = np.flip(X, axis=(1, 2))  # a second batch of the same shape
    zero = np.zeros_like(b)
    lhs = S.conv_forward(a * X + c * Y, W, zero, stride, pad)
    rhs = a * S.conv_forward(X, W, zero, stride, pad) + c * S.conv_forward(Y, W, zero, stride, pad)
    assert_allclose(lhs, rhs, rtol=1e-9, atol=10 * (abs(a) + abs(c) + 1) * _atol(X, W, zero))
    # and b is added once per filter: conv(X, W, b) − conv(X, W, 0) = b everywhere
    assert_allclose(S.conv_forward(X, W, b, stride, pad) - S.conv_forward(X, W, zero, stride, pad),
                    np.broadcast_to(b, lhs.shape), rtol=1e-9, atol=10 * _atol(X, W, b))


@HYPOTHESIS
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=4, max_dims=4, max_side=4), elements=VALUES),
       st.integers(0, 3))
def test_zero_pad_border_is_zero_and_interior_is_x(X, pad):
    P = S.zero_pad(X, pad)
    N, n_H, n_W, n_C = X.shape
    assert P.shape == (N, n_H + 2 * pad, n_W + 2 * pad, n_C)
    assert_array_equal(P[:, pad:pad + n_H, pad:pad + n_W, :], X)
    border = np.ones(P.shape, dtype=bool)
    border[:, pad:pad + n_H, pad:pad + n_W, :] = False
    assert np.all(P[border] == 0.0)
    assert np.count_nonzero(border) == P.size - X.size


@HYPOTHESIS
@given(st.data(), st.integers(1, 6), st.integers(1, 6))
def test_correlate2d_is_correlate_at_every_position(data, n_H, n_W):
    f_H, f_W = data.draw(st.integers(1, n_H)), data.draw(st.integers(1, n_W))
    X = data.draw(hnp.arrays(np.float64, (n_H, n_W), elements=VALUES))
    F = data.draw(hnp.arrays(np.float64, (f_H, f_W), elements=VALUES))
    Z = S.correlate2d(X, F)
    assert Z.shape == (n_H - f_H + 1, n_W - f_W + 1)
    for r in range(Z.shape[0]):
        for c in range(Z.shape[1]):
            assert Z[r, c] == pytest.approx(S.correlate(X[r:r + f_H, c:c + f_W], F), rel=1e-12, abs=1e-9)


@HYPOTHESIS
@given(st.data(), st.integers(1, 6), st.integers(1, 6))
def test_correlate2d_with_a_square_filter_is_conv_forward_with_one_channel(data, n_H, n_W):
    f = data.draw(st.integers(1, min(n_H, n_W)))
    X = data.draw(hnp.arrays(np.float64, (n_H, n_W), elements=VALUES))
    F = data.draw(hnp.arrays(np.float64, (f, f), elements=VALUES))
    conv = S.conv_forward(X[None, :, :, None], F[:, :, None, None], [0.0])
    assert_allclose(S.correlate2d(X, F), conv[0, :, :, 0], rtol=1e-12, atol=1e-9)


# --- worked examples -----------------------------------------------------------------------------


def test_correlate2d_of_arange():
    X = np.arange(9).reshape(3, 3)  # [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    F = np.arange(4).reshape(2, 2)  # [[0, 1], [2, 3]]
    # top-left window [[0, 1], [3, 4]]: 0·0 + 1·1 + 3·2 + 4·3 = 19, and so on
    expected = [[19, 25], [37, 43]]
    assert S.correlate2d(X, F).tolist() == expected
    assert S.correlate2d(X.tolist(), F.tolist()).tolist() == expected
    assert loops.correlate2d(X, F).tolist() == expected


HALF_DARK = np.array([[1, 1, 1, 0, 0, 0]] * 4, dtype=float)  # 4×6: left half 1, right half 0


def test_vertical_edge_filter_on_a_half_dark_image():
    Z = S.correlate2d(HALF_DARK, [[1, -1]])
    expected = np.zeros((4, 5))
    expected[:, 2] = 1.0  # the edge lies between columns 2 and 3
    assert_array_equal(Z, expected)


def test_vertical_edge_filter_on_the_reversed_image():
    Z = S.correlate2d(1.0 - HALF_DARK, [[1, -1]])
    expected = np.zeros((4, 5))
    expected[:, 2] = -1.0
    assert_array_equal(Z, expected)


def test_vertical_edge_in_a_conv_layer():
    # A 2×2 edge filter [[1, −1], [1, −1]] sums two rows of the 1×2 one: 2 at the edge.
    X = HALF_DARK[None, :, :, None]
    W = np.array([[1.0, -1.0], [1.0, -1.0]])[:, :, None, None]
    Z = S.conv_forward(X, W, [0.0])
    expected = np.zeros((1, 3, 5, 1))
    expected[0, :, 2, 0] = 2.0
    assert_array_equal(Z, expected)


@pytest.mark.parametrize(
    "n_H, n_W, f, stride, pad, out_H, out_W",
    [
        (7, 7, 3, 2, 1, 4, 4),  # ⌊(7 + 2 − 3)/2⌋ + 1 = 4
        (7, 10, 3, 2, 1, 4, 5),  # ⌊(10 + 2 − 3)/2⌋ + 1 = 5
        (5, 5, 3, 1, 1, 5, 5),  # "same" padding
        (5, 5, 3, 1, 0, 3, 3),  # "valid"
        (6, 6, 2, 2, 0, 3, 3),
        (4, 4, 4, 1, 0, 1, 1),
        (1, 1, 3, 1, 1, 1, 1),
        (6, 8, 3, 3, 0, 2, 2),  # ⌊3/3⌋ + 1 = 2 and ⌊5/3⌋ + 1 = 2
        (32, 32, 5, 1, 2, 32, 32),
    ],
)
def test_output_size(n_H, n_W, f, stride, pad, out_H, out_W):
    X = np.ones((2, n_H, n_W, 1))
    W = np.ones((f, f, 1, 3))
    assert S.conv_forward(X, W, np.zeros(3), stride=stride, pad=pad).shape == (2, out_H, out_W, 3)
    cols = S.im2col(S.zero_pad(X, pad), f, stride)
    assert cols.shape == (2 * out_H * out_W, f * f)


def test_zero_pad_by_hand():
    X = [[[[5]]]]  # one 1×1 image
    assert S.zero_pad(X, 1)[0, :, :, 0].tolist() == [[0, 0, 0], [0, 5, 0], [0, 0, 0]]
    assert_array_equal(S.zero_pad(X, 0), [[[[5.0]]]])


def test_conv_forward_with_padding_by_hand():
    # A 2×2 image [[1, 2], [3, 4]], padded by 1, correlated with a 3×3 all-ones filter: each output
    # is the sum of the pixels in the 3×3 neighbourhood, i.e. all four pixels: 10; bias 0.5.
    X = np.array([[1.0, 2.0], [3.0, 4.0]])[None, :, :, None]
    Z = S.conv_forward(X, np.ones((3, 3, 1, 1)), [0.5], pad=1)
    assert Z[0, :, :, 0].tolist() == [[10.5, 10.5], [10.5, 10.5]]
    # With stride 2 only the top-left position is kept.
    assert S.conv_forward(X, np.ones((3, 3, 1, 1)), [0.5], stride=2, pad=1).shape == (1, 1, 1, 1)


def test_im2col_by_hand():
    # One 2×3 image with two channels: pixel (i, j) = (10i + j, −(10i + j)).
    X = np.zeros((1, 2, 3, 2))
    for i in range(2):
        for j in range(3):
            X[0, i, j] = (10 * i + j, -(10 * i + j))
    cols = S.im2col(X, 2)
    # Two windows (j = 0 and j = 1); columns in (row, col, channel) order.
    assert cols.tolist() == [
        [0, 0, 1, -1, 10, -10, 11, -11],
        [1, -1, 2, -2, 11, -11, 12, -12],
    ]
    assert S.im2col(X, 2, stride=2).tolist() == [[0, 0, 1, -1, 10, -10, 11, -11]]

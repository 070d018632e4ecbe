"""Wrong answers to ex06 lose exactly the points they should, with messages in the lecture's terms."""

from __future__ import annotations

import pytest

from tests.assignments.roundtrip import autograded, cell_error, grade_answers, lost

A = "ex06_feature_maps"

FLIPPED = '''
def correlate2d(X, F):
    X, F = np.asarray(X, dtype=float), np.asarray(F, dtype=float)
    if X.ndim != 2 or F.ndim != 2 or F.shape[0] > X.shape[0] or F.shape[1] > X.shape[1]:
        raise ValueError(f"F has shape {F.shape} but X has shape {X.shape}")
    views = np.lib.stride_tricks.sliding_window_view(X, F.shape)
    return np.einsum("hwij,ij->hw", views, F[::-1, ::-1])   # flips F: a convolution, not a correlation
'''

NO_BIAS = '''
def conv_forward(X, W, b, stride=1, pad=0):
    X, W, b = np.asarray(X, dtype=float), np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    if X.ndim != 4 or W.ndim != 4 or W.shape[2] != X.shape[3] or b.shape != (W.shape[3],):
        raise ValueError(f"X {X.shape}, W {W.shape} and b {b.shape} do not fit together")
    X_p = zero_pad(X, pad)
    f, K = W.shape[0], W.shape[3]
    if f > X_p.shape[1] or f > X_p.shape[2]:
        raise ValueError(f"f={f} is larger than the padded image")
    rows = im2col(X_p, f, stride) @ W.reshape(-1, K)          # forgets + b
    return rows.reshape(X.shape[0], (X_p.shape[1] - f) // stride + 1, (X_p.shape[2] - f) // stride + 1, K)
'''

CHANNELS_FIRST_COLUMNS = '''
def im2col(X, f, stride=1):
    X = np.asarray(X, dtype=float)
    if X.ndim != 4 or f > X.shape[1] or f > X.shape[2] or stride < 1:
        raise ValueError(f"cannot take {f}×{f} windows with stride {stride} of X with shape {X.shape}")
    windows = np.lib.stride_tricks.sliding_window_view(X, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    return windows.reshape(-1, f * f * X.shape[3])           # columns in (c, i, j) order, not (i, j, c)
'''

PAD_ALL_AXES = '''
def zero_pad(X, pad):
    X = np.asarray(X, dtype=float)
    if X.ndim != 4 or not isinstance(pad, int) or pad < 0:
        raise ValueError(f"cannot pad X with shape {X.shape} by {pad!r}")
    return np.pad(X, pad)                                     # pads N and n_C too
'''

LOOP_IM2COL = '''
def im2col(X, f, stride=1):
    X = np.asarray(X, dtype=float)
    if X.ndim != 4:
        raise ValueError(f"X must be a batch (N, n_H, n_W, n_C); got shape {X.shape}")
    if not isinstance(f, (int, np.integer)) or f < 1 or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"f and stride must be positive integers; got f={f!r}, stride={stride!r}")
    N, n_H, n_W, n_C = X.shape
    if f > n_H or f > n_W:
        raise ValueError(f"f={f} is larger than the image (n_H, n_W) = ({n_H}, {n_W})")
    rows = []
    for n in range(N):
        for h in range(0, n_H - f + 1, stride):
            for w in range(0, n_W - f + 1, stride):
                rows.append(X[n, h:h + f, w:w + f, :].reshape(-1))
    return np.array(rows)
'''

LOOP_CONV = '''
def conv_forward(X, W, b, stride=1, pad=0):
    X, W, b = np.asarray(X, dtype=float), np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    if X.ndim != 4 or W.ndim != 4 or W.shape[2] != X.shape[3] or b.shape != (W.shape[3],):
        raise ValueError(f"X {X.shape}, W {W.shape} and b {b.shape} do not fit together")
    if not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive integer; got {stride!r}")
    X_p = zero_pad(X, pad)
    N, n_H, n_W, n_C = X_p.shape
    f, K = W.shape[0], W.shape[3]
    if f > n_H or f > n_W:
        raise ValueError(f"f={f} is larger than the padded image ({n_H}, {n_W})")
    Z = np.zeros((N, (n_H - f) // stride + 1, (n_W - f) // stride + 1, K))
    for n in range(N):
        for h in range(Z.shape[1]):
            for w in range(Z.shape[2]):
                window = X_p[n, h * stride:h * stride + f, w * stride:w * stride + f, :]
                for k in range(K):
                    Z[n, h, w, k] = np.sum(window * W[:, :, :, k]) + b[k]
    return Z
'''

WRONG = {
    "flipped_filter": {"correlate2d": FLIPPED},
    "no_bias": {"conv_forward": NO_BIAS},
    "channels_first_columns": {"im2col": CHANNELS_FIRST_COLUMNS},
    "pad_all_axes": {"zero_pad": PAD_ALL_AXES},
    "loops": {"im2col": LOOP_IM2COL, "conv_forward": LOOP_CONV},
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return grade_answers(tmp_path_factory.mktemp(A), A, WRONG)



def test_flipped_filter_fails_the_correlation_test_only(results):
    """Flipping F (signal processing's convolution, not correlation) fails test_correlate2d, and only it."""
    course, scores = results
    assert lost(scores, "flipped_filter") == {"test_correlate2d"}
    assert "correlation does not flip F" in cell_error(autograded(course, A, "flipped_filter"), "test_correlate2d")


def test_missing_bias_fails_conv_forward_and_names_the_bias(results):
    """Forgetting + b loses conv_forward's points (its vectorized cell also checks values) and the message names b[k]."""
    course, scores = results
    assert lost(scores, "no_bias") == {"test_conv_forward", "test_conv_forward_vectorized"}
    assert "plus b[k]" in cell_error(autograded(course, A, "no_bias"), "test_conv_forward")


def test_channels_first_columns_are_caught_with_the_column_order(results):
    """im2col columns in (c, i, j) order fail im2col and, through it, conv_forward; the message says (i, j, c)."""
    course, scores = results
    assert lost(scores, "channels_first_columns") == {
        "test_im2col", "test_im2col_vectorized", "test_conv_forward", "test_conv_forward_vectorized"}
    assert "(i, j, c) order" in cell_error(autograded(course, A, "channels_first_columns"), "test_im2col")
    assert scores["channels_first_columns"]["test_zero_pad"][0] == scores["channels_first_columns"]["test_zero_pad"][1]


def test_padding_every_axis_is_reported_as_a_shape(results):
    """np.pad(X, pad) pads N and n_C too: the message gives the expected (N, n_H + 2·pad, n_W + 2·pad, n_C)."""
    course, scores = results
    assert lost(scores, "pad_all_axes") == {"test_zero_pad", "test_conv_forward", "test_conv_forward_vectorized"}
    message = cell_error(autograded(course, A, "pad_all_axes"), "test_zero_pad")
    assert "expected (N, n_H + 2·pad, n_W + 2·pad, n_C) = (2, 5, 6, 3)" in message


def test_correct_loops_lose_only_the_vectorized_points(results):
    """Correct loop answers for im2col and conv_forward keep every correctness point and lose exactly the two vectorized ones."""
    course, scores = results
    assert lost(scores, "loops") == {"test_im2col_vectorized", "test_conv_forward_vectorized"}
    assert all(scores["loops"][cell][0] == 0 for cell in ("test_im2col_vectorized", "test_conv_forward_vectorized"))
    notebook = autograded(course, A, "loops")
    assert "not vectorized: im2col uses a for loop" in cell_error(notebook, "test_im2col_vectorized")
    assert "not vectorized: conv_forward uses a for loop" in cell_error(notebook, "test_conv_forward_vectorized")

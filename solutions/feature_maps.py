"""Chapter 6 — from one window to a feature map (where the lecture goes next).

Sliding the filter over the image and correlating at every position gives a
feature map; with padding p and stride s its size is
``n_H' = ⌊(n_H + 2p − f)/s⌋ + 1`` (and likewise n_W').  ``im2col`` lays every
window out as a row, so the whole layer becomes one matrix product (chapter 5).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import as_ndim, filter_bank, positive_int


def zero_pad(X, pad) -> np.ndarray:
    """Surround every image of the batch with ``pad`` rows and columns of zeros.

    X: (N, n_H, n_W, n_C).  Returns (N, n_H + 2·pad, n_W + 2·pad, n_C), float64.
    """
    X = as_ndim(X, "X", 4, "(N, n_H, n_W, n_C)")
    pad = positive_int(pad, "pad", minimum=0)
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))


def correlate2d(X, F) -> np.ndarray:
    """Valid sliding correlation: ``Z[r, c] = Σ_i Σ_j X[r+i, c+j] F[i, j]``.

    X: (n_H, n_W); F: (f_H, f_W), no larger than X.
    Returns (n_H − f_H + 1, n_W − f_W + 1), float64.
    """
    X = as_ndim(X, "X", 2, "(n_H, n_W)")
    F = as_ndim(F, "F", 2, "(f_H, f_W)")
    if F.shape[0] > X.shape[0] or F.shape[1] > X.shape[1] or F.size == 0:
        raise ValueError(f"F has shape {F.shape} but X has shape {X.shape}: the filter must fit inside the image")
    windows = sliding_window_view(X, F.shape)  # (n_H', n_W', f_H, f_W), a view
    return np.tensordot(windows, F, axes=2)


def _check_window(n_H: int, n_W: int, f: int, where: str) -> None:
    if f > n_H or f > n_W:
        raise ValueError(f"filter size f={f} is larger than {where} (n_H, n_W) = ({n_H}, {n_W})")


def im2col(X, f, stride=1) -> np.ndarray:
    """Every f×f window of every image as one row.

    X: (N, n_H, n_W, n_C).  Returns (N·n_H'·n_W', f·f·n_C), float64, with
    ``n_H' = ⌊(n_H − f)/stride⌋ + 1``; rows in (n, i, j) order, columns in
    (row, col, channel) order, so ``im2col(X, f) @ W.reshape(-1, K)`` is the layer's output.
    """
    X = as_ndim(X, "X", 4, "(N, n_H, n_W, n_C)")
    f = positive_int(f, "f")
    stride = positive_int(stride, "stride")
    N, n_H, n_W, n_C = X.shape
    _check_window(n_H, n_W, f, "the image")
    # (N, n_H−f+1, n_W−f+1, n_C, f, f) view; keep every stride-th window, then order columns (row, col, channel).
    windows = sliding_window_view(X, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(-1, f * f * n_C)


def conv_forward(X, W, b, stride=1, pad=0) -> np.ndarray:
    """A conv layer's forward pass: ``Z[n, r, c, k] = X_p[n, window(r, c)] ⊗ W[..., k] + b[k]``.

    X: (N, n_H, n_W, n_C); W: (f, f, n_C, K); b: (K,).
    Returns (N, n_H', n_W', K), float64, ``n_H' = ⌊(n_H + 2·pad − f)/stride⌋ + 1``.
    """
    X = as_ndim(X, "X", 4, "(N, n_H, n_W, n_C)")
    W, b = filter_bank(W, b, X.shape[3])
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"W must hold square filters (f, f, n_C, K); got shape {W.shape}")
    stride = positive_int(stride, "stride")
    pad = positive_int(pad, "pad", minimum=0)
    N, n_H, n_W, _ = X.shape
    f, K = W.shape[0], W.shape[3]
    _check_window(n_H + 2 * pad, n_W + 2 * pad, f, "the padded image")
    n_H_out = (n_H + 2 * pad - f) // stride + 1
    n_W_out = (n_W + 2 * pad - f) // stride + 1
    Z = im2col(zero_pad(X, pad), f, stride) @ W.reshape(f * f * W.shape[2], K)
    Z += b  # in place: a second (N·n_H'·n_W', K) array would cost a quarter of the run time
    return Z.reshape(N, n_H_out, n_W_out, K)

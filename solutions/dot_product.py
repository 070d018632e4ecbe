"""Chapter 5 — correlation as a dot product (lecture points L11–L12).

``Σ_i Σ_j X[i, j] F[i, j] + b = flatten(X)ᵀ flatten(F) + b``: correlation plus
bias is an affine transformation of the flattened input, and a batch against
K filters is one matrix product.
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import as_array, as_ndim, as_scalar, filter_bank, same_shape


def flatten(X) -> np.ndarray:
    """Read X row by row (row-major, C order) into a vector (lecture L11: 3×3 → R^9).

    X: any shape.  Returns (X.size,), float64, a new array.
    """
    return np.array(as_array(X, "X"), order="C").reshape(-1)


def correlate_dot(X, F, b=0.0) -> float:
    """``z = flatten(X)ᵀ flatten(F) + b`` (lecture L11), equal to ``X ⊗ F + b``.

    X, F: the same shape; b: a scalar.  Returns a float.
    """
    X, F = as_array(X, "X"), as_array(F, "F")
    same_shape(X, F)
    return float(flatten(X) @ flatten(F)) + as_scalar(b, "b")


def affine(X, W, b) -> np.ndarray:
    """``Z = flatten(X) · W_flat + b`` for a whole batch and K filters as one matrix product (L12).

    X: (N, n_H, n_W, n_C); W: (n_H, n_W, n_C, K); b: (K,).
    ``Z[n, k] = X[n] ⊗ W[..., k] + b[k]``.  Returns (N, K), float64.
    """
    X = as_ndim(X, "X", 4, "(N, n_H, n_W, n_C)")
    W, b = filter_bank(W, b, X.shape[3])
    if W.shape[:2] != X.shape[1:3]:
        raise ValueError(
            f"W has filters of size (n_H, n_W) = {W.shape[:2]} but X has (n_H, n_W) = {X.shape[1:3]}"
        )
    size = math.prod(X.shape[1:])  # not reshape(N, -1): that fails for an empty batch (N = 0)
    return X.reshape(X.shape[0], size) @ W.reshape(size, W.shape[3]) + b

"""Chapter 3 — correlation with bias (lecture point L8).

``z = X ⊗ F + b = Σ_i Σ_j X[i, j] F[i, j] + b``: the filter F is the weight
and b the bias.  A bank of K filters gives K numbers at once.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_ndim, as_scalar, filter_bank
from .correlation import correlate


def correlate_bias(X, F, b) -> float:
    """``z = X ⊗ F + b`` (lecture L8).

    X, F: (n_H, n_W) or (n_H, n_W, n_C), the same shape; b: a scalar.  Returns a float.
    """
    return correlate(X, F) + as_scalar(b, "b")


def correlate_filters(X, W, b) -> np.ndarray:
    """``z[k] = X ⊗ W[..., k] + b[k]`` for K filters at once (lecture L8, K times).

    X: (n_H, n_W, n_C); W: (n_H, n_W, n_C, K), filter k is ``W[..., k]``; b: (K,).
    Returns (K,), float64.
    """
    X = as_ndim(X, "X", 3, "(n_H, n_W, n_C)")
    W, b = filter_bank(W, b, X.shape[2])
    if W.shape[:2] != X.shape[:2]:
        raise ValueError(
            f"W has filters of size (n_H, n_W) = {W.shape[:2]} but X has (n_H, n_W) = {X.shape[:2]}"
        )
    return X.reshape(-1) @ W.reshape(X.size, W.shape[3]) + b

"""Chapter 2 — correlation (lecture points L4–L7, L9).

Classical correlation of two arrays of one shape::

    z = X ⊗ F = Σ_{i=0}^{n_H−1} Σ_{j=0}^{n_W−1} X[i, j] F[i, j]        (lecture L5)

one scalar that is large when X looks like F (L7).  Signal-processing
convolution flips F along its two spatial axes first (L9).
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, same_shape


def _pair(X, F) -> tuple[np.ndarray, np.ndarray]:
    """X and F as float64 arrays of one shape, 2-D (n_H, n_W) or 3-D (n_H, n_W, n_C)."""
    X, F = as_array(X, "X"), as_array(F, "F")
    if F.ndim not in (2, 3):
        raise ValueError(f"F must be 2-D (n_H, n_W) or 3-D (n_H, n_W, n_C); got shape {F.shape}")
    same_shape(X, F)
    return X, F


def correlate(X, F) -> float:
    """``z = X ⊗ F = Σ_i Σ_j X[i, j] F[i, j]`` (lecture L5; over channels too when 3-D).

    X, F: (n_H, n_W) or (n_H, n_W, n_C), the same shape.  Returns a float.
    """
    X, F = _pair(X, F)
    return float(np.vdot(X, F))


def convolve(X, F) -> float:
    """Convolution proper: flip F along its two spatial axes, then correlate (lecture L9).

    ``z = Σ_i Σ_j X[i, j] F[n_H−1−i, n_W−1−j]``; channels are not flipped.
    X, F: (n_H, n_W) or (n_H, n_W, n_C), the same shape.  Returns a float.
    """
    X, F = _pair(X, F)
    return float(np.vdot(X, F[::-1, ::-1]))


def similarity(X, F) -> float:
    """Normalized correlation ``z / (‖X‖ ‖F‖)`` in [−1, 1] (lecture L7: how alike X and F are).

    1 when X is a positive multiple of F, −1 for a negative multiple, 0.0 when
    either norm is 0.  X, F: (n_H, n_W) or (n_H, n_W, n_C), the same shape.
    """
    X, F = _pair(X, F)
    x_max, f_max = np.max(np.abs(X), initial=0.0), np.max(np.abs(F), initial=0.0)
    if x_max == 0 or f_max == 0:
        return 0.0
    X, F = X / x_max, F / f_max  # scaled to at most 1, so tiny or huge values neither underflow nor overflow
    return float(np.clip(np.vdot(X, F) / (np.linalg.norm(X) * np.linalg.norm(F)), -1.0, 1.0))


def correlate_batch(X, F) -> np.ndarray:
    """``z[n] = X[n] ⊗ F`` for every image of a batch, in one vectorized step.

    X: (N, *F.shape); F: (n_H, n_W) or (n_H, n_W, n_C).  Returns (N,), float64.
    """
    X, F = as_array(X, "X"), as_array(F, "F")
    if F.ndim not in (2, 3):
        raise ValueError(f"F must be 2-D (n_H, n_W) or 3-D (n_H, n_W, n_C); got shape {F.shape}")
    if X.ndim != F.ndim + 1 or X.shape[1:] != F.shape:
        raise ValueError(f"X has shape {X.shape} but F has shape {F.shape}, so X must have shape (N, *{F.shape})")
    return X.reshape(X.shape[0], F.size) @ F.reshape(-1)

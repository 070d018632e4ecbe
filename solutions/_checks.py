"""Input checks shared by the reference functions.

Every check raises ``ValueError`` with a message in the lecture's terms
(``X has shape (3, 4) but F has shape (3, 3)``), so that a student or reader
never has to decode a traceback from deep inside NumPy.
"""

from __future__ import annotations

import numbers

import numpy as np


#: Array kinds that hold real numbers: booleans, signed and unsigned integers, floats.
REAL_KINDS = "biuf"


def as_array(value, name: str) -> np.ndarray:
    """``value`` as a float64 array; a clear ``ValueError`` if it holds anything but real numbers.

    ``None``, strings and complex numbers are refused rather than turned into nan or silently truncated.
    """
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError) as error:  # e.g. ragged nested lists
        raise ValueError(f"{name} must be an array of real numbers; {error}") from None
    if raw.dtype.kind not in REAL_KINDS:
        raise ValueError(f"{name} must be an array of real numbers; got values of type {raw.dtype}")
    return raw.astype(np.float64, copy=False)


def as_ndim(value, name: str, ndim: int, layout: str) -> np.ndarray:
    """``value`` as a float64 array with exactly ``ndim`` axes, laid out as ``layout``."""
    array = as_array(value, name)
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D {layout}; got shape {array.shape}")
    return array


def as_scalar(value, name: str) -> float:
    """``value`` as a Python float; it must be a single number, e.g. a bias ``b``."""
    array = as_array(value, name)
    if array.ndim != 0:
        raise ValueError(f"{name} must be a scalar; got shape {array.shape}")
    return float(array)


def same_shape(X: np.ndarray, F: np.ndarray) -> None:
    """Correlation pairs X[i, j] with F[i, j]: both must have the same shape."""
    if X.shape != F.shape:
        raise ValueError(f"X has shape {X.shape} but F has shape {F.shape}")


def positive_int(value, name: str, minimum: int = 1) -> int:
    """``value`` as an int no smaller than ``minimum`` (sizes, strides, paddings)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < minimum:
        adjective = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{name} must be a {adjective} integer; got {value!r}")
    return int(value)


def filter_bank(W, b, n_C: int) -> tuple[np.ndarray, np.ndarray]:
    """Check a bank of K filters ``W: (f_H, f_W, n_C, K)`` and biases ``b: (K,)`` against ``n_C``."""
    W = as_ndim(W, "W", 4, "(f_H, f_W, n_C, K)")
    b = as_array(b, "b")
    if W.shape[2] != n_C:
        raise ValueError(f"W expects n_C={W.shape[2]} but X has n_C={n_C}")
    K = W.shape[3]
    if b.shape != (K,):
        raise ValueError(f"b has shape {b.shape} but W has K={K} filters, so b must have shape ({K},)")
    return W, b

"""Chapter 4 — correlation with activation (lecture point L10).

The correlation plus bias plays the role of z, the affine output of earlier
lectures; the neuron's output is ``a = g(z)`` for an activation function g.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ._checks import as_array
from .bias import correlate_bias


def relu(z) -> np.ndarray:
    """``g(z) = max(z, 0)``, elementwise.  z: any shape.  Returns float64 of z's shape."""
    return np.maximum(as_array(z, "z"), 0.0)


def sigmoid(z) -> np.ndarray:
    """``g(z) = 1 / (1 + e^{−z})``, elementwise, without overflow for any finite z.

    ``e^{−z}`` overflows for z below about −709, so both branches are written
    with ``e^{−|z|} ≤ 1``: ``1/(1+e^{−|z|})`` for z ≥ 0 and ``e^{−|z|}/(1+e^{−|z|})`` for z < 0.
    z: any shape.  Returns float64 of z's shape.
    """
    z = as_array(z, "z")
    with np.errstate(under="ignore"):  # e^{−|z|} rounding to 0 for |z| > 745 is the right answer, not an error
        e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def _identity(z) -> np.ndarray:
    return as_array(z, "z")


#: The activations ``neuron`` knows by name.
ACTIVATIONS: dict[str, Callable] = {"relu": relu, "sigmoid": sigmoid, "tanh": np.tanh, "identity": _identity}


def neuron(X, F, b, g="relu") -> float:
    """``a = g(z)`` with ``z = X ⊗ F + b`` (lecture L10).

    X, F: (n_H, n_W) or (n_H, n_W, n_C), the same shape; b: a scalar;
    g: ``"relu"``, ``"sigmoid"``, ``"tanh"``, ``"identity"`` or a callable.
    Returns a float.
    """
    if callable(g):
        activation = g
    elif isinstance(g, str) and g in ACTIVATIONS:
        activation = ACTIVATIONS[g]
    else:
        raise ValueError(f"unknown activation g={g!r}; expected one of {', '.join(map(repr, ACTIVATIONS))} or a callable")
    return float(activation(correlate_bias(X, F, b)))

"""Hypothesis settings, value strategies and the float tolerance shared by the reference tests."""

from __future__ import annotations

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st

HYPOTHESIS = settings(max_examples=50, deadline=None, database=None)
VALUES = st.floats(-100, 100, allow_nan=False, allow_infinity=False, width=64)
BIASES = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, width=64)


def tolerance(X, F, b=0.0) -> float:
    """An absolute tolerance for X ⊗ F + b (F may be a bank W whose leading axes match X)."""
    products = np.abs(X).reshape(-1) @ np.abs(F).reshape(np.size(X), -1)
    return 1e-12 * (1.0 + float(np.max(np.abs(b), initial=0.0)) + float(np.max(products)))

"""The contract every one of the 19 functions shares.

Array-likes (nested lists) are accepted and give the same result as arrays;
integer inputs give float64 results (a Python float for the scalar functions);
the inputs are never modified.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import solutions as S


def _case(rng: np.random.Generator, name: str):
    """Positional arguments for ``name``: integer-valued float arrays (so int and list versions are exact)."""

    def ints(*shape):
        return rng.integers(-5, 6, size=shape).astype(np.float64)

    X3, F3 = ints(3, 4, 2), ints(3, 4, 2)
    return {
        "to_grayscale": (ints(2, 3, 4, 3),),
        "stack_images": ([ints(3, 2, 3), ints(3, 2, 3)],),
        "to_channels_first": (ints(2, 3, 4, 3),),
        "correlate": (X3, F3),
        "convolve": (X3, F3),
        "similarity": (X3, F3),
        "correlate_batch": (ints(4, 3, 4, 2), F3),
        "correlate_bias": (X3, F3, 2.0),
        "correlate_filters": (X3, ints(3, 4, 2, 5), ints(5)),
        "relu": (ints(2, 3, 4),),
        "sigmoid": (ints(2, 3, 4),),
        "neuron": (X3, F3, -1.0, "tanh"),
        "flatten": (ints(2, 3, 4),),
        "correlate_dot": (X3, F3, -3.0),
        "affine": (ints(2, 3, 4, 2), ints(3, 4, 2, 5), ints(5)),
        "zero_pad": (ints(2, 3, 4, 2), 2),
        "correlate2d": (ints(5, 6), ints(2, 3)),
        "im2col": (ints(2, 5, 6, 2), 3, 2),
        "conv_forward": (ints(2, 5, 6, 2), ints(3, 3, 2, 4), ints(4), 2, 1),
    }[name]


SCALAR = {"correlate", "convolve", "similarity", "correlate_bias", "neuron", "correlate_dot"}
NAMES = [name for names in S.CHAPTERS.values() for name in names]


def _to_lists(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, list):
        return [_to_lists(v) for v in value]
    return value


def _to_ints(value):
    if isinstance(value, np.ndarray):
        return value.astype(np.int64)
    if isinstance(value, list):
        return [_to_ints(v) for v in value]
    return value


def _check_type(name, result):
    if name in SCALAR:
        assert type(result) is float, f"{name} returned {type(result).__name__}, not a Python float"
    else:
        assert isinstance(result, np.ndarray), name
        assert result.dtype == np.float64, f"{name} returned dtype {result.dtype}"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_result_type_and_inputs_unchanged(name, seed):
    args = _case(np.random.default_rng(seed), name)
    before = [np.copy(a) if isinstance(a, np.ndarray) else [np.copy(x) for x in a] if isinstance(a, list) else a
              for a in args]
    result = getattr(S, name)(*args)
    _check_type(name, result)
    for old, new in zip(before, args):
        if isinstance(new, np.ndarray):
            assert_array_equal(new, old)
        elif isinstance(new, list):
            for o, n in zip(old, new):
                assert_array_equal(n, o)
    # The result must not share memory with an input (writing to it would change the caller's data).
    if isinstance(result, np.ndarray):
        for a in args:
            for x in a if isinstance(a, list) else [a]:
                if isinstance(x, np.ndarray):
                    assert not np.shares_memory(result, x), name


@pytest.mark.parametrize("name", NAMES)
def test_nested_lists_give_the_same_result(name):
    args = _case(np.random.default_rng(7), name)
    expected = getattr(S, name)(*args)
    result = getattr(S, name)(*[_to_lists(a) for a in args])
    _check_type(name, result)
    assert_array_equal(result, expected)


@pytest.mark.parametrize("name", NAMES)
def test_integer_arrays_give_float64(name):
    args = _case(np.random.default_rng(8), name)
    expected = getattr(S, name)(*args)
    result = getattr(S, name)(*[_to_ints(a) for a in args])
    _check_type(name, result)
    assert_array_equal(result, expected)


@pytest.mark.parametrize("name", NAMES)
def test_float32_inputs_give_float64(name):
    args = _case(np.random.default_rng(9), name)
    args32 = [a.astype(np.float32) if isinstance(a, np.ndarray) else a for a in args]
    _check_type(name, getattr(S, name)(*args32))

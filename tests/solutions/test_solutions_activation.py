"""Chapter 4 — correlation with activation: relu, sigmoid, neuron."""

from __future__ import annotations

import contextlib
import math
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import loops
from strategies import HYPOTHESIS
import solutions as S

FINITE = st.floats(allow_nan=False, allow_infinity=False, width=64)
ANY_SHAPE = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)


@contextlib.contextmanager
def strict():
    """Python warnings as errors, and NumPy overflow / divide-by-zero / invalid as FloatingPointError.

    Underflow stays NumPy's default (ignored): e^{-1000} rounding to 0 is the right answer, not an
    error.  The stricter ``np.errstate(all="raise")`` is pinned as an xfail in test_solutions_suspected_bugs.py.
    """
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        yield


# --- against the loop versions -------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(), (1,), (7,), (3, 4), (2, 3, 4), (1, 2, 3, 2)])
@pytest.mark.parametrize("scale", [1.0, 10.0, 800.0])
def test_relu_and_sigmoid_match_loops(shape, scale):
    z = np.random.default_rng([len(shape), int(scale)]).normal(scale=scale, size=shape)
    for name in ("relu", "sigmoid"):
        a = getattr(S, name)(z)
        assert np.shape(a) == shape, name
        assert np.asarray(a).dtype == np.float64, name
        assert_allclose(a, getattr(loops, name)(z), rtol=1e-13, atol=1e-300, err_msg=name)


@pytest.mark.parametrize("g", ["relu", "sigmoid", "tanh", "identity"])
@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 4), (3, 3, 3), (4, 2, 1)])
@pytest.mark.parametrize("b", [-2.0, 0.0, 0.75])
def test_neuron_matches_loops(g, shape, b):
    rng = np.random.default_rng([len(g), *shape])
    X, F = rng.normal(size=shape), rng.normal(size=shape)
    a = S.neuron(X, F, b, g)
    assert type(a) is float
    assert a == pytest.approx(loops.neuron(X, F, b, g), rel=1e-12, abs=1e-12)


def test_neuron_defaults_to_relu():
    X, F = [[1, 2], [3, 4]], [[1, 0], [0, -1]]  # z = 1 − 4 = −3
    assert S.neuron(X, F, 1) == 0.0  # relu(−2)
    assert S.neuron(X, F, 5) == 2.0  # relu(2)


# --- identities ----------------------------------------------------------------------------------


@HYPOTHESIS
@given(hnp.arrays(np.float64, ANY_SHAPE, elements=FINITE))
def test_relu_is_non_negative_and_odd_part_is_z(z):
    a = S.relu(z)
    assert np.shape(a) == z.shape
    assert np.all(a >= 0)
    assert_array_equal(S.relu(z) - S.relu(-z), z)
    assert_array_equal(a[z > 0], z[z > 0])


@HYPOTHESIS
@given(hnp.arrays(np.float64, ANY_SHAPE, elements=FINITE))
def test_sigmoid_is_a_probability_and_symmetric(z):
    with strict():
        a = S.sigmoid(z)
        a_minus = S.sigmoid(-z)
    assert np.shape(a) == z.shape
    assert np.all((0.0 <= a) & (a <= 1.0))
    assert_allclose(a + a_minus, np.ones(z.shape), rtol=0, atol=1e-15)


@HYPOTHESIS
@given(hnp.arrays(np.float64, st.integers(2, 30), elements=st.floats(-50, 50, allow_nan=False), unique=True))
def test_sigmoid_is_increasing(z):
    z = np.sort(z)
    a = S.sigmoid(z)
    assert np.all(np.diff(a) >= 0)


def test_sigmoid_is_strictly_increasing_where_it_is_not_saturated():
    z = np.linspace(-30, 30, 601)
    assert np.all(np.diff(S.sigmoid(z)) > 0)


@HYPOTHESIS
@given(st.floats(-30, 30, allow_nan=False))
def test_sigmoid_matches_the_textbook_formula(z):
    assert float(S.sigmoid(z)) == pytest.approx(1.0 / (1.0 + math.exp(-z)), rel=1e-14)


@HYPOTHESIS
@given(st.floats(-20, 20, allow_nan=False), st.floats(-5, 5, allow_nan=False))
def test_neuron_is_g_of_correlate_bias(scale, b):
    X = scale * np.arange(6.0).reshape(2, 3) / 6
    F = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, -0.25]])
    z = S.correlate_bias(X, F, b)
    assert S.neuron(X, F, b, "identity") == pytest.approx(z, rel=1e-15, abs=1e-15)
    assert S.neuron(X, F, b, "relu") == pytest.approx(max(z, 0.0), rel=1e-15, abs=1e-15)
    assert S.neuron(X, F, b, "tanh") == pytest.approx(math.tanh(z), rel=1e-14, abs=1e-15)
    assert S.neuron(X, F, b, "sigmoid") == pytest.approx(1 / (1 + math.exp(-z)), rel=1e-14)


# --- worked examples -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "z, relu",
    [(3.5, 3.5), (0.0, 0.0), (-0.0, 0.0), (-2.0, 0.0), (1e300, 1e300), (-1e300, 0.0), (5e-324, 5e-324)],
)
def test_relu_by_hand(z, relu):
    assert S.relu(z) == relu
    assert_array_equal(S.relu([[z, -1.0], [2, 0]]), [[relu, 0.0], [2.0, 0.0]])


def test_relu_of_integers_is_float64():
    a = S.relu([-3, -1, 0, 2, 7])
    assert a.dtype == np.float64
    assert a.tolist() == [0.0, 0.0, 0.0, 2.0, 7.0]


def test_sigmoid_of_zero_is_one_half():
    assert S.sigmoid(0.0) == 0.5
    assert S.sigmoid(0) == 0.5
    assert_array_equal(S.sigmoid(np.zeros((2, 3))), np.full((2, 3), 0.5))


@pytest.mark.parametrize("z, expected", [(1000.0, 1.0), (-1000.0, 0.0), (1e308, 1.0), (-1e308, 0.0), (800.0, 1.0), (-800.0, 0.0)])
def test_sigmoid_saturates_without_overflow_or_warning(z, expected):
    with strict():
        a = S.sigmoid(z)
        batch = S.sigmoid(np.array([[z, -z], [0.0, z]]))
    assert a == expected
    assert_array_equal(batch, [[expected, 1.0 - expected], [0.5, expected]])


@pytest.mark.parametrize("z", [-700.0, -500.0, -100.0, -40.0, -745.0])
def test_sigmoid_of_large_negative_z_is_positive_and_accurate(z):
    # σ(z) = e^z / (1 + e^z) ≈ e^z here; the naive 1/(1 + e^{−z}) would overflow below about −709.
    with strict():
        a = float(S.sigmoid(z))
    assert a > 0.0
    expected = math.exp(z) / (1.0 + math.exp(z))
    if expected >= 2.2250738585072014e-308:  # a normal number: full relative accuracy
        assert a == pytest.approx(expected, rel=1e-13)
    else:  # subnormal (z = −745): as close as the few bits left allow
        assert a == pytest.approx(expected, rel=0.5)


def test_sigmoid_by_hand():
    assert float(S.sigmoid(math.log(3))) == pytest.approx(0.75, rel=1e-15)  # 1 / (1 + 1/3)
    assert float(S.sigmoid(-math.log(3))) == pytest.approx(0.25, rel=1e-15)


# The 3×3 example: X ⊗ F = 23, with b = −25 gives z = −2.
X33 = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
F33 = [[2, 0, 1], [1, 3, 0], [0, 1, -1]]


@pytest.mark.parametrize(
    "g, expected",
    [
        ("relu", 0.0),
        ("identity", -2.0),
        ("tanh", math.tanh(-2.0)),
        ("sigmoid", 1.0 / (1.0 + math.e**2)),
    ],
)
def test_neuron_with_each_named_activation(g, expected):
    a = S.neuron(X33, F33, -25, g=g)
    assert type(a) is float
    assert a == pytest.approx(expected, rel=1e-14, abs=1e-15)


def test_neuron_with_positive_z():
    # b = −20 gives z = 3
    assert S.neuron(X33, F33, -20, "relu") == 3.0
    assert S.neuron(X33, F33, -20, "identity") == 3.0
    assert S.neuron(X33, F33, -20, "tanh") == pytest.approx(math.tanh(3.0), rel=1e-15)


def test_neuron_with_a_callable():
    seen = []

    def g(z):
        seen.append(z)
        return 2 * z + 1

    assert S.neuron(X33, F33, 0.5, g=g) == 48.0  # 2 · 23.5 + 1
    assert seen == [23.5]
    assert S.neuron(X33, F33, 0, g=np.square) == 529.0
    assert S.neuron(X33, F33, 0, g=abs) == 23.0
    assert type(S.neuron(X33, F33, 0, g=np.square)) is float

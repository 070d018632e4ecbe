"""Edge cases at the border of the contract: extreme magnitudes, None, complex numbers, empty batches.

Each was a bug in ``solutions/`` when these tests were written; they now guard the fixes.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import solutions as S





@pytest.mark.parametrize("z, expected", [(1000.0, 1.0), (-1000.0, 0.0)])
def test_sigmoid_saturates_under_errstate_all_raise(z, expected):
    """sigmoid(±1000) must not overflow or warn, even with every floating-point error raised.

    ``np.exp(-np.abs(z))`` underflows for |z| > ~745; NumPy ignores underflow by default, so no
    warning is shown normally, but under ``np.errstate(all="raise")`` sigmoid(±1000) raises
    ``FloatingPointError: underflow encountered in exp``.  (A fix: compute ``e`` inside
    ``np.errstate(under="ignore")``.)  The default-settings behaviour is tested in
    test_solutions_activation.py.
    """
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        assert S.sigmoid(z) == expected


@pytest.mark.parametrize("scale", [1e-200, 1e-170])
def test_similarity_of_tiny_equal_arrays_is_one(scale):
    """similarity(X, X) is 1 for any non-zero X; for tiny X, ‖X‖·‖F‖ underflows to 0 and it returns 0.0."""
    X = np.full((2, 2), scale)
    assert S.similarity(X, X) == pytest.approx(1.0)
    assert S.similarity(X, -X) == pytest.approx(-1.0)


@pytest.mark.parametrize("scale", [1e200, 1e160])
def test_similarity_of_huge_equal_arrays_is_one(scale):
    """similarity must lie in [−1, 1]; for huge X the norms overflow to inf and it returns nan (with warnings)."""
    X = np.full((2, 2), scale)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = S.similarity(X, X)
    assert s == pytest.approx(1.0)


@pytest.mark.parametrize(
    "call",
    [
        lambda: S.correlate_bias(np.ones((2, 2)), np.ones((2, 2)), None),
        lambda: S.relu([1.0, None]),
        lambda: S.correlate([[None]], [[1.0]]),
    ],
    ids=["correlate_bias b=None", "relu with None", "correlate X=[[None]]"],
)
def test_none_is_not_a_number(call):
    """Bad input raises ValueError; ``np.asarray(None, dtype=float)`` is nan, so None becomes nan silently."""
    with pytest.raises(ValueError, match="real numbers"):
        call()


def test_complex_array_is_rejected_like_a_complex_list():
    """relu([1+2j]) raises ValueError ("real numbers"), but relu(np.array([1+2j])) drops the imaginary
    part with only a ComplexWarning and returns [1.0]."""
    with pytest.raises(ValueError, match="real numbers"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            S.relu(np.array([1 + 2j]))


def test_an_empty_batch_works_like_it_does_in_conv_forward():
    """conv_forward and im2col accept N = 0 and return empty results; correlate_batch and affine fail
    with NumPy's "cannot reshape array of size 0 into shape (0,newaxis)"."""
    assert S.conv_forward(np.ones((0, 3, 3, 1)), np.ones((2, 2, 1, 2)), np.ones(2)).shape == (0, 2, 2, 2)
    assert S.correlate_batch(np.ones((0, 2, 2)), np.ones((2, 2))).shape == (0,)
    assert S.affine(np.ones((0, 2, 2, 1)), np.ones((2, 2, 1, 3)), np.ones(3)).shape == (0, 3)


@pytest.mark.parametrize(
    "call, shape",
    [
        (lambda: S.correlate_filters(np.ones((2, 2, 1)), np.ones((2, 2, 1, 0)), np.ones(0)), (0,)),
        (lambda: S.affine(np.ones((3, 2, 2, 1)), np.ones((2, 2, 1, 0)), np.ones(0)), (3, 0)),
        (lambda: S.conv_forward(np.ones((1, 3, 3, 1)), np.ones((2, 2, 1, 0)), np.ones(0)), (1, 2, 2, 0)),
    ],
    ids=["correlate_filters", "affine", "conv_forward"],
)
def test_a_bank_of_zero_filters_is_empty_or_a_clear_error(call, shape):
    """K = 0 filters gives NumPy's bare "cannot reshape array of size 0 into shape (0)" today.
    Either an empty result or a ValueError in the lecture's terms would do."""
    try:
        result = call()
    except ValueError as error:
        assert "cannot reshape" not in str(error)
    else:
        assert_array_equal(result.shape, shape)

"""Chapter 1 — image tensors: to_grayscale, stack_images, to_channels_first."""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import loops
from strategies import HYPOTHESIS
import solutions as S

VALUES = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, width=64)

# (leading batch shape, n_H, n_W): one image, a batch with N=1, non-square images, 1×1 images.
GRAY_SHAPES = [(), (1,), (4,), (2, 3)]
SIZES = [(1, 1), (2, 3), (5, 4), (3, 7)]


# --- against the loop versions ---------------------------------------------------------------------


@pytest.mark.parametrize("lead", GRAY_SHAPES)
@pytest.mark.parametrize("n_H, n_W", SIZES)
def test_to_grayscale_matches_loops(lead, n_H, n_W):
    X = np.random.default_rng(len(lead) * 100 + n_H * 10 + n_W).uniform(0, 255, lead + (n_H, n_W, 3))
    Y = S.to_grayscale(X)
    assert Y.shape == lead + (n_H, n_W)
    assert Y.dtype == np.float64
    assert_allclose(Y, loops.to_grayscale(X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("N", [1, 2, 5])
@pytest.mark.parametrize("n_H, n_W, n_C", [(1, 1, 1), (2, 3, 3), (4, 2, 1), (3, 5, 2)])
def test_stack_images_matches_loops(N, n_H, n_W, n_C):
    rng = np.random.default_rng(N * 1000 + n_H * 100 + n_W * 10 + n_C)
    images = [rng.normal(size=(n_H, n_W, n_C)) for _ in range(N)]
    X = S.stack_images(images)
    assert X.shape == (N, n_H, n_W, n_C)
    assert X.dtype == np.float64
    assert_array_equal(X, loops.stack_images(images))


def test_stack_images_accepts_lists_and_tuples_and_integer_images():
    images = ([[[1, 2, 3]]], (((4, 5, 6),),), np.array([[[7, 8, 9]]], dtype=np.uint8))
    X = S.stack_images(images)
    assert X.dtype == np.float64
    assert_array_equal(X, [[[[1, 2, 3]]], [[[4, 5, 6]]], [[[7, 8, 9]]]])


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (1, 2, 3, 3), (3, 4, 2, 1), (2, 5, 3, 4)])
def test_to_channels_first_matches_loops(shape):
    X = np.random.default_rng(sum(shape)).normal(size=shape)
    Y = S.to_channels_first(X)
    N, n_H, n_W, n_C = shape
    assert Y.shape == (N, n_C, n_H, n_W)
    assert Y.dtype == np.float64
    assert Y.flags.c_contiguous
    assert_array_equal(Y, loops.to_channels_first(X))


# --- identities ------------------------------------------------------------------------------------


@HYPOTHESIS
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=4, max_dims=4, max_side=4), elements=VALUES))
def test_to_channels_first_moves_the_channel_axis(X):
    Y = S.to_channels_first(X)
    N, n_H, n_W, n_C = X.shape
    assert Y.shape == (N, n_C, n_H, n_W)
    for n, c, i, j in np.ndindex(N, n_C, n_H, n_W):
        assert Y[n, c, i, j] == X[n, i, j, c]


@HYPOTHESIS
@given(
    hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=4, max_side=4), elements=VALUES),
    hnp.arrays(np.float64, 3, elements=VALUES),
)
def test_to_grayscale_is_linear_in_the_three_sheets(Z, weights):
    # An image whose three sheets are multiples of one sheet Z: grey = (0.299 a + 0.587 b + 0.114 c) Z.
    X = np.stack([weights[0] * Z, weights[1] * Z, weights[2] * Z], axis=-1)
    expected = (0.299 * weights[0] + 0.587 * weights[1] + 0.114 * weights[2]) * Z
    assert_allclose(S.to_grayscale(X), expected, rtol=1e-9, atol=1e-6)


@HYPOTHESIS
@given(st.lists(hnp.arrays(np.float64, (2, 3, 2), elements=VALUES), min_size=1, max_size=4))
def test_stack_images_slot_n_is_image_n(images):
    X = S.stack_images(images)
    assert X.shape == (len(images), 2, 3, 2)
    for n, image in enumerate(images):
        assert_array_equal(X[n], image)


# --- worked examples --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pixel, grey",
    [
        ((1.0, 0.0, 0.0), 0.299),  # pure red
        ((0.0, 1.0, 0.0), 0.587),  # pure green
        ((0.0, 0.0, 1.0), 0.114),  # pure blue
        ((1.0, 1.0, 1.0), 1.0),  # white
        ((0.0, 0.0, 0.0), 0.0),  # black
        ((255, 255, 255), 255.0),  # white in 8-bit values
    ],
)
def test_to_grayscale_of_pure_colours(pixel, grey):
    image = [[pixel, pixel], [pixel, pixel]]  # 2×2 pixels, n_C = 3
    assert_allclose(S.to_grayscale(image), np.full((2, 2), grey), rtol=1e-12, atol=1e-12)
    assert_allclose(loops.to_grayscale(image), np.full((2, 2), grey), rtol=1e-12, atol=1e-12)


def test_to_grayscale_of_a_two_pixel_image_by_hand():
    image = [[[10, 20, 30], [100, 0, 50]]]  # (1, 2, 3)
    # 0.299·10 + 0.587·20 + 0.114·30 = 2.99 + 11.74 + 3.42 = 18.15; 0.299·100 + 0.114·50 = 29.9 + 5.7 = 35.6
    assert_allclose(S.to_grayscale(image), [[18.15, 35.6]], rtol=1e-12)


def test_to_channels_first_by_hand():
    # One 1×2 image with two channels: pixel (0,0) = (1, 2), pixel (0,1) = (3, 4).
    X = [[[[1, 2], [3, 4]]]]
    # Channel 0 sheet is [[1, 3]], channel 1 sheet is [[2, 4]].
    assert_array_equal(S.to_channels_first(X), [[[[1, 3]], [[2, 4]]]])

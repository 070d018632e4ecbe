"""Bad input raises ValueError with a message in the lecture's terms, never a bare NumPy error."""

from __future__ import annotations

import re

import numpy as np
import pytest

import solutions as S

ones = np.ones

#: Phrases of NumPy's own errors: a message containing one was not written for the lecture.
NUMPY_PHRASES = [
    "operands could not be broadcast",
    "not aligned",
    "cannot reshape",
    "matmul: Input operand",
    "mismatch in its core dimension",
    "axes don't match",
    "tuple index out of range",
    "index out of bounds",
    "must have same number of dimensions",
    "all input arrays must have the same shape",
    "need at least one array",
]

# (id, call, regular expression the message must match)
CASES = [
    # correlation pairs X[i, j] with F[i, j]
    ("correlate shapes", lambda: S.correlate(ones((3, 4)), ones((3, 3))),
     re.escape("X has shape (3, 4) but F has shape (3, 3)")),
    ("convolve shapes", lambda: S.convolve(ones((3, 4)), ones((3, 3))),
     re.escape("X has shape (3, 4) but F has shape (3, 3)")),
    ("similarity shapes", lambda: S.similarity(ones((2, 2, 3)), ones((2, 2, 1))),
     re.escape("X has shape (2, 2, 3) but F has shape (2, 2, 1)")),
    ("correlate_dot shapes", lambda: S.correlate_dot(ones((3, 4)), ones((4, 3))),
     re.escape("X has shape (3, 4) but F has shape (4, 3)")),
    ("correlate_bias shapes", lambda: S.correlate_bias(ones((2, 2)), ones((3, 3)), 1.0),
     re.escape("X has shape (2, 2) but F has shape (3, 3)")),
    ("neuron shapes", lambda: S.neuron(ones((2, 2)), ones((2, 3)), 0.0),
     re.escape("X has shape (2, 2) but F has shape (2, 3)")),
    ("correlate 1-D F", lambda: S.correlate(ones(3), ones(3)), r"\bF\b.*\(n_H, n_W\).*\(3,\)"),
    ("correlate_batch shapes", lambda: S.correlate_batch(ones((4, 3, 3)), ones((2, 2))),
     r"X has shape \(4, 3, 3\) but F has shape \(2, 2\)"),
    ("correlate_batch one image", lambda: S.correlate_batch(ones((3, 3)), ones((3, 3))), r"\(N, \*\(3, 3\)\)"),
    # a bank of filters against the image's channels
    ("correlate_filters n_C", lambda: S.correlate_filters(ones((2, 2, 3)), ones((2, 2, 2, 4)), ones(4)),
     re.escape("W expects n_C=2 but X has n_C=3")),
    ("affine n_C", lambda: S.affine(ones((5, 2, 2, 3)), ones((2, 2, 2, 4)), ones(4)),
     re.escape("W expects n_C=2 but X has n_C=3")),
    ("conv_forward n_C", lambda: S.conv_forward(ones((5, 6, 6, 3)), ones((3, 3, 2, 4)), ones(4)),
     re.escape("W expects n_C=2 but X has n_C=3")),
    ("correlate_filters b", lambda: S.correlate_filters(ones((2, 2, 3)), ones((2, 2, 3, 4)), ones(3)),
     r"\bb has shape \(3,\).*K=4.*\(4,\)"),
    ("affine b", lambda: S.affine(ones((5, 2, 2, 3)), ones((2, 2, 3, 4)), ones((1, 4))),
     r"\bb has shape \(1, 4\).*\(4,\)"),
    ("conv_forward b", lambda: S.conv_forward(ones((1, 6, 6, 1)), ones((3, 3, 1, 2)), 0.0),
     r"\bb has shape \(\).*\(2,\)"),
    ("correlate_filters size", lambda: S.correlate_filters(ones((3, 3, 1)), ones((2, 2, 1, 4)), ones(4)),
     r"\(2, 2\).*\(3, 3\)"),
    ("affine size", lambda: S.affine(ones((1, 3, 4, 1)), ones((3, 3, 1, 1)), ones(1)), r"\(3, 3\).*\(3, 4\)"),
    ("correlate_filters W 3-D", lambda: S.correlate_filters(ones((2, 2, 3)), ones((2, 2, 3)), ones(1)),
     r"\bW\b.*\(f_H, f_W, n_C, K\).*\(2, 2, 3\)"),
    # activations
    ("neuron softmax", lambda: S.neuron(ones((2, 2)), ones((2, 2)), 0.0, g="softmax"), r"softmax"),
    ("neuron g=None", lambda: S.neuron(ones((2, 2)), ones((2, 2)), 0.0, g=None), r"\bg\b.*relu"),
    ("neuron RELU", lambda: S.neuron(ones((2, 2)), ones((2, 2)), 0.0, g="RELU"), r"RELU"),
    # image tensors
    ("stack_images empty", lambda: S.stack_images([]), r"empty"),
    ("stack_images shapes", lambda: S.stack_images([ones((2, 2, 3)), ones((2, 2, 3)), ones((2, 3, 3))]),
     r"(?s)(?=.*\(2, 3, 3\))(?=.*\(2, 2, 3\))"),
    ("stack_images 2-D image", lambda: S.stack_images([ones((2, 2))]), r"\(n_H, n_W, n_C\)"),
    ("to_grayscale n_C=4", lambda: S.to_grayscale(ones((2, 2, 4))), r"n_C=3.*\(2, 2, 4\)"),
    ("to_grayscale 2-D", lambda: S.to_grayscale(ones((4, 3))), r"n_C=3"),
    # 4-D batches
    ("to_channels_first 1-D", lambda: S.to_channels_first(ones(5)), r"\bX\b.*\(N, n_H, n_W, n_C\).*\(5,\)"),
    ("to_channels_first 3-D", lambda: S.to_channels_first(ones((2, 2, 3))), r"\(N, n_H, n_W, n_C\)"),
    ("affine 1-D", lambda: S.affine(ones(5), ones((1, 1, 1, 1)), ones(1)), r"\bX\b.*\(N, n_H, n_W, n_C\).*\(5,\)"),
    ("zero_pad 1-D", lambda: S.zero_pad(ones(5), 1), r"\bX\b.*\(N, n_H, n_W, n_C\).*\(5,\)"),
    ("im2col 1-D", lambda: S.im2col(ones(5), 1), r"\bX\b.*\(N, n_H, n_W, n_C\).*\(5,\)"),
    ("conv_forward 1-D", lambda: S.conv_forward(ones(5), ones((1, 1, 1, 1)), ones(1)),
     r"\bX\b.*\(N, n_H, n_W, n_C\).*\(5,\)"),
    ("correlate_filters 4-D X", lambda: S.correlate_filters(ones((1, 2, 2, 3)), ones((2, 2, 3, 1)), ones(1)),
     r"\bX\b.*\(n_H, n_W, n_C\).*\(1, 2, 2, 3\)"),
    ("correlate2d 3-D", lambda: S.correlate2d(ones((3, 3, 1)), ones((2, 2))), r"\bX\b.*\(n_H, n_W\).*\(3, 3, 1\)"),
    # padding, stride, filter size
    ("zero_pad -1", lambda: S.zero_pad(ones((1, 2, 2, 1)), -1), r"\bpad\b.*-1"),
    ("zero_pad 1.5", lambda: S.zero_pad(ones((1, 2, 2, 1)), 1.5), r"\bpad\b.*1\.5"),
    ("conv_forward pad -1", lambda: S.conv_forward(ones((1, 4, 4, 1)), ones((3, 3, 1, 1)), ones(1), pad=-1),
     r"\bpad\b.*-1"),
    ("conv_forward stride 0", lambda: S.conv_forward(ones((1, 4, 4, 1)), ones((3, 3, 1, 1)), ones(1), stride=0),
     r"\bstride\b.*\b0\b"),
    ("conv_forward stride -2", lambda: S.conv_forward(ones((1, 4, 4, 1)), ones((3, 3, 1, 1)), ones(1), stride=-2),
     r"\bstride\b.*-2"),
    ("conv_forward stride 1.0", lambda: S.conv_forward(ones((1, 4, 4, 1)), ones((3, 3, 1, 1)), ones(1), stride=1.0),
     r"\bstride\b.*1\.0"),
    ("im2col stride 0", lambda: S.im2col(ones((1, 4, 4, 1)), 2, stride=0), r"\bstride\b.*\b0\b"),
    ("im2col f 0", lambda: S.im2col(ones((1, 4, 4, 1)), 0), r"\bf\b.*\b0\b"),
    ("correlate2d filter too large", lambda: S.correlate2d(ones((2, 2)), ones((3, 3))),
     r"F has shape \(3, 3\) but X has shape \(2, 2\).*filter"),
    ("correlate2d filter too wide", lambda: S.correlate2d(ones((4, 2)), ones((1, 3))), r"filter"),
    ("im2col filter too tall", lambda: S.im2col(ones((1, 3, 5, 1)), 4), r"f=4.*\(3, 5\)"),
    ("im2col filter too wide", lambda: S.im2col(ones((1, 5, 3, 1)), 4), r"f=4.*\(5, 3\)"),
    ("conv_forward filter too wide", lambda: S.conv_forward(ones((1, 5, 3, 1)), ones((4, 4, 1, 1)), ones(1)),
     r"f=4.*\(5, 3\)"),
    ("conv_forward filter too large", lambda: S.conv_forward(ones((1, 3, 3, 1)), ones((5, 5, 1, 1)), ones(1)),
     r"f=5.*\(3, 3\)"),
    ("conv_forward filter too large padded", lambda: S.conv_forward(ones((1, 3, 3, 1)), ones((6, 6, 1, 1)), ones(1),
                                                                     pad=1), r"f=6.*\(5, 5\)"),
    ("conv_forward non-square W", lambda: S.conv_forward(ones((1, 5, 5, 1)), ones((3, 2, 1, 1)), ones(1)),
     r"square.*\(3, 2, 1, 1\)"),
    # not numbers
    ("correlate strings", lambda: S.correlate([["a"]], [[1.0]]), r"\bX\b.*real numbers"),
    ("correlate F strings", lambda: S.correlate([[1.0]], [["a"]]), r"\bF\b.*real numbers"),
    ("relu strings", lambda: S.relu([["a"]]), r"\bz\b.*real numbers"),
    ("sigmoid strings", lambda: S.sigmoid("x"), r"\bz\b.*real numbers"),
    ("flatten strings", lambda: S.flatten([["a", "b"]]), r"\bX\b.*real numbers"),
    ("to_grayscale strings", lambda: S.to_grayscale([[["r", "g", "b"]]]), r"\bX\b.*real numbers"),
    ("stack_images strings", lambda: S.stack_images([[[["a"]]]]), r"\bimage 0\b.*real numbers"),
    ("conv_forward W strings", lambda: S.conv_forward(ones((1, 2, 2, 1)), [[[["a"]]]], ones(1)),
     r"\bW\b.*real numbers"),
    ("affine b strings", lambda: S.affine(ones((1, 1, 1, 1)), ones((1, 1, 1, 1)), ["a"]),
     r"\bb\b.*real numbers"),
    ("correlate ragged", lambda: S.correlate([[1, 2], [3]], [[1, 2], [3, 4]]), r"\bX\b.*real numbers"),
    ("relu dict", lambda: S.relu({"z": 1}), r"\bz\b.*real numbers"),
    # the bias of one filter is one number
    ("correlate_bias b vector", lambda: S.correlate_bias(ones((2, 2)), ones((2, 2)), [1.0, 2.0]),
     r"\bb\b.*scalar.*\(2,\)"),
    ("correlate_bias b matrix", lambda: S.correlate_bias(ones((2, 2)), ones((2, 2)), ones((2, 2))),
     r"\bb\b.*scalar"),
    ("correlate_dot b vector", lambda: S.correlate_dot(ones((2, 2)), ones((2, 2)), [1.0]), r"\bb\b.*scalar"),
    ("neuron b vector", lambda: S.neuron(ones((2, 2)), ones((2, 2)), [0.0, 1.0]), r"\bb\b.*scalar"),
    ("correlate_bias b string", lambda: S.correlate_bias(ones((2, 2)), ones((2, 2)), "b"),
     r"\bb\b.*real numbers"),
]


@pytest.mark.parametrize("call, pattern", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_a_value_error_in_the_lectures_terms(call, pattern):
    with pytest.raises(ValueError, match=pattern) as info:
        call()
    message = str(info.value)
    for phrase in NUMPY_PHRASES:
        assert phrase not in message, f"a bare NumPy error leaked out: {message!r}"


def test_the_shape_message_is_exactly_the_lectures_sentence():
    with pytest.raises(ValueError) as info:
        S.correlate(np.ones((3, 4)), np.ones((3, 3)))
    assert "X has shape (3, 4) but F has shape (3, 3)" in str(info.value)


def test_numpy_phrase_check_can_fail():
    """The NUMPY_PHRASES check catches what NumPy itself says on a shape mismatch."""
    with pytest.raises(ValueError) as info:
        np.ones((3, 4)) * np.ones((3, 3))
    assert any(phrase in str(info.value) for phrase in NUMPY_PHRASES)
    with pytest.raises(ValueError) as info:
        np.ones((3, 4)) @ np.ones((3, 3))
    assert any(phrase in str(info.value) for phrase in NUMPY_PHRASES)
    with pytest.raises(ValueError) as info:
        np.ones(6).reshape(4, -1)
    assert any(phrase in str(info.value) for phrase in NUMPY_PHRASES)


@pytest.mark.parametrize("name", ["correlate", "convolve", "similarity", "correlate_dot"])
def test_no_error_is_a_type_error(name):
    # Non-numeric input is a ValueError (the wrong *value*), never a TypeError from deep inside NumPy.
    for bad in ([["a"]], [[None, "x"]], [[object()]], [[[1, 2], [3]]]):
        with pytest.raises(ValueError):
            getattr(S, name)(bad, [[1.0]])


def test_inputs_are_unchanged_after_an_error():
    X, W, b = np.ones((1, 4, 4, 3)), np.ones((3, 3, 2, 1)), np.ones(1)
    with pytest.raises(ValueError):
        S.conv_forward(X, W, b)
    assert X.shape == (1, 4, 4, 3) and W.shape == (3, 3, 2, 1) and np.all(X == 1) and np.all(W == 1)

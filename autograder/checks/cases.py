"""The hidden test cases of every graded function, with expected results computed by `solutions/`.

Inputs come from fixed seeds, so the embedded cases change only when this file or the reference does.
Each case is what a careful grader would try: the lecture's shapes and the edge cases students miss
(N=1, n_C=1, 1×1 filters, non-square images, stride and padding combinations) and the bad inputs that
must raise ValueError.  `embed.py` turns them into data inside the source notebooks.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import numpy as np

import solutions

#: What each function returns, in the lecture's terms (used in failure messages).
SHAPE_DOCS = {
    "to_grayscale": "(..., n_H, n_W)",
    "stack_images": "(N, n_H, n_W, n_C)",
    "to_channels_first": "(N, n_C, n_H, n_W)",
    "correlate": "a float z = X ⊗ F",
    "convolve": "a float",
    "similarity": "a float in [-1, 1]",
    "correlate_batch": "(N,)",
    "correlate_bias": "a float z = X ⊗ F + b",
    "correlate_filters": "(K,)",
    "relu": "z's shape",
    "sigmoid": "z's shape",
    "neuron": "a float a = g(z)",
    "flatten": "(n_H·n_W·…,)",
    "correlate_dot": "a float flatten(X)ᵀ flatten(F) + b",
    "affine": "(N, K)",
    "zero_pad": "(N, n_H + 2·pad, n_W + 2·pad, n_C)",
    "correlate2d": "(n_H − f_H + 1, n_W − f_W + 1)",
    "im2col": "(N·n_H'·n_W', f·f·n_C)",
    "conv_forward": "(N, n_H', n_W', K)",
}

#: Functions whose hidden tests fail on any warning (the exercise is to avoid them).
STRICT_WARNINGS = {"sigmoid"}

#: Functions graded for vectorization as well (`test_<function>_vectorized`).
VECTORIZED = ("correlate_batch", "correlate_filters", "affine", "im2col", "conv_forward")


@dataclass
class Case:
    args: tuple
    kwargs: dict = field(default_factory=dict)
    error: str | None = None  # the mistake, when the call must raise ValueError


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"shape {value.shape}"
    if isinstance(value, list) and value and all(isinstance(v, np.ndarray) for v in value):
        shapes = sorted({v.shape for v in value})
        return f"{len(value)} images of shape {shapes[0]}" if len(shapes) == 1 else f"images of shapes {shapes}"
    return repr(value)


def call_text(name: str, case: Case) -> str:
    """How a failure message names the call, e.g. `conv_forward(X shape (2, 5, 6, 3), …, stride=2)`."""
    parameters = list(inspect.signature(getattr(solutions, name)).parameters)
    parts = [f"{p} {_describe(a)}" if isinstance(a, (np.ndarray, list)) else f"{p}={a!r}"
             for p, a in zip(parameters, case.args)]
    parts += [f"{k}={v!r}" for k, v in case.kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _rng(name: str) -> np.random.Generator:
    return np.random.default_rng(sum(map(ord, name)))


def _image_tensors(r):
    return {
        "to_grayscale": [Case((r.uniform(0, 1, s),)) for s in [(4, 5, 3), (1, 1, 3), (2, 3, 7, 3), (2, 1, 3, 4, 3)]]
        + [Case((np.eye(3, 3),), error="X must end in n_C=3 channels"),
           Case((r.uniform(0, 1, (4, 4, 4)),), error="n_C=4 is not R, G, B"),
           Case((r.uniform(0, 1, (4, 4, 1)),), error="n_C=1 is not R, G, B")],
        "stack_images": [Case(([r.normal(size=(3, 4, 2)) for _ in range(5)],)),
                         Case(([r.normal(size=(1, 1, 1))],)),
                         Case(([r.normal(size=(6, 2, 3)) for _ in range(2)],)),
                         Case(([],), error="an empty list has no images"),
                         Case(([r.normal(size=(3, 4, 3)), r.normal(size=(4, 3, 3))],), error="images of different shapes"),
                         Case(([r.normal(size=(3, 4, 3)), r.normal(size=(3, 4, 1))],), error="images with different n_C"),
                         Case(([r.normal(size=(3, 4))],), error="a 2-D image has no channel axis")],
        "to_channels_first": [Case((r.normal(size=s),)) for s in [(2, 3, 4, 3), (1, 5, 2, 1), (3, 1, 1, 4)]]
        + [Case((r.normal(size=(3, 4, 3)),), error="X is not a batch (N, n_H, n_W, n_C)")],
    }


def _correlation(r):
    pairs = [(3, 3), (2, 5), (1, 1), (4, 3, 3), (3, 2, 1)]
    same = [Case((r.normal(size=s), r.normal(size=s))) for s in pairs]
    sym = r.normal(size=(3, 3))
    bad = [Case((r.normal(size=(3, 4)), r.normal(size=(3, 3))), error="X and F have different shapes"),
           Case((r.normal(size=(3, 3, 2)), r.normal(size=(3, 3, 3))), error="X and F have different n_C")]
    return {
        "correlate": same + [Case(([[1, 2], [3, 4]], [[1, 0], [0, 1]]))] + bad,
        "convolve": same + [Case((r.normal(size=(3, 3)), sym + sym.T)), Case((r.normal(size=(2, 3, 2)), r.normal(size=(2, 3, 2))))] + bad,
        "similarity": same + [Case((2.5 * sym, sym)), Case((-sym, sym)), Case((np.zeros((2, 2)), r.normal(size=(2, 2)))),
                              Case((r.normal(size=(2, 2)), np.zeros((2, 2))))] + bad,
        "correlate_batch": [Case((r.normal(size=(n, *s)), r.normal(size=s))) for n, s in [(4, (3, 3)), (1, (2, 5)), (3, (2, 2, 3)), (2, (1, 1))]]
        + [Case((r.normal(size=(4, 3, 3)), r.normal(size=(2, 2))), error="X[n] and F have different shapes"),
           Case((r.normal(size=(3, 3)), r.normal(size=(3, 3))), error="X is one image, not a batch (N, *F.shape)")],
    }


def _bias(r):
    return {
        "correlate_bias": [Case((r.normal(size=s), r.normal(size=s), b)) for s, b in [((3, 3), 0.5), ((2, 4), -2.0), ((3, 3, 3), 0.0), ((1, 1), 10.0)]]
        + [Case((r.normal(size=(3, 4)), r.normal(size=(3, 3)), 1.0), error="X and F have different shapes"),
           Case((r.normal(size=(3, 3)), r.normal(size=(3, 3)), np.ones(2)), error="b is not a scalar")],
        "correlate_filters": [Case((r.normal(size=(h, w, c)), r.normal(size=(h, w, c, k)), r.normal(size=k)))
                              for h, w, c, k in [(3, 3, 3, 4), (2, 5, 1, 1), (1, 1, 2, 3), (4, 2, 3, 6)]]
        + [Case((r.normal(size=(3, 3, 3)), r.normal(size=(3, 3, 2, 4)), r.normal(size=4)), error="W expects n_C=2 but X has n_C=3"),
           Case((r.normal(size=(3, 3, 2)), r.normal(size=(3, 3, 2, 4)), r.normal(size=3)), error="b has 3 entries but W has K=4 filters"),
           Case((r.normal(size=(3, 3, 2)), r.normal(size=(2, 2, 2, 4)), r.normal(size=4)), error="the filters are smaller than X")],
    }


def _activation(r):
    z_big = np.array([-1000.0, -745.0, -710.0, -1.0, 0.0, 1.0, 710.0, 1000.0])
    X, F = r.normal(size=(3, 3)), r.normal(size=(3, 3))
    return {
        "relu": [Case((r.normal(size=s),)) for s in [(5,), (2, 3, 4)]] + [Case((z_big,)), Case((-0.5,)), Case(([[1.0, -2.0], [0.0, 3.0]],))],
        "sigmoid": [Case((r.normal(scale=5, size=s),)) for s in [(6,), (2, 3)]] + [Case((z_big,)), Case((0.0,)), Case((np.array(-1000.0),))],
        "neuron": [Case((X, F, 0.5, g)) for g in ("relu", "sigmoid", "tanh", "identity")]
        + [Case((X, F, -100.0)), Case((X, -F, 0.0, "relu")), Case((r.normal(size=(2, 2, 3)), r.normal(size=(2, 2, 3)), 1.0, "sigmoid"))]
        + [Case((X, F, 0.0, "softmax"), error="unknown activation g='softmax'"),
           Case((r.normal(size=(3, 4)), F, 0.0), error="X and F have different shapes")],
    }


def _dot_product(r):
    return {
        "flatten": [Case((r.normal(size=s),)) for s in [(3, 3), (2, 3, 4), (1,), (4, 1, 2, 3)]]
        + [Case((np.asfortranarray(r.normal(size=(3, 4))),)), Case(([[1, 2, 3], [4, 5, 6]],))],
        "correlate_dot": [Case((r.normal(size=s), r.normal(size=s), b)) for s, b in [((3, 3), 0.25), ((2, 3, 2), -1.0), ((1, 1), 3.0)]]
        + [Case((r.normal(size=(3, 3)), r.normal(size=(3, 3))))]
        + [Case((r.normal(size=(3, 4)), r.normal(size=(3, 3)), 0.0), error="X and F have different shapes")],
        "affine": [Case((r.normal(size=(n, h, w, c)), r.normal(size=(h, w, c, k)), r.normal(size=k)))
                   for n, h, w, c, k in [(4, 3, 3, 3, 2), (1, 2, 5, 1, 1), (3, 1, 1, 2, 4), (2, 4, 2, 3, 5)]]
        + [Case((r.normal(size=(2, 3, 3, 3)), r.normal(size=(3, 3, 2, 4)), r.normal(size=4)), error="W expects n_C=2 but X has n_C=3"),
           Case((r.normal(size=(2, 3, 3, 2)), r.normal(size=(3, 3, 2, 4)), r.normal(size=2)), error="b has 2 entries but W has K=4 filters"),
           Case((r.normal(size=(3, 3, 2)), r.normal(size=(3, 3, 2, 4)), r.normal(size=4)), error="X is not a batch (N, n_H, n_W, n_C)")],
    }


def _feature_maps(r):
    conv_shapes = [  # (N, n_H, n_W, n_C, f, K, stride, pad)
        (2, 5, 5, 3, 3, 4, 1, 0), (1, 6, 7, 1, 3, 2, 2, 1), (3, 4, 6, 2, 1, 3, 1, 0), (2, 7, 5, 3, 2, 1, 3, 2),
        (1, 3, 3, 2, 3, 5, 1, 0), (2, 8, 8, 1, 5, 2, 2, 2), (1, 4, 4, 3, 3, 2, 1, 1)]
    return {
        "zero_pad": [Case((r.normal(size=s), p)) for s, p in [((2, 3, 4, 3), 1), ((1, 2, 2, 1), 3), ((2, 3, 3, 2), 0)]]
        + [Case((r.normal(size=(1, 2, 2, 1)), -1), error="pad is negative"),
           Case((r.normal(size=(2, 2)), 1), error="X is not a batch (N, n_H, n_W, n_C)")],
        "correlate2d": [Case((r.normal(size=x), r.normal(size=f))) for x, f in [((5, 5), (3, 3)), ((4, 7), (2, 3)), ((3, 3), (3, 3)), ((4, 2), (1, 1))]]
        + [Case((np.arange(9.0).reshape(3, 3), np.arange(4.0).reshape(2, 2)))]
        + [Case((r.normal(size=(3, 3)), r.normal(size=(4, 4))), error="F is larger than X"),
           Case((r.normal(size=(3, 3, 1)), r.normal(size=(2, 2))), error="X is not 2-D")],
        "im2col": [Case((r.normal(size=(n, h, w, c)), f), {"stride": s}) for n, h, w, c, f, _, s, _ in conv_shapes]
        + [Case((r.normal(size=(2, 3, 3, 2)), 4), error="f is larger than the image"),
           Case((r.normal(size=(2, 3, 3, 2)), 2), {"stride": 0}, error="stride is 0")],
        "conv_forward": [Case((r.normal(size=(n, h, w, c)), r.normal(size=(f, f, c, k)), r.normal(size=k)), {"stride": s, "pad": p})
                         for n, h, w, c, f, k, s, p in conv_shapes]
        + [Case((r.normal(size=(2, 4, 4, 3)), r.normal(size=(3, 3, 2, 4)), r.normal(size=4)), error="W expects n_C=2 but X has n_C=3"),
           Case((r.normal(size=(2, 4, 4, 2)), r.normal(size=(3, 3, 2, 4)), r.normal(size=3)), error="b has 3 entries but W has K=4 filters"),
           Case((r.normal(size=(1, 2, 2, 1)), r.normal(size=(3, 3, 1, 1)), r.normal(size=1)), error="f=3 is larger than the image"),
           Case((r.normal(size=(1, 4, 4, 1)), r.normal(size=(3, 3, 1, 1)), r.normal(size=1)), {"stride": 0}, error="stride is 0")],
    }


def all_cases() -> dict[str, list[Case]]:
    """Every graded function's hidden cases, in chapter order."""
    found = {}
    for make in (_image_tensors, _correlation, _bias, _activation, _dot_product, _feature_maps):
        found.update(make(_rng(make.__name__)))
    return found

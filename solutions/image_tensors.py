"""Chapter 1 — image tensors (lecture points L1–L3).

An image is a matrix ``X ∈ R^{n_H×n_W}``; a colour image stacks three such
sheets (R, G, B) into ``X ∈ R^{n_H×n_W×n_C}``; a batch of N colour images is
``X ∈ R^{N×n_H×n_W×n_C}``.  This course keeps channels last, as the lecture does.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, as_ndim

#: ITU-R BT.601 luma weights for the R, G and B sheets.
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114])


def to_grayscale(X) -> np.ndarray:
    """Collapse the three colour sheets into one grey sheet.

    ``Y[..., i, j] = 0.299·X[..., i, j, 0] + 0.587·X[..., i, j, 1] + 0.114·X[..., i, j, 2]``

    X: (..., n_H, n_W, 3), channels last (one image or a batch).
    Returns (..., n_H, n_W), float64.
    """
    X = as_array(X, "X")
    if X.ndim < 3 or X.shape[-1] != 3:
        raise ValueError(
            f"X must be a colour image (..., n_H, n_W, n_C) with n_C=3 sheets R, G, B; got shape {X.shape}"
        )
    return X @ LUMA_WEIGHTS


def stack_images(images) -> np.ndarray:
    """Stack N colour images of one size into a batch (lecture L3: ``X ∈ R^{N×n_H×n_W×n_C}``).

    images: a non-empty sequence of N arrays, each (n_H, n_W, n_C).
    Returns (N, n_H, n_W, n_C), float64.
    """
    arrays = [as_array(image, f"image {k}") for k, image in enumerate(images)]
    if not arrays:
        raise ValueError("images is empty: a batch needs at least one image (N >= 1)")
    for k, image in enumerate(arrays):
        if image.ndim != 3:
            raise ValueError(f"image {k} must be 3-D (n_H, n_W, n_C); got shape {image.shape}")
        if image.shape != arrays[0].shape:
            raise ValueError(
                f"image {k} has shape {image.shape} but image 0 has shape {arrays[0].shape}: "
                "a batch needs images of one size"
            )
    return np.stack(arrays)


def to_channels_first(X) -> np.ndarray:
    """Reorder a batch from channels-last to channels-first (the layout PyTorch uses).

    X: (N, n_H, n_W, n_C).  Returns (N, n_C, n_H, n_W), float64, C-contiguous.
    """
    X = as_ndim(X, "X", 4, "(N, n_H, n_W, n_C)")
    return np.ascontiguousarray(X.transpose(0, 3, 1, 2))

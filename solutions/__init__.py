"""The vectorized reference solution of *Conv Layers — from image tensors to dot products*.

One function per graded exercise; the hidden tests compare students' answers
against these.  Layout everywhere: images ``X: (N, n_H, n_W, n_C)`` (channels
last), a bank of K filters ``W: (f_H, f_W, n_C, K)`` with filter k ``W[..., k]``,
biases ``b: (K,)``.  Bad input raises ``ValueError`` in the lecture's terms.

Instructor-only: nothing student-facing may import this package.
"""

from .activation import neuron, relu, sigmoid
from .bias import correlate_bias, correlate_filters
from .correlation import convolve, correlate, correlate_batch, similarity
from .dot_product import affine, correlate_dot, flatten
from .feature_maps import conv_forward, correlate2d, im2col, zero_pad
from .image_tensors import stack_images, to_channels_first, to_grayscale

#: The graded functions, by chapter (one nbgrader assignment each).
CHAPTERS = {
    "ex01_image_tensors": ("to_grayscale", "stack_images", "to_channels_first"),
    "ex02_correlation": ("correlate", "convolve", "similarity", "correlate_batch"),
    "ex03_bias": ("correlate_bias", "correlate_filters"),
    "ex04_activation": ("relu", "sigmoid", "neuron"),
    "ex05_dot_product": ("flatten", "correlate_dot", "affine"),
    "ex06_feature_maps": ("zero_pad", "correlate2d", "im2col", "conv_forward"),
}

__all__ = [name for names in CHAPTERS.values() for name in names] + ["CHAPTERS"]

"""Loop versions of the 19 reference functions, written straight from the lecture's formulas.

Each function here spells out its formula with explicit Python ``for`` loops over
n, i, j, the channels c and the filters k, and scalar arithmetic only (no NumPy
reductions, no matrix products, no slicing tricks).  The tests compare the
vectorized code in ``solutions/`` against these, so that an expected value is
never copied from the code under test.  They do no input checking: callers pass
well-formed float64 arrays.
"""

from __future__ import annotations

import math

import numpy as np

#: ITU-R BT.601 luma weights, as the lecture states them (R, G, B).
LUMA_R, LUMA_G, LUMA_B = 0.299, 0.587, 0.114


# --- Chapter 1: image tensors -------------------------------------------------------------------


def to_grayscale(X: np.ndarray) -> np.ndarray:
    """Pixel by pixel: ``Y[..., i, j] = 0.299 R + 0.587 G + 0.114 B``."""
    X = np.asarray(X, dtype=np.float64)
    Y = np.zeros(X.shape[:-1])
    for index in np.ndindex(*X.shape[:-1]):
        Y[index] = LUMA_R * X[index + (0,)] + LUMA_G * X[index + (1,)] + LUMA_B * X[index + (2,)]
    return Y


def stack_images(images) -> np.ndarray:
    """Write image n into slot n of a zeros batch, value by value."""
    images = [np.asarray(image, dtype=np.float64) for image in images]
    n_H, n_W, n_C = images[0].shape
    X = np.zeros((len(images), n_H, n_W, n_C))
    for n, image in enumerate(images):
        for i in range(n_H):
            for j in range(n_W):
                for c in range(n_C):
                    X[n, i, j, c] = image[i, j, c]
    return X


def to_channels_first(X: np.ndarray) -> np.ndarray:
    """``Y[n, c, i, j] = X[n, i, j, c]``."""
    N, n_H, n_W, n_C = X.shape
    Y = np.zeros((N, n_C, n_H, n_W))
    for n in range(N):
        for i in range(n_H):
            for j in range(n_W):
                for c in range(n_C):
                    Y[n, c, i, j] = X[n, i, j, c]
    return Y


# --- Chapter 2: correlation ---------------------------------------------------------------------


def _channels(X: np.ndarray) -> int:
    """Number of channels of a 2-D (one sheet) or 3-D (n_C sheets) array."""
    return 1 if X.ndim == 2 else X.shape[2]


def _at(X: np.ndarray, i: int, j: int, c: int) -> float:
    """``X[i, j]`` of a 2-D array or ``X[i, j, c]`` of a 3-D one, as a Python float."""
    return float(X[i, j]) if X.ndim == 2 else float(X[i, j, c])


def correlate(X: np.ndarray, F: np.ndarray) -> float:
    """``z = Σ_i Σ_j (Σ_c) X[i, j, c] F[i, j, c]`` (lecture L5)."""
    n_H, n_W = X.shape[:2]
    z = 0.0
    for i in range(n_H):
        for j in range(n_W):
            for c in range(_channels(X)):
                z += _at(X, i, j, c) * _at(F, i, j, c)
    return z


def convolve(X: np.ndarray, F: np.ndarray) -> float:
    """``z = Σ_i Σ_j X[i, j] F[n_H−1−i, n_W−1−j]``, channels not flipped (lecture L9)."""
    n_H, n_W = X.shape[:2]
    z = 0.0
    for i in range(n_H):
        for j in range(n_W):
            for c in range(_channels(X)):
                z += _at(X, i, j, c) * _at(F, n_H - 1 - i, n_W - 1 - j, c)
    return z


def norm(X: np.ndarray) -> float:
    """``‖X‖ = sqrt(Σ X[i, j, c]²)``."""
    total = 0.0
    for value in X.reshape(-1):
        total += float(value) * float(value)
    return math.sqrt(total)


def similarity(X: np.ndarray, F: np.ndarray) -> float:
    """``z / (‖X‖ ‖F‖)``, and 0.0 when a norm is 0."""
    nX, nF = norm(X), norm(F)
    if nX == 0.0 or nF == 0.0:
        return 0.0
    return correlate(X, F) / (nX * nF)


def correlate_batch(X: np.ndarray, F: np.ndarray) -> np.ndarray:
    """``z[n] = X[n] ⊗ F`` for n = 0 … N−1."""
    z = np.zeros(X.shape[0])
    for n in range(X.shape[0]):
        z[n] = correlate(X[n], F)
    return z


# --- Chapter 3: bias ----------------------------------------------------------------------------


def correlate_bias(X: np.ndarray, F: np.ndarray, b: float) -> float:
    """``z = Σ_i Σ_j X[i, j] F[i, j] + b`` (lecture L8)."""
    return correlate(X, F) + float(b)


def correlate_filters(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``z[k] = Σ_i Σ_j Σ_c X[i, j, c] W[i, j, c, k] + b[k]``."""
    n_H, n_W, n_C, K = W.shape
    z = np.zeros(K)
    for k in range(K):
        total = 0.0
        for i in range(n_H):
            for j in range(n_W):
                for c in range(n_C):
                    total += float(X[i, j, c]) * float(W[i, j, c, k])
        z[k] = total + float(b[k])
    return z


# --- Chapter 4: activation ----------------------------------------------------------------------


def relu(z: np.ndarray) -> np.ndarray:
    """``max(z, 0)`` value by value."""
    z = np.asarray(z, dtype=np.float64)
    out = np.zeros(z.shape)
    for index in np.ndindex(*z.shape):
        value = float(z[index])
        out[index] = value if value > 0.0 else 0.0
    return out


def _sigmoid_scalar(value: float) -> float:
    # Textbook 1/(1+e^{−z}), rewritten as e^{z}/(1+e^{z}) for z < 0 so that math.exp never overflows.
    if value >= 0.0:
        return 1.0 / (1.0 + math.exp(-value))
    e = math.exp(value)
    return e / (1.0 + e)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """``1 / (1 + e^{−z})`` value by value."""
    z = np.asarray(z, dtype=np.float64)
    out = np.zeros(z.shape)
    for index in np.ndindex(*z.shape):
        out[index] = _sigmoid_scalar(float(z[index]))
    return out


#: The named activations, one scalar function each (lecture L10).
ACTIVATIONS = {
    "relu": lambda z: z if z > 0.0 else 0.0,
    "sigmoid": _sigmoid_scalar,
    "tanh": math.tanh,
    "identity": lambda z: z,
}


def neuron(X: np.ndarray, F: np.ndarray, b: float, g="relu") -> float:
    """``a = g(Σ_i Σ_j X[i, j] F[i, j] + b)``."""
    z = correlate_bias(X, F, b)
    return float(g(z) if callable(g) else ACTIVATIONS[g](z))


# --- Chapter 5: the dot product -----------------------------------------------------------------


def flatten(X: np.ndarray) -> np.ndarray:
    """Read X row by row: the last axis varies fastest (C order)."""
    X = np.asarray(X, dtype=np.float64)
    out = np.zeros(X.size)
    position = 0
    for index in np.ndindex(*X.shape):  # np.ndindex walks the indices in C order
        out[position] = X[index]
        position += 1
    return out


def dot(u: np.ndarray, v: np.ndarray) -> float:
    """``uᵀ v = Σ_m u[m] v[m]`` for two vectors."""
    total = 0.0
    for m in range(len(u)):
        total += float(u[m]) * float(v[m])
    return total


def correlate_dot(X: np.ndarray, F: np.ndarray, b: float = 0.0) -> float:
    """``flatten(X)ᵀ flatten(F) + b`` (lecture L11)."""
    return dot(flatten(X), flatten(F)) + float(b)


def affine(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``Z[n, k] = Σ_i Σ_j Σ_c X[n, i, j, c] W[i, j, c, k] + b[k]``."""
    N = X.shape[0]
    K = W.shape[3]
    Z = np.zeros((N, K))
    for n in range(N):
        Z[n] = correlate_filters(X[n], W, b)
    return Z


# --- Chapter 6: feature maps --------------------------------------------------------------------


def output_size(n: int, f: int, stride: int = 1, pad: int = 0) -> int:
    """``⌊(n + 2p − f)/s⌋ + 1``."""
    return (n + 2 * pad - f) // stride + 1


def zero_pad(X: np.ndarray, pad: int) -> np.ndarray:
    """Write X into the middle of a zeros array ``pad`` wider on every side."""
    N, n_H, n_W, n_C = X.shape
    out = np.zeros((N, n_H + 2 * pad, n_W + 2 * pad, n_C))
    for n in range(N):
        for i in range(n_H):
            for j in range(n_W):
                for c in range(n_C):
                    out[n, i + pad, j + pad, c] = X[n, i, j, c]
    return out


def correlate2d(X: np.ndarray, F: np.ndarray) -> np.ndarray:
    """``Z[r, c] = Σ_i Σ_j X[r+i, c+j] F[i, j]``, valid positions only."""
    n_H, n_W = X.shape
    f_H, f_W = F.shape
    Z = np.zeros((n_H - f_H + 1, n_W - f_W + 1))
    for r in range(n_H - f_H + 1):
        for c in range(n_W - f_W + 1):
            total = 0.0
            for i in range(f_H):
                for j in range(f_W):
                    total += float(X[r + i, c + j]) * float(F[i, j])
            Z[r, c] = total
    return Z


def im2col(X: np.ndarray, f: int, stride: int = 1) -> np.ndarray:
    """One row per window, windows in (n, r, c) order; a row reads the window (row, col, channel)."""
    N, n_H, n_W, n_C = X.shape
    H_out, W_out = output_size(n_H, f, stride), output_size(n_W, f, stride)
    rows = []
    for n in range(N):
        for r in range(H_out):
            for c in range(W_out):
                row = []
                for i in range(f):
                    for j in range(f):
                        for ch in range(n_C):
                            row.append(float(X[n, r * stride + i, c * stride + j, ch]))
                rows.append(row)
    return np.array(rows, dtype=np.float64).reshape(N * H_out * W_out, f * f * n_C)


def conv_forward(X: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, pad: int = 0) -> np.ndarray:
    """``Z[n, r, c, k] = Σ_i Σ_j Σ_ch X_p[n, r·s+i, c·s+j, ch] W[i, j, ch, k] + b[k]``."""
    N, n_H, n_W, n_C = X.shape
    f, K = W.shape[0], W.shape[3]
    X_p = zero_pad(X, pad)
    H_out, W_out = output_size(n_H, f, stride, pad), output_size(n_W, f, stride, pad)
    Z = np.zeros((N, H_out, W_out, K))
    for n in range(N):
        for r in range(H_out):
            for c in range(W_out):
                for k in range(K):
                    total = 0.0
                    for i in range(f):
                        for j in range(f):
                            for ch in range(n_C):
                                total += float(X_p[n, r * stride + i, c * stride + j, ch]) * float(W[i, j, ch, k])
                    Z[n, r, c, k] = total + float(b[k])
    return Z

"""Figure helpers shared by the chapters (drawing only: no exercise answers live here).

Every chapter imports this module, so a figure style is written once.  Readers
who download a chapter notebook can download this file from the introduction.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.cbook import get_sample_data
from matplotlib.colors import LinearSegmentedColormap

#: One colour map per channel sheet, in R, G, B order: black (0) to the pure colour (1), so bright means strong.
SHEET_COLOURS = tuple(LinearSegmentedColormap.from_list(name, ["black", colour]) for name, colour in
                      (("R", "red"), ("G", "lime"), ("B", "blue")))


def load_photo() -> np.ndarray:
    """Grace Hopper's portrait, shipped with matplotlib: ``X`` of shape (600, 512, 3), values in [0, 1]."""
    with get_sample_data("grace_hopper.jpg") as file:
        return plt.imread(file, format="jpeg").astype(np.float64) / 255.0


def show_matrix(ax, M, title: str = "", cmap: str = "gray", fmt: str = "{:.0f}", labels: bool = True,
                vmin=None, vmax=None, highlight=None, fontsize: int = 10) -> None:
    """Draw a small matrix as a grid of cells, each labelled with its value (rows go down, as in X[i, j]).

    highlight: optional (i, j, h, w) rectangle to outline (a window).
    """
    M = np.asarray(M, dtype=float)
    image = ax.imshow(M, cmap=cmap, vmin=vmin, vmax=vmax)
    n_H, n_W = M.shape
    if labels:
        for i in range(n_H):
            for j in range(n_W):
                r, g, b, _ = image.cmap(image.norm(M[i, j]))  # the cell's real colour, whatever the map
                dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
                ax.text(j, i, fmt.format(M[i, j]), ha="center", va="center",
                        color="white" if dark else "black", fontsize=fontsize)
    ax.set_xticks(range(n_W))
    ax.set_yticks(range(n_H))
    ax.set_xticks(np.arange(-0.5, n_W), minor=True)
    ax.set_yticks(np.arange(-0.5, n_H), minor=True)
    ax.grid(which="minor", color="0.6", linewidth=0.8)
    ax.tick_params(which="both", length=0, labelsize=8)
    if highlight is not None:
        i, j, h, w = highlight
        ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), w, h, fill=False, edgecolor="tab:orange", linewidth=3))
    if title:
        ax.set_title(title)


def show_sheets(X, titles=("R: X[:, :, 0]", "G: X[:, :, 1]", "B: X[:, :, 2]"), figsize=(10, 3.4)):
    """Show a colour image next to its three channel sheets, each in its own colour."""
    fig, axes = plt.subplots(1, 4, figsize=figsize, constrained_layout=True)
    axes[0].imshow(np.clip(X, 0, 1))
    axes[0].set_title(f"X, shape {X.shape}")
    for c, (ax, cmap, title) in enumerate(zip(axes[1:], SHEET_COLOURS, titles)):
        ax.imshow(X[:, :, c], cmap=cmap, vmin=0, vmax=1)
        ax.set_title(title)
    for ax in axes:
        ax.axis("off")
    return fig


def show_stack(X, offset: float = 0.18, ax=None, title: str = ""):
    """Draw an (n_H, n_W, n_C) image as n_C sheets of paper stacked one behind the other."""
    n_H, n_W, n_C = X.shape
    ax = ax or plt.gca()
    for c in reversed(range(n_C)):
        sheet = np.zeros((n_H, n_W, 3))
        sheet[:, :, c % 3] = X[:, :, c]
        dx, dy = c * offset * n_W, c * offset * n_H
        ax.imshow(sheet, extent=(dx, dx + n_W, dy, dy + n_H))
        ax.add_patch(plt.Rectangle((dx, dy), n_W, n_H, fill=False, edgecolor="black", linewidth=1))
    ax.set_xlim(-1, n_W * (1 + offset * (n_C - 1)) + 1)
    ax.set_ylim(-1, n_H * (1 + offset * (n_C - 1)) + 1)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax

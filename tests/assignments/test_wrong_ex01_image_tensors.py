"""Wrong answers to ex01 lose exactly the points they should, with messages in the lecture's terms."""

from __future__ import annotations

import pytest

from tests.assignments.roundtrip import autograded, cell_error, grade_answers, lost

A = "ex01_image_tensors"
WRONG = {
    "equal_weights": {"to_grayscale": "def to_grayscale(X):\n    X = np.asarray(X, dtype=float)\n    return X.mean(axis=-1)\n"},
    "wrong_axis_order": {"to_channels_first": "def to_channels_first(X):\n    return np.asarray(X, dtype=float).transpose(0, 3, 2, 1)\n"},
    "no_checks": {"stack_images": "def stack_images(images):\n    return np.stack([np.asarray(i, dtype=float) for i in images])\n"},
    # Correct, but NumPy warns on every call (0/0 computed and thrown away): a harmless warning on stderr.
    "warns_harmlessly": {"to_grayscale": "def to_grayscale(X):\n    np.zeros(1) / np.zeros(1)\n"
                         "    X = np.asarray(X, dtype=float)\n    if X.ndim < 3 or X.shape[-1] != 3:\n"
                         "        raise ValueError(f'X must have n_C=3 channels; got shape {X.shape}')\n"
                         "    return X @ np.array([0.299, 0.587, 0.114])\n"},
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return grade_answers(tmp_path_factory.mktemp(A), A, WRONG)


def test_equal_weights_fail_the_grayscale_test_only(results):
    """Averaging R, G, B instead of weighing them 0.299/0.587/0.114 fails test_to_grayscale, and only it."""
    course, scores = results
    assert lost(scores, "equal_weights") == {"test_to_grayscale"}
    assert "grey values of pure red, green, blue and white pixels" in cell_error(autograded(course, A, "equal_weights"), "test_to_grayscale")


def test_wrong_axis_order_is_reported_as_a_shape(results):
    """Transposing to (N, n_C, n_W, n_H) is caught with the expected shape (N, n_C, n_H, n_W) in the message."""
    course, scores = results
    assert scores["wrong_axis_order"]["test_to_channels_first"][0] == 0
    message = cell_error(autograded(course, A, "wrong_axis_order"), "test_to_channels_first")
    assert "expected (N, n_C, n_H, n_W) = (2, 3, 3, 4)" in message


def test_missing_checks_lose_the_stack_points(results):
    """np.stack alone raises an error that does not name the odd image, and accepts 2-D images: no points."""
    course, scores = results
    assert scores["no_checks"]["test_stack_images"][0] == 0
    assert scores["no_checks"]["test_to_grayscale"][0] == scores["no_checks"]["test_to_grayscale"][1]


def test_a_harmless_warning_does_not_cost_points(results):
    """A correct answer that makes NumPy print a RuntimeWarning to stderr keeps full marks (nbgrader alone would zero it)."""
    course, scores = results
    assert all(score == top for score, top in scores["warns_harmlessly"].values())
    notebook = autograded(course, A, "warns_harmlessly")
    test_cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_to_grayscale")
    assert not any(o.get("name") == "stderr" for o in test_cell.outputs)

"""Wrong answers to ex04 lose exactly the points they should, with messages in the lecture's terms."""

from __future__ import annotations

import pytest

from tests.assignments.roundtrip import autograded, cell_error, grade_answers, lost

A = "ex04_activation"
WRONG = {
    # The textbook formula: right values, but e^(−z) overflows (with a RuntimeWarning) for z below about −709.
    "naive_sigmoid": {"sigmoid": "def sigmoid(z):\n    z = np.asarray(z, dtype=float)\n    return 1 / (1 + np.exp(-z))\n"},
    # Both textbook forms inside np.where: np.where evaluates both on every entry, so it still overflows.
    "where_sigmoid": {"sigmoid": (
        "def sigmoid(z):\n    z = np.asarray(z, dtype=float)\n"
        "    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))\n")},
    # Right values, but it writes the zeros into the caller's array z.
    "mutating_relu": {"relu": "def relu(z):\n    z = np.asarray(z, dtype=float)\n    z[z < 0] = 0\n    return z\n"},
    # z = X ⊗ F without + b.
    "neuron_ignores_b": {"neuron": (
        "def neuron(X, F, b, g='relu'):\n"
        "    activations = {'relu': relu, 'sigmoid': sigmoid, 'tanh': np.tanh, 'identity': lambda z: z}\n"
        "    g = g if callable(g) else activations[g]\n"
        "    return float(g(np.sum(np.asarray(X, dtype=float) * np.asarray(F, dtype=float))))\n")},
    # Correct values, but an unknown name raises KeyError from the dictionary instead of ValueError.
    "neuron_key_error": {"neuron": (
        "def neuron(X, F, b, g='relu'):\n"
        "    activations = {'relu': relu, 'sigmoid': sigmoid, 'tanh': np.tanh, 'identity': lambda z: z}\n"
        "    X, F = np.asarray(X, dtype=float), np.asarray(F, dtype=float)\n"
        "    if X.shape != F.shape:\n"
        "        raise ValueError(f'X has shape {X.shape} but F has shape {F.shape}')\n"
        "    g = g if callable(g) else activations[g]\n"
        "    return float(g(np.sum(X * F) + b))\n")},
    # The stable formula as taught, without silencing the (harmless) underflow of e^(−|z|) for |z| > 745.
    "stable_sigmoid_underflows": {"sigmoid": (
        "def sigmoid(z):\n    z = np.asarray(z, dtype=float)\n    t = np.exp(-np.abs(z))\n"
        "    return np.where(z >= 0, 1.0, t) / (1.0 + t)\n")},
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return grade_answers(tmp_path_factory.mktemp(A), A, WRONG)



def test_naive_sigmoid_fails_the_sigmoid_test_with_an_overflow_message(results):
    """1/(1+np.exp(-z)) loses test_sigmoid, and only it; the visible message names the overflow and the fix."""
    course, scores = results
    assert lost(scores, "naive_sigmoid") == {"test_sigmoid"}
    assert scores["naive_sigmoid"]["test_sigmoid"][0] == 0
    message = cell_error(autograded(course, A, "naive_sigmoid"), "test_sigmoid")
    assert "overflow" in message and "z = [-1000, 0, 1000]" in message and "e^(-|z|) <= 1" in message


def test_both_textbook_forms_in_np_where_still_overflow(results):
    """np.where(z >= 0, 1/(1+e^(−z)), e^z/(1+e^z)) computes both forms everywhere: it overflows and loses test_sigmoid."""
    course, scores = results
    assert lost(scores, "where_sigmoid") == {"test_sigmoid"}
    assert "overflow" in cell_error(autograded(course, A, "where_sigmoid"), "test_sigmoid")


def test_relu_that_writes_into_z_loses_the_relu_points(results):
    """A relu that zeroes z's negative entries in place returns the right values but changes the caller's z."""
    course, scores = results
    assert lost(scores, "mutating_relu") == {"test_relu"}
    assert scores["mutating_relu"]["test_relu"][0] == 0
    assert "changed its input z in place" in cell_error(autograded(course, A, "mutating_relu"), "test_relu")


def test_neuron_without_bias_is_told_to_add_b(results):
    """a = g(X ⊗ F), forgetting + b, loses test_neuron only, and the message asks whether the bias b is added."""
    course, scores = results
    assert lost(scores, "neuron_ignores_b") == {"test_neuron"}
    assert scores["neuron_ignores_b"]["test_neuron"][0] == 0
    message = cell_error(autograded(course, A, "neuron_ignores_b"), "test_neuron")
    assert "relu(X ⊗ F + b) = relu(2) = 2.0" in message and "is the bias b added?" in message


def test_unknown_activation_must_be_a_value_error(results):
    """Looking g up in a dict without a check raises KeyError for g='softmax': test_neuron is lost, the rest kept."""
    course, scores = results
    assert lost(scores, "neuron_key_error") == {"test_neuron"}
    message = cell_error(autograded(course, A, "neuron_key_error"), "test_neuron")
    assert "raised KeyError" in message and "must raise ValueError naming the unknown activation g='softmax'" in message


def test_stable_sigmoid_keeps_its_points_even_if_exp_underflows(results):
    """The stable sigmoid of the chapter, whose e^(−|z|) underflows to 0 for |z| > 745, is correct and keeps every point."""
    _, scores = results
    assert lost(scores, "stable_sigmoid_underflows") == set()

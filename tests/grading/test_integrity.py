"""Reading the integrity report the grader's last cell prints (autograder.integrity.runtime_findings)."""

from __future__ import annotations

from nbformat.v4 import new_output

from autograder.integrity import MARKER, runtime_findings


def stdout(*texts):
    return [new_output("stream", name="stdout", text=t) for t in texts]


def test_a_report_split_over_two_messages_is_read():
    """ipykernel flushes on a timer, so under load one print() arrives in pieces; seen in a 40-student run."""
    outputs = stdout(MARKER, ' {"events": [], "replaced": []}\n')
    assert runtime_findings(outputs) == []


def test_findings_are_listed():
    """Each event and each replaced function becomes one finding, events first."""
    outputs = stdout(f'{MARKER} {{"events": ["open /course/gradebook.db"], "replaced": ["numpy.allclose"]}}\n')
    assert runtime_findings(outputs) == ["at run time: open /course/gradebook.db", "at run time: numpy.allclose was replaced"]


def test_no_report_means_none():
    """A last cell that printed nothing (or something else) did not report: the caller flags the submission."""
    assert runtime_findings([]) is None
    assert runtime_findings(stdout("hello\n")) is None


def test_a_forged_or_garbled_report_means_none():
    """A marker followed by anything but the report's JSON is not a report."""
    assert runtime_findings(stdout(f"{MARKER} {{not json\n")) is None


def test_the_report_must_come_on_stdout():
    """The grader prints to stdout; a marker on stderr is not its report."""
    outputs = [new_output("stream", name="stderr", text=f'{MARKER} {{"events": [], "replaced": []}}\n')]
    assert runtime_findings(outputs) is None

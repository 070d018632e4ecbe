"""nbgrader configuration of the Conv Layers course (this folder is the course directory).

Plain nbgrader works here: `cd autograder && nbgrader generate_assignment ex01_image_tensors`, and so on.
`python -m autograder` (see __main__.py) drives the same steps for a whole class.
"""

c = get_config()  # noqa: F821 — provided by nbgrader when it loads this file

# The course directory is this folder, wherever nbgrader is started from.
import os  # noqa: E402

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "conv-layers"

# Released notebooks keep their outputs cleared and tell students where to write.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# nbgrader gives a test cell 0 points when it wrote anything to stderr. A correct answer that happens
# to trigger a harmless NumPy warning must not lose its points, so Python warning lines are dropped
# before grading. (sigmoid's test turns overflow warnings into failures itself.)
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r":\d+: \w*Warning: "

# A student's infinite loop costs that cell, not the grading run.
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True

# A test cell a student deleted is put back from the source (and graded as usual), so deleting a test
# neither loses nor gains points. Edited test cells are always replaced by the source version.
c.OverwriteCells.add_missing_cells = True

# Feedback never shows the hidden tests: their code is cleared from the test cells, and each error is shown
# as one line (`AssertionError: …`), since a traceback would quote the hidden test's code.
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor, Preprocessor  # noqa: E402
from nbgrader.preprocessors import ClearHiddenTests, GetGrades  # noqa: E402


class ShortTracebacks(Preprocessor):
    """Keep only `ename: evalue` of each error output."""

    enabled = True  # nbconvert preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, ShortTracebacks, CSSHTMLHeaderPreprocessor]

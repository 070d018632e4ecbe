"""The Conv Layers autograder: an nbgrader course directory and the `python -m autograder` command.

- `source/<assignment>/<assignment>.ipynb` — the six assignments as authored (with solutions and hidden tests);
- `checks/` — the hidden test cases, their harness and the loop checker, embedded into the sources as data;
- `release/` (generated, never edited) — what students receive; the book offers the same notebooks.
"""

import sys

# jsonschema (through nbformat) imports `rfc3987_syntax` when it is installed, which compiles 38 Lark grammars:
# about 0.85 s in the command and in every worker. It only checks the "iri" string format, which no notebook
# schema uses; marking it absent makes jsonschema skip that one check.
sys.modules.setdefault("rfc3987_syntax", None)

ASSIGNMENTS = (
    "ex01_image_tensors",
    "ex02_correlation",
    "ex03_bias",
    "ex04_activation",
    "ex05_dot_product",
    "ex06_feature_maps",
)

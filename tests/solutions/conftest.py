"""Shared set-up for the tests of the reference solution in ``solutions/``.

The tests compare every vectorized function with its loop version in
``loops.py`` (this folder), check identities with hypothesis, worked examples
computed by hand, the error messages, and that ``solutions/`` is loop-free.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

#: The repository root, so that ``import solutions`` works however pytest is started.
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Hypothesis keeps a cache (and, on a failure, patch files) under ./.hypothesis; the tests here use
# no example database, so send that storage to a temporary folder instead of the working tree.
if "HYPOTHESIS_STORAGE_DIRECTORY" not in os.environ:
    _storage = tempfile.mkdtemp(prefix="hypothesis-solutions-")
    os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = _storage
    atexit.register(shutil.rmtree, _storage, ignore_errors=True)


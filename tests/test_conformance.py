"""JSONTestSuite (../shared/conformance) through its runner, in stdlib-compatible mode.

Every y_ file must be accepted, every n_ file rejected with ValueError (or
treated exactly as json treats it: NaN/Infinity accepted, RecursionError on
very deep nesting), i_ files either way, and nothing may crash or hang.
"""

import os
import re
import subprocess
import sys

import pytest

from conftest import CONFORMANCE_DIR, REPO_DIR

RUNNER = CONFORMANCE_DIR / "run_jsontestsuite.py"


def test_jsontestsuite_stdlib_compat():
    if not RUNNER.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{RUNNER} is missing (CI is set, so this is an error)")
        pytest.skip(f"{RUNNER} is missing")
    import rjson  # the child imports the same module: check it is importable here first

    proc = subprocess.run(
        [sys.executable, str(RUNNER), "--module", "rjson", "--stdlib-compat"],
        cwd=str(REPO_DIR), capture_output=True, text=True, timeout=900,
    )
    output = proc.stdout + proc.stderr
    assert re.search(r"^318 passed, 0 failed$", output, re.M), (
        f"exit code {proc.returncode}; rjson from {rjson.__file__}\n{output[-6000:]}")
    assert proc.returncode == 0, output[-6000:]

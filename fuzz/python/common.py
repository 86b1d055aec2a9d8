"""What the differential fuzzers share: the test suite's comparison helpers, and the first
byte of an input choosing how the rest is used (so the cargo-fuzz scanner corpus, whose first
byte picks the scanner's options, is a ready seed corpus for `loads_diff`)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests"))

from conftest import assert_same_outcome, outcome  # noqa: E402,F401  (re-exported)


def run(test_one_input):
    """Hand `test_one_input` to atheris with the command line's libFuzzer flags."""
    import atheris

    import rjson
    # The module fuzzed (fuzz/run.sh puts the instrumented build first on the path).
    print(f"fuzzing {rjson.__file__}", file=sys.stderr)
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()

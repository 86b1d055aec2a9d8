"""`make memcheck`: pytest under valgrind memcheck, failing on errors that involve rjson.

Runs the given test files (default: a representative part of the suite, see FILES) with
PYTHONMALLOC=malloc, so every object is a malloc block valgrind watches, and fails when any
error (invalid read or write, use of uninitialised memory, invalid free) has a frame in
rjson's extension module, either where it happened or where the memory involved was
allocated (--track-origins; frames under a garbage collection do not count), or when the
tests themselves fail. Errors entirely inside CPython are counted and listed by kind, not
failed on (python.supp keeps the known ones out).

    python tests/memcheck/run.py [TEST_FILE...]
"""

import collections
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
# Hostile input (JSONTestSuite, cut documents at page edges, errors), the result of failed
# calls, limits and concurrent use; the big differential files take hours under valgrind.
FILES = ["test_guard_pages.py", "test_conformance.py", "test_loads_errors.py", "test_dumps_errors.py",
         "test_all_or_nothing.py", "test_limits.py", "test_stress.py"]


def frames(stack):
    return [((f.findtext("obj") or "?"), (f.findtext("fn") or "?"), f.findtext("file"), f.findtext("line"))
            for f in stack.iter("frame")]


def parse(xml_path):
    """The report of one process; one killed by a signal leaves it unclosed."""
    text = xml_path.read_text(errors="replace")
    if "</valgrindoutput>" not in text:
        text += "</valgrindoutput>"
    return ET.fromstring(text)


def in_rjson(frame):
    return Path(frame[0]).name.startswith("rjson.")


# A garbage collection can start in any allocation, rjson's among them, and then visits
# objects whoever made them: what goes wrong inside it is rjson's only if rjson's frames are
# above it (CPython's uninitialised reads in Py_DECREF during collections, counted below by
# the hundred, had an rjson frame under the collector now and then).
COLLECTOR = {"gc_collect_main", "gc_collect_with_callback", "gc_collect_generations"}


def above_collector(stack):
    """The frames of `stack` above a garbage collection it is in (all if none)."""
    return next((stack[:i] for i, f in enumerate(stack) if f[1] in COLLECTOR), stack)


def main(argv):
    files = argv or FILES
    with tempfile.TemporaryDirectory() as tmp:
        # Child interpreters (the JSONTestSuite runner, crash probes) are watched too.
        cmd = ["valgrind", "--tool=memcheck", "--trace-children=yes", "--leak-check=no", "--track-origins=yes",
               "--num-callers=40", f"--suppressions={HERE / 'python.supp'}", "--xml=yes",
               f"--xml-file={tmp}/memcheck.%p.xml", sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               *files]
        env = dict(os.environ, PYTHONMALLOC="malloc", RJSON_MEMCHECK="1")
        tests = subprocess.run(cmd, cwd=TESTS, env=env)
        errors = [e for xml in sorted(Path(tmp).glob("*.xml")) for e in parse(xml).iter("error")]
    ours, others = [], collections.Counter()
    for error in errors:
        stacks = [frames(s) for s in error.iter("stack")]
        kind = error.findtext("kind")
        if kind.startswith("Leak_"):
            continue  # references are the refcount tests' business; CPython keeps much at exit
        if any(in_rjson(f) for stack in stacks for f in above_collector(stack)):
            ours.append((kind, error.findtext("what") or error.findtext("xwhat/text"), stacks))
        else:
            top = next((f[1] for f in stacks[0] if f[1] != "?"), "?") if stacks else "?"
            others[(kind, top)] += 1
    for kind, what, stacks in ours:
        print(f"\n{kind}: {what}")
        for stack in stacks:
            for obj, fn, file, line in stack[:25]:
                print(f"    {fn}  ({file or Path(obj).name}{':' + line if line else ''})")
            print("    --")
    if others:
        print("ignored (no rjson frame): " + ", ".join(f"{n} {k} in {fn}" for (k, fn), n in others.most_common()))
    print(f"memcheck: {len(ours)} errors involving rjson; tests exited {tests.returncode}")
    return 1 if ours or tests.returncode else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

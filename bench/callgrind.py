#!/usr/bin/env python3
"""Instruction counts (valgrind's callgrind) of rjson vs orjson, loads and compact dumps.

Times move 10-30% from run to run on this shared machine; instruction counts do not: the
same binary on the same input executes the same instructions, whatever else runs. Each
count is per call: the driver (`callgrind.py --driver LIB OP INPUT CALLS`) reads its input
(the file's bytes for loads; for dumps, the document marshalled beforehand, since parsing it
under valgrind would take longer than everything else), then calls the library CALLS
times. It runs under callgrind once with WARM_CALLS calls and once with WARM_CALLS +
EXTRA_CALLS; the difference divided by EXTRA_CALLS is one call's instructions, the
interpreter's start-up, the imports, the input and the first calls' set-up cancelling out
(two: rjson's key texts keep a key from the second time it is written). Hash
randomisation is off (PYTHONHASHSEED=0) so that dict work is the same in both runs.

    .venv/bin/python bench/callgrind.py                       # the default files
    .venv/bin/python bench/callgrind.py --files github.json   # others
"""
from __future__ import annotations

import argparse
import json
import marshal
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import libraries
import sources
from operations import OPERATIONS

OPS = ("loads_bytes", "dumps_compact")
LIBS = ("rjson", "rjson.orjson", "orjson")   # rjson.orjson is skipped while rjson has no such face
DEFAULT_FILES = ("twitter.json", "citm_catalog.json", "canada.json")   # strings, ints/objects, floats
QUICK_FILES = ("github.json",)
WARM_CALLS = 2
EXTRA_CALLS = 2
PARALLEL = 2   # valgrind runs at once: counts do not depend on the load, only the run time does
TIMEOUT_S = 600


# ---- the driver, run under valgrind ----

def drive(lib: str, op_name: str, path: Path, calls: int) -> int:
    libs, missing = libraries.load([lib])
    if lib not in libs:
        print(missing[lib], file=sys.stderr)
        return 3
    op = OPERATIONS[op_name]
    fn, kwargs = op.calls[lib].resolve(libs[lib].module)
    arg = path.read_bytes() if op.kind == "loads" else marshal.loads(path.read_bytes())
    for _ in range(calls):
        fn(arg, **kwargs)
    return 0


# ---- in the benchmark's process ----

def _count(python: Path, lib: str, op: str, path: Path, calls: int) -> Tuple[Optional[int], str]:
    """Instructions of the whole driver run, or (None, why not)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", str(python),
               str(Path(__file__).resolve()), "--driver", lib, op, str(path), str(calls)]
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, env=env)
        except subprocess.TimeoutExpired:
            return None, f"valgrind took more than {TIMEOUT_S} s"
        if r.returncode != 0 or not out.exists():
            return None, (r.stderr.strip().splitlines() or ["?"])[-1]
        for line in out.read_text().splitlines():
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1]), ""
    return None, "no totals in callgrind's output"


def _per_call(python: Path, lib: str, op: str, path: Path) -> Dict[str, Any]:
    warm, why = _count(python, lib, op, path, WARM_CALLS)
    if warm is None:
        return {"error": why}
    more, why = _count(python, lib, op, path, WARM_CALLS + EXTRA_CALLS)
    if more is None:
        return {"error": why}
    return {"instructions": (more - warm) // EXTRA_CALLS}


def _inputs(files: List[Path], tmp: Path) -> Dict[Tuple[Path, str], Path]:
    """(file, op) -> what the driver reads."""
    out = {}
    for p in files:
        doc = tmp / (p.name + ".marshal")
        doc.write_bytes(marshal.dumps(json.loads(p.read_bytes())))
        for op in OPS:
            out[p, op] = p if OPERATIONS[op].kind == "loads" else doc
    return out


def measure(files: List[Path], log: Callable[[str], None], python: Path = Path(sys.executable)) -> Dict[str, Any]:
    """The "callgrind" section of the results: file -> op -> lib -> instructions per call."""
    if shutil.which("valgrind") is None:
        return {"error": "valgrind not found (apt-get install valgrind)"}
    available, _ = libraries.load(list(LIBS))
    jobs = [(p, op, lib) for p in files for op in OPS for lib in LIBS if lib in available]
    log(f"callgrind: {len(jobs)} counts ({', '.join(available)} on {', '.join(p.name for p in files)}), "
        f"{PARALLEL} at a time ...")
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(PARALLEL) as pool:
        inputs = _inputs(files, Path(tmp))
        counts = list(pool.map(lambda j: _per_call(python, j[2], j[1], inputs[j[0], j[1]]), jobs))
    out: Dict[str, Any] = {"warm_calls": WARM_CALLS, "extra_calls": EXTRA_CALLS, "files": {}}
    for (p, op, lib), c in zip(jobs, counts):
        out["files"].setdefault(p.name, {}).setdefault(op, {})[lib] = c
    return out


def ratio(per_lib: Dict[str, Any], a: str, b: str) -> Optional[float]:
    ia = per_lib.get(a, {}).get("instructions")
    ib = per_lib.get(b, {}).get("instructions")
    return ia / ib if ia and ib else None


def default_files(corpus: Path, quick: bool) -> List[Path]:
    return [corpus / f for f in (QUICK_FILES if quick else DEFAULT_FILES) if (corpus / f).exists()]


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--driver", nargs=4, metavar=("LIB", "OP", "INPUT", "CALLS"), help=argparse.SUPPRESS)
    p.add_argument("--corpus", type=Path, default=sources.DEFAULT_CORPUS)
    p.add_argument("--files", nargs="+", default=None, help=f"corpus file names (default {' '.join(DEFAULT_FILES)})")
    a = p.parse_args(argv)
    if a.driver:
        lib, op, path, calls = a.driver
        return drive(lib, op, Path(path), int(calls))
    files = [a.corpus / f for f in a.files] if a.files else default_files(a.corpus, quick=False)
    data = measure(files, lambda m: print(m, file=sys.stderr))
    print(json.dumps(data, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Memory: peak memory during loads, and the UTF-8 cache dumps leaves on str objects.

Peak during loads, per library and corpus file, each in a fresh process (`python memory.py
loads LIB FILE`, run with the library's group's Python): resident memory before the input is
read, then the peak resident memory (VmHWM, reset through /proc/self/clear_refs just before
the call) while loads runs. The peak's growth is compared with what has to be there anyway:
the input plus the returned objects, sized as the allocator holds them (sys.getsizeof
rounded up to pymalloc's 16-byte blocks, or plus malloc's header above 512 bytes). A ratio of
1.0 means no temporary memory at all; a DOM or a padded copy of the input shows above it.

UTF-8 cache (`python memory.py utf8 LIB...`): sys.getsizeof of a fresh 2,000-char CJK str
before and after dumping it, for each library's compact and stdlib-default dumps; CPython
keeps the UTF-8 copy made by PyUnicode_AsUTF8AndSize for the str's lifetime.
"""
from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import libraries
from operations import OPERATIONS

LOADS_OP = "loads_bytes"
DUMPS_OPS = ("dumps_compact", "dumps_default")
CJK_CHARS = 2000
CHILD_TIMEOUT_S = 300


# ---- in the child process ----

def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")   # resets VmHWM to the current RSS (Linux >= 4.0)


def _allocated(size: int) -> int:
    if size <= 512:
        return (size + 15) // 16 * 16
    return (size + 16 + 15) // 16 * 16


def allocated_size(root: Any) -> int:
    """Bytes held by the objects of a document, each shared object counted once."""
    seen = set()
    total = 0
    stack = [root]
    while stack:
        v = stack.pop()
        if id(v) in seen or v is None or v is True or v is False:
            continue
        seen.add(id(v))
        total += _allocated(sys.getsizeof(v))
        if isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return total


def child_loads(name: str, path: Path) -> Dict[str, Any]:
    libs, missing = libraries.load([name])
    if name not in libs:
        return {"error": missing[name]}
    fn, kwargs = OPERATIONS[LOADS_OP].calls[name].resolve(libs[name].module)
    fn(b'{"a": [1, 2.5, "x", true, null]}', **kwargs)   # lazy set-up happens outside the measurement
    gc.collect()
    before = _status_kb("VmRSS")
    raw = path.read_bytes()
    _reset_peak()
    out = fn(raw, **kwargs)
    peak = _status_kb("VmHWM")
    objects = allocated_size(out)
    needed = len(raw) + objects
    return {"input": len(raw), "objects": objects, "peak_growth": peak - before,
            "ratio": round((peak - before) / needed, 3)}


def child_utf8(names: List[str]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    libs, _ = libraries.load(names)
    for name, lib in libs.items():
        for op in DUMPS_OPS:
            c = OPERATIONS[op].calls.get(name)
            if c is None:
                continue
            fn, kwargs = c.resolve(lib.module)
            s = "".join(chr(0x4E00 + i % 0x5000) for i in range(CJK_CHARS))   # a new str object
            before = sys.getsizeof(s)
            fn([s], **kwargs)
            out.setdefault(name, {})[op] = {"call": c.text(name), "before": before, "after": sys.getsizeof(s)}
    return out


# ---- in the benchmark's process ----

def _run_child(python: Path, args: List[str]) -> Dict[str, Any]:
    try:
        r = subprocess.run([str(python), str(Path(__file__).resolve()), *args], capture_output=True,
                           text=True, timeout=CHILD_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"error": str(exc)}
    lines = r.stdout.strip().splitlines()
    if not lines:
        return {"error": f"exit status {r.returncode}: {r.stderr.strip()[-300:]}"}
    return json.loads(lines[-1])


def measure(pythons: Dict[str, Tuple[Path, List[str]]], files: List[Path],
            log: Callable[[str], None]) -> Dict[str, Any]:
    """pythons: group -> (its python, its libraries). Returns the "memory" section of the results."""
    loads: Dict[str, Dict[str, Any]] = {}
    utf8: Dict[str, Any] = {}
    for python, names in pythons.values():
        for name in names:
            if name not in OPERATIONS[LOADS_OP].calls:
                continue
            log(f"memory: peak during {name}.loads on {len(files)} files ...")
            loads[name] = {p.name: _run_child(python, ["loads", name, str(p)]) for p in files}
        utf8.update(_run_child(python, ["utf8", *names]))
    return {"loads_peak": loads, "utf8_cache": utf8}


def worst_ratio(per_file: Dict[str, Any], min_bytes: int) -> Optional[Tuple[str, float]]:
    """The file with the highest peak ratio among those of at least min_bytes of input."""
    ok = [(f, r["ratio"]) for f, r in per_file.items() if "ratio" in r and r["input"] >= min_bytes]
    return max(ok, key=lambda x: x[1]) if ok else None


def main(argv: List[str]) -> int:
    if argv[:1] == ["loads"] and len(argv) == 3:
        print(json.dumps(child_loads(argv[1], Path(argv[2]))))
    elif argv[:1] == ["utf8"]:
        print(json.dumps(child_utf8(argv[1:])))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

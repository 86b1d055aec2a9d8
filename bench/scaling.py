"""Time (and memory) against input size, 1 KB to 100 MB: rjson's loads and dumps must grow
linearly, so their time per byte stays flat (apart from the call's fixed cost at the small
sizes and steps where the data outgrows the caches). json is timed alongside for reference. `make scaling`; writes
bench/results/scaling.md.

    python bench/scaling.py [--max-mb 100 (1000: also 1 GB)] [--only string,records] [--no-json]

Each workload is a document of about the given size: one long string (plain ASCII, full of
escapes, non-ASCII), an array of numbers, an array of small records, and arrays nested 50
deep side by side. Times are the best of several calls (at least 0.2 s of calls per size).
At the largest size a fresh interpreter measures the peak memory of one loads and one dumps
call (VmHWM, reset before each) over the document's size and over what the call keeps.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import rjson

KB = 1000
SIZES = [KB, 10 * KB, 100 * KB, 1000 * KB, 10_000 * KB, 100_000 * KB, 1_000_000 * KB]  # 1 GB only if asked


def unit_list(unit):
    """An array of `unit` of about `size` bytes of JSON."""
    per = len(json.dumps(unit)) + 2
    return lambda size: [unit] * max(1, size // per)


WORKLOADS = {
    "string": lambda size: "a" * size,
    "escaped string": lambda size: "\"\\\n\u00e9\t/" * (size // 11),
    "non-ASCII string": lambda size: "\u00e9\u20ac\U0001f600abc" * (size // 12),
    "numbers": unit_list([12345, -6.25e-7, 3.141592653589793, 0, 10**18]),
    "records": unit_list({"id": 123456, "name": "some name", "tags": ["a", "b"], "ok": True, "score": 0.5}),
    "nested": unit_list(json.loads("[" * 50 + "1" + "]" * 50)),
}


def best_time(call, budget=0.2):
    """The best time of one call, over at least `budget` seconds of calls (and 3 calls)."""
    best, spent, n = float("inf"), 0.0, 0
    while n < 3 or spent < budget:
        t = time.perf_counter()
        call()
        dt = time.perf_counter() - t
        best, spent, n = min(best, dt), spent + dt, n + 1
        if dt > 2:  # the largest sizes: a single slow call says enough
            break
    return best


MEMORY_CHILD = """
import gc, json, sys, rjson
sys.path.insert(0, sys.argv[3])
from scaling import WORKLOADS
def status(field):  # kB
    with open("/proc/self/status") as f:
        return int(f.read().split(field + ":")[1].split()[0]) * 1024
def reset_peak():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM to the current resident size
obj = WORKLOADS[sys.argv[1]](int(sys.argv[2]))
doc = json.dumps(obj, ensure_ascii=False).encode()
del obj
gc.collect()
reset_peak()
before = status("VmRSS")
result = rjson.loads(doc)
loads_peak, loads_kept = status("VmHWM") - before, status("VmRSS") - before
del doc
reset_peak()
before = status("VmRSS")
text = rjson.dumps(result, ensure_ascii=False)
dumps_peak, dumps_kept = status("VmHWM") - before, status("VmRSS") - before
print(len(text.encode()), loads_peak, loads_kept, dumps_peak, dumps_kept)
"""


def memory(name, size):
    """Peak growth of loads and dumps over the document's size and over what each call keeps
    (its result), in a fresh interpreter (peak resident size, reset before each call)."""
    # With glibc's defaults, so that memory freed before the call is not reused by it.
    env = {k: v for k, v in os.environ.items() if k not in KEEP_MEMORY}
    proc = subprocess.run([sys.executable, "-c", MEMORY_CHILD, name, str(size), str(Path(__file__).parent)],
                          capture_output=True, text=True, check=True, env=env)
    length, loads_peak, loads_kept, dumps_peak, dumps_kept = map(int, proc.stdout.split())
    return (loads_peak / length, loads_peak / max(loads_kept, 1), dumps_peak / length, dumps_peak / max(dumps_kept, 1))


def measure(name, sizes, with_json):
    rows = []
    for size in sizes:
        obj = WORKLOADS[name](size)
        text = json.dumps(obj, ensure_ascii=False)
        doc = text.encode()
        row = {"size": len(doc)}
        row["rjson loads"] = best_time(lambda: rjson.loads(doc))
        row["rjson dumps"] = best_time(lambda: rjson.dumps(obj, ensure_ascii=False))
        if with_json:
            row["json loads"] = best_time(lambda: json.loads(doc))
            row["json dumps"] = best_time(lambda: json.dumps(obj, ensure_ascii=False))
        rows.append(row)
        print(f"  {name:17} {len(doc):>11,} B  " + "  ".join(
            f"{k} {v * 1e9 / len(doc):6.2f} ns/B" for k, v in row.items() if k != "size"), flush=True)
        del obj, text, doc
    return rows


def human(n):
    for unit, div in (("MB", 10**6), ("KB", 10**3)):
        if n >= div:
            return f"{n / div:.0f} {unit}"
    return f"{n} B"


def report(results, memories, ops, fresh):
    lines = ["# Scaling: time per byte from 1 KB to 100 MB", "",
             f"CPython {sys.version.split()[0]}; ns per byte of JSON text (best of several calls); "
             "'growth' is ns/B at the largest size over ns/B at a tenth of it: 1 for linear time, 10 for "
             "quadratic (steps between sizes that fit in the caches and sizes that do not are constant "
             "factors, as json's columns show). "
             + ("glibc's malloc defaults (fresh pages for every block above 32 MB)." if fresh else
                "glibc keeps freed memory (MALLOC_MMAP_MAX_=0): no fresh pages at any size."), ""]
    for op in ops:
        names = list(results)
        sizes = [row["size"] for row in results[names[0]]]
        lines += [f"## {op}", "", "| workload | " + " | ".join(human(s) for s in sizes) + " | growth |",
                  "|---|" + "---:|" * (len(sizes) + 1)]
        for name in names:
            per_byte = [row[op] * 1e9 / row["size"] for row in results[name]]
            growth = f"{per_byte[-1] / per_byte[-2]:.2f}" if len(per_byte) > 1 else "—"
            lines.append(f"| {name} | " + " | ".join(f"{v:.2f}" for v in per_byte) + f" | {growth} |")
        lines.append("")
    if memories:
        lines += ["## Peak memory at the largest size", "",
                  "Peak growth of resident memory during one call, over the document's size and over "
                  "what the call keeps (its result).", "",
                  "| workload | loads / document | loads / result | dumps / document | dumps / result |",
                  "|---|---:|---:|---:|---:|"]
        lines += [f"| {name} | " + " | ".join(f"{v:.2f}" for v in m) + " |" for name, m in memories.items()]
        lines.append("")
    return "\n".join(lines)


# glibc hands blocks above 32 MB out by mmap and unmaps them when freed, so without these
# every call at 100 MB (rjson's and json's alike) pays for fresh pages, about 1 ns per byte
# of result on this machine kind, on top of the algorithm. Keeping freed memory measures the
# algorithm at every size; `--fresh-memory` measures with glibc's defaults.
KEEP_MEMORY = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(1 << 40)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-mb", type=float, default=100)
    parser.add_argument("--only", help="comma-separated workloads")
    parser.add_argument("--no-json", action="store_true", help="time rjson only")
    parser.add_argument("--fresh-memory", action="store_true", help="leave glibc's malloc settings alone")
    args = parser.parse_args()
    if not args.fresh_memory and any(os.environ.get(k) != v for k, v in KEEP_MEMORY.items()):
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **KEEP_MEMORY})
    sizes = [s for s in SIZES if s <= args.max_mb * 1000 * KB]
    names = args.only.split(",") if args.only else list(WORKLOADS)
    results = {}
    for name in names:
        results[name] = measure(name, sizes, not args.no_json)
    memories = {name: memory(name, sizes[-1]) for name in names} if sizes[-1] >= 1000 * KB else {}
    ops = [k for k in results[names[0]][0] if k != "size"]
    text = report(results, memories, ops, args.fresh_memory)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "scaling.md").write_text(text + "\n")
    print("\n" + text)
    print(f"written to {out / 'scaling.md'}")


if __name__ == "__main__":
    main()

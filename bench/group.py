"""Measuring one group of libraries (those of one process) over the workloads.

Per workload: the stdlib's output is the reference; each library is called once on its own
input and checked against it (checks.py), and only the libraries that got it right are
timed (timing.py), next to the operation's baseline so that ratios never cross processes.
The same code runs in the benchmark's process and, through worker.py, in other venvs.
"""
from __future__ import annotations

import gc
import importlib
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import checks
import libraries
import sources
import timing
from libraries import Library
from workloads import Inputs, Workload, build


def plan(workloads: List[Workload], selected: List[str]) -> List[Workload]:
    """The workloads a group with these libraries measures: those where one of them has a call."""
    return [w for w in workloads if any(n in w.op.calls for n in selected)]


def needed(workloads: List[Workload], selected: List[str]) -> List[str]:
    """The libraries a group must import: its own, and the baselines of its workloads."""
    baselines = {w.op.baseline for w in plan(workloads, selected)}
    return [s.name for s in libraries.LIBRARIES if s.name in selected or s.name in baselines]


class Progress:
    """One line per workload on stderr: [i/total mm:ss] name ... result."""

    def __init__(self, total: int, first: int, started: float) -> None:
        self.total, self.index, self.started = total, first - 1, started

    def begin(self, name: str) -> None:
        self.index += 1
        elapsed = int(time.time() - self.started)
        width = len(str(self.total))
        log(f"[{self.index:>{width}}/{self.total} {elapsed // 60:02d}:{elapsed % 60:02d}] {name} ...", end="")

    @staticmethod
    def end(text: str) -> None:
        log(f" {text}")


def log(msg: str = "", end: str = "\n") -> None:
    print(msg, file=sys.stderr, end=end, flush=True)


def loud(msg: str) -> None:
    bar = "!" * 78
    log(f"\n{bar}\n!!! {msg}\n{bar}")


def _check(w: Workload, lib: Library, inputs: Inputs, expected: checks.Expected,
           entry: Dict[str, Any]) -> Optional[timing.Subject]:
    """One call of the library, checked; the subject to time if it was right."""
    try:
        fn, kwargs = w.op.calls[lib.name].resolve(lib.module)
    except Exception as exc:   # e.g. the module has no such function (yet)
        return _reject(w, lib, entry, f"cannot make the call: {type(exc).__name__}: {exc}")
    make = inputs.maker()
    subject = timing.Subject(timing.compile_loop(fn, kwargs), make, inputs.max_calls())
    if lib.name == libraries.REFERENCE:
        return subject   # its output is the reference
    try:
        out = fn(next(iter(make(1))), **kwargs)
    except Exception as exc:
        return _reject(w, lib, entry, f"raised {type(exc).__name__}: {str(exc)[:200]}")
    twin = libraries.SPECS.get(lib.spec.twin) if lib.spec.twin else None
    if twin is not None and twin.name in w.op.calls:
        # A drop-in for a peer: byte for byte what that peer writes (or returns), whatever
        # the stdlib writes.
        twin_fn, twin_kwargs = w.op.calls[twin.name].resolve(importlib.import_module(twin.module))
        try:
            want = twin_fn(next(iter(make(1))), **twin_kwargs)
        except Exception:  # the twin cannot do it: compare with the stdlib as for any library
            want = None
        if want is not None:
            if type(out) is type(want) and (out == want if isinstance(out, (bytes, str)) else
                                               checks.first_difference(out, want, strict=True) is None):
                return subject
            return _reject(w, lib, entry, f"differs from {twin.name}'s output")
    msg = expected.check(out, exact=lib.spec.exact)
    return _reject(w, lib, entry, msg) if msg else subject


def _reject(w: Workload, lib: Library, entry: Dict[str, Any], reason: str) -> None:
    """A peer that cannot do the workload is n/a; ours getting it wrong is a bug, said loudly."""
    status = "wrong" if lib.spec.ours else "n/a"
    entry["libs"][lib.name] = {"status": status, "reason": reason}
    if lib.spec.ours:
        loud(f"OUTPUT MISMATCH in {w.name}: {lib.name}: {reason} -> not timed")
    return None


def _measure(w: Workload, libs: Dict[str, Library], selected: List[str], cfg: timing.TimingConfig,
             group: str) -> Dict[str, Any]:
    entry: Dict[str, Any] = {"name": w.name, "operation": w.op.name, "source": w.source.name,
                             "source_kind": w.source.kind, "group": group, "libs": {}}
    inputs = Inputs(w)
    entry["bytes"] = len(inputs.raw)
    ref_fn, ref_kwargs = w.op.calls[libraries.REFERENCE].resolve(json)
    expected = checks.Expected(w.op.kind, ref_fn(inputs.reference(), **ref_kwargs))
    names = [n for n in libs if n in w.op.calls and (n in selected or n == w.op.baseline)]
    subjects: Dict[str, timing.Subject] = {}
    for name in names:
        subject = _check(w, libs[name], inputs, expected, entry)
        if subject is not None:
            subjects[name] = subject
    # The inputs live until the workload ends: out of the collector's sight, collections
    # between blocks stay cheap.
    gc.collect()
    gc.freeze()
    for name, m in timing.measure(subjects, cfg).items():
        entry["libs"][name] = {"status": "ok", "timing": m.to_json()}
    return entry


def _summary_line(entry: Dict[str, Any], baseline: str) -> str:
    libs = entry["libs"]
    base = libs.get(baseline, {}).get("timing")
    parts = []
    for name, r in libs.items():
        if r["status"] != "ok":
            parts.append(f"{name} {r['status']}")
        elif base and name != baseline:
            parts.append(f"{name} {r['timing']['median_ns'] / base['median_ns']:.2f}")
        else:
            parts.append(f"{name} {timing.format_us(r['timing']['median_ns'])}")
    load = entry.get("system_load", {}).get("others_cpus", 0)
    busy = f", others used {load:.2f} CPU" if load >= 0.1 else ""
    return f"{' | '.join(parts)}  ({entry['seconds']:.1f} s{busy})"


def run(libs: Dict[str, Library], selected: List[str], workloads: List[Workload], cfg: timing.TimingConfig,
        group: str, progress: Progress) -> Iterator[Dict[str, Any]]:
    """Measure the group's workloads one by one, yielding each workload's entry when done."""
    for w in plan(workloads, selected):
        progress.begin(w.name)
        t0 = time.perf_counter()
        load = timing.SystemLoad()
        load.start()
        entry = _measure(w, libs, selected, cfg, group)
        entry["system_load"] = load.stop()
        entry["seconds"] = round(time.perf_counter() - t0, 2)
        progress.end(_summary_line(entry, w.op.baseline))
        yield entry


@dataclass(frozen=True)
class Job:
    """What one group measures; plain data, so that it can be sent to a worker as JSON."""
    group: str
    libs: List[str]          # the group's selected libraries (baselines are added as needed)
    corpus: str
    max_bytes: Optional[int]   # only documents of at most this size (--quick)
    only: List[str]
    timing: Dict[str, Any]   # TimingConfig fields
    total: int               # workloads of the whole run, and the first of this group, for progress
    first: int
    started: float           # time.time() at the start of the run

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "Job":
        return cls(**json.loads(text))


def execute(job: Job) -> Iterator[Dict[str, Any]]:
    """Run a job in this process: a "libraries" event, then one "workload" event per workload."""
    workloads = build(sources.all_sources(Path(job.corpus), job.max_bytes), job.only)
    libs, missing = libraries.load(needed(workloads, job.libs))
    for name, lib in libs.items():
        log(f"  {name:12} {lib.version}  {lib.path}")
    for name, why in missing.items():
        log(f"  {name:12} MISSING: {why}")
    yield {"type": "libraries", "group": job.group,
           "loaded": {n: lib.describe() for n, lib in libs.items()}, "missing": missing}
    progress = Progress(job.total, job.first, job.started)
    for entry in run(libs, job.libs, workloads, timing.TimingConfig(**job.timing), job.group, progress):
        yield {"type": "workload", "entry": entry}

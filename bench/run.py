#!/usr/bin/env python3
"""rjson benchmark: rjson vs orjson vs the stdlib json, on every file of the shared corpus.

    .venv/bin/python bench/run.py                 # full run (5 rounds), a few minutes
    .venv/bin/python bench/run.py --quick         # smoke test, < 1 minute
    .venv/bin/python bench/run.py --only loads --only canada --rounds 9
    .venv/bin/python bench/run.py --list          # list the workloads and exit

Each workload (one operation on one corpus file) is first checked for correctness against the
stdlib (a mismatching workload is skipped and reported loudly), then timed: see timing.py for
the method. Results go to bench/results/latest.json and bench/results/latest.md; progress
goes to stderr and the Markdown report to stdout.

Modules: libraries.py (what is measured), workloads.py (on what), checks.py (is it right),
timing.py (how), report.py (what is written).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import faulthandler
import gc
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

import checks  # noqa: E402
import libraries  # noqa: E402
import report  # noqa: E402
import timing  # noqa: E402
import workloads as wl  # noqa: E402

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="smoke test: 2 rounds of ~5 ms blocks, short warm-up (numbers are rough)")
    p.add_argument("--rounds", type=int, default=None, help="rounds per workload (default 5; 2 with --quick)")
    p.add_argument("--only", action="append", metavar="PATTERN", default=[],
                   help="keep workloads whose name (e.g. 'loads twitter.json', 'dumps_compact canada.json') "
                        "contains PATTERN; repeatable (any matches)")
    p.add_argument("--corpus", type=Path, default=wl.DEFAULT_CORPUS, metavar="DIR",
                   help=f"directory of *.json files (default {wl.DEFAULT_CORPUS})")
    p.add_argument("--libs", default=None,
                   help="comma-separated subset of libraries to time (default: all of "
                        + ",".join(s.name for s in libraries.LIBRARIES) + ")")
    p.add_argument("--block-ms", type=float, default=None, help="target block length in ms (default 30; 5 with --quick)")
    p.add_argument("--out", type=Path, default=BENCH / "results", metavar="DIR",
                   help="where latest.json and latest.md are written (default bench/results)")
    p.add_argument("--list", action="store_true", help="list the selected workloads and exit")
    p.add_argument("--strict", action="store_true",
                   help="exit with status 1 if any output mismatch was found (default: report and go on)")
    a = p.parse_args(argv)
    if a.rounds is not None and a.rounds < 1:
        p.error("--rounds must be >= 1")
    return a


def timing_config(a: argparse.Namespace) -> timing.TimingConfig:
    if a.quick:
        cfg = dict(rounds=2, block_ns=5_000_000, warmup_ns=5_000_000, min_warmup_calls=1)
    else:
        cfg = dict(rounds=5, block_ns=30_000_000, warmup_ns=60_000_000, min_warmup_calls=2)
    if a.rounds is not None:
        cfg["rounds"] = a.rounds
    if a.block_ms is not None:
        cfg["block_ns"] = int(a.block_ms * 1e6)
    return timing.TimingConfig(**cfg)


def log(msg: str = "", end: str = "\n") -> None:
    print(msg, file=sys.stderr, end=end, flush=True)


def loud(msg: str) -> None:
    bar = "!" * 78
    log(f"\n{bar}\n!!! {msg}\n{bar}")


def strings_of(doc: Any) -> List[str]:
    """Every str object in a document (keys and values), for measuring their memory."""
    out: List[str] = []
    stack = [doc]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            out.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return out


def str_bytes(strs: List[str]) -> int:
    return sum(map(sys.getsizeof, strs))


def check_workload(w: wl.Workload, libs: Dict[str, libraries.Library], inputs: wl.Inputs,
                   strs_cache: Dict[Any, List[str]]) -> Dict[str, Any]:
    """Run each library once on the workload and compare with the stdlib's output.

    Returns {"problems": {lib: message}, "str_growth_bytes": {lib: bytes}}.
    """
    ref_fn = w.op.call_for(libraries.REFERENCE, json)
    ref_doc = inputs.doc(w.path, libraries.REFERENCE) if w.op.kind == "dumps" else None
    reference = ref_fn(inputs.raw(w.path) if w.op.kind == "loads" else ref_doc)
    problems: Dict[str, str] = {}
    growth: Dict[str, int] = {}
    for name in w.libraries(libs):
        lib = libs[name]
        if name == libraries.REFERENCE:
            continue  # the reference itself
        try:
            fn = w.op.call_for(name, lib.module)
        except Exception as exc:   # e.g. the module has no such function yet
            problems[name] = f"cannot make the call: {type(exc).__name__}: {exc}"
            continue
        arg = inputs.arg(w, name)
        if w.op.kind == "dumps":
            key = (w.path, name)
            if key not in strs_cache:
                strs_cache[key] = strings_of(arg)
            before = str_bytes(strs_cache[key])
        try:
            out = fn(arg)
        except Exception as exc:
            problems[name] = f"raised {type(exc).__name__}: {exc}"
            continue
        if w.op.kind == "dumps":
            growth[name] = str_bytes(strs_cache[key]) - before
            msg = checks.check_dumps(out, reference, ref_doc, exact=lib.spec.exact)
        else:
            msg = checks.check_loads(out, reference, exact=lib.spec.exact)
        if msg:
            problems[name] = msg
        del out
    return {"problems": problems, "str_growth_bytes": growth}


def fmt_us(ns: float) -> str:
    us = ns / 1000
    return f"{us:,.0f} µs" if us >= 1000 else f"{us:.1f} µs"


def main(argv: Optional[List[str]] = None) -> int:
    a = parse_args(argv)
    cfg = timing_config(a)
    corpus = a.corpus.resolve()
    files = wl.corpus_files(corpus)
    workloads = wl.build(files, a.only)
    if not workloads:
        raise SystemExit(f"error: no workload matches --only {a.only}")
    if a.list:
        print("\n".join(w.name for w in workloads))
        return 0

    faulthandler.enable()   # a crash in native code prints where it happened
    libs = libraries.load(a.libs.split(",") if a.libs else None)
    started = _dt.datetime.now().astimezone()
    t_start = time.perf_counter()
    load_start = report.loadavg()
    run_load = timing.SystemLoad()
    run_load.start()

    log(f"rjson bench: {len(workloads)} workloads, {len(files)} corpus files in {corpus}")
    for name, lib in libs.items():
        log(f"  {name:7} {lib.version}  {lib.path}")
    log(f"  timing: {cfg.describe()}; gc disabled during timed blocks{' (QUICK)' if a.quick else ''}")

    inputs = wl.Inputs()
    inputs.prepare(workloads, libs, libraries.REFERENCE)
    # Everything made so far lives for the whole run: move it out of the collector's sight so
    # that collections between blocks stay cheap.
    gc.collect()
    gc.freeze()

    results: List[Dict[str, Any]] = []
    problems: List[Dict[str, str]] = []
    strs_cache: Dict[Any, List[str]] = {}
    interrupted = False
    machine = report.machine_info(REPO)

    def assemble(final: bool) -> Dict[str, Any]:
        data: Dict[str, Any] = {
            "schema": 1,
            "started": started.isoformat(timespec="seconds"),
            "duration_s": round(time.perf_counter() - t_start, 1),
            "complete": final and not interrupted,
            "interrupted": interrupted,
            "config": {
                "quick": a.quick, "rounds": cfg.rounds, "block_ns": cfg.block_ns, "warmup_ns": cfg.warmup_ns,
                "min_warmup_calls": cfg.min_warmup_calls, "min_cpu_share": cfg.min_cpu_share,
                "max_retries": cfg.max_retries, "only": a.only, "libs": list(libs),
                "corpus": str(corpus), "argv": sys.argv[1:],
            },
            "method": (f"{cfg.describe()}. Per workload: one correctness call per library against the stdlib, "
                       "warm-up and call-count calibration per library, then rounds of whole timed blocks "
                       "(time.perf_counter_ns around back-to-back calls), one block per library per round, "
                       "order rotating each round; gc disabled during blocks and warm-up; corpus objects "
                       "gc.freeze()d. Reported time: median over rounds of per-call time. Each library dumps "
                       "its own copy of the document (same object every call). Blocks preempted (thread CPU "
                       "time < share of wall time) are re-run; other processes' CPU use is recorded per workload."),
            "machine": machine,
            "loadavg_start": load_start,
            "loadavg_end": report.loadavg(),
            "system_load": run_load.stop(),
            "libraries": {n: {"version": l.version, "path": l.path, "notes": l.notes, "exact": l.spec.exact}
                          for n, l in libs.items()},
            "operations": {op.name: {"title": op.title, "kind": op.kind, "note": op.note,
                                     "libraries": list(op.calls)} for op in wl.OPERATIONS},
            "problems": problems,
            "workloads": results,
        }
        data["summary"] = report.summarize(results, wl.OPERATIONS)
        return data

    def save(data: Dict[str, Any]) -> str:
        md = report.render_markdown(data, wl.OPERATIONS)
        report.write_json(a.out / "latest.json", data)
        report.write_markdown(a.out / "latest.md", md)
        return md
    try:
        for i, w in enumerate(workloads, 1):
            log(f"[{i}/{len(workloads)}] {w.name} ...", end="")
            t_w = time.perf_counter()
            sysload = timing.SystemLoad()
            sysload.start()
            names = w.libraries(libs)
            chk = check_workload(w, libs, inputs, strs_cache)
            entry: Dict[str, Any] = {
                "name": w.name, "operation": w.op.name, "file": w.file,
                "bytes": len(inputs.raw(w.path)), "status": "ok",
                "problems": chk["problems"], "excluded": [],
                "libs": {}, "ratios": {}, "paired_ratios": {},
            }
            if w.op.kind == "dumps":
                entry["str_growth_bytes"] = chk["str_growth_bytes"]
            skip = False
            for name, msg in chk["problems"].items():
                if libs[name].spec.exact:
                    action = "workload skipped"
                    skip = True
                else:
                    action = f"{name} left out of this workload"
                    entry["excluded"].append(name)
                problems.append({"workload": w.name, "library": name, "message": msg, "action": action})
                loud(f"OUTPUT MISMATCH in {w.name}: {name}: {msg} -> {action}")
            if skip:
                entry["status"] = "skipped"
                entry["system_load"] = sysload.stop()
                results.append(entry)
                log(f"[{i}/{len(workloads)}] {w.name} ... SKIPPED (output differs)")
                save(assemble(final=False))
                continue
            subjects = {n: (w.op.call_for(n, libs[n].module), inputs.arg(w, n))
                        for n in names if n not in entry["excluded"]}
            ms = timing.measure(subjects, cfg)
            entry["system_load"] = load = sysload.stop()
            entry["libs"] = {n: m.to_json() for n, m in ms.items()}
            entry["ratios_best"] = {}
            for x, y in report.RATIOS:
                if x in ms and y in ms:
                    entry["ratios"][f"{x}/{y}"] = round(ms[x].median / ms[y].median, 4)
                    entry["ratios_best"][f"{x}/{y}"] = round(ms[x].min / ms[y].min, 4)
                    pr = timing.paired_ratios(ms[x], ms[y])
                    entry["paired_ratios"][f"{x}/{y}"] = {
                        "median": round(statistics.median(pr), 4),
                        "min": round(min(pr), 4), "max": round(max(pr), 4)}
            results.append(entry)
            parts = [f"{n} {fmt_us(m.median)}" for n, m in ms.items()]
            ratios = [f"{k} {v:.2f}" for k, v in entry["ratios"].items() if k.startswith("rjson/")]
            retried = sum(m.retries for m in ms.values())
            busy = f", others used {load['others_cpus']:.2f} CPU" if load.get("others_cpus", 0) >= 0.1 else ""
            busy += f", {retried} block(s) re-run" if retried else ""
            log(f" {' | '.join(parts)}  [{', '.join(ratios)}]  ({time.perf_counter() - t_w:.1f} s{busy})")
            save(assemble(final=False))   # a crash (rjson is native code) leaves the results so far
    except KeyboardInterrupt:
        interrupted = True
        loud("interrupted: writing the partial results")

    data = assemble(final=True)
    duration = data["duration_s"]
    md = save(data)
    print(md)
    log(f"done in {duration:.0f} s; wrote {a.out / 'latest.json'} and {a.out / 'latest.md'}")
    if problems:
        loud(f"{len(problems)} output mismatch(es): see the top of {a.out / 'latest.md'}")
    if interrupted:
        return 130
    return 1 if (a.strict and problems) else 0


if __name__ == "__main__":
    sys.exit(main())

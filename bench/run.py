#!/usr/bin/env python3
"""rjson benchmark: rjson against json, orjson and the other peers, on the corpus and synthetic documents.

    .venv/bin/python bench/run.py                   # full run (~15-20 min): timing, memory, callgrind
    .venv/bin/python bench/run.py --quick           # smoke test, rough numbers (a few minutes)
    .venv/bin/python bench/run.py --only loads_bytes --only canada --rounds 9
    .venv/bin/python bench/run.py --libs rjson,pyrjson   # and the baselines, always timed
    .venv/bin/python bench/run.py --list            # list the workloads and exit

Each workload (one operation on one document) is first checked for correctness against the
stdlib (a library whose output differs is not timed: n/a for a peer, loudly for rjson),
then timed: see timing.py for the method. Libraries that cannot share the project's .venv
(pyrjson imports as `rjson`) are measured in a venv of their own, set up on first use
(venvs.py), in a subprocess (worker.py) that times orjson too, so that every ratio is
taken within one process. After the timing: memory (memory.py) and instruction counts
(callgrind.py). Results go to bench/results/latest.{json,md,png}; progress goes to stderr
and the Markdown report to stdout.

Modules: libraries.py (what is measured), operations.py (which calls), sources.py and
synthetic.py (on what), workloads.py (their inputs), checks.py (is it right), timing.py
(how), group.py and worker.py (one process's share), results.py, targets.py, markdown.py
and chart.py (what is written), machine.py (where).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import faulthandler
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

import callgrind  # noqa: E402
import chart  # noqa: E402
import group  # noqa: E402
import libraries  # noqa: E402
import machine  # noqa: E402
import markdown  # noqa: E402
import memory  # noqa: E402
import results  # noqa: E402
import sources  # noqa: E402
import targets  # noqa: E402
import timing  # noqa: E402
import venvs  # noqa: E402
import worker  # noqa: E402
import workloads as wl  # noqa: E402
from group import log, loud  # noqa: E402
from libraries import MAIN_GROUP  # noqa: E402

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
QUICK_MAX_BYTES = 250_000   # --quick: every operation and library, on the small documents only


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help=f"smoke test: documents of <= {QUICK_MAX_BYTES // 1000} KB only, 2 rounds of ~5 ms blocks, "
                        "short warm-up, callgrind on one small file")
    p.add_argument("--rounds", type=int, default=None, help="rounds per workload (default 5; 2 with --quick)")
    p.add_argument("--only", action="append", metavar="PATTERN", default=[],
                   help="keep workloads whose name (e.g. 'loads_bytes twitter.json', 'dumps_compact ints_100k') "
                        "contains PATTERN; repeatable (any matches)")
    p.add_argument("--corpus", type=Path, default=sources.DEFAULT_CORPUS, metavar="DIR",
                   help=f"directory of *.json files (default {sources.DEFAULT_CORPUS})")
    p.add_argument("--libs", default=None,
                   help="comma-separated libraries to time, besides each operation's baseline "
                        "(default: all of " + ",".join(libraries.SPECS) + ")")
    p.add_argument("--block-ms", type=float, default=None, help="target block length in ms (default 30; 5 with --quick)")
    p.add_argument("--memory", action=argparse.BooleanOptionalAction, default=None,
                   help="measure memory after the timing (default: yes, unless --only or --libs is given)")
    p.add_argument("--callgrind", action=argparse.BooleanOptionalAction, default=None,
                   help="count instructions with valgrind at the end (default: yes, unless --only or --libs is given)")
    p.add_argument("--out", type=Path, default=BENCH / "results", metavar="DIR",
                   help="where latest.json, latest.md and latest.png are written (default bench/results)")
    p.add_argument("--list", action="store_true", help="list the selected workloads and exit")
    p.add_argument("--strict", action="store_true",
                   help="exit with status 1 if rjson's output was wrong anywhere (default: report and go on)")
    a = p.parse_args(argv)
    if a.rounds is not None and a.rounds < 1:
        p.error("--rounds must be >= 1")
    partial = bool(a.only or a.libs)
    a.memory = not partial if a.memory is None else a.memory
    a.callgrind = not partial if a.callgrind is None else a.callgrind
    return a


def timing_config(a: argparse.Namespace) -> timing.TimingConfig:
    if a.quick:
        cfg: Dict[str, Any] = dict(rounds=2, block_ns=5_000_000, warmup_ns=5_000_000, min_warmup_calls=1)
    else:
        cfg = dict(rounds=5, block_ns=30_000_000, warmup_ns=60_000_000, min_warmup_calls=2)
    if a.rounds is not None:
        cfg["rounds"] = a.rounds
    if a.block_ms is not None:
        cfg["block_ns"] = int(a.block_ms * 1e6)
    return timing.TimingConfig(**cfg)


def method(cfg: timing.TimingConfig) -> str:
    return (f"{cfg.describe()}. Per workload: one call per library checked against the stdlib's output "
            "(checks.py), warm-up and call-count calibration per library, then rounds of whole timed "
            "blocks (time.perf_counter_ns around back-to-back calls, keyword arguments written at the call "
            "site), one block per library per round, order rotating each round; gc disabled during blocks "
            "and warm-up. Inputs are made before a block's clock starts: each library has its own copy of "
            "the document for same-object dumps; fresh str / fresh objects are new for every call. "
            "Reported: median over rounds of the per-call time; ratios are to the operation's baseline "
            "timed in the same process (pyrjson's own venv has its own orjson). Blocks preempted (thread "
            "CPU time < share of wall time) are re-run; other processes' CPU use is recorded per workload.")


class Run:
    """The results of a run as they come in, and their writing (after every workload, so that a
    crash in native code leaves the results so far)."""

    def __init__(self, a: argparse.Namespace, cfg: timing.TimingConfig, order: List[str]) -> None:
        self.a, self.cfg, self.order = a, cfg, order
        self.started = _dt.datetime.now().astimezone()
        self.epoch = time.time()
        self.t0 = time.perf_counter()
        self.load_start = machine.loadavg()
        self.system_load = timing.SystemLoad()
        self.system_load.start()
        self.machine = machine.machine_info(REPO)
        self.entries: List[Dict[str, Any]] = []
        self.loaded: Dict[str, Any] = {}
        self.missing: Dict[str, str] = {}
        self.groups: Dict[str, Any] = {}
        self.extras: Dict[str, Any] = {}
        self.timing_load: Dict[str, float] = {}
        self.interrupted = False

    def on_event(self, ev: Dict[str, Any], python: Path) -> None:
        if ev["type"] == "workload":
            self.entries.append(ev["entry"])
            self.save(final=False)
            return
        g = ev["group"]
        own = {n: d for n, d in ev["loaded"].items() if libraries.SPECS[n].group == g}
        self.loaded.update(own)
        self.missing.update(ev["missing"])
        self.groups[g] = {"python": str(python),
                          "baselines": {n: d for n, d in ev["loaded"].items() if n not in own}}

    def assemble(self, final: bool) -> Dict[str, Any]:
        rows = results.combine(self.entries, self.order)
        summary = results.summarize(rows, list(self.loaded))
        return {
            "schema": 2,
            "started": self.started.isoformat(timespec="seconds"),
            "duration_s": round(time.perf_counter() - self.t0, 1),
            "complete": final and not self.interrupted,
            "interrupted": self.interrupted,
            "config": {"quick": self.a.quick, **asdict(self.cfg), "only": self.a.only, "libs": self.a.libs,
                       "corpus": str(self.a.corpus.resolve()), "argv": sys.argv[1:]},
            "method": method(self.cfg),
            "machine": self.machine,
            "loadavg_start": self.load_start,
            "loadavg_end": machine.loadavg(),
            "system_load": self.timing_load,
            "libraries": {"loaded": self.loaded, "missing": self.missing},
            "groups": self.groups,
            "workloads": rows,
            "summary": summary,
            "targets": targets.evaluate(rows, summary, self.extras.get("memory", {})),
            **self.extras,
        }

    def save(self, final: bool) -> str:
        data = self.assemble(final)
        md = markdown.render(data)
        results.write_json(self.a.out / "latest.json", data)
        markdown.write(self.a.out / "latest.md", md)
        if final:
            try:
                chart.write(self.a.out / "latest.png", data)
            except ImportError as exc:
                log(f"warning: no chart ({exc}); matplotlib is in bench/requirements.txt")
        return md


def run_groups(run: Run, selected: List[str], plans: Dict[str, List[wl.Workload]], cfg: timing.TimingConfig,
               corpus: Path, max_bytes: Optional[int], only: List[str]) -> None:
    total = sum(len(p) for p in plans.values())
    first = 1
    for g, plan in plans.items():
        mine = libraries.in_group(selected, g)
        job = group.Job(g, mine, str(corpus), max_bytes, only, asdict(cfg), total, first, run.epoch)
        first += len(plan)
        python, why = venvs.python_for(g, log)
        if python is None:
            run.missing.update({n: why for n in mine})
            loud(f"{', '.join(mine)} left out: {why}")
            continue
        log(f"{g} group ({python}): {len(plan)} workloads")
        try:
            events = group.execute(job) if g == MAIN_GROUP else worker.run_in(python, job)
            for ev in events:
                run.on_event(ev, python)
        except worker.WorkerFailed as exc:
            run.missing.update({n: f"its process failed: {exc}" for n in mine if n not in run.loaded})
            loud(f"the {g} group stopped: {exc}")


def run_extras(run: Run, a: argparse.Namespace, corpus: Path, max_bytes: Optional[int]) -> None:
    if a.memory:
        t0 = time.perf_counter()
        files = [corpus / s.name for s in sources.all_sources(corpus, max_bytes) if s.kind == sources.CORPUS]
        pythons = {g: (Path(info["python"]), [n for n in run.loaded if libraries.SPECS[n].group == g])
                   for g, info in run.groups.items()}
        run.extras["memory"] = memory.measure(pythons, files, log)
        run.save(final=False)
        log(f"memory: done in {time.perf_counter() - t0:.0f} s")
    if a.callgrind:
        t0 = time.perf_counter()
        run.extras["callgrind"] = callgrind.measure(callgrind.default_files(corpus, a.quick), log)
        log(f"callgrind: done in {time.perf_counter() - t0:.0f} s")


def main(argv: Optional[List[str]] = None) -> int:
    a = parse_args(argv)
    cfg = timing_config(a)
    corpus = a.corpus.resolve()
    max_bytes = QUICK_MAX_BYTES if a.quick else None
    workloads = wl.build(sources.all_sources(corpus, max_bytes), a.only)
    if not workloads:
        raise SystemExit(f"error: no workload matches --only {a.only}")
    selected = a.libs.split(",") if a.libs else list(libraries.SPECS)
    libraries.check_names(selected)
    groups = [MAIN_GROUP] + [s.group for s in libraries.LIBRARIES if s.group != MAIN_GROUP]
    plans = {g: group.plan(workloads, libraries.in_group(selected, g)) for g in dict.fromkeys(groups)}
    plans = {g: p for g, p in plans.items() if p}
    if a.list:
        for g, plan in plans.items():
            print("\n".join(f"{w.name}  [{g} group]" for w in plan))
        return 0

    faulthandler.enable()   # a crash in native code prints where it happened
    run = Run(a, cfg, [w.name for w in workloads])
    log(f"rjson bench: {sum(len(p) for p in plans.values())} workloads in {len(plans)} process group(s); "
        f"{cfg.describe()}{' (QUICK)' if a.quick else ''}")
    try:
        run_groups(run, selected, plans, cfg, corpus, max_bytes, a.only)
        run.timing_load = run.system_load.stop()
        run_extras(run, a, corpus, max_bytes)
    except KeyboardInterrupt:
        run.interrupted = True
        loud("interrupted: writing the partial results")
    md = run.save(final=True)
    print(md)
    duration = time.perf_counter() - run.t0
    log(f"done in {duration / 60:.1f} min; wrote {a.out}/latest.json, latest.md, latest.png")
    wrong = sum(1 for r in results.combine(run.entries, run.order) for x in r["libs"].values() if x["status"] == "wrong")
    if wrong:
        loud(f"rjson's output was wrong in {wrong} workload(s): see the top of {a.out / 'latest.md'}")
    if run.interrupted:
        return 130
    return 1 if (a.strict and wrong) else 0


if __name__ == "__main__":
    sys.exit(main())

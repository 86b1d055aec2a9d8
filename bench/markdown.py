"""The Markdown report (bench/results/latest.md) of a run's results."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional

import callgrind
import timing
from libraries import LIBRARIES
from operations import OPERATIONS
from sources import CORPUS

BUSY = 0.25   # other processes' CPU use (in CPUs) from which a workload is marked as measured on a busy machine


def _ratio(x: Optional[float]) -> str:
    return "—" if x is None else f"{x:.2f}"


def _columns(data: Dict[str, Any]) -> List[str]:
    return [s.name for s in LIBRARIES if s.name in data["libraries"]["loaded"]]


def _table(header: List[str], rows: List[List[str]], numbers: bool = True) -> List[str]:
    """First column left-aligned, the others right-aligned if they hold numbers."""
    out = ["| " + " | ".join(header) + " |", "|---|" + ("---:|" if numbers else "---|") * (len(header) - 1)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out + [""]


def _header(data: Dict[str, Any]) -> List[str]:
    m, cfg = data["machine"], data["config"]
    cpu = m["cpu"]
    state = "" if data["complete"] else (" — INTERRUPTED, partial results" if data["interrupted"]
                                         else " — INCOMPLETE (still running, or it crashed)")
    L = ["# rjson benchmark results", "",
         f"Run {data['started']} ({data['duration_s'] / 60:.1f} min){' — QUICK run, rough numbers' if cfg['quick'] else ''}"
         f"{state}. CPython {m['python'].split()[0]} on {m['platform']}; CPU {cpu.get('model')} "
         f"({cpu.get('logical_cpus')} logical, {', '.join(cpu.get('simd', []))}); load average "
         f"{data['loadavg_start']} at start, {data['loadavg_end']} at end.", ""]
    sl = data.get("system_load") or {}
    if sl:
        L += [f"Other processes used {sl['others_cpus']:.2f} CPUs on average during the timing "
              f"(hypervisor steal {sl['steal_cpus']:.2f}); workloads timed while they used >= {BUSY} CPU "
              "are marked ⚠.", ""]
    libs = data["libraries"]
    for name in _columns(data):
        lib = libs["loaded"][name]
        venv = "" if lib["group"] == "main" else f", in its own venv ({lib['group']} group)"
        extra = f"; {lib['notes']}" if lib.get("notes") else ""
        L.append(f"- {name} {lib['version']} (`{lib['path']}`{venv}){extra}")
    for name, why in libs["missing"].items():
        L.append(f"- **{name}: missing** — {why}")
    for g, info in data["groups"].items():
        if info["baselines"]:
            base = ", ".join(f"{n} {d['version']} (`{d['path']}`)" for n, d in info["baselines"].items())
            L.append(f"- {g} group's process (`{info['python']}`) times its own {base}")
    return L + [""]


def _problems(data: Dict[str, Any]) -> List[str]:
    wrong = [(r["name"], lib, rec["reason"]) for r in data["workloads"]
             for lib, rec in r["libs"].items() if rec["status"] == "wrong"]
    if not wrong:
        return []
    L = ["## ⚠ rjson's output is wrong here (not timed)", ""]
    L += [f"- **{name}** — {lib}: {reason}" for name, lib, reason in wrong]
    return L + [""]


def _summary(data: Dict[str, Any]) -> List[str]:
    cols = _columns(data)
    L = ["## Summary: geometric mean over the corpus files", "",
         "Time ÷ the baseline's time measured in the same process (orjson for loads and compact "
         "dumps, json for the stdlib's formats); < 1 is faster than the baseline. — : no call for "
         "that output; n=: files where the library was right and timed, if not all.", ""]
    rows = []
    for op, s in data["summary"].items():
        cells = [s["title"], s["baseline"]]
        for lib in cols:
            e = s["libs"].get(lib)
            n = f" (n={e['files']})" if e and e["files"] != s["files"] else ""
            cells.append(f"{e['geomean']:.2f}{n}" if e else "—")
        rows.append(cells)
    return L + _table(["operation", "baseline"] + cols, rows)


def _targets(data: Dict[str, Any]) -> List[str]:
    mark = {True: "✅ met", False: "❌ not met", None: "? not measured"}
    rows = [[t["target"], t["goal"], t["measured"], mark[t["met"]]] for t in data["targets"]]
    met = sum(1 for t in data["targets"] if t["met"])
    return ([f"## Issue 4's targets: {met} of {len(data['targets'])} met", ""]
            + _table(["target", "goal", "measured", ""], rows, numbers=False))


def _cell(rec: Optional[Dict[str, Any]], is_baseline: bool) -> str:
    if rec is None:
        return "—"
    if rec["status"] != "ok":
        return "WRONG" if rec["status"] == "wrong" else "n/a"
    spread = f" ±{rec['spread'] * 50:.0f}%"
    if is_baseline:
        return timing.format_us(rec["median_ns"]) + spread
    return (_ratio(rec.get("ratio")) if "ratio" in rec else timing.format_us(rec["median_ns"])) + spread


def _operation(data: Dict[str, Any], op: str) -> List[str]:
    rows = [r for r in data["workloads"] if r["operation"] == op]
    if not rows:
        return []
    o = OPERATIONS[op]
    cols = [lib for lib in _columns(data) if lib in o.calls]
    L = [f"## {o.title}", "", o.note, "",
         "Calls: " + "; ".join(f"`{o.calls[lib].text(lib)}`" for lib in cols if lib in o.calls) + ".", "",
         f"{o.baseline}: µs per call; the others: time ÷ {o.baseline}'s; ± half the range of the rounds "
         "÷ the median; synthetic documents in italics; n/a: output differs (see below).", ""]
    table = []
    for r in rows:
        loads = [v.get("others_cpus", 0) for v in r["system_load"].values()]
        busy = " ⚠" if loads and max(loads) >= BUSY else ""
        name = r["source"] if r["source_kind"] == CORPUS else f"_{r['source']}_"
        cells = [f"{name}{busy}"] + [_cell(r["libs"].get(lib), lib == r["baseline"]) for lib in cols]
        table.append(cells)
    return L + _table(["source"] + cols, table)


def _na_reasons(data: Dict[str, Any]) -> List[str]:
    """Peers' n/a, grouped by library and operation, with the first reason of each group."""
    groups: Dict[Any, List[Any]] = defaultdict(list)
    for r in data["workloads"]:
        for lib, rec in r["libs"].items():
            if rec["status"] == "n/a":
                groups[lib, r["operation"]].append((r["source"], rec["reason"]))
    if not groups:
        return []
    L = ["## Where a peer's output differs (n/a above)", ""]
    for (lib, op), items in groups.items():
        names = ", ".join(s for s, _ in items[:6]) + (", ..." if len(items) > 6 else "")
        L.append(f"- {lib}, {op} ({len(items)}: {names}): {items[0][1]}")
    return L + [""]


def _memory(data: Dict[str, Any]) -> List[str]:
    mem = data.get("memory") or {}
    peak = mem.get("loads_peak") or {}
    L: List[str] = []
    if peak:
        libs = list(peak)
        files = sorted({f for per in peak.values() for f in per}, key=lambda f: -max(
            per.get(f, {}).get("input", 0) for per in peak.values()))
        L += ["## Memory: peak during loads ÷ (input + returned objects)", "",
              "Each in a fresh process: peak resident memory (VmHWM) above the resident memory before "
              "the input was read, over the input's size plus the returned objects' allocated size; "
              "1.00 = no temporary memory. On small files the process's free memory absorbs part of "
              "the growth (ratios < 1).", ""]
        rows = []
        for f in files:
            size = next(per[f]["input"] for per in peak.values() if "input" in per.get(f, {}))
            rows.append([f, f"{size / 1000:,.0f} KB"] + [
                f"{per[f]['ratio']:.2f}" if "ratio" in per.get(f, {}) else "error" for per in peak.values()])
        L += _table(["file", "input"] + libs, rows)
    utf8 = mem.get("utf8_cache") or {}
    if utf8:
        L += ["## Memory: UTF-8 cache left on the caller's str by dumps", "",
              "sys.getsizeof of a fresh 2,000-char CJK str before and after one dumps call.", ""]
        rows = [[f"`{r['call']}`", f"{r['before']:,}", f"{r['after']:,}",
                 "no" if r["after"] == r["before"] else f"**yes, +{r['after'] - r['before']:,} B**"]
                for ops in utf8.values() for r in ops.values()]
        L += _table(["call", "before (B)", "after (B)", "cache left"], rows)
    return L


def _callgrind(data: Dict[str, Any]) -> List[str]:
    cg = data.get("callgrind")
    if not cg:
        return []
    L = ["## Instruction counts (callgrind), per call", ""]
    if "error" in cg:
        return L + [f"Not measured: {cg['error']}.", ""]
    L += [f"Instructions of one call (counted over {cg['extra_calls']} calls after {cg.get('warm_calls', 1)} warm ones); "
          "stable from run to run where times are not.", ""]
    libs = [lib for lib in callgrind.LIBS if any(lib in per_lib for ops in cg["files"].values()
                                                 for per_lib in ops.values())]
    rows = []
    for f, ops in cg["files"].items():
        for op, per_lib in ops.items():
            cells = []
            for lib in libs:
                c = per_lib.get(lib, {})
                cells.append(f"{c['instructions']:,}" if "instructions" in c else c.get("error", "—"))
            rows.append([f, op] + cells + [_ratio(callgrind.ratio(per_lib, "rjson", "orjson"))])
    return L + _table(["file", "operation"] + libs + ["rjson/orjson"], rows)


def _method(data: Dict[str, Any]) -> List[str]:
    return ["## Method", "", data["method"], ""]


def render(data: Dict[str, Any]) -> str:
    L = _header(data) + _problems(data) + _summary(data) + _targets(data)
    for op in OPERATIONS:
        L += _operation(data, op)
    L += _na_reasons(data) + _memory(data) + _callgrind(data) + _method(data)
    return "\n".join(L)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)

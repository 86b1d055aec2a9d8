"""Results: machine facts, ratios and geometric means, and the JSON / Markdown files."""
from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

# (numerator, denominator) pairs reported; "x/y" = time of x / time of y, < 1 means x is faster.
RATIOS: List[Tuple[str, str]] = [("rjson", "orjson"), ("json", "orjson"), ("rjson", "json")]
COLUMNS = ["rjson", "orjson", "json"]   # per-workload time columns of the Markdown table
BUSY = 0.25   # other processes' CPU use (in CPUs) from which a workload is marked as measured on a busy machine


def _cpuinfo() -> Dict[str, Any]:
    info: Dict[str, Any] = {}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return {"model": platform.processor() or "unknown"}
    models, flags, mhz = [], set(), []
    for line in text.splitlines():
        key, _, val = line.partition(":")
        key, val = key.strip(), val.strip()
        if key == "model name":
            models.append(val)
        elif key == "flags" and not flags:
            flags = set(val.split())
        elif key == "cpu MHz":
            mhz.append(val)
    info["model"] = models[0] if models else "unknown"
    info["logical_cpus"] = len(models) or os.cpu_count()
    info["simd"] = [f for f in ("sse4_2", "avx2", "bmi2", "avx512f", "avx512bw", "avx512vl", "avx512vbmi")
                    if f in flags]
    if mhz:
        info["mhz"] = mhz[0]
    return info


def _meminfo() -> Optional[str]:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _git(repo: Path) -> Dict[str, Any]:
    def run(*args: str) -> Optional[str]:
        try:
            r = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=10)
            return r.stdout.strip() if r.returncode == 0 else None
        except Exception:
            return None
    head = run("rev-parse", "HEAD")
    status = run("status", "--porcelain", "--untracked-files=no")
    return {"commit": head, "dirty": bool(status) if status is not None else None}


def loadavg() -> Optional[List[float]]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine_info(repo: Path) -> Dict[str, Any]:
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    return {
        "python": sys.version.replace("\n", " "),
        "python_implementation": platform.python_implementation(),
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": _cpuinfo(),
        "cpus_usable": affinity,
        "memory": _meminfo(),
        "repo": _git(repo),
    }


def geomean(xs: Sequence[float]) -> Optional[float]:
    xs = [x for x in xs if x and x > 0]
    if not xs:
        return None
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def summarize(workloads: List[Dict[str, Any]], operations: List[Any]) -> Dict[str, Any]:
    """Per operation: geometric mean of each ratio over the files where both sides were measured."""
    out: Dict[str, Any] = {}
    for op in operations:
        rows = [w for w in workloads if w["operation"] == op.name]
        if not rows:
            continue
        entry: Dict[str, Any] = {"title": op.title, "workloads": len(rows),
                                 "measured": sum(1 for w in rows if w["status"] == "ok")}
        for a, b in RATIOS:
            key = f"{a}/{b}"
            vals = [w["ratios"][key] for w in rows if w["status"] == "ok" and key in w["ratios"]]
            if vals:
                best = [w["ratios_best"][key] for w in rows if w["status"] == "ok" and key in w.get("ratios_best", {})]
                entry[key] = {"geomean": round(geomean(vals), 4), "files": len(vals),
                              "geomean_best": round(geomean(best), 4) if best else None}
        out[op.name] = entry
    return out


def write_json(path: Path, data: Dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(path)


def _us(ns: Optional[float]) -> str:
    if ns is None:
        return "—"
    us = ns / 1000
    if us >= 1000:
        return f"{us:,.0f}"
    if us >= 100:
        return f"{us:.1f}"
    return f"{us:.2f}"


def _ratio(x: Optional[float]) -> str:
    return "—" if x is None else f"{x:.2f}"


def render_markdown(data: Dict[str, Any], operations: List[Any]) -> str:
    m = data["machine"]
    cpu = m["cpu"]
    libs = data["libraries"]
    cfg = data["config"]
    L: List[str] = []
    L.append("# rjson benchmark results")
    L.append("")
    state = "" if data.get("complete") else (" — INTERRUPTED, partial results" if data.get("interrupted")
                                             else " — INCOMPLETE (still running, or it crashed)")
    L.append(f"Run {data['started']} ({data['duration_s']:.0f} s){' — QUICK run, rough numbers' if cfg['quick'] else ''}{state}. "
             f"CPython {platform.python_version()} on {m['platform']}; CPU {cpu.get('model')} "
             f"({cpu.get('logical_cpus')} logical, {', '.join(cpu.get('simd', []))}); "
             f"load average {data['loadavg_start']} at start, {data['loadavg_end']} at end.")
    sl = data.get("system_load") or {}
    if sl:
        noisy = [w for w in data["workloads"] if (w.get("system_load") or {}).get("others_cpus", 0) >= BUSY]
        L.append("")
        L.append(f"Other processes used {sl['others_cpus']:.2f} CPUs on average during the run "
                 f"(hypervisor steal {sl['steal_cpus']:.2f}); {len(noisy)} of {len(data['workloads'])} workloads "
                 f"ran while they used >= {BUSY} CPU (marked ⚠ below){': treat those numbers with care' if noisy else ''}.")
    L.append("")
    for name, lib in libs.items():
        extra = f"; {lib['notes']}" if lib.get("notes") else ""
        L.append(f"- {name} {lib['version']} (`{lib['path']}`){extra}")
    L.append("")
    L.append(f"Method: {data['method']}")
    L.append("")
    L.append("Times are median µs per call; ratios are time ÷ time (< 1: the first is faster); "
             "spread is (max − min) ÷ median over the rounds, per library.")
    L.append("")

    if data["problems"]:
        L.append("## ⚠ Output mismatches (these were not timed, or the peer was left out)")
        L.append("")
        for p in data["problems"]:
            L.append(f"- **{p['workload']}** — {p['library']}: {p['message']} ({p['action']})")
        L.append("")

    L.append("## Summary: geometric mean over the corpus files")
    L.append("")
    L.append("Ratio of medians per file, then the geometric mean; in brackets the same from each "
             "library's fastest round (less sensitive to a busy machine).")
    L.append("")
    hdr = ["operation", "files timed"] + [f"{a}/{b}" for a, b in RATIOS]
    L.append("| " + " | ".join(hdr) + " |")
    L.append("|---|---:|" + "---:|" * len(RATIOS))
    for op in operations:
        s = data["summary"].get(op.name)
        if not s:
            continue
        cells = [op.title, f"{s['measured']}/{s['workloads']}"]
        for a, b in RATIOS:
            e = s.get(f"{a}/{b}")
            if e is None:
                cells.append("—")
            else:
                n = f" (n={e['files']})" if e["files"] != s["workloads"] else ""
                best = f" [{e['geomean_best']:.2f}]" if e.get("geomean_best") else ""
                cells.append(f"{e['geomean']:.2f}{best}{n}")
        L.append("| " + " | ".join(cells) + " |")
    L.append("")

    for op in operations:
        rows = [w for w in data["workloads"] if w["operation"] == op.name]
        if not rows:
            continue
        L.append(f"## {op.title}")
        L.append("")
        if op.note:
            L.append(f"_{op.note}._")
            L.append("")
        L.append("| workload | rjson µs | orjson µs | json µs | rjson/orjson | rjson/json "
                 "| spread rjson / orjson / json | others' CPU |")
        L.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for w in rows:
            if w["status"] != "ok":
                L.append(f"| {w['name']} | ⚠ skipped: output differs | | | | | | |")
                continue
            oc = (w.get("system_load") or {}).get("others_cpus")
            busy = "—" if oc is None else f"{oc:.2f}" + (" ⚠" if oc >= BUSY else "")
            t = {lib: w["libs"][lib]["median_ns"] if lib in w["libs"] else None for lib in COLUMNS}
            sp = " / ".join(f"{w['libs'][lib]['spread'] * 100:.0f}%" if lib in w["libs"] else "—"
                            for lib in COLUMNS)
            L.append(f"| {w['name']} | {_us(t['rjson'])} | {_us(t['orjson'])} | {_us(t['json'])} | "
                     f"{_ratio(w['ratios'].get('rjson/orjson'))} | {_ratio(w['ratios'].get('rjson/json'))} | {sp} | {busy} |")
        L.append("")

    growth = [(w["name"], lib, n) for w in data["workloads"]
              for lib, n in w.get("str_growth_bytes", {}).items() if n]
    if growth:
        L.append("## Memory side effects seen during the correctness call")
        L.append("")
        L.append("Bytes added to the document's str objects by one dumps call (CPython's cached UTF-8 copy); "
                 "later same-object calls by that library reuse it.")
        L.append("")
        for name, lib, n in growth:
            L.append(f"- {name}: {lib} +{n:,} B")
        L.append("")
    return "\n".join(L)


def write_markdown(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)

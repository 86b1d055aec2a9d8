"""From the groups' workload entries to one row per workload, ratios and geometric means.

Each library's ratio is its median time over the operation's baseline's median time measured
in the same process (the same group): pyrjson's is pyrjson / the orjson timed next to it.
The fastest rounds give a second ratio (min / min), less sensitive to a busy machine.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from libraries import SPECS
from operations import OPERATIONS
from sources import CORPUS


def geomean(xs: Sequence[float]) -> Optional[float]:
    xs = [x for x in xs if x and x > 0]
    if not xs:
        return None
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def _lib_record(r: Dict[str, Any], group: str, base: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    rec: Dict[str, Any] = {"status": r["status"], "group": group}
    if r["status"] != "ok":
        rec["reason"] = r["reason"]
        return rec
    t = r["timing"]
    rec.update(median_ns=t["median_ns"], min_ns=t["min_ns"], spread=t["spread"], timing=t)
    if base:
        rec["ratio"] = round(t["median_ns"] / base["median_ns"], 4)
        rec["ratio_best"] = round(t["min_ns"] / base["min_ns"], 4)
    return rec


def combine(entries: List[Dict[str, Any]], order: List[str]) -> List[Dict[str, Any]]:
    """One row per workload (in `order`), merging the entries of all groups."""
    rows: Dict[str, Dict[str, Any]] = {}
    for e in entries:
        op = OPERATIONS[e["operation"]]
        row = rows.setdefault(e["name"], {
            "name": e["name"], "operation": e["operation"], "source": e["source"],
            "source_kind": e["source_kind"], "bytes": e["bytes"], "baseline": op.baseline,
            "libs": {}, "baseline_ns": {}, "system_load": {}})
        group = e["group"]
        base_entry = e["libs"].get(op.baseline, {})
        base = base_entry.get("timing") if base_entry.get("status") == "ok" else None
        row["baseline_ns"][group] = base["median_ns"] if base else None
        row["system_load"][group] = e.get("system_load", {})
        for lib, r in e["libs"].items():
            if SPECS[lib].group != group:
                continue   # a baseline timed in another library's process: only its ratio denominator
            row["libs"][lib] = _lib_record(r, group, base)
    return [rows[n] for n in order if n in rows]


def corpus_rows(rows: List[Dict[str, Any]], op: str) -> List[Dict[str, Any]]:
    return [r for r in rows if r["operation"] == op and r["source_kind"] == CORPUS]


def ratios_between(rows: List[Dict[str, Any]], a: str, b: str) -> Dict[str, float]:
    """Per source, time of a / time of b, where both were timed: the ratio of their ratios to
    the baseline, each taken in its own process."""
    out = {}
    for r in rows:
        ra, rb = r["libs"].get(a, {}).get("ratio"), r["libs"].get(b, {}).get("ratio")
        if ra and rb:
            out[r["source"]] = ra / rb
    return out


def summarize(rows: List[Dict[str, Any]], libs: List[str]) -> Dict[str, Any]:
    """Per operation and library: geometric mean over the corpus files of the ratio to the baseline."""
    out: Dict[str, Any] = {}
    for name, op in OPERATIONS.items():
        crow = corpus_rows(rows, name)
        if not crow:
            continue
        entry: Dict[str, Any] = {"title": op.title, "baseline": op.baseline, "files": len(crow), "libs": {}}
        for lib in libs:
            ok = [r["libs"][lib] for r in crow if r["libs"].get(lib, {}).get("ratio")]
            if ok:
                entry["libs"][lib] = {"geomean": round(geomean([x["ratio"] for x in ok]), 4),
                                      "geomean_best": round(geomean([x["ratio_best"] for x in ok]), 4),
                                      "files": len(ok)}
        out[name] = entry
    return out


def write_json(path: Path, data: Dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(path)

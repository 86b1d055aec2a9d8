"""Issue 4's targets, each judged met / not met from a run's results, with the numbers.

Time targets use geometric means over the corpus files of time ratios (< 1: rjson faster).
"rjson vs a peer" is the ratio of their ratios to orjson, each measured in its own process.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import memory
import results
from libraries import OURS, PEERS
from sources import CORPUS

VS_ORJSON = {"loads_bytes": 0.65, "loads_str": 0.65, "dumps_compact": 0.55, "dumps_compact_fresh": 0.55}
VS_FASTEST_PEER = {"loads_bytes": 0.9, "dumps_compact": 0.9, "dumps_compact_fresh": 0.9}
SPEEDUP_VS_JSON = {"dumps_default": 15, "loads_bytes": 3, "dumps_indent2": 10, "dumps_sort_keys": 10}
PER_FILE_SLACK = 1.05        # no corpus file slower than the fastest peer by more than 5%
SMALL_DOCUMENT = "object_100b"
SMALL_OPS = ("loads_bytes", "dumps_compact", "dumps_compact_fresh")
MEMORY_RATIO = 1.1
# Below this, the free memory the process already has absorbs part of the growth.
MEMORY_MIN_INPUT = 500_000


def _target(name: str, goal: str, measured: str, met: Optional[bool]) -> Dict[str, Any]:
    return {"target": name, "goal": goal, "measured": measured, "met": met}


def _peer_ratios(rows: List[Dict[str, Any]], face: str) -> Dict[str, float]:
    """Peer -> geometric mean over the files both timed of time(face) / time(peer)."""
    out = {}
    for peer in PEERS:
        g = results.geomean(list(results.ratios_between(rows, face, peer).values()))
        if g:
            out[peer] = g
    return out


def _speed_targets(rows: List[Dict[str, Any]], summary: Dict[str, Any]) -> List[Dict[str, Any]]:
    out = []
    for op, limit in VS_ORJSON.items():
        s = summary.get(op)
        for face in OURS:
            e = s and s["libs"].get(face)
            if not e:
                continue
            n = f" (n={e['files']}/{s['files']})" if e["files"] != s["files"] else ""
            out.append(_target(f"{face} {s['title']}", f"<= {limit}x orjson", f"{e['geomean']:.2f}x{n}",
                               e["geomean"] <= limit))
            if op in VS_FASTEST_PEER:
                peers = _peer_ratios(results.corpus_rows(rows, op), face)
                if peers:
                    worst = max(peers, key=peers.get)
                    out.append(_target(f"{face} {s['title']}", f"<= {VS_FASTEST_PEER[op]}x the fastest peer",
                                       f"{peers[worst]:.2f}x {worst}", peers[worst] <= VS_FASTEST_PEER[op]))
    for op, factor in SPEEDUP_VS_JSON.items():
        s = summary.get(op)
        g = s and results.geomean(list(results.ratios_between(results.corpus_rows(rows, op), "rjson", "json").values()))
        if g:
            out.append(_target(f"rjson {s['title']}", f">= {factor}x faster than json", f"{1 / g:.2f}x",
                               1 / g >= factor))
    return out


def _per_file_target(rows: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Every (operation, corpus file): rjson's time / the fastest peer's."""
    checked, over = 0, []
    for r in rows:
        mine = r["libs"].get("rjson", {}).get("ratio")
        peers = {p: r["libs"][p]["ratio"] for p in PEERS if r["libs"].get(p, {}).get("ratio")}
        if r["source_kind"] != CORPUS or not mine or not peers:
            continue
        checked += 1
        best = min(peers, key=peers.get)
        if mine / peers[best] > PER_FILE_SLACK:
            over.append((mine / peers[best], r["name"], best))
    over.sort(reverse=True)
    worst = "; ".join(f"{name} {x:.2f}x {peer}" for x, name, peer in over[:3])
    measured = f"{len(over)} of {checked} over" + (f"; worst: {worst}" if over else "")
    return _target("rjson on every corpus file and operation", f"<= {PER_FILE_SLACK}x the fastest peer",
                   measured, not over if checked else None)


def _small_targets(rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    out = []
    for r in rows:
        if r["source"] != SMALL_DOCUMENT or r["operation"] not in SMALL_OPS:
            continue
        mine = r["libs"].get("rjson", {}).get("ratio")
        peers = {p: r["libs"][p]["ratio"] for p in PEERS if r["libs"].get(p, {}).get("ratio")}
        if mine and peers:
            best = min(peers, key=peers.get)
            out.append(_target(f"rjson {r['name']}", "faster than every peer",
                               f"{mine / peers[best]:.2f}x {best}", mine < peers[best]))
    return out


def _memory_targets(mem: Dict[str, Any]) -> List[Dict[str, Any]]:
    out = []
    peak = mem.get("loads_peak", {}).get("rjson")
    if peak:
        worst = memory.worst_ratio(peak, MEMORY_MIN_INPUT)
        out.append(_target("rjson loads peak memory ÷ (input + returned objects)",
                           f"<= {MEMORY_RATIO} on every corpus file >= {MEMORY_MIN_INPUT // 1000} KB",
                           f"{worst[1]:.2f} at worst ({worst[0]})" if worst else "no such file measured",
                           worst[1] <= MEMORY_RATIO if worst else None))
    for op, r in mem.get("utf8_cache", {}).get("rjson", {}).items():
        grown = r["after"] - r["before"]
        out.append(_target(f"{r['call']} leaves no UTF-8 cache", "a 2,000-char CJK str keeps its size",
                           f"{r['before']:,} -> {r['after']:,} B", grown == 0))
    return out


def evaluate(rows: List[Dict[str, Any]], summary: Dict[str, Any], mem: Dict[str, Any]) -> List[Dict[str, Any]]:
    return (_speed_targets(rows, summary) + [_per_file_target(rows)] + _small_targets(rows)
            + _memory_targets(mem))

"""How time is measured: warm-up, call-count calibration, and rounds of alternating blocks.

For one workload with libraries A, B, C:
  1. warm-up + calibration, per library: call repeatedly for at least `warmup_ns` (and at least
     `min_warmup_calls` calls), timing each call; the median of the second half estimates the
     per-call time; calls_per_block = max(1, ceil(block_ns / estimate)). Done once per workload.
  2. `rounds` rounds; round r runs one timed block per library, in rotating order
     (ABC, BCA, CAB, ...). A block is calls_per_block back-to-back calls between two
     time.perf_counter_ns() readings; per-call time = block time / calls_per_block.
  3. per library: median of the per-round per-call times, with min/max/quartiles as spread.
Libraries are never interleaved call by call: that disturbs caches and slows some of them
several-fold (shared/notes/peers.md). The garbage collector is disabled during each block
(and the warm-up) and re-enabled after.

The machine is shared (2 vCPUs): besides wall time each block also reads this thread's CPU
time (time.thread_time_ns). A block that got less than `min_cpu_share` of the CPU (it was
preempted) is run again, up to `max_retries` times; the least preempted try is kept and the
count of retries is reported. Other processes' CPU use during each workload is measured
from /proc/stat (SystemLoad) and reported, since it slows us without preempting us.
"""
from __future__ import annotations

import gc
import math
import os
import statistics
import time
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, Callable, Dict, List, Optional, Tuple

Call = Callable[[Any], Any]


@dataclass(frozen=True)
class TimingConfig:
    rounds: int = 5
    block_ns: int = 30_000_000        # target length of one timed block
    warmup_ns: int = 60_000_000       # minimum warm-up time per (library, workload)
    min_warmup_calls: int = 2
    max_calls_per_block: int = 1_000_000
    min_cpu_share: float = 0.95       # thread CPU time / wall time below this: the block is re-run
    max_retries: int = 3

    def describe(self) -> str:
        return (f"{self.rounds} rounds; blocks of >= {self.block_ns / 1e6:g} ms (at least 1 call); "
                f"warm-up >= {self.warmup_ns / 1e6:g} ms and >= {self.min_warmup_calls} calls per library; "
                f"a block with < {self.min_cpu_share:.0%} CPU share is re-run (<= {self.max_retries} times)")


@dataclass
class Measurement:
    calls_per_block: int
    warmup_calls: int
    estimate_ns: float                # from the warm-up
    per_call_ns: List[float] = field(default_factory=list)   # one per round, in round order
    block_ns: List[int] = field(default_factory=list)
    position: List[int] = field(default_factory=list)        # place in the round's order (0 = first)
    cpu_share: List[float] = field(default_factory=list)     # thread CPU time / wall time, per kept block
    retries: int = 0                                          # blocks re-run for low CPU share

    @property
    def median(self) -> float:
        return statistics.median(self.per_call_ns)

    @property
    def min(self) -> float:
        return min(self.per_call_ns)

    @property
    def max(self) -> float:
        return max(self.per_call_ns)

    def quartiles(self) -> Tuple[float, float]:
        xs = sorted(self.per_call_ns)
        if len(xs) < 2:
            return xs[0], xs[0]
        q = statistics.quantiles(xs, n=4, method="inclusive")
        return q[0], q[2]

    @property
    def spread(self) -> float:
        """(max - min) / median."""
        m = self.median
        return (self.max - self.min) / m if m else 0.0

    def to_json(self) -> Dict[str, Any]:
        q1, q3 = self.quartiles()
        return {
            "calls_per_block": self.calls_per_block,
            "warmup_calls": self.warmup_calls,
            "warmup_estimate_ns": round(self.estimate_ns, 1),
            "per_call_ns": [round(x, 1) for x in self.per_call_ns],
            "block_ns": self.block_ns,
            "position_in_round": self.position,
            "cpu_share": [round(x, 3) for x in self.cpu_share],
            "retried_blocks": self.retries,
            "median_ns": round(self.median, 1),
            "min_ns": round(self.min, 1),
            "max_ns": round(self.max, 1),
            "q1_ns": round(q1, 1),
            "q3_ns": round(q3, 1),
            "spread": round(self.spread, 4),
        }


def time_block(fn: Call, arg: Any, n: int, _clock=time.perf_counter_ns, _cpu=time.thread_time_ns,
               _repeat=repeat) -> Tuple[int, int]:
    """n calls of fn(arg), back to back, gc disabled; returns (wall ns, this thread's CPU ns)."""
    it = _repeat(None, n)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        c0 = _cpu()
        t0 = _clock()
        for _ in it:
            fn(arg)
        t1 = _clock()
        c1 = _cpu()
    finally:
        if was_enabled:
            gc.enable()
    return t1 - t0, c1 - c0


def warm_up(fn: Call, arg: Any, cfg: TimingConfig, _clock=time.perf_counter_ns) -> Tuple[int, float]:
    """Call until warm; returns (calls made, estimated ns per call)."""
    times: List[int] = []
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = _clock()
        while True:
            t0 = _clock()
            fn(arg)
            t1 = _clock()
            times.append(t1 - t0)
            if len(times) >= cfg.min_warmup_calls and t1 - start >= cfg.warmup_ns:
                break
    finally:
        if was_enabled:
            gc.enable()
    tail = times[len(times) // 2:]
    return len(times), float(statistics.median(tail))


def calls_for(estimate_ns: float, cfg: TimingConfig) -> int:
    return max(1, min(cfg.max_calls_per_block, math.ceil(cfg.block_ns / max(estimate_ns, 1.0))))


def measure(subjects: Dict[str, Tuple[Call, Any]], cfg: TimingConfig) -> Dict[str, Measurement]:
    """subjects: library -> (callable, its input). Returns library -> Measurement."""
    names = list(subjects)
    out: Dict[str, Measurement] = {}
    for name in names:
        fn, arg = subjects[name]
        calls, est = warm_up(fn, arg, cfg)
        out[name] = Measurement(calls_per_block=calls_for(est, cfg), warmup_calls=calls, estimate_ns=est)
    for r in range(cfg.rounds):
        k = r % len(names)
        order = names[k:] + names[:k]
        for pos, name in enumerate(order):
            fn, arg = subjects[name]
            m = out[name]
            best: Optional[Tuple[float, int]] = None    # (cpu share, wall ns) of the least preempted try
            for attempt in range(cfg.max_retries + 1):
                ns, cpu = time_block(fn, arg, m.calls_per_block)
                share = cpu / ns if ns else 1.0
                if best is None or share > best[0]:
                    best = (share, ns)
                if share >= cfg.min_cpu_share or attempt == cfg.max_retries:
                    break
                m.retries += 1
            share, ns = best
            m.block_ns.append(ns)
            m.per_call_ns.append(ns / m.calls_per_block)
            m.position.append(pos)
            m.cpu_share.append(share)
    return out


def paired_ratios(a: Measurement, b: Measurement) -> List[float]:
    """Per-round ratios a/b: blocks of the same round ran close in time, so slow drift of the
    machine cancels out more than in the ratio of medians."""
    return [x / y for x, y in zip(a.per_call_ns, b.per_call_ns) if y > 0]


class SystemLoad:
    """CPU used by other processes (and stolen by the hypervisor) between start() and stop(),
    in CPUs (1.0 = one whole CPU busy on average), from /proc/stat and os.times()."""

    def __init__(self) -> None:
        self._hz = float(os.sysconf("SC_CLK_TCK")) if hasattr(os, "sysconf") else 100.0
        self._t0 = self._stat0 = self._own0 = None

    def _stat(self) -> Optional[Tuple[float, float]]:
        try:
            with open("/proc/stat") as f:
                parts = f.readline().split()
        except OSError:
            return None
        v = [float(x) for x in parts[1:]]
        # user nice system idle iowait irq softirq steal [guest guest_nice: already in user/nice]
        busy = v[0] + v[1] + v[2] + v[5] + v[6]
        steal = v[7] if len(v) > 7 else 0.0
        return busy / self._hz, steal / self._hz

    @staticmethod
    def _own() -> float:
        t = os.times()
        return t.user + t.system

    def start(self) -> None:
        self._t0, self._stat0, self._own0 = time.monotonic(), self._stat(), self._own()

    def stop(self) -> Dict[str, float]:
        st, own, t = self._stat(), self._own(), time.monotonic()
        if st is None or self._stat0 is None or t <= self._t0:
            return {}
        dt = t - self._t0
        others = max(0.0, (st[0] - self._stat0[0]) - (own - self._own0)) / dt
        steal = max(0.0, st[1] - self._stat0[1]) / dt
        return {"others_cpus": round(others, 3), "steal_cpus": round(steal, 3), "seconds": round(dt, 2)}

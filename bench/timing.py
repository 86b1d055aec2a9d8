"""How time is measured: warm-up, call-count calibration, and rounds of alternating blocks.

For one workload with libraries A, B, C:
  1. warm-up + calibration, per library: call repeatedly for at least `warmup_ns` (and at least
     `min_warmup_calls` calls), timing each call; the median of the second half estimates the
     per-call time; calls_per_block = max(1, ceil(block_ns / estimate)). Done once per workload.
  2. `rounds` rounds; round r runs one timed block per library, in rotating order
     (ABC, BCA, CAB, ...). A block is calls_per_block back-to-back calls between two
     time.perf_counter_ns() readings; per-call time = block time / calls_per_block. The
     block's inputs (the same object n times, or n fresh objects) are made before the
     first reading and freed after the second.
  3. per library: median of the per-round per-call times, with min/max/quartiles as spread.
Libraries are never interleaved call by call: that disturbs caches and slows some of them
several-fold (shared/notes/peers.md). The garbage collector is disabled during each block
(and the warm-up) and re-enabled after, as timeit does: collections triggered by whatever ran
before would land on whichever library happens to be running.

Each call is the library's function called with its keyword arguments written at the call
site, in a loop compiled for it (compile_loop): what a user's code does, with no wrapper.

The machine is shared (2 vCPUs): besides wall time each block also reads this thread's CPU
time (time.thread_time_ns). A block that got less than `min_cpu_share` of the CPU (it was
preempted) is run again, up to `max_retries` times; the least preempted try is kept and the
count of retries is reported. Re-runs are budgeted per workload (`retry_share` of its
blocks): when other processes keep both CPUs busy nearly every block is preempted, and
unbounded re-runs made the whole run four times longer without making it less noisy. Other processes' CPU use during each workload is measured
from /proc/stat (SystemLoad) and reported, since it slows us without preempting us.
"""
from __future__ import annotations

import gc
import math
import os
import statistics
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple


@dataclass(frozen=True)
class TimingConfig:
    rounds: int = 5
    block_ns: int = 30_000_000        # target length of one timed block
    warmup_ns: int = 60_000_000       # minimum warm-up time per (library, workload)
    min_warmup_calls: int = 2
    max_calls_per_block: int = 1_000_000
    min_cpu_share: float = 0.95       # thread CPU time / wall time below this: the block is re-run
    max_retries: int = 3              # per block
    retry_share: float = 0.25         # re-runs per workload, at most this share of its blocks

    def describe(self) -> str:
        return (f"{self.rounds} rounds; blocks of >= {self.block_ns / 1e6:g} ms (at least 1 call); "
                f"warm-up >= {self.warmup_ns / 1e6:g} ms and >= {self.min_warmup_calls} calls per library; "
                f"a block with < {self.min_cpu_share:.0%} CPU share is re-run (<= {self.max_retries} times, "
                f"and <= {self.retry_share:.0%} of a workload's blocks in all)")


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


Loop = Callable[[Iterable[Any]], None]

_LOOP_SOURCE = """
def loop(items, _fn=_fn{params}):
    for x in items:
        _fn(x{arguments})
"""


def compile_loop(fn: Callable[..., Any], kwargs: Dict[str, Any]) -> Loop:
    """A function calling fn(x, **kwargs) for each x, with the keywords spelled out at the
    call site (fn(x, indent=2)): passing them through functools.partial or **kwargs builds a
    dict per call, which costs as much as dumping a 100-byte document."""
    assert all(k.isidentifier() for k in kwargs), kwargs
    values = {f"_v{i}": v for i, v in enumerate(kwargs.values())}
    params = "".join(f", {name}={name}" for name in values)
    arguments = "".join(f", {k}={name}" for k, name in zip(kwargs, values))
    namespace: Dict[str, Any] = {"_fn": fn, **values}
    exec(_LOOP_SOURCE.format(params=params, arguments=arguments), namespace)
    return namespace["loop"]


@dataclass(frozen=True)
class Subject:
    """One library on one workload: its loop, and the maker of a block's inputs."""
    loop: Loop
    inputs: Callable[[int], Iterable[Any]]   # n -> the inputs of n calls
    max_calls: Optional[int] = None          # per block, when making the inputs is costly


def time_block(subject: Subject, n: int, _clock=time.perf_counter_ns, _cpu=time.thread_time_ns) -> Tuple[int, int]:
    """n calls, back to back, gc disabled; returns (wall ns, this thread's CPU ns)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        items = subject.inputs(n)
        loop = subject.loop
        c0 = _cpu()
        t0 = _clock()
        loop(items)
        t1 = _clock()
        c1 = _cpu()
        del items
    finally:
        if was_enabled:
            gc.enable()
    return t1 - t0, c1 - c0


def warm_up(subject: Subject, cfg: TimingConfig, _clock=time.perf_counter_ns) -> Tuple[int, float]:
    """Call until warm; returns (calls made, estimated ns per call)."""
    times: List[int] = []
    start = _clock()
    while True:
        ns, _ = time_block(subject, 1)
        times.append(ns)
        if len(times) >= cfg.min_warmup_calls and _clock() - start >= cfg.warmup_ns:
            break
    tail = times[len(times) // 2:]
    return len(times), float(statistics.median(tail))


def format_us(ns: float) -> str:
    """A per-call time for people: µs with 2 to 4 significant digits."""
    us = ns / 1000
    if us >= 1000:
        return f"{us:,.0f} µs"
    return f"{us:.1f} µs" if us >= 100 else f"{us:.2f} µs"


def calls_for(estimate_ns: float, cfg: TimingConfig) -> int:
    return max(1, min(cfg.max_calls_per_block, math.ceil(cfg.block_ns / max(estimate_ns, 1.0))))


def measure(subjects: Dict[str, Subject], cfg: TimingConfig) -> Dict[str, Measurement]:
    """Returns library -> Measurement."""
    names = list(subjects)
    out: Dict[str, Measurement] = {}
    if not names:
        return out
    for name in names:
        calls, est = warm_up(subjects[name], cfg)
        n = min(calls_for(est, cfg), subjects[name].max_calls or cfg.max_calls_per_block)
        out[name] = Measurement(calls_per_block=n, warmup_calls=calls, estimate_ns=est)
    budget = math.ceil(cfg.retry_share * cfg.rounds * len(names))
    for r in range(cfg.rounds):
        k = r % len(names)
        order = names[k:] + names[:k]
        for pos, name in enumerate(order):
            m = out[name]
            best: Optional[Tuple[float, int]] = None    # (cpu share, wall ns) of the least preempted try
            for attempt in range(cfg.max_retries + 1):
                ns, cpu = time_block(subjects[name], m.calls_per_block)
                share = cpu / ns if ns else 1.0
                if best is None or share > best[0]:
                    best = (share, ns)
                if share >= cfg.min_cpu_share or attempt == cfg.max_retries or budget == 0:
                    break
                budget -= 1
                m.retries += 1
            share, ns = best
            m.block_ns.append(ns)
            m.per_call_ns.append(ns / m.calls_per_block)
            m.position.append(pos)
            m.cpu_share.append(share)
    return out


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

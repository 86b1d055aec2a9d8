"""Workloads (one operation on one source) and their inputs.

Inputs are made before any clock starts. For "same object" operations each library gets
its own copy of the document (made by the stdlib's loads, so all copies are equal): what one
library leaves on the objects (orjson makes CPython cache a str's UTF-8 copy) does not
flatter another. Fresh inputs are new objects for every call: a str decoded from the bytes
again, or the document loaded again by the stdlib (faster than marshal or deepcopy).

Fresh documents cost far more to make and to free than to dump (a block of orjson.dumps of
github.json would need 1,200 copies, a second of set-up), so a block gets at most
FRESH_DOC_BUDGET bytes of JSON text worth of copies: shorter blocks for the fast libraries
on mid-size documents, rather than a run twice as long.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import repeat
from typing import Any, Callable, Iterable, List, Optional

from operations import BYTES, FRESH_DOC, FRESH_STR, OPERATIONS, SAME_DOC, Operation
from sources import Source

MakeInputs = Callable[[int], Iterable[Any]]   # n -> the inputs of n calls
FRESH_DOC_BUDGET = 4_000_000


@dataclass(frozen=True)
class Workload:
    op: Operation
    source: Source

    @property
    def name(self) -> str:
        return f"{self.op.name} {self.source.name}"


def build(sources: List[Source], only: List[str]) -> List[Workload]:
    """All workloads, operation-major (all loads of bytes, then of str, ...), keeping those whose
    name contains any of the `only` substrings (all if none)."""
    out = [Workload(op, s) for op in OPERATIONS.values() for s in sources]
    return [w for w in out if not only or any(p in w.name for p in only)]


class Inputs:
    """The inputs of one workload: the reference input, and per library a maker of n inputs."""

    def __init__(self, w: Workload) -> None:
        self.workload = w
        self.raw = w.source.raw()
        self.doc = json.loads(self.raw) if w.op.kind == "dumps" else None

    def reference(self) -> Any:
        """The input the stdlib's call gets for the reference output."""
        kind = self.workload.op.input
        if kind == BYTES:
            return self.raw
        if kind == FRESH_STR:
            return self.raw.decode()
        return self.doc

    def maker(self) -> MakeInputs:
        """A new maker for each library: a same-object maker holds that library's own copy."""
        kind = self.workload.op.input
        if kind == BYTES:
            raw = self.raw
            return lambda n: repeat(raw, n)
        if kind == FRESH_STR:
            raw = self.raw
            return lambda n: [raw.decode() for _ in range(n)]
        if kind == SAME_DOC:
            own = json.loads(self.raw)
            return lambda n: repeat(own, n)
        assert kind == FRESH_DOC, kind
        raw = self.raw
        return lambda n: [json.loads(raw) for _ in range(n)]

    def max_calls(self) -> Optional[int]:
        """The most calls a block may make, if the inputs limit it."""
        if self.workload.op.input == FRESH_DOC:
            return max(1, FRESH_DOC_BUDGET // len(self.raw))
        return None

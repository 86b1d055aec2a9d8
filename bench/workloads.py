"""What is measured: the corpus, the operations applied to each file, and their inputs.

A workload is one operation on one corpus file, e.g. "loads twitter.json". An operation says,
per library, which callable to time; the callable takes the workload's input as its only
argument (the file's bytes for "loads" operations, the parsed document for "dumps" ones).
To grow the harness, add an Operation to OPERATIONS (or new input kinds to Inputs).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"

Call = Callable[[Any], Any]
COMPACT = (",", ":")


@dataclass(frozen=True)
class Operation:
    name: str                 # short id, used in workload names and --only
    kind: str                 # "loads" (input: bytes) or "dumps" (input: parsed document)
    title: str                # human description for the report
    calls: Dict[str, Callable[[ModuleType], Call]]  # library -> (module -> callable(input))
    note: str = ""

    def call_for(self, lib: str, module: ModuleType) -> Call:
        return self.calls[lib](module)


OPERATIONS: List[Operation] = [
    Operation(
        "loads", "loads", "loads(bytes)",
        {
            "rjson": lambda m: m.loads,
            "orjson": lambda m: m.loads,
            "json": lambda m: m.loads,
        },
        note="input is the file's bytes object (the same object every call)",
    ),
    Operation(
        "dumps_compact", "dumps", 'compact dumps: dumps(o, ensure_ascii=False, separators=(",", ":"))',
        {
            "rjson": lambda m: partial(m.dumps, ensure_ascii=False, separators=COMPACT),
            "orjson": lambda m: m.dumps,
            "json": lambda m: partial(m.dumps, ensure_ascii=False, separators=COMPACT),
        },
        note="orjson.dumps(o) returns UTF-8 bytes; rjson and json return str",
    ),
    Operation(
        "dumps_default", "dumps", "stdlib-default dumps: dumps(o)",
        {
            "rjson": lambda m: m.dumps,
            "json": lambda m: m.dumps,
        },
        note="ensure_ascii=True, separators ', ' and ': '; orjson has no equivalent",
    ),
    Operation(
        "dumps_indent2", "dumps", "dumps(o, indent=2)",
        {
            "rjson": lambda m: partial(m.dumps, indent=2),
            "json": lambda m: partial(m.dumps, indent=2),
        },
        note="json uses its pure-Python encoder when indent is set; orjson has no equivalent "
             "(OPT_INDENT_2 writes UTF-8, not ensure_ascii)",
    ),
    Operation(
        "dumps_sort_keys", "dumps", "dumps(o, sort_keys=True)",
        {
            "rjson": lambda m: partial(m.dumps, sort_keys=True),
            "json": lambda m: partial(m.dumps, sort_keys=True),
        },
        note="ensure_ascii=True, default separators; orjson has no equivalent",
    ),
]


def corpus_files(corpus: Path) -> List[Path]:
    files = sorted(p for p in corpus.glob("*.json") if p.is_file())
    if not files:
        raise SystemExit(f"error: no *.json files in corpus directory {corpus}")
    return files


@dataclass(frozen=True)
class Workload:
    op: Operation
    path: Path

    @property
    def name(self) -> str:
        return f"{self.op.name} {self.path.name}"

    @property
    def file(self) -> str:
        return self.path.name

    def libraries(self, available: Iterable[str]) -> List[str]:
        return [lib for lib in available if lib in self.op.calls]


def build(files: List[Path], only: Optional[List[str]] = None) -> List[Workload]:
    """All workloads, operation-major (all loads, then all compact dumps, ...), filtered by
    --only substrings (a workload is kept if its name contains any of them)."""
    out = [Workload(op, path) for op in OPERATIONS for path in files]
    if only:
        out = [w for w in out if any(p in w.name for p in only)]
    return out


class Inputs:
    """The inputs of the workloads, prepared before any timing.

    Each library dumps its own copy of each document (parsed by the stdlib, so identical):
    whatever one library leaves on the objects (CPython caches a str's UTF-8 form the first
    time PyUnicode_AsUTF8AndSize is called on it, as orjson does) does not flatter another.
    Within one library, the same object is dumped every call ("same-object" measurement).
    """

    def __init__(self) -> None:
        self._raw: Dict[Path, bytes] = {}
        self._docs: Dict[Tuple[Path, str], Any] = {}

    def raw(self, path: Path) -> bytes:
        b = self._raw.get(path)
        if b is None:
            b = self._raw[path] = path.read_bytes()
        return b

    def doc(self, path: Path, lib: str) -> Any:
        key = (path, lib)
        d = self._docs.get(key)
        if d is None:
            d = self._docs[key] = json.loads(self.raw(path))
        return d

    def arg(self, w: Workload, lib: str) -> Any:
        return self.raw(w.path) if w.op.kind == "loads" else self.doc(w.path, lib)

    def prepare(self, workloads: List[Workload], libs: Iterable[str], reference: str) -> None:
        libs = list(libs)
        for w in workloads:
            self.raw(w.path)
            if w.op.kind == "dumps":
                for lib in set(w.libraries(libs)) | {reference}:
                    self.doc(w.path, lib)

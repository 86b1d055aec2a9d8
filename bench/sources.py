"""The documents measured: every file of the shared corpus, then the synthetic ones.

A source is known by its text (bytes); its document is what the stdlib's loads makes of it.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, List, Optional

import synthetic

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
CORPUS = "corpus"
SYNTHETIC = "synthetic"


@dataclass(frozen=True)
class Source:
    name: str                     # the file name, or the synthetic document's name
    kind: str                     # CORPUS or SYNTHETIC
    description: str
    _read: Callable[[], bytes]    # cached: called once

    def raw(self) -> bytes:
        return self._read()

    def doc(self) -> Any:
        return json.loads(self.raw())


def corpus(directory: Path) -> List[Source]:
    files = sorted(p for p in directory.glob("*.json") if p.is_file())
    if not files:
        raise SystemExit(f"error: no *.json files in corpus directory {directory}")
    return [Source(p.name, CORPUS, str(p), functools.cache(p.read_bytes)) for p in files]


def _synthetic_text(make: Callable[[], Any]) -> Callable[[], bytes]:
    return functools.cache(lambda: json.dumps(make(), ensure_ascii=False, separators=(",", ":")).encode())


def generated() -> List[Source]:
    return [Source(name, SYNTHETIC, description, _synthetic_text(make))
            for name, (description, make) in synthetic.DOCUMENTS.items()]


def all_sources(corpus_dir: Path, max_bytes: Optional[int] = None) -> List[Source]:
    """The corpus then the synthetic documents; only those of at most max_bytes if given."""
    return [s for s in corpus(corpus_dir) + generated() if max_bytes is None or len(s.raw()) <= max_bytes]

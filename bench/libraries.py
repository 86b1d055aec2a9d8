"""The libraries under measurement: which ones, how to import them, what they are.

A library is only a module plus facts about it; what is called on it for each operation
lives in workloads.py. To add a peer, add a LibrarySpec here and its calls there.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Dict, List, Optional


@dataclass(frozen=True)
class LibrarySpec:
    name: str            # the name used in results ("rjson", "orjson", "json")
    module: str          # import name
    exact: bool          # True: output must be identical to the stdlib's (the drop-in under test)
    required: bool       # True: the run stops if it cannot be imported
    dist: Optional[str] = None  # distribution name for importlib.metadata, if different


# Order matters: it is the order of columns and the starting order of the block rotation.
LIBRARIES: List[LibrarySpec] = [
    LibrarySpec("rjson", "rjson", exact=True, required=True),
    LibrarySpec("orjson", "orjson", exact=False, required=False),
    LibrarySpec("json", "json", exact=True, required=True),
]

REFERENCE = "json"    # whose output the others are checked against
BASELINE = "orjson"   # what ratios are taken to


@dataclass
class Library:
    spec: LibrarySpec
    module: ModuleType
    version: str
    path: str
    notes: str = ""

    @property
    def name(self) -> str:
        return self.spec.name


def _version(spec: LibrarySpec, module: ModuleType) -> str:
    if spec.name == "json":
        import platform
        return f"stdlib {getattr(module, '__version__', '?')} (CPython {platform.python_version()})"
    v = getattr(module, "__version__", None)
    if v:
        return str(v)
    try:
        from importlib import metadata
        return metadata.version(spec.dist or spec.module)
    except Exception:
        return "unknown"


def _notes(spec: LibrarySpec, module: ModuleType) -> str:
    if spec.name == "json":
        import json.decoder
        import json.encoder
        scan = json.decoder.c_scanstring is not None
        enc = json.encoder.c_make_encoder is not None
        return (f"C accelerator: scanner {'yes' if scan else 'NO'}, encoder {'yes' if enc else 'NO'}"
                " (indent != None always uses the pure-Python encoder)")
    return ""


def load(names: Optional[List[str]] = None) -> Dict[str, Library]:
    """Import the selected libraries (all by default), in LIBRARIES order.

    A required library that fails to import stops the run; an optional one is reported and left out.
    """
    wanted = set(names) if names else {s.name for s in LIBRARIES}
    unknown = wanted - {s.name for s in LIBRARIES}
    if unknown:
        raise SystemExit(f"unknown library: {', '.join(sorted(unknown))} "
                         f"(known: {', '.join(s.name for s in LIBRARIES)})")
    out: Dict[str, Library] = {}
    for spec in LIBRARIES:
        if spec.name not in wanted:
            continue
        try:
            module = importlib.import_module(spec.module)
        except Exception as exc:  # ImportError, or a broken extension module
            msg = f"cannot import {spec.module}: {type(exc).__name__}: {exc}"
            if spec.required:
                raise SystemExit(f"error: {msg} (is it built and installed? `make build`)")
            import sys
            print(f"warning: {msg}; leaving {spec.name} out", file=sys.stderr)
            continue
        out[spec.name] = Library(spec, module, _version(spec, module),
                                 getattr(module, "__file__", None) or "(built-in)",
                                 _notes(spec, module))
    return out

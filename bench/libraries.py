"""The libraries under measurement: which ones, where they live, how to import them.

A library is only a module plus facts about it; what is called on it for each operation
lives in operations.py. To add a peer: a LibrarySpec here, its calls there, its pin in
requirements.txt.

Libraries are measured in groups, one process per group: the libraries of the project's
.venv in the benchmark's own process, and each library that needs a venv of its own (pyrjson
imports as `rjson`, like the library under test) in a subprocess of that venv. Every group
also times the baseline (orjson), so each library's time is divided by orjson's measured
in the same process.
"""
from __future__ import annotations

import importlib
import platform
from dataclasses import dataclass
from importlib import metadata
from types import ModuleType
from typing import Dict, List, Optional, Tuple

MAIN_GROUP = "main"


@dataclass(frozen=True)
class LibrarySpec:
    name: str                    # the name used in results and in operations.py
    module: str                  # import name
    attr: Optional[str] = None   # an attribute of the module that is the library (rjson.orjson)
    ours: bool = False           # part of rjson: a wrong output is a bug, reported loudly
    exact: bool = False          # output must equal the stdlib's byte for byte / type for type
    dist: Optional[str] = None   # distribution that must be installed (tells pyrjson from rjson)
    group: str = MAIN_GROUP      # MAIN_GROUP, or the name of the venv it is measured in (venvs.py)
    twin: Optional[str] = None   # a peer whose output it must equal exactly (rjson.orjson: orjson)


# The order is the order of columns and the starting order of the block rotation.
LIBRARIES: List[LibrarySpec] = [
    LibrarySpec("rjson", "rjson", ours=True, exact=True, dist="rjson"),
    # rjson's bytes face (orjson's API), measured as soon as rjson has it.
    LibrarySpec("rjson.orjson", "rjson", attr="orjson", ours=True, dist="rjson", twin="orjson"),
    LibrarySpec("pyrjson", "rjson", dist="pyrjson", group="pyrjson"),
    LibrarySpec("ssrjson", "ssrjson"),
    LibrarySpec("orjson", "orjson"),
    LibrarySpec("msgspec", "msgspec"),
    LibrarySpec("ujson", "ujson"),
    LibrarySpec("simplejson", "simplejson"),
    LibrarySpec("rapidjson", "rapidjson", dist="python-rapidjson"),
    LibrarySpec("json", "json", exact=True),
]
SPECS: Dict[str, LibrarySpec] = {s.name: s for s in LIBRARIES}

REFERENCE = "json"   # whose output every other library's is checked against
OURS = [s.name for s in LIBRARIES if s.ours]
PEERS = [s.name for s in LIBRARIES if not s.ours]


@dataclass
class Library:
    spec: LibrarySpec
    module: ModuleType     # or, for a spec with attr, the object that has the library's functions
    version: str
    path: str
    notes: str = ""

    @property
    def name(self) -> str:
        return self.spec.name

    def describe(self) -> Dict[str, str]:
        return {"version": self.version, "path": self.path, "notes": self.notes, "group": self.spec.group}


def check_names(names: List[str]) -> None:
    unknown = set(names) - set(SPECS)
    if unknown:
        raise SystemExit(f"unknown library: {', '.join(sorted(unknown))} (known: {', '.join(SPECS)})")


def _version(spec: LibrarySpec, module: ModuleType) -> str:
    if spec.name == "json":
        return f"stdlib {module.__version__} (CPython {platform.python_version()})"
    try:
        return metadata.version(spec.dist or spec.module)
    except metadata.PackageNotFoundError:
        return str(getattr(module, "__version__", "unknown"))


def _notes(spec: LibrarySpec) -> str:
    if spec.name != "json":
        return ""
    import json.decoder
    import json.encoder
    scan = json.decoder.c_scanstring is not None
    enc = json.encoder.c_make_encoder is not None
    return (f"C accelerator: scanner {'yes' if scan else 'NO'}, encoder {'yes' if enc else 'NO'}"
            " (indent != None always uses the pure-Python encoder)")


def _import(spec: LibrarySpec) -> Library:
    if spec.dist:
        metadata.version(spec.dist)   # PackageNotFoundError: another package owns the import name here
    module = importlib.import_module(spec.module)
    path = getattr(module, "__file__", None) or "(built-in)"
    target = getattr(module, spec.attr) if spec.attr else module
    return Library(spec, target, _version(spec, module), path, _notes(spec))


def load(names: List[str]) -> Tuple[Dict[str, Library], Dict[str, str]]:
    """Import the named libraries of this process's group, in LIBRARIES order.

    Returns (loaded, missing): a library that cannot be imported is reported with the reason,
    never fatal: the benchmark goes on without it.
    """
    loaded: Dict[str, Library] = {}
    missing: Dict[str, str] = {}
    for spec in LIBRARIES:
        if spec.name not in names:
            continue
        try:
            loaded[spec.name] = _import(spec)
        except Exception as exc:   # ImportError, a broken extension, a missing attribute
            missing[spec.name] = f"cannot import: {type(exc).__name__}: {exc}"
    return loaded, missing


def in_group(names: List[str], group: str) -> List[str]:
    return [n for n in names if SPECS[n].group == group]

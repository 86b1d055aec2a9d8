"""What is timed: the operations, and for each the call every library makes.

An operation's calls all produce the same result as the stdlib's call (calls["json"]): the
same object for loads, the same text for dumps (checks.py says how a peer's text may differ:
bytes instead of str, float spelling, hex case of escapes). A library an operation has no
call for cannot produce that result (orjson has no ensure_ascii, ssrjson ignores the stdlib's
keywords, pyrjson has no indent, ...) and is shown as not supported.

Each call is written as a user writes it (`orjson.dumps(o, option=orjson.OPT_INDENT_2)`),
and timing.py times it as such: keyword arguments are passed at the call site, not through
functools.partial, whose per-call cost would swamp a 100-byte document.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Tuple

COMPACT = (",", ":")
STDLIB_SEPARATORS = (", ", ": ")

# What an operation's callable is given, and how it is provided to each call.
BYTES = "bytes"           # the document's bytes, the same object every call
FRESH_STR = "fresh_str"   # a new str each call (decoded before the clock starts): no UTF-8 cache
SAME_DOC = "same_doc"     # the library's own copy of the parsed document, every call
FRESH_DOC = "fresh_doc"   # a new copy of the document each call, made before the clock starts
LOADS_INPUTS = (BYTES, FRESH_STR)


@dataclass(frozen=True)
class ModuleAttr:
    """A keyword argument's value read from the library's module (orjson.OPT_INDENT_2)."""
    name: str


@dataclass(frozen=True)
class Call:
    """`path` walks from the module to the callable; a "()" segment calls what it reached
    (msgspec's "json.Encoder().encode" makes the encoder once, as msgspec advises)."""
    path: str
    kwargs: Tuple[Tuple[str, Any], ...] = ()

    def resolve(self, module: Any) -> Tuple[Callable[..., Any], Dict[str, Any]]:
        target = module
        for part in self.path.split("."):
            name, called = (part[:-2], True) if part.endswith("()") else (part, False)
            target = getattr(target, name)
            if called:
                target = target()
        kwargs = {k: getattr(module, v.name) if isinstance(v, ModuleAttr) else v for k, v in self.kwargs}
        return target, kwargs

    def text(self, lib: str) -> str:
        args = ["o"] + [f"{k}={f'{lib}.{v.name}' if isinstance(v, ModuleAttr) else repr(v)}"
                        for k, v in self.kwargs]
        return f"{lib}.{self.path}({', '.join(args)})"


def call(path: str, **kwargs: Any) -> Call:
    return Call(path, tuple(kwargs.items()))


@dataclass(frozen=True)
class Operation:
    name: str                   # short id, used in workload names and --only
    title: str                  # for the report
    input: str                  # BYTES, FRESH_STR, SAME_DOC or FRESH_DOC
    baseline: str               # ratios are to this library's time in the same process
    calls: Dict[str, Call]      # library -> its call; "json" is the reference
    note: str = ""

    @property
    def kind(self) -> str:
        return "loads" if self.input in LOADS_INPUTS else "dumps"


def _orjson_faces(c: Call) -> Dict[str, Call]:
    """orjson and rjson's bytes face take the same call."""
    return {"orjson": c, "rjson.orjson": c}


_LOADS: Dict[str, Call] = {
    "rjson": call("loads"),
    **_orjson_faces(call("loads")),
    "pyrjson": call("loads"),
    "ssrjson": call("loads"),
    "msgspec": call("json.Decoder().decode"),
    "ujson": call("loads"),
    "simplejson": call("loads"),
    "rapidjson": call("loads"),
    "json": call("loads"),
}

# Compact UTF-8 output: each library's fastest way to it (bytes where it has them).
_COMPACT: Dict[str, Call] = {
    "rjson": call("dumps", ensure_ascii=False, separators=COMPACT),
    **_orjson_faces(call("dumps")),
    "pyrjson": call("dumps"),
    "ssrjson": call("dumps_to_bytes"),
    "msgspec": call("json.Encoder().encode"),
    # ujson escapes "/" as "\/" unless told not to.
    "ujson": call("dumps", ensure_ascii=False, escape_forward_slashes=False),
    "simplejson": call("dumps", ensure_ascii=False, separators=COMPACT),
    "rapidjson": call("dumps", ensure_ascii=False),
    "json": call("dumps", ensure_ascii=False, separators=COMPACT),
}

OPERATIONS: Dict[str, Operation] = {op.name: op for op in [
    Operation("loads_bytes", "loads(bytes)", BYTES, "orjson", _LOADS,
              note="Input: the document's bytes, the same object every call."),
    Operation("loads_str", "loads(fresh str)", FRESH_STR, "orjson", _LOADS,
              note="Input: a new str object every call (decoded outside the timed region), so no library "
                   "finds a cached UTF-8 copy."),
    Operation("dumps_compact", "compact dumps, same object", SAME_DOC, "orjson", _COMPACT,
              note="Each library dumps its own copy of the document, the same object every call: whatever "
                   "a library caches on the objects (CPython's UTF-8 copy of a str) it finds again. rjson "
                   "and json return str, the others UTF-8 bytes."),
    Operation("dumps_compact_fresh", "compact dumps, fresh objects", FRESH_DOC, "orjson", _COMPACT,
              note="A new copy of the document every call (made outside the timed region), so nothing "
                   "cached on the objects by an earlier call helps."),
    Operation("dumps_default", "stdlib-default dumps(o)", SAME_DOC, "json", {
        "rjson": call("dumps"),
        "ujson": call("dumps", escape_forward_slashes=False, separators=STDLIB_SEPARATORS),
        "simplejson": call("dumps"),
        "json": call("dumps"),
    }, note="ensure_ascii=True, separators ', ' and ': '. Ratios are to json's time."),
    Operation("dumps_indent2", "dumps(o, indent=2)", SAME_DOC, "json", {
        "rjson": call("dumps", indent=2),
        **_orjson_faces(call("dumps", option=ModuleAttr("OPT_INDENT_2"))),
        "ujson": call("dumps", indent=2, escape_forward_slashes=False),
        "simplejson": call("dumps", indent=2),
        "rapidjson": call("dumps", indent=2),
        "json": call("dumps", indent=2),
    }, note="ensure_ascii=True. json uses its pure-Python encoder when indent is set. orjson's "
            "OPT_INDENT_2 writes non-ASCII as UTF-8, so it is n/a on documents that have any. "
            "Ratios are to json's time."),
    Operation("dumps_sort_keys", "dumps(o, sort_keys=True)", SAME_DOC, "json", {
        "rjson": call("dumps", sort_keys=True),
        "ujson": call("dumps", sort_keys=True, escape_forward_slashes=False, separators=STDLIB_SEPARATORS),
        "simplejson": call("dumps", sort_keys=True),
        "json": call("dumps", sort_keys=True),
    }, note="ensure_ascii=True, default separators. Ratios are to json's time."),
]}

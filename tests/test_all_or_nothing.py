"""A failing call returns nothing half-built and leaves the caller's things as documented
(README, "Limits and hostile input"):

- loads: no result; every object built before the failure is released (nothing the hooks
  did not keep survives); the hooks ran exactly as json runs them up to the failure; the
  input stays as it was and is no longer pinned (a bytearray can be resized again);
- dumps: no result; the object and every reference count in it unchanged; `default` ran as
  json runs it up to the failure;
- dump: what reached fp.write is a prefix of what json.dump writes before the same failure,
  in whole chunks of at least 64 Ki characters (json writes many small ones), so it holds
  at most that much less; the file position is after the last written chunk; an exception
  from fp.write stops the dump at once;
- running out of memory raises MemoryError, as in json, and the interpreter goes on, also
  where rjson's own buffers cannot grow.
"""

import gc
import io
import json
import os
import subprocess
import sys
import textwrap
import weakref

import pytest

import rjson
from conftest import assert_same_outcome, outcome

CHUNK = 1 << 16


class Node:
    """What the hooks build: weakly referenceable, so survivors can be counted."""

    def __init__(self, value):
        self.value = value


DOC = json.dumps({"a": [{"b": i, "c": [1.5, "x" * i, {"d": None}]} for i in range(30)], "e": "\u00e9\U0001f600"})
CUTS = [DOC[:k] + tail for k in range(0, len(DOC), 37) for tail in ("", "]", '"\\x"', ",,")]


def recording_hooks(log, refs):
    def make(kind):
        def hook(x):
            log.append(kind)
            node = Node(x)
            refs.append(weakref.ref(node))
            return node
        return hook
    return {"object_pairs_hook": make("pairs"), "parse_float": make("float"), "parse_int": make("int")}


def test_failed_loads_runs_hooks_as_json_and_keeps_nothing():
    for doc in CUTS:
        for data in (doc, doc.encode(), bytearray(doc.encode())):
            want_log, got_log, refs = [], [], []
            want = outcome(json.loads, bytes(data) if isinstance(data, bytearray) else data,
                           **recording_hooks(want_log, []))
            got = outcome(rjson.loads, data, **recording_hooks(got_log, refs))
            if want[0] == "raise":
                assert_same_outcome(got, want, doc)
                assert got_log == want_log, doc
                del got
                assert all(r() is None for r in refs), "objects of a failed loads survived"


def test_failed_loads_releases_its_input():
    for data in (bytearray(b'[1, 2, {"a": "b"'), bytearray(b'[1, 2, "\xff"]')):
        view = memoryview(data)
        for arg in (data, view):
            with pytest.raises(ValueError):
                rjson.loads(arg)
            assert bytes(data).startswith(b"[1, 2")
        view.release()
        data.extend(b" ")  # BufferError if a failed call left it pinned


class Thing:
    def __init__(self, n):
        self.n = n


def test_failed_dumps_leaves_the_object_alone():
    shared = ["s" * 10, 12345678901234567890, 2.5]
    obj = {"b": [shared, {"x": shared}], "a": (shared,), 3: [Thing(1), Thing(2), {1: "int", "s": "str"}]}
    snapshot = repr(obj)
    counts = [sys.getrefcount(x) for x in (shared, shared[0], shared[1], shared[2], obj["b"], obj[3])]
    calls = {"json": [], "rjson": []}

    def default_for(lib):
        def default(o):
            calls[lib].append(o.n)
            if o.n == 2:
                raise ValueError("no")
            return o.n
        return default

    for kwargs in ({}, {"sort_keys": True}, {"indent": 2}):
        for lib_name, lib in (("json", json), ("rjson", rjson)):
            # (The exception, with its traceback, would hold references of its own.)
            assert outcome(lib.dumps, obj, default=default_for(lib_name), **kwargs)[0] == "raise"
        assert calls["rjson"] == calls["json"], kwargs
        assert repr(obj) == snapshot
        gc.collect()  # tracebacks and their frames form cycles
        assert [sys.getrefcount(x) for x in (shared, shared[0], shared[1], shared[2], obj["b"], obj[3])] == counts


class Unserializable:
    pass


def failing_at(position):
    """A list whose JSON text fails (TypeError) at about character `position`."""
    return ["x" * 998] * (position // 1002) + [Unserializable(), "never written"]


class Recorder(io.StringIO):
    def __init__(self):
        super().__init__()
        self.sizes = []

    def write(self, s):
        self.sizes.append(len(s))
        return super().write(s)


@pytest.mark.parametrize("position", [100, CHUNK - 500, CHUNK + 500, 5 * CHUNK + 123])
@pytest.mark.parametrize("kwargs", [{}, {"indent": 2}, {"ensure_ascii": False}])
def test_failed_dump_leaves_a_prefix_of_what_json_leaves(position, kwargs):
    obj = failing_at(position)
    want, got = Recorder(), Recorder()
    with pytest.raises(TypeError) as json_error:
        json.dump(obj, want, **kwargs)
    with pytest.raises(TypeError) as rjson_error:
        rjson.dump(obj, got, **kwargs)
    assert str(rjson_error.value) == str(json_error.value)
    written, expected = got.getvalue(), want.getvalue()
    assert expected.startswith(written)
    assert len(expected) - len(written) < CHUNK + 1002
    assert all(n >= CHUNK for n in got.sizes), got.sizes
    assert got.tell() == len(written)


def test_failed_dump_to_a_real_file(tmp_path):
    obj = failing_at(3 * CHUNK)
    for lib in (json, rjson):
        path = tmp_path / f"{lib.__name__}.json"
        with open(path, "w", encoding="utf-8") as f:
            with pytest.raises(TypeError):
                lib.dump(obj, f)
            position = f.tell()
        text = path.read_text(encoding="utf-8")
        assert position == len(text.encode("utf-8"))
        assert (json.dumps(obj[:-2])[:-1] + ", ").startswith(text)  # the items before the failure


def test_dump_stops_when_write_fails():
    class Full(io.StringIO):
        writes = 0

        def write(self, s):
            self.writes += 1
            raise OSError(28, "No space left on device")

    obj = ["y" * 1000] * 300
    for lib in (json, rjson):
        fp = Full()
        with pytest.raises(OSError, match="No space"):
            lib.dump(obj, fp)
        assert fp.writes == 1


MEMORY_CHILD = textwrap.dedent("""
    import json, resource, sys, rjson, rjson.orjson
    op = sys.argv[1]
    big = "x" * 10_000_000
    obj = [big] * 100  # 1 GB of JSON text
    libs = (json, rjson)
    if op == "loads":
        doc = b"[" + b"1.5," * 30_000_000 + b"1]"  # 30 million floats: 1 GB of objects
    elif op == "loads big int":
        doc = b"1" * 400_000_000  # json decodes it to a str first; rjson copies the digits
    elif op == "loads escapes":
        doc = b'"' + b"\\\\n" * 150_000_000 + b'"'  # a string of 150 M escapes
    # Buffers only rjson has: the UTF-8 copy of a non-ASCII str (json reads the str in place,
    # so it succeeds where rjson needs twice the memory), the stack of open containers (json
    # nests on the C stack: this deep it crashes or raises RecursionError).
    elif op == "loads non-ASCII str":
        doc, libs = '"' + "\u00e9" * 200_000_000 + '"', (rjson,)  # 200 MB as a str, 400 MB as UTF-8
    elif op == "orjson dumps":
        libs = (rjson.orjson,)
    elif op == "loads deep":
        sys.setrecursionlimit(1_000_000_000)
        doc, libs = b"[" * 100_000_000, (rjson,)  # 800 MB of stack frames before the missing "]"
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as f:
        size = int(f.read().split()[0]) * resource.getpagesize()
    # Room for what json needs to fail cleanly, not for the 256 MB step of a 150 MB buffer.
    resource.setrlimit(resource.RLIMIT_AS, (size + ((200 if op == "loads escapes" else 300) << 20), hard))
    for lib in libs:
        try:
            lib.dumps(obj) if op.endswith("dumps") else lib.loads(doc)
            print(lib.__name__, "ok")
        except MemoryError:
            print(lib.__name__, "MemoryError")
    print(rjson.dumps([1, 2]), flush=True)
""")


NESTING_LIMITED = pytest.mark.skipif((3, 12) <= sys.version_info[:2] <= (3, 13),
                                     reason="CPython 3.12 and 3.13 limit C code's nesting")


@pytest.mark.parametrize("op", ["dumps", "orjson dumps", "loads", "loads escapes", "loads big int",
                                "loads non-ASCII str", pytest.param("loads deep", marks=NESTING_LIMITED)])
def test_out_of_memory_raises_memory_error(op):
    if os.environ.get("RJSON_MEMCHECK"):
        pytest.skip("valgrind does not honour RLIMIT_AS the same way")
    proc = subprocess.run([sys.executable, "-c", MEMORY_CHILD, op], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p)))
    assert proc.returncode == 0, (proc.returncode, proc.stdout, proc.stderr[-2000:])
    want = ["rjson.orjson MemoryError" if op == "orjson dumps" else "rjson MemoryError", "[1, 2]"]
    if op not in ("orjson dumps", "loads non-ASCII str", "loads deep"):
        want.insert(0, "json MemoryError")
    assert proc.stdout.split("\n")[:len(want)] == want, proc.stdout

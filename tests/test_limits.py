"""Limits for hostile input (README, "Limits and hostile input"), against json where json
has the same limit:

- nesting: counted against the recursion limit, so `sys.setrecursionlimit` moves it, for
  loads and dumps alike; refusing deep input costs no memory beyond the input;
- integers: CPython's int max str digits applies to loads and dumps, with json's error;
  floats of any length or exponent read as float() reads them;
- size: huge strings and documents decode and encode to json's results, and the memory a
  call uses at its peak is a small multiple of what its result keeps.

Time growing linearly with size is shown by bench/scaling.py (`make scaling`), not here.
Under `make memcheck` (RJSON_MEMCHECK set) the sizes shrink a hundredfold and the memory
measurements are skipped.
"""

import json
import os
import platform
import subprocess
import sys
import tracemalloc

import pytest

import rjson
from conftest import assert_same, assert_same_outcome, check_loads, outcome

SCALE = 100 if os.environ.get("RJSON_MEMCHECK") else 1
# valgrind's allocator pads every block: resident sizes say nothing about rjson there.
NOT_UNDER_VALGRIND = pytest.mark.skipif(bool(os.environ.get("RJSON_MEMCHECK")), reason="memory measured by RSS")


def nested(depth):
    o = []
    for _ in range(depth):
        o = [o]
    return o


def max_depth(call, make):
    """The deepest nesting `call(make(depth))` takes without RecursionError (bisection)."""
    lo, hi = 0, sys.getrecursionlimit() + 100
    while lo < hi:
        mid = (lo + hi + 1) // 2
        try:
            call(make(mid))
            lo = mid
        except RecursionError:
            hi = mid - 1
    return lo


def nested_doc(depth):
    return "[" * depth + "]" * depth


def test_nesting_limit_follows_the_recursion_limit():
    """`sys.setrecursionlimit` moves rjson's limit as it moves json's, in both directions.

    At the same call depth rjson takes a few levels more or fewer than json: json.loads and
    json.dumps reach their C scanner and encoder through Python frames (decode, raw_decode,
    iterencode and the like), rjson's C functions are called directly. From 3.12 on both also
    stop at CPython's fixed allowance for C recursion (1500 levels on 3.12), whatever the
    recursion limit; the limits below move json's depth by hundreds of levels either way."""
    old = sys.getrecursionlimit()
    seen = []
    try:
        for limit in (150, 400, 1000, 3000):
            sys.setrecursionlimit(limit)
            seen.append((limit, max_depth(json.loads, nested_doc), max_depth(rjson.loads, nested_doc),
                         max_depth(json.dumps, nested), max_depth(rjson.dumps, nested)))
    finally:
        sys.setrecursionlimit(old)
    assert len({json_loads for _, json_loads, _, _, _ in seen}) > 1, f"json's depth never moved: {seen}"
    for limit, json_loads, rjson_loads, json_dumps, rjson_dumps in seen:
        assert abs(json_loads - rjson_loads) <= 6 and abs(json_dumps - rjson_dumps) <= 6, seen


MEMORY_CHILD = """
import os, resource, sys, rjson
def rss():  # current resident size
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
with open(sys.argv[1], "rb") as f:
    doc = bytearray(os.fstat(f.fileno()).st_size)  # one allocation: no transient peak before the call
    f.readinto(doc)
if sys.argv[2] == "str":
    doc = doc.decode()
print(rss(), peak())
try:
    result = rjson.loads(doc)
except RecursionError:
    result = None
print(peak(), rss())
"""


def loads_memory(tmp_path, doc, as_str=False):
    """(peak growth during `rjson.loads(doc)`, growth it keeps) in a fresh interpreter;
    `doc` given as a bytearray or (`as_str`) a str."""
    path = tmp_path / "doc.json"
    path.write_bytes(doc)
    proc = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(path), "str" if as_str else "bytes"],
                          capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p)))
    assert proc.returncode == 0, proc.stderr[-3000:]
    rss_before, peak_before, peak_after, rss_after = map(int, proc.stdout.split())
    return peak_after - max(rss_before, peak_before), rss_after - rss_before


@NOT_UNDER_VALGRIND
def test_refusing_deep_input_costs_no_memory(tmp_path):
    """50 MB of `[`: RecursionError at the limit, the scanner's stack bounded by it. From
    bytes a failed parse decodes the input as json.loads does (first, there), so that the
    exception is the one json raises (UnicodeDecodeError for bad UTF-8 anywhere, and
    JSONDecodeError.doc the decoded str): one str of the input's size at most."""
    doc = b"[" * (50_000_000 // SCALE)
    grown, _ = loads_memory(tmp_path, doc, as_str=True)
    assert grown < 4 << 20, grown
    grown, _ = loads_memory(tmp_path, doc)
    assert grown < len(doc) + (4 << 20), grown


N = 1_000_000 // SCALE
DOCUMENTS = {
    "strings": lambda: json.dumps(["x" * 100] * N),
    "escapes": lambda: json.dumps("\u00e9\n" * (10 * N), ensure_ascii=True),
    "ints": lambda: json.dumps([i * 7919 for i in range(N)]),
    "floats": lambda: json.dumps([i / 7 for i in range(N)]),
    "records": lambda: json.dumps([{"id": i, "name": f"n{i}", "ok": True} for i in range(N // 4)]),
    "deep and wide": lambda: "[" * 500 + json.dumps(list(range(N))) + "]" * 500,
}


@NOT_UNDER_VALGRIND
@pytest.mark.parametrize("name", DOCUMENTS)
def test_peak_memory_of_loads_is_a_small_multiple_of_the_result(tmp_path, name):
    """No DOM, no copy of the input: at its peak a loads call holds at most about twice what
    its result keeps (the result, plus a scratch buffer for escaped strings and the open
    containers' items)."""
    grown, kept = loads_memory(tmp_path, DOCUMENTS[name]().encode())
    assert kept > 0
    assert grown <= 2 * kept + (4 << 20), (name, grown, kept)


def test_huge_ints_follow_int_max_str_digits():
    limit = sys.get_int_max_str_digits()
    for digits in (limit, limit + 1):
        for sign in ("", "-"):
            check_loads("[" + sign + "7" * digits + "]")
            value = int("7" * min(digits, limit))
            assert_same_outcome(outcome(rjson.dumps, value), outcome(json.dumps, value))
    old = limit
    sys.set_int_max_str_digits(0)
    try:
        doc = "1" * (50_000 // SCALE)
        check_loads(doc)
        big = 10 ** (50_000 // SCALE) - 1
        assert rjson.dumps([big]) == json.dumps([big])
    finally:
        sys.set_int_max_str_digits(old)
    too_big = 10 ** (limit + 5)
    assert_same_outcome(outcome(rjson.dumps, too_big), outcome(json.dumps, too_big))


@pytest.mark.parametrize("doc", [
    "1" * 5000 + ".5",
    "0." + "3" * 100_000,
    "1e999999999999999999999",
    "-1e-999999999999999999999",
    "1" * 400 + "e-400",
    "[" + "2.5e+" + "9" * 4000 + "]",
])
def test_extreme_floats_read_as_float_reads_them(doc):
    check_loads(doc)


REPEAT_CHILD = """
import resource, sys, rjson
from rjson import orjson
n, face = int(sys.argv[1]), sys.argv[2]
obj = [{"name": "item%06d" % i, "value": i * 7, "tags": ["a", "bb", "ccc"]} for i in range(n)]
dumps = orjson.dumps if face == "bytes" else rjson.dumps
for _ in range(5):
    dumps(obj)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(50):
    dumps(obj)
print(len(dumps(obj)), resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@NOT_UNDER_VALGRIND
@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's heap thresholds")
@pytest.mark.parametrize("face", ["bytes", "str"])
@pytest.mark.parametrize("items", [2_000, 2_700, 3_500, 5_000, 40_000])
def test_repeated_dumps_reuse_the_heap(face, items):
    """dumps called again and again for outputs of the same size (here 110 KB to 2.2 MB)
    takes its memory from the heap as it is: no page faulted in per call, in a fresh
    interpreter, whose glibc thresholds are the defaults. Outputs grown in place past the
    default mmap threshold once made glibc trim the heap at every call and fault it in
    again at the next."""
    proc = subprocess.run([sys.executable, "-c", REPEAT_CHILD, str(items), face], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p)))
    assert proc.returncode == 0, proc.stderr[-3000:]
    size, faults = map(int, proc.stdout.split())
    assert size > 100_000
    assert faults < 50, (size, faults)


@NOT_UNDER_VALGRIND
@pytest.mark.parametrize("dumps", [rjson.dumps, rjson.orjson.dumps], ids=["str", "bytes"])
def test_dumps_starts_at_the_size_recent_outputs_reached(dumps):
    """A dumps call takes a block of the size the last two outputs on its thread both
    reached (with a little headroom) instead of doubling its way there; a large output among
    small ones does not make the next small call take a large block, and a small output
    after large ones does not keep one."""
    large = [{"name": "item%06d" % i, "value": i * 7} for i in range(20_000)]
    small = {"a": [1, 2, 3]}

    def peak(obj):
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        out = dumps(obj)
        return tracemalloc.get_traced_memory()[1] - before, len(out)

    def kept(obj):
        before = tracemalloc.get_traced_memory()[0]
        out = dumps(obj)
        return tracemalloc.get_traced_memory()[0] - before, out

    tracemalloc.start()
    try:
        peak(large)
        peak(large)
        steady, size = peak(large)
        small_after_large, _ = kept(small)
        peak(small)
        back_to_small, _ = peak(small)
        peak(large)
        after_one_large, _ = peak(small)
    finally:
        tracemalloc.stop()
    assert size <= steady < 1.1 * size, (steady, size)
    assert small_after_large < 4096, small_after_large
    assert back_to_small < 4096, back_to_small
    assert after_one_large < 4096, after_one_large


def test_huge_strings_and_documents():
    n = 5_000_000 // SCALE
    text = ("plain ASCII " * (n // 12)) + "\u00e9\u20ac\U0001f600\"\\\n\x00"
    for ensure_ascii in (True, False):
        doc = json.dumps(text, ensure_ascii=ensure_ascii)
        assert rjson.dumps(text, ensure_ascii=ensure_ascii) == doc
        assert_same(rjson.loads(doc), text)
        assert_same(rjson.loads(doc.encode("utf-8", "surrogatepass")), text)
    many = {f"key{i}": [i, str(i), i / 3] for i in range(200_000 // SCALE)}
    doc = json.dumps(many)
    assert rjson.dumps(many) == doc
    assert_same(rjson.loads(doc), many)


@NOT_UNDER_VALGRIND
def test_a_steady_wide_str_output_is_made_in_its_own_block():
    """A dumps whose str must be UCS-2 though nearly all its text is ASCII (gsoc-2018.json):
    once two calls like it have run, the next holds one block, its text and then the str made
    in it, not the text's block and a second one the str's size."""
    doc = ["x" * 100] * 20_000 + ["\u20ac"]
    for _ in range(2):
        rjson.dumps(doc, ensure_ascii=False)
    tracemalloc.start()
    try:
        out = rjson.dumps(doc, ensure_ascii=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out == json.dumps(doc, ensure_ascii=False)
    assert peak < 1.25 * sys.getsizeof(out), (peak, sys.getsizeof(out))

"""Shared fixtures and helpers for the rjson test suite.

The shared data (JSON corpus, JSONTestSuite) lives in ``shared/`` next to the
repository: ``<repo>/../shared``.  When it is absent the tests that need it are
skipped, except under CI (env var ``CI`` set), where its absence is an error.

Fixtures:
    shared_dir   -- Path of ../shared (skips / fails when absent, see above)
    corpus_dir   -- Path of ../shared/corpus
    corpus_files -- sorted list of the corpus *.json Paths
    corpus_path  -- a test asking for it is parametrized over the corpus files
                    (ids are the file names)

Helpers (importable with ``from conftest import ...``, and as fixtures of the
same name):
    assert_same(a, b)  -- deep equality with exact types, float bits (NaN equals
                          NaN, -0.0 differs from 0.0) and dict key order
    float_bits(x)      -- the 8 bytes of a float, for bit-exact comparison
    outcome(f, *a, **k) -- ("ok", value) or ("raise", exception) of a call
    assert_same_outcome(got, want) -- two outcomes agree: same value (as
                          assert_same) or same exception (type, str, and for
                          JSONDecodeError msg/pos/lineno/colno/doc, for
                          UnicodeError encoding/reason/start/end/object; only the
                          type for RecursionError)
    SMALL_THREAD_STACK -- source of small_thread_stack(), for child scripts
    DEEP_INDENT        -- the indent to use for documents nested to the limit
"""

import json
import math
import os
import struct
import sys
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_DIR.parent / "shared"
CORPUS_DIR = SHARED_DIR / "corpus"
CONFORMANCE_DIR = SHARED_DIR / "conformance"


# For child scripts: `small_thread_stack()` gives new threads a 64 KiB stack, or the smallest
# this interpreter allows if that is more (3.14+ debug builds refuse less than 100 KiB), and
# returns the size.
SMALL_THREAD_STACK = """
import threading
def small_thread_stack(size=64 * 1024):
    while True:
        try:
            threading.stack_size(size)
            return size
        except ValueError:
            size += 4096
"""


# The indent for documents nested as deep as rjson and json go: from 3.14 that is tens of
# thousands of levels, where indentation growing with the depth is gigabytes (json's own ran
# out of the ABI matrix's 8 GB on 3.14); newlines alone take the same indented paths.
DEEP_INDENT = 1 if sys.version_info < (3, 14) else ""


def _list_corpus():
    if not CORPUS_DIR.is_dir():
        return []
    return sorted(CORPUS_DIR.glob("*.json"))


CORPUS_FILES = _list_corpus()


def require_shared(path=SHARED_DIR):
    """Skip when ``path`` is missing, unless running under CI (then fail)."""
    if not Path(path).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing (CI is set, so this is an error)")
        pytest.skip(f"{path} is missing")
    return Path(path)


@pytest.fixture(scope="session")
def shared_dir():
    return require_shared(SHARED_DIR)


@pytest.fixture(scope="session")
def corpus_dir():
    return require_shared(CORPUS_DIR)


@pytest.fixture(scope="session")
def corpus_files(corpus_dir):
    files = sorted(corpus_dir.glob("*.json"))
    assert files, f"no *.json files in {corpus_dir}"
    return files


def pytest_generate_tests(metafunc):
    if "corpus_path" in metafunc.fixturenames:
        if CORPUS_FILES:
            metafunc.parametrize("corpus_path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
        else:
            # One placeholder case that skips (or fails under CI) at run time.
            metafunc.parametrize("corpus_path", [CORPUS_DIR / "missing"], ids=["corpus-missing"])


@pytest.fixture(autouse=True)
def _check_corpus_path(request):
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and "corpus_path" in callspec.params:
        require_shared(callspec.params["corpus_path"])


def float_bits(x):
    return struct.pack("<d", x)


def assert_same(a, b, path="$"):
    """Assert that ``a`` and ``b`` are the same JSON value, exactly.

    Same types (``type(a) is type(b)``, so True vs 1 vs 1.0 differ), floats
    equal bit for bit (any NaN equals any NaN), ints and strs equal, lists
    element-wise, dicts with the same keys in the same order.
    """
    ta, tb = type(a), type(b)
    assert ta is tb, f"{path}: type {ta.__name__} != {tb.__name__} ({a!r:.80} vs {b!r:.80})"
    if ta is float:
        if math.isnan(a) or math.isnan(b):
            assert math.isnan(a) and math.isnan(b), f"{path}: {a!r} != {b!r}"
        else:
            assert float_bits(a) == float_bits(b), f"{path}: float {a!r} != {b!r}"
    elif ta is list:
        assert len(a) == len(b), f"{path}: list length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            if type(x) is type(y) and (x is y or (type(x) in _ATOMS and x == y)):
                continue
            assert_same(x, y, f"{path}[{i}]")
    elif ta is dict:
        ka, kb = list(a), list(b)
        if ka != kb:
            assert len(ka) == len(kb), f"{path}: dict size {len(ka)} != {len(kb)}"
            for i, (x, y) in enumerate(zip(ka, kb)):
                assert_same(x, y, f"{path}.keys()[{i}]")
        for x, y in zip(ka, kb):
            assert type(x) is type(y), f"{path}: key type {type(x).__name__} != {type(y).__name__}"
        for k in ka:
            x, y = a[k], b[k]
            if type(x) is type(y) and (x is y or (type(x) in _ATOMS and x == y)):
                continue
            assert_same(x, y, f"{path}[{k!r:.40}]")
    elif ta is str:
        assert a == b, f"{path}: {a!r:.200} != {b!r:.200}"
        # Catch strs built in a non-canonical representation.
        assert a.isascii() == b.isascii() and hash(a) == hash(b), f"{path}: str internals differ"
    else:
        assert a == b, f"{path}: {a!r:.200} != {b!r:.200}"


# Types whose == is exact once the types are known to be identical.
_ATOMS = frozenset({str, int, bool, type(None)})


@pytest.fixture(name="assert_same")
def _assert_same_fixture():
    return assert_same


@pytest.fixture(name="float_bits")
def _float_bits_fixture():
    return float_bits


def outcome(func, *args, **kwargs):
    """("ok", result) or ("raise", exception) of ``func(*args, **kwargs)``."""
    try:
        return ("ok", func(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 - RecursionError, MemoryError... too
        return ("raise", exc)


def exception_details(exc):
    """The comparable facts of an exception (a dict)."""
    if isinstance(exc, RecursionError):
        return {"type": type(exc)}  # the message names the implementation
    d = {"type": type(exc), "str": str(exc), "args": exc.args}
    if isinstance(exc, json.JSONDecodeError):
        d.update(msg=exc.msg, pos=exc.pos, lineno=exc.lineno, colno=exc.colno,
                 doc=exc.doc, doc_type=type(exc.doc))
    if isinstance(exc, UnicodeError) and hasattr(exc, "start"):
        d.update(encoding=exc.encoding, reason=exc.reason, start=exc.start, end=exc.end,
                 object=bytes(exc.object) if not isinstance(exc.object, str) else exc.object)
    return d


def _short(x, n=300):
    r = repr(x)
    return r if len(r) <= n else r[:n] + "...(%d chars)" % len(r)


def assert_same_outcome(got, want, context=""):
    """Assert two ``outcome()`` results agree (value or exception details)."""
    where = f" for {_short(context)}" if context != "" else ""
    if got[0] == "ok" and want[0] == "ok":
        try:
            assert_same(got[1], want[1])
        except AssertionError as e:
            raise AssertionError(f"different values{where}: {e}") from None
        return
    if got[0] != want[0]:
        g = _short(got[1]) if got[0] == "ok" else f"{type(got[1]).__name__}: {_short(str(got[1]))}"
        w = _short(want[1]) if want[0] == "ok" else f"{type(want[1]).__name__}: {_short(str(want[1]))}"
        raise AssertionError(f"outcomes differ{where}: got {got[0]} {g}; expected {want[0]} {w}")
    dg, dw = exception_details(got[1]), exception_details(want[1])
    if dg != dw:
        diff = {k: (dg.get(k, "<missing>"), dw.get(k, "<missing>"))
                for k in sorted(set(dg) | set(dw), key=str) if dg.get(k, None) != dw.get(k, None)}
        diff = {k: (_short(a, 200), _short(b, 200)) for k, (a, b) in diff.items()}
        raise AssertionError(f"exceptions differ{where} (got, expected): {diff}")


def check_loads(doc, oracle_doc=None):
    """rjson.loads(doc) has the same outcome as json.loads(oracle_doc or doc)."""
    import rjson  # imported here so conftest loads even where rjson does not

    want = outcome(json.loads, doc if oracle_doc is None else oracle_doc)
    got = outcome(rjson.loads, doc)
    assert_same_outcome(got, want, doc)
    return got


# ---------------------------------------------------------------------------
# Helpers for the hook / class / file API tests (values built by user hooks,
# tuples, Decimals, arbitrary results of encode overrides...).

def canon(x):
    """A comparable image of ``x``: nested tuples of (type, content).

    Exact types everywhere, floats by bits (any NaN equals any NaN), dict and
    pair order kept, tuples, Decimals (by str: NaN, -0, 1.10 all distinct).
    Objects with a ``_canon()`` method give its result; anything else its repr.
    """
    import decimal

    t = type(x)
    if isinstance(x, float):
        return (t, "nan" if math.isnan(x) else float_bits(x))
    if x is None or isinstance(x, (bool, int, str, bytes)):
        return (t, x)
    if isinstance(x, decimal.Decimal):
        return (t, str(x))
    if isinstance(x, (list, tuple)):
        return (t, tuple(canon(v) for v in x))
    if isinstance(x, dict):
        return (t, tuple((canon(k), canon(v)) for k, v in x.items()))
    if hasattr(x, "_canon"):
        return (t, x._canon())
    return (t, repr(x))


def image(func, *args, **kwargs):
    """("ok", canon(result)) or ("raise", exception_details + __notes__) of a call.

    Two images compare equal with ``==`` when the calls agree exactly.
    """
    try:
        r = func(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001
        d = exception_details(exc)
        d["notes"] = getattr(exc, "__notes__", None)
        return ("raise", d)
    return ("ok", canon(r))


def join_chunks(chunks):
    """''.join of iterencode/dump chunks, a non-str chunk shown as <type:repr> (json's
    pure-Python encoder yields a non-str separator as is; chunk boundaries may differ)."""
    return "".join(c if type(c) is str else f"<{type(c).__name__}:{c!r}>" for c in chunks)


def _refcount_of_a_local():
    sole = object()
    return sys.getrefcount(sole)


# What sys.getrefcount reports for an object held by one local variable only: 2 up to
# CPython 3.13 (the argument's own reference counts), 1 from 3.14 (locals are lent).
SOLE_REFCOUNT = _refcount_of_a_local()

"""The module under test for the orjson-face tests (test_orjson_*.py), and their helpers.

The real orjson (pinned in requirements.txt) is the oracle: every helper runs the same call
on ``oracle`` and on ``S`` and asserts the same outcome: the same bytes, or the same error.

``S`` is ``rjson.orjson``; with ``RJSON_ORJSON_SUBJECT=<module>`` it is that module instead:
``RJSON_ORJSON_SUBJECT=orjson`` runs the whole suite against the oracle itself (it must pass:
a test failing there is wrong), and a deliberately broken wrapper around orjson shows that
the tests can fail. Without orjson (the ABI matrix installs none) or while rjson.orjson does
not exist yet, the orjson-face tests are skipped, except under CI (env var ``CI`` set), where
that is an error.

Errors compare by kind (below), ``str(exc)``, and for JSONDecodeError also ``msg``, ``pos``,
``lineno``, ``colno`` and ``doc``. The kind maps each module's own classes: orjson raises
``JSONEncodeError`` (which is ``TypeError``) for every TypeError, so whatever orjson raises
as TypeError the subject must raise as something ``except subject.JSONEncodeError`` catches.
"""

import importlib
import json
import os
import subprocess
import sys

import pytest

SUBJECT_NAME = os.environ.get("RJSON_ORJSON_SUBJECT") or "rjson.orjson"


def _import(name, why_missing):
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        # Under CI a missing dependency is an error, unless the ABI matrix found no wheel of it.
        if not os.environ.get("CI") or name in os.environ.get("RJSON_TESTS_WITHOUT", "").split():
            pytest.skip(f"{why_missing} ({exc})", allow_module_level=True)
        raise


# Without the oracle there is no test (orjson 3.13 has no wheel for CPython 3.9).
oracle = _import("orjson", "the oracle, orjson, is not installed")
S = _import(SUBJECT_NAME, f"the subject {SUBJECT_NAME} is not there (yet)")
SUBJECT_IS_ORACLE = S is oracle

# For the tests of documented differences: orjson crashes or writes something wrong there.
skip_if_oracle = pytest.mark.skipif(
    SUBJECT_IS_ORACLE, reason="documented difference: orjson crashes or writes a wrong value here")

try:
    import numpy
except ImportError:  # numpy is an optional dependency of the face; only its tests skip
    numpy = None

OPTION_NAMES = sorted(n for n in dir(oracle) if n.startswith("OPT_"))
# The bits orjson accepts: OR of every OPT_* value (0 to 4095).
ALL_BITS = 0
for _n in OPTION_NAMES:
    ALL_BITS |= getattr(oracle, _n)
UNSET = object()


class MyStr(str):
    """Plain subclasses of the natively written types, shared by the tests."""


class MyInt(int):
    pass


class MyDict(dict):
    pass


class MyList(list):
    pass


def call(func, *args, **kwargs):
    """("ok", result) or ("raise", exception) of ``func(*args, **kwargs)``."""
    try:
        return ("ok", func(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 - every error is compared
        return ("raise", exc)


def kind(exc, module):
    if isinstance(exc, module.JSONDecodeError):
        return "JSONDecodeError"
    if isinstance(exc, module.JSONEncodeError):
        return "JSONEncodeError"
    return type(exc).__name__


def exc_facts(exc, module, message=True, cause=False):
    facts = {"kind": kind(exc, module)}
    if isinstance(exc, json.JSONDecodeError):
        facts["is json.JSONDecodeError and ValueError"] = isinstance(exc, ValueError)
    if message:
        facts["str"] = str(exc)
        if isinstance(exc, json.JSONDecodeError):
            facts.update(msg=exc.msg, pos=exc.pos, lineno=exc.lineno, colno=exc.colno, doc=exc.doc)
    if cause:
        c = exc.__cause__
        facts["cause"] = None if c is None else (type(c).__name__, str(c))
    return facts


def _short(x, n=300):
    try:
        r = repr(x)
    except Exception:  # noqa: BLE001 - e.g. a dataclass with an unset field
        r = object.__repr__(x)
    return r if len(r) <= n else r[:n] + f"...({len(r)} chars)"


def assert_same_outcome(got, want, context, message=True, cause=False, compare=None):
    """``got`` (from S) and ``want`` (from the oracle) are the same outcome."""
    if got[0] == want[0] == "ok" and compare is None and type(got[1]) is type(want[1]) and got[1] == want[1]:
        return  # the common case, without building a message
    where = f" for {_short(context)}"
    if got[0] != want[0]:
        g = _short(got[1]) if got[0] == "ok" else f"{type(got[1]).__name__}: {got[1]}"
        w = _short(want[1]) if want[0] == "ok" else f"{type(want[1]).__name__}: {want[1]}"
        raise AssertionError(f"outcomes differ{where}: got {got[0]} {g}; orjson: {want[0]} {w}")
    if got[0] == "ok":
        if compare is not None:
            compare(got[1], want[1])
        else:
            assert type(got[1]) is type(want[1]), f"result type {type(got[1])} != {type(want[1])}{where}"
            assert got[1] == want[1], f"different results{where}:\n got    {_short(got[1], 2000)}\n orjson {_short(want[1], 2000)}"
        return
    g = exc_facts(got[1], S, message, cause)
    w = exc_facts(want[1], oracle, message, cause)
    assert g == w, f"different errors{where}:\n got    {g}\n orjson {w}"


def dumps_args(option=UNSET, default=UNSET):
    kw = {}
    if option is not UNSET:
        kw["option"] = option
    if default is not UNSET:
        kw["default"] = default
    return kw


def check_dumps(obj, option=UNSET, default=UNSET, message=True, cause=False):
    """S.dumps and orjson.dumps give the same bytes or the same error; returns orjson's outcome."""
    kw = dumps_args(option, default)
    want = call(oracle.dumps, obj, **kw)
    got = call(S.dumps, obj, **kw)
    assert_same_outcome(got, want, (obj, kw), message=message, cause=cause)
    return want


def dumps_ok(obj, option=UNSET, default=UNSET):
    """check_dumps, and the bytes (orjson must succeed here)."""
    want = check_dumps(obj, option, default)
    assert want[0] == "ok", f"orjson raised {want[1]!r}"
    return want[1]


def dumps_err(obj, option=UNSET, default=UNSET, cause=False):
    """check_dumps, and the oracle's exception (orjson must raise here)."""
    want = check_dumps(obj, option, default, cause=cause)
    assert want[0] == "raise", f"orjson returned {want[1]!r}"
    return want[1]


def assert_same_value(a, b, path="$"):
    """Same JSON value exactly: same types, float bits (NaN equals NaN), dict key order."""
    from conftest import assert_same

    assert_same(a, b, path)


def check_loads(doc, message=True):
    """S.loads and orjson.loads give the same value (exactly) or the same error."""
    want = call(oracle.loads, doc)
    got = call(S.loads, doc)
    assert_same_outcome(got, want, doc, message=message, compare=assert_same_value)
    return want


def run_isolated(code):
    """Run ``code`` in a fresh interpreter with ``S`` imported as ``subject``; (rc, stdout, stderr).

    For inputs on which orjson crashes the interpreter: a crash must fail one test, not end
    the run.
    """
    prelude = f"import importlib; subject = importlib.import_module({SUBJECT_NAME!r})\n"
    proc = subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True,
                          timeout=120)
    return proc.returncode, proc.stdout, proc.stderr

"""Error paths of rjson.dumps compared with the running interpreter's json.dumps.

Every case: both raise, with the same exception type, the same str(), the same
args and the same __notes__ (none before 3.14).  The stdlib's wording depends on
the encoder it uses: indent=None -> C encoder, indent given -> Python encoder
(before 3.13), e.g. in 3.11
  C:      "Out of range float values are not JSON compliant"
  Python: "Out of range float values are not JSON compliant: nan"
  C:      "keys must be str, int, float, bool or None, not datetime.date"  (tp_name)
  Python: "keys must be str, int, float, bool or None, not date"           (__name__)
so every case is run with several keyword sets covering both.
"""

import array
import collections
import datetime
import decimal
import enum
import json
import subprocess
import sys
from collections import UserDict, UserList

import pytest

import rjson


def outcome(func, *args, **kwargs):
    try:
        r = func(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001
        return ("raise", type(exc), str(exc), exc.args, getattr(exc, "__notes__", None))
    return ("ok", type(r), r)


def check_error(make, **kw):
    """Both json and rjson raise the same error for make() (a fresh object each)."""
    want = outcome(json.dumps, make(), **kw)
    assert want[0] == "raise", f"test bug: json did not raise for kw={kw}: {want!r:.200}"
    got = outcome(rjson.dumps, make(), **kw)
    assert got == want, f"kw={kw}: got {got!r:.400}, json {want!r:.400}"
    # a second call on the same object behaves the same (no stale state)
    obj = make()
    assert outcome(rjson.dumps, obj, **kw) == outcome(json.dumps, obj, **kw)
    return want


KWS = [
    {},
    {"indent": 2},
    {"sort_keys": True},
    {"indent": 2, "sort_keys": True},
    {"separators": (",", ":"), "ensure_ascii": False},
    {"indent": "\t", "check_circular": True},
]


def kw_id(kw):
    return ",".join(f"{k}={v!r}" for k, v in kw.items()) or "default"


class Thing:
    pass


class Outer:
    class Inner:
        pass


def gen():
    yield 1


UNSUPPORTED = {
    "object": object,
    "set": lambda: {1, 2},
    "frozenset": lambda: frozenset(),
    "bytes": lambda: b"x",
    "bytearray": lambda: bytearray(b"x"),
    "memoryview": lambda: memoryview(b"x"),
    "complex": lambda: 1j,
    "decimal": lambda: decimal.Decimal("1.5"),
    "date": lambda: datetime.date(2020, 1, 2),
    "datetime": lambda: datetime.datetime(2020, 1, 2, 3, 4),
    "thing": Thing,
    "nested_class": Outer.Inner,
    "weird_name": lambda: type("W\xe9ird name!", (), {})(),
    "type": lambda: int,
    "function": lambda: gen,
    "generator": gen,
    "range": lambda: range(3),
    "iterator": lambda: iter([1]),
    "array": lambda: array.array("i", [1]),
    "chainmap": lambda: collections.ChainMap({}),
    "userdict": lambda: UserDict(a=1),
    "userlist": lambda: UserList([1]),
    "ellipsis": lambda: ...,
    "enum_plain": lambda: enum.Enum("E", "A").A,
}

POSITIONS = {
    "top": lambda x: x,
    "list_first": lambda x: [x, 1],
    "list_last": lambda x: [1, "a", x],
    "tuple": lambda x: (0, x),
    "dict_value": lambda x: {"a": 1, "b": x},
    "deep": lambda x: {"a": [1, {"b": [[{"c": (x,)}]]}]},
}


@pytest.mark.parametrize("kw", KWS, ids=kw_id)
@pytest.mark.parametrize("pos", list(POSITIONS), ids=str)
@pytest.mark.parametrize("kind", list(UNSUPPORTED), ids=str)
def test_unsupported_type(kind, pos, kw):
    make = UNSUPPORTED[kind]
    wrap = POSITIONS[pos]
    check_error(lambda: wrap(make()), **kw)


def test_unsupported_type_message_shape():
    # guard: the stdlib message that rjson must reproduce
    with pytest.raises(TypeError) as ei:
        rjson.dumps([datetime.date(2020, 1, 1)])
    assert str(ei.value) == json_err(lambda: json.dumps([datetime.date(2020, 1, 1)]))


def json_err(f):
    try:
        f()
    except Exception as e:  # noqa: BLE001
        return str(e)
    raise AssertionError("no error")


BAD_KEYS = {
    "tuple": lambda: (1, 2),
    "bytes": lambda: b"k",
    "frozenset": lambda: frozenset({1}),
    "date": lambda: datetime.date(2020, 1, 2),
    "decimal": lambda: decimal.Decimal("2"),
    "complex": lambda: 2j,
    "thing": Thing,
    "nested_class": Outer.Inner,
    "type": lambda: str,
    "function": lambda: gen,
    "enum_plain": lambda: enum.Enum("E", "A").A,
}


@pytest.mark.parametrize("kw", KWS, ids=kw_id)
@pytest.mark.parametrize("where", ["only", "first", "last", "nested"])
@pytest.mark.parametrize("kind", list(BAD_KEYS), ids=str)
def test_unsupported_key(kind, where, kw):
    make = BAD_KEYS[kind]
    if where == "only":
        f = lambda: {make(): 1}  # noqa: E731
    elif where == "first":
        f = lambda: {make(): 1, "b": 2}  # noqa: E731
    elif where == "last":
        f = lambda: {"a": 1, make(): 2}  # noqa: E731
    else:
        f = lambda: [{"a": {"b": {make(): 1}}}]  # noqa: E731
    # with sort_keys and another key, sorting fails first (a different TypeError): same check
    check_error(f, **kw)


def test_key_type_names_differ_between_encoders():
    # documents the stdlib behaviour this suite relies on (3.11/3.12: differ; 3.13: same)
    c = json_err(lambda: json.dumps({datetime.date(2020, 1, 1): 1}))
    p = json_err(lambda: json.dumps({datetime.date(2020, 1, 1): 1}, indent=2))
    assert c.startswith("keys must be str, int, float, bool or None, not ")
    assert p.startswith("keys must be str, int, float, bool or None, not ")
    assert json_err(lambda: rjson.dumps({datetime.date(2020, 1, 1): 1})) == c
    assert json_err(lambda: rjson.dumps({datetime.date(2020, 1, 1): 1}, indent=2)) == p


class FloatSub(float):
    pass


class FloatEnum(float, enum.Enum):
    NAN = float("nan")
    INF = float("inf")


NONFINITE = {
    "nan": lambda: float("nan"),
    "inf": lambda: float("inf"),
    "-inf": lambda: float("-inf"),
    "neg_nan": lambda: -float("nan"),
    "sub_nan": lambda: FloatSub("nan"),
    "sub_-inf": lambda: FloatSub("-inf"),
    "enum_inf": lambda: FloatEnum.INF,
}


@pytest.mark.parametrize("kw", KWS, ids=kw_id)
@pytest.mark.parametrize("pos", ["top", "list", "dict_value", "key", "deep_key", "after_ok"])
@pytest.mark.parametrize("kind", list(NONFINITE), ids=str)
def test_allow_nan_false(kind, pos, kw):
    make = NONFINITE[kind]
    f = {
        "top": lambda: make(),
        "list": lambda: [1.5, make()],
        "dict_value": lambda: {"a": make()},
        "key": lambda: {make(): 1},
        "deep_key": lambda: [{"a": [{make(): "v"}]}],
        "after_ok": lambda: {"ok": [0.1, 1e300, -0.0], "bad": make()},
    }[pos]
    check_error(f, allow_nan=False, **kw)


# ---------------------------------------------------------------------------- circular

def _self_list():
    a = [1]
    a.append(a)
    return a


def _self_dict():
    d = {"a": 1}
    d["self"] = d
    return d


def _mutual():
    a, b = [], {}
    a.append(b)
    b["x"] = [a]
    return a


def _through_tuple():
    a = []
    a.append((1, [a]))
    return a


def _deep_cycle():
    root = cur = []
    for _ in range(50):
        nxt = [0]
        cur.append(nxt)
        cur = nxt
    cur.append({"back": root})
    return root


class Loop:
    pass


def _default_same():
    return [Loop()]


class ListIterSelf(list):
    def __iter__(self):
        yield self


class ListIterNestedSelf(list):
    def __iter__(self):
        return iter([1, [self]])


class DictItemsSelf(dict):
    def items(self):
        return (x for x in [("z", 1), ("y", self)])


CIRCULAR = {
    "list_self": (_self_list, None),
    "dict_self": (_self_dict, None),
    "mutual": (_mutual, None),
    "through_tuple": (_through_tuple, None),
    "deep_cycle": (_deep_cycle, None),
    "default_returns_same": (_default_same, lambda o: o),
    "default_returns_list_with_it": (_default_same, lambda o: [1, o]),
    "default_returns_dict_with_it": (_default_same, lambda o: {"k": [o]}),
    "default_top_returns_same": (Loop, lambda o: o),
    "list_iter_yields_self": (lambda: ListIterSelf([1]), None),
    "list_iter_nested_self": (lambda: [ListIterNestedSelf([0])], None),
    "dict_items_yields_self": (lambda: DictItemsSelf(a=1), None),
}


@pytest.mark.parametrize("kw", KWS, ids=kw_id)
@pytest.mark.parametrize("case", list(CIRCULAR), ids=str)
def test_circular(case, kw):
    make, default = CIRCULAR[case]
    if default is not None:
        kw = dict(kw, default=default)
    want = check_error(make, **kw)
    assert want[1] is ValueError and want[2] == "Circular reference detected"


def test_list_iter_yields_self_empty():
    # C encoder (indent=None): circular; Python encoder: `not lst` is True -> "[]"
    for kw in KWS:
        obj = ListIterSelf()
        assert outcome(rjson.dumps, obj, **kw) == outcome(json.dumps, obj, **kw)


def test_default_returning_enclosing_container():
    holder = []
    holder.append(Loop())

    def default(o):
        return holder  # the list being encoded: a cycle through default

    for kw in KWS:
        check_error(lambda: holder, default=default, **kw)


def test_circular_markers_cleaned_after_error():
    # after a failed call the same (now acyclic) object encodes fine
    for kw in KWS:
        a = _self_list()
        check_error(lambda: a, **kw)
        a.pop()
        assert rjson.dumps(a, **kw) == json.dumps(a, **kw)
        d = {"x": [1]}
        bad = [d, object()]
        check_error(lambda: bad, **kw)
        bad.pop()
        assert rjson.dumps(bad, **kw) == json.dumps(bad, **kw)


# ---------------------------------------------------------------------------- sort_keys

MIXED = {
    "int_str": lambda: {1: 1, "a": 2},
    "str_int": lambda: {"a": 2, 1: 1},
    "none_str": lambda: {"a": 1, None: 2},
    "float_str": lambda: {"b": 1, 2.5: 2, "a": 3},
    "bool_str": lambda: {"z": 1, True: 2},
    "many": lambda: {"x": 1, 2: 2, None: 3, 4.5: 4, False: 5, "y": 6},
    "nested": lambda: [{"ok": {"b": 1, "a": 2}}, {"inner": {3: 1, "3": 2}}],
    "tuple_key_skipkeys": lambda: {(1,): 1, "a": 2},
}


@pytest.mark.parametrize("kw", [{}, {"indent": 2}, {"skipkeys": True},
                                {"skipkeys": True, "indent": 0}], ids=kw_id)
@pytest.mark.parametrize("case", list(MIXED), ids=str)
def test_sort_keys_mixed_types(case, kw):
    want = check_error(MIXED[case], sort_keys=True, **kw)
    assert want[1] is TypeError and "not supported between instances of" in want[2]


class LtRaises(str):
    def __lt__(self, other):
        raise ValueError("lt called")

    __gt__ = __lt__
    __hash__ = str.__hash__


def test_sort_keys_comparison_raises():
    for kw in [{}, {"indent": 1}]:
        check_error(lambda: {LtRaises("b"): 1, LtRaises("a"): 2}, sort_keys=True, **kw)


# ---------------------------------------------------------------------------- ints

def test_int_too_many_digits():
    if not hasattr(sys, "get_int_max_str_digits"):
        pytest.skip("no int max str digits limit on this Python")
    limit = sys.get_int_max_str_digits()
    if limit == 0:
        pytest.skip("limit disabled")
    big = 10 ** limit  # limit + 1 digits
    for kw in KWS:
        check_error(lambda: big, **kw)
        check_error(lambda: [1, -big], **kw)
        check_error(lambda: {"a": big}, **kw)
        check_error(lambda: {big: 1}, **kw)


def test_int_limit_lowered():
    if not hasattr(sys, "set_int_max_str_digits"):
        pytest.skip("no int max str digits limit on this Python")
    old = sys.get_int_max_str_digits()
    try:
        sys.set_int_max_str_digits(640)
        n = 10 ** 700
        for kw in KWS:
            check_error(lambda: [n], **kw)
            check_error(lambda: {n: 0}, **kw)
        ok = 10 ** 639
        assert rjson.dumps([ok, {ok: 1}]) == json.dumps([ok, {ok: 1}])
    finally:
        sys.set_int_max_str_digits(old)


# ---------------------------------------------------------------------------- default raising

class MyError(Exception):
    pass


@pytest.mark.parametrize("kw", KWS, ids=kw_id)
@pytest.mark.parametrize("exc_type", [TypeError, ValueError, KeyError, MyError, RuntimeError,
                                      ZeroDivisionError])
def test_default_raises_propagates_unchanged(exc_type, kw):
    for where in ("top", "nested"):
        raised = []

        def default(o):
            e = exc_type("from default", 42)
            raised.append(e)
            raise e

        obj = Thing() if where == "top" else {"a": [1, {"b": Thing()}]}
        with pytest.raises(exc_type) as ei:
            rjson.dumps(obj, default=default, **kw)
        assert len(raised) == 1
        assert ei.value is raised[0], "the exception from default must propagate unchanged"
        assert ei.value.args == ("from default", 42)
        assert ei.value.__cause__ is None
        assert getattr(ei.value, "__notes__", None) == _json_notes(obj, default, kw)


def _json_notes(obj, default, kw):
    try:
        json.dumps(obj, default=default, **kw)
    except Exception as e:  # noqa: BLE001
        return getattr(e, "__notes__", None)
    raise AssertionError("json did not raise")


def test_default_raising_with_cause_and_context():
    def default(o):
        try:
            raise KeyError("inner")
        except KeyError as inner:
            raise MyError("outer") from inner

    with pytest.raises(MyError) as ei:
        rjson.dumps([Thing()], default=default)
    assert isinstance(ei.value.__cause__, KeyError)


def test_default_not_callable():
    for kw in KWS:
        check_error(lambda: [Thing()], default=1, **kw)
        check_error(lambda: [Thing()], default="not callable", **kw)
    # not called, so no error
    assert rjson.dumps([1], default=1) == json.dumps([1], default=1)


def test_default_returning_unsupported():
    for kw in KWS:
        check_error(lambda: [Thing()], default=lambda o: {1, 2} if isinstance(o, Thing) else
                    json.JSONEncoder().default(o), **kw)
        check_error(lambda: {"k": Thing()}, default=lambda o: {(1,): 2}, **kw)
        check_error(lambda: [Thing()], default=lambda o: float("nan"), allow_nan=False, **kw)


# ---------------------------------------------------------------------------- misbehaving subclasses

class ItemsRaise(dict):
    def items(self):
        raise KeyError("items boom")


class ItemsNotPairs(dict):
    def items(self):
        return [("x", 1, 3)]


class ItemsNotTuples(dict):
    def items(self):
        return ["ab"]


class ItemsNotIterable(dict):
    def items(self):
        return 5


class IterRaises(list):
    def __iter__(self):
        raise MyError("iter boom")


@pytest.mark.parametrize("kw", KWS, ids=kw_id)
@pytest.mark.parametrize("cls", [ItemsRaise, ItemsNotPairs, ItemsNotTuples, ItemsNotIterable],
                         ids=lambda c: c.__name__)
def test_dict_items_misbehaving(cls, kw):
    want = outcome(json.dumps, [cls(a=1)], **kw)
    got = outcome(rjson.dumps, [cls(a=1)], **kw)
    assert got == want


@pytest.mark.parametrize("kw", KWS, ids=kw_id)
def test_list_iter_raises(kw):
    check_error(lambda: IterRaises([1, 2]), **kw)
    check_error(lambda: {"a": IterRaises([1])}, **kw)


# ---------------------------------------------------------------------------- mutation inside default

_MUTATION_CHILD = r"""
import gc, json, sys, rjson
class X: pass
def churn():
    # free what was cleared and reuse the memory, so a dangling pointer reads garbage
    gc.collect()
    return [[str(i) * 10, float(i), {str(i): i}] for i in range(5000)]
def run(mod, case, kw):
    if case == "list_append":
        l = [1, X(), 2]; d = lambda o: (l.append(3), "x")[1]; obj = l
    elif case == "list_clear":
        l = [1, X(), 2]; d = lambda o: (l.clear(), "x")[1]; obj = l
    elif case == "list_pop":
        l = [X(), X(), X()]; d = lambda o: (l.pop(), "x")[1]; obj = l
    elif case == "list_replace":
        l = [X(), 1]; d = lambda o: (l.__setitem__(1, X()), "x")[1]; obj = l
    elif case == "list_clear_outer":
        l = [[X(), 1], 2]; d = lambda o: (l.clear(), "x")[1]; obj = l
    elif case == "list_clear_returns_items":
        l = [X(), [1, 2], {"a": 1}]
        def d(o):
            saved = list(l); l.clear(); return saved[1:]
        obj = l
    elif case == "dict_add":
        dd = {"a": X(), "b": 2}; d = lambda o: (dd.__setitem__("c%d" % len(dd), 1), "x")[1]; obj = dd
    elif case == "dict_clear":
        dd = {"a": X(), "b": [2], "c": {"d": 3}}; d = lambda o: (dd.clear(), "x")[1]; obj = dd
    elif case == "dict_pop_other":
        dd = {"a": X(), "b": [2], "c": 3}; d = lambda o: (dd.pop("b"), "x")[1]; obj = dd
    elif case == "dict_replace_values":
        dd = {"a": X(), "b": [2], "c": "s" * 5}
        def d(o):
            for k in list(dd): dd[k] = [k]
            return "x"
        obj = dd
    elif case == "list_clear_gc":
        l = [X(), "s" * 50, ["inner" * 10, 12345678901234567890], {"k" * 20: 2.5}]
        d = lambda o: (l.clear(), churn(), "x")[2]; obj = l
    elif case == "dict_clear_gc":
        dd = {"a": X(), "b": "s" * 50, "c": [1.5] * 3, "d": {"e": "f" * 30}}
        d = lambda o: (dd.clear(), churn(), "x")[2]; obj = dd
    elif case == "dict_replace_gc":
        dd = {"a": X(), "b": "s" * 50, "c": [1.5] * 3, "d": {"e": "f" * 30}}
        def d(o):
            for k in list(dd): dd[k] = None
            churn()
            return "x"
        obj = dd
    elif case == "nested_clear":
        inner = {"k": [X(), 5]}; outer = [inner, inner]
        d = lambda o: (inner.clear(), outer.clear(), "x")[2]; obj = outer
    try:
        r = mod.dumps(obj, default=d, **kw)
        return ("ok", r)
    except Exception as e:
        return ("raise", type(e).__name__, str(e))
case, kw = sys.argv[1], eval(sys.argv[2])
print(repr((run(json, case, kw), run(rjson, case, kw))))
"""

MUTATION_CASES = ["list_append", "list_clear", "list_pop", "list_replace", "list_clear_outer",
                  "list_clear_returns_items", "dict_add", "dict_clear", "dict_pop_other",
                  "dict_replace_values", "nested_clear", "list_clear_gc", "dict_clear_gc",
                  "dict_replace_gc"]


@pytest.mark.parametrize("kw", [{}, {"indent": 1}, {"sort_keys": True}], ids=kw_id)
@pytest.mark.parametrize("case", MUTATION_CASES)
def test_default_mutating_container(case, kw):
    """No crash; either json's result or a clean RuntimeError/ValueError."""
    p = subprocess.run([sys.executable, "-c", _MUTATION_CHILD, case, repr(kw)],
                       capture_output=True, text=True, timeout=120,
                       env=_child_env())
    assert p.returncode == 0, f"child crashed (rc={p.returncode}): {p.stderr[-2000:]}"
    want, got = eval(p.stdout.strip())  # noqa: S307 - our own child's repr output
    if got != want:
        assert got[0] == "raise" and got[1] in ("RuntimeError", "ValueError"), (got, want)


def _child_env():
    import os
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return env


# ---------------------------------------------------------------------------- bad keyword values

BAD_KW = [
    {"indent": 2.0},
    {"indent": 10**20},
    {"indent": -(10**20)},
    {"indent": b"  "},
    {"separators": (1, 2)},
    {"separators": (",",)},
    {"separators": (",", ":", "x")},
    {"separators": 5},
]


@pytest.mark.parametrize("kw", BAD_KW, ids=kw_id)
def test_bad_keyword_values_same_exception_type(kw):
    """Only the exception type is compared: the stdlib's messages come from its internals
    (e.g. "make_encoder() argument 5 must be str, not int")."""
    for obj in ({"a": [1, 2]}, [1]):
        want = outcome(json.dumps, obj, **kw)
        got = outcome(rjson.dumps, obj, **kw)
        assert got[:2] == want[:2], (got, want)


# ---------------------------------------------------------------------------- signature (rjson contract)

def test_unknown_keyword_rejected():
    with pytest.raises(TypeError):
        rjson.dumps([1], bogus=True)
    with pytest.raises(TypeError):
        json.dumps([1], bogus=True)


def test_positional_second_argument_rejected():
    with pytest.raises(TypeError):
        json.dumps([1], True)
    with pytest.raises(TypeError):
        rjson.dumps([1], True)


def test_no_argument_rejected():
    with pytest.raises(TypeError):
        rjson.dumps()

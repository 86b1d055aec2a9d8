"""rjson.loads hook keywords, differential against the running interpreter's json.loads.

Every test runs the same call through json.loads (the oracle) and rjson.loads with
*separate but identical* hooks that record each call (hook name and a canonical image
of the argument, see conftest.canon), then asserts:
  - the results are the same (exact types, float bits, key order, hook results), or the
    same exception (type, str, args, JSONDecodeError fields);
  - the hooks were called in the same order with the same arguments, including the calls
    made before an error (json calls hooks as it parses, so an object completed before a
    syntax error has already been passed to object_hook).

The stdlib semantics pinned here (CPython's C scanner, captured by JSONDecoder.__init__):
object_pairs_hook wins over object_hook; parse_float/parse_int get the number's text;
parse_constant gets 'NaN', 'Infinity', '-Infinity' (never true/false/null); a falsy
parse_float/parse_int/parse_constant means the default (JSONDecoder uses `x or default`);
strict=False allows control characters in strings; unknown keywords go to the decoder
class; a hook raising StopIteration(v) turns into "Expecting value" at v (raw_decode).
"""

import collections
import decimal
import gc
import inspect
import json
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rjson
from conftest import canon, image

HYP = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))


# ---------------------------------------------------------------------------
# Recording hooks

def _rec(name, log, result):
    def hook(arg):
        log.append((name, canon(arg)))
        return result(arg)
    hook.__name__ = hook.__qualname__ = "rec_" + name
    return hook


def _const(value):
    return lambda log: value


class FloatSub(float):
    """parse_float=FloatSub: json calls it (only the float type itself is the fast path)."""


class IntSub(int):
    pass


class StrSub(str):
    pass


OBJECT_HOOKS = {
    "same": lambda log: _rec("object_hook", log, lambda d: d),
    "tagged": lambda log: _rec("object_hook", log, lambda d: ("obj", len(d), d)),
    "odict": lambda log: _rec("object_hook", log, collections.OrderedDict),
    "none": lambda log: _rec("object_hook", log, lambda d: None),
    "dict_type": _const(dict),
}
PAIRS_HOOKS = {
    "same": lambda log: _rec("object_pairs_hook", log, lambda p: p),
    "tagged": lambda log: _rec("object_pairs_hook", log, lambda p: ("pairs", p)),
    "dict_type": _const(dict),
    "odict_type": _const(collections.OrderedDict),
    "tuple_type": _const(tuple),
}
FLOAT_HOOKS = {
    "Decimal": _const(decimal.Decimal),
    "float": _const(float),
    "str": _const(str),
    "rec_float": lambda log: _rec("parse_float", log, float),
    "rec_decimal": lambda log: _rec("parse_float", log, decimal.Decimal),
    "float_sub": _const(FloatSub),
}
INT_HOOKS = {
    "float": _const(float),
    "str": _const(str),
    "Decimal": _const(decimal.Decimal),
    "int": _const(int),
    "rec_int": lambda log: _rec("parse_int", log, int),
    "rec_tag": lambda log: _rec("parse_int", log, lambda s: ("int", s)),
    "int_sub": _const(IntSub),
    "bool": _const(bool),
}
CONST_HOOKS = {
    "str": _const(str),
    "Decimal": _const(decimal.Decimal),
    "rec_tag": lambda log: _rec("parse_constant", log, lambda s: ("const", s)),
    "rec_none": lambda log: _rec("parse_constant", log, lambda s: None),
    "float": _const(float),
}
HOOKS = {
    "object_hook": OBJECT_HOOKS,
    "object_pairs_hook": PAIRS_HOOKS,
    "parse_float": FLOAT_HOOKS,
    "parse_int": INT_HOOKS,
    "parse_constant": CONST_HOOKS,
}


def make_kw(spec, log):
    """The loads keywords of a hook spec ({keyword: variant name or value}), with the
    recording hooks appending to ``log``."""
    kw = {}
    for name, variant in spec.items():
        kw[name] = HOOKS[name][variant](log) if name in HOOKS else variant
    return kw


def _first_diff(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def assert_same_log(got, want, context=""):
    if got != want:
        i = _first_diff(got, want)
        raise AssertionError(
            f"hook calls differ{context} at call #{i} (rjson made {len(got)} calls, json "
            f"{len(want)}): rjson {got[i:i + 3]!r:.600} ; json {want[i:i + 3]!r:.600}")


def check(doc, spec, oracle_doc=None):
    """rjson.loads(doc, **hooks) == json.loads(doc, **hooks): result and hook calls."""
    jlog, rlog = [], []
    want = image(json.loads, doc if oracle_doc is None else oracle_doc, **make_kw(spec, jlog))
    got = image(rjson.loads, doc, **make_kw(spec, rlog))
    ctx = f" for loads({doc!r:.200}, {spec!r})"
    assert got == want, f"outcomes differ{ctx}:\n rjson {got!r:.800}\n json  {want!r:.800}"
    assert_same_log(rlog, jlog, ctx)
    return want, jlog


# ---------------------------------------------------------------------------
# Documents: generated as text so that they can hold duplicate keys, every
# number spelling, raw control characters (valid only with strict=False) and
# arbitrary whitespace.

WS = st.sampled_from(["", "", "", " ", "\n", " \t", "\r\n  "])
string_tokens = st.one_of(
    st.builds(lambda s, a: json.dumps(s, ensure_ascii=a), st.text(max_size=6), st.booleans()),
    st.sampled_from(['""', '"a"', '"\\u00e9"', '"\\ud800"', '"\\ud83d\\ude00"',
                     '"\\n\\t\\"\\\\\\/"', '"\u00e9\U0001f600"']),
    st.text(alphabet="ab\x00\x01\t\n\x1f\x7f \u00e9", max_size=4).map(lambda s: '"%s"' % s),
)
key_tokens = st.sampled_from(['"a"', '"b"', '"a"', '"\\u0061"', '"k\\u00e9"', '""']) | string_tokens
number_tokens = st.one_of(
    st.integers(-(10 ** 30), 10 ** 30).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.from_regex(r"-?(0|[1-9][0-9]{0,22})(\.[0-9]{1,18})?([eE][-+]?[0-9]{1,3})?",
                  fullmatch=True),
)
const_tokens = st.sampled_from(["NaN", "Infinity", "-Infinity", "true", "false", "null"])
scalar_tokens = st.one_of(string_tokens, number_tokens, const_tokens)


def _array(parts):
    items, ws = parts
    return "[" + ws + ("," + ws).join(items) + ws + "]"


def _object(parts):
    pairs, ws = parts
    return "{" + ws + ("," + ws).join(k + ws + ":" + ws + v for k, v in pairs) + ws + "}"


docs = st.recursive(
    scalar_tokens,
    lambda kids: st.one_of(
        st.tuples(st.lists(kids, max_size=5), WS).map(_array),
        st.tuples(st.lists(st.tuples(key_tokens, kids), max_size=5), WS).map(_object),
    ),
    max_leaves=25,
).flatmap(lambda d: WS.map(lambda w: w + d + w))

# Broken documents: cut somewhere and/or followed by junk.
bad_docs = st.tuples(docs, st.integers(0, 10 ** 6),
                     st.sampled_from(["", "x", ",", "]", "}", '"', "1", " ", ":", "[", "{"])).map(
    lambda t: t[0][: t[1] % (len(t[0]) + 1)] + t[2])

hook_specs = st.fixed_dictionaries({}, optional={
    "object_hook": st.sampled_from(sorted(OBJECT_HOOKS)),
    "object_pairs_hook": st.sampled_from(sorted(PAIRS_HOOKS)),
    "parse_float": st.sampled_from(sorted(FLOAT_HOOKS)),
    "parse_int": st.sampled_from(sorted(INT_HOOKS)),
    "parse_constant": st.sampled_from(sorted(CONST_HOOKS)),
    "strict": st.booleans(),
})

ALL_RECORDING = {"object_hook": "tagged", "parse_float": "rec_float", "parse_int": "rec_tag",
                 "parse_constant": "rec_tag"}


@HYP
@given(doc=docs, spec=hook_specs)
def test_hypothesis_hooks(doc, spec):
    check(doc, spec)


@HYP
@given(doc=bad_docs, spec=hook_specs)
def test_hypothesis_hooks_broken_docs(doc, spec):
    """Hook calls made before a syntax error, and the error itself, are json's."""
    check(doc, spec)


@settings(HYP, max_examples=60)
@given(doc=docs)
def test_hypothesis_all_hooks_recording(doc):
    check(doc, ALL_RECORDING)
    check(doc, dict(ALL_RECORDING, object_pairs_hook="tagged"))
    check(doc, dict(ALL_RECORDING, strict=False))


@settings(HYP, max_examples=60)
@given(doc=docs, spec=hook_specs)
def test_hypothesis_hooks_bytes(doc, spec):
    data = doc.encode("utf-8", "surrogatepass")
    check(data, spec)
    check(bytearray(data), spec)
    check(doc.encode("utf-16", "surrogatepass"), spec)


# ---------------------------------------------------------------------------
# Corpus with recording hooks (light logs: the number texts and key tuples)

def test_corpus_hooks(corpus_path):
    text = corpus_path.read_text(encoding="utf-8")

    def hooks(log):
        def pairs(p):
            log.append(("pairs", tuple(k for k, _ in p)))
            return dict(p)

        def obj(d):
            log.append(("obj", tuple(d)))
            return d

        def num(s):
            log.append(s)
            return s

        return [dict(object_pairs_hook=pairs, parse_float=num, parse_int=num, parse_constant=num),
                dict(object_hook=obj, parse_float=decimal.Decimal, parse_int=float)]

    jlogs, rlogs = [], []
    for jkw, rkw in zip(hooks(jlogs), hooks(rlogs)):
        want = json.loads(text, **jkw)
        got = rjson.loads(text, **rkw)
        # a fast exact image: Decimals by repr, floats by repr (so 1 != 1.0), key order kept
        assert json.dumps(got, default=repr) == json.dumps(want, default=repr), \
            f"{corpus_path.name}: results differ with {sorted(rkw)}"
        assert_same_log(rlogs, jlogs, f" for {corpus_path.name}")
        del jlogs[:], rlogs[:]


# ---------------------------------------------------------------------------
# Specific semantics

NESTED = ('{"a": {"b": [1, 2.5, {"c": NaN}], "b": {}}, "d": [{"e": -Infinity}, '
          '{"f": {"g": {"h": [true, false, null, Infinity]}}}], "a": 1e400}')


def test_object_pairs_hook_wins_over_object_hook():
    jlog, rlog = [], []
    want = json.loads(NESTED, object_hook=_rec("object_hook", jlog, lambda d: d),
                      object_pairs_hook=_rec("object_pairs_hook", jlog, lambda p: p))
    got = rjson.loads(NESTED, object_hook=_rec("object_hook", rlog, lambda d: d),
                      object_pairs_hook=_rec("object_pairs_hook", rlog, lambda p: p))
    assert canon(got) == canon(want)
    assert rlog == jlog
    assert {name for name, _ in rlog} == {"object_pairs_hook"}
    # one call per object, inner objects first, duplicate keys kept in document order
    assert len(rlog) == 8
    assert type(got) is list and [k for k, _ in got] == ["a", "d", "a"]


@pytest.mark.parametrize("spec", [
    {"object_hook": "tagged"}, {"object_pairs_hook": "tagged"},
    {"object_hook": "tagged", "object_pairs_hook": "same"},
    {"object_hook": "odict"}, {"object_pairs_hook": "odict_type"},
    {"object_pairs_hook": "tuple_type"}, {"object_hook": "none"},
], ids=repr)
@pytest.mark.parametrize("doc", [NESTED, "{}", "[{}, {}, [{}]]", '{"": {"": {"": {}}}}',
                                 '{"a": 1, "a": 2, "b": 3, "a": 4}', "[[[[{}]]]]", "1"])
def test_object_hooks(doc, spec):
    check(doc, spec)


@pytest.mark.parametrize("doc", [
    "1.1", "-0.0", "[1e400, -1e400, 1E-5, 1e-400, 0.1000000000000000055511151231257827]",
    '{"x": 3.141592653589793238462643383279502884197}', "[1.0, 10.0e0, 1.5E+3, 2]",
    "123456789012345678901234567890.5", "[NaN, 1.5]",
])
def test_parse_float_decimal(doc):
    want, _ = check(doc, {"parse_float": "Decimal"})
    check(doc, {"parse_float": "rec_decimal"})
    check(doc, {"parse_float": "str"})
    assert want[0] == "ok"
    got = rjson.loads(doc, parse_float=decimal.Decimal)
    assert canon(got) == canon(json.loads(doc, parse_float=decimal.Decimal))


@pytest.mark.parametrize("doc", ["[1, -0, 0, 123456789012345678901234567890, -5]", "7",
                                 '{"a": [1, 2.5, 3e2, -4]}', "-0", "[" + "9" * 4000 + "]"])
@pytest.mark.parametrize("hook", ["float", "str", "Decimal", "rec_int", "rec_tag"])
def test_parse_int(doc, hook):
    check(doc, {"parse_int": hook})
    check(doc, {"parse_int": hook, "parse_float": "str"})


def test_parse_int_float_and_str_types():
    assert canon(rjson.loads("[1, -0, 10]", parse_int=float)) == canon([1.0, -0.0, 10.0])
    assert canon(rjson.loads("[1, -0, 10]", parse_int=str)) == canon(["1", "-0", "10"])
    assert canon(rjson.loads("[1.5, 2]", parse_float=str)) == canon(["1.5", 2])


@pytest.mark.parametrize("doc", ["NaN", "Infinity", "-Infinity", "[NaN, Infinity, -Infinity]",
                                 '{"a": NaN, "b": [-Infinity, true, false, null]}',
                                 "[true, false, null]", "[-Infinity, -1, -1.5]"])
@pytest.mark.parametrize("hook", sorted(CONST_HOOKS))
def test_parse_constant(doc, hook):
    _, log = check(doc, {"parse_constant": hook})
    # never called for true/false/null
    assert all(c[1][1] in ("NaN", "Infinity", "-Infinity") for c in log)


@pytest.mark.parametrize("kw", [
    {"parse_float": 0}, {"parse_float": ""}, {"parse_int": 0}, {"parse_int": False},
    {"parse_constant": 0}, {"parse_constant": ""}, {"parse_float": None, "parse_int": None},
    {"object_hook": 0}, {"object_hook": ""}, {"object_pairs_hook": 0}, {"object_hook": 1},
    {"object_pairs_hook": "x"}, {"parse_float": 1}, {"parse_int": 1}, {"parse_constant": 1},
    {"object_hook": None, "object_pairs_hook": None, "parse_constant": None},
], ids=repr)
@pytest.mark.parametrize("doc", ['[1, 2.5, NaN, {"a": -Infinity}]', "[]", "{}", "1.5", "-0"])
def test_falsy_and_non_callable_hooks(doc, kw):
    """json: falsy parse_* mean the default; object hooks are called if not None."""
    assert image(rjson.loads, doc, **kw) == image(json.loads, doc, **kw)


def test_hook_results_are_used_as_is():
    shared = ["shared"]
    for kw in ({"parse_float": lambda s: shared}, {"parse_int": lambda s: shared},
               {"object_hook": lambda d: shared}, {"object_pairs_hook": lambda p: shared},
               {"parse_constant": lambda s: shared}):
        doc = '[1, 2.5, NaN, {"a": 1}, {}]'
        got = rjson.loads(doc, **kw)
        want = json.loads(doc, **kw)
        assert canon(got) == canon(want)
        assert [x is shared for x in got] == [x is shared for x in want]


def test_hook_arguments_are_fresh_and_exact():
    """object_hook gets an exact dict, object_pairs_hook an exact list of 2-tuples,
    parse_* an exact str; keeping them after the call is safe."""
    kept = {"rjson": [], "json": []}
    for lib, mod in (("rjson", rjson), ("json", json)):
        k = kept[lib]
        mod.loads('[{"a": [1.5, 2]}, {"b": NaN}]',
                  object_pairs_hook=lambda p: (k.append(p), p)[1],
                  parse_float=lambda s: (k.append(s), s)[1],
                  parse_int=lambda s: (k.append(s), s)[1],
                  parse_constant=lambda s: (k.append(s), s)[1])
    gc.collect()
    assert canon(kept["rjson"]) == canon(kept["json"])
    for r, j in zip(kept["rjson"], kept["json"]):
        assert type(r) is type(j)
        if isinstance(j, list):
            assert sys.getrefcount(r) == sys.getrefcount(j), f"refcount of hook argument {r!r}"


def test_hooks_mutating_their_arguments():
    def make(log):
        def oh(d):
            d["added"] = len(d)
            log.append(("oh", canon(d)))
            return d

        def ph(p):
            p.append(("added", len(p)))
            p.reverse()
            log.append(("ph", canon(p)))
            return dict(p)

        return oh, ph

    for doc in (NESTED, '[{"a": 1, "a": 2}, {}]', '{"x": {"y": {}}}'):
        jlog, rlog = [], []
        joh, jph = make(jlog)
        roh, rph = make(rlog)
        assert image(rjson.loads, doc, object_hook=roh) == image(json.loads, doc, object_hook=joh)
        assert image(rjson.loads, doc, object_pairs_hook=rph) == \
            image(json.loads, doc, object_pairs_hook=jph)
        assert_same_log(rlog, jlog)


def test_reentrant_hooks():
    """A hook may call loads again (per-module state must survive re-entry)."""
    def make(mod, log):
        def oh(d):
            inner = mod.loads('{"inner": [%d, 2.5, {"k": "v"}]}' % len(d),
                              object_hook=lambda e: ("in", e), parse_float=str)
            log.append(("oh", canon(d)))
            return [d, inner]

        def pf(s):
            log.append(("pf", s))
            return mod.loads("[%s]" % s)

        return dict(object_hook=oh, parse_float=pf)

    doc = '{"a": {"b": 1.5, "c": {"d": [2.25, {}]}}, "e": "\\u00e9"}'
    jlog, rlog = [], []
    want = json.loads(doc, **make(json, jlog))
    got = rjson.loads(doc, **make(rjson, rlog))
    assert canon(got) == canon(want)
    assert rlog == jlog


@pytest.mark.skipif("array_hook" not in inspect.signature(json.JSONDecoder.__init__).parameters,
                    reason="this Python's json has no array_hook")
@pytest.mark.parametrize("doc", [NESTED, "[]", "[[], [[]], {}]", '{"a": [1, [2]]}', "[1, [2,"])
def test_array_hook(doc):
    def make(log):
        return dict(array_hook=_rec("array_hook", log, lambda a: ("arr", a)))

    for extra in ({}, {"object_hook": "tagged"}, {"object_pairs_hook": "same"}):
        jlog, rlog = [], []
        jkw, rkw = make(jlog), make(rlog)
        jkw.update(make_kw(extra, jlog))
        rkw.update(make_kw(extra, rlog))
        assert image(rjson.loads, doc, **rkw) == image(json.loads, doc, **jkw)
        assert_same_log(rlog, jlog)


# ---------------------------------------------------------------------------
# Hooks raising

class HookError(Exception):
    pass


class HookBaseError(BaseException):
    pass


RAISERS = {
    "ValueError": lambda: ValueError("boom"),
    "custom": lambda: HookError("custom", 1),
    "KeyError": lambda: KeyError("k"),
    "TypeError": lambda: TypeError("hook type error"),
    "JSONDecodeError": lambda: json.JSONDecodeError("from hook", "the doc", 2),
    "MemoryError": lambda: MemoryError(),
    "StopIteration_int": lambda: StopIteration(1),
    "StopIteration_none": lambda: StopIteration(),
    "StopIteration_str": lambda: StopIteration("x"),
    "StopIteration_big": lambda: StopIteration(10 ** 6),
}
RAISE_DOCS = [
    '[1, 2.5, {"a": NaN, "b": [3, 4.5, {}]}, -Infinity, {"z": 7}]',
    '{"x": {"y": {"z": 1}}, "w": 1e5, "v": Infinity}',
    '[1, 2.5, {"a": NaN}, {}, -Infinity, 3, x',  # syntax error after the hook calls
    ' \n [{"a": 1.5}, 2, NaN] ',
]
RAISE_KINDS = ["object_hook", "object_pairs_hook", "parse_float", "parse_int", "parse_constant"]


def _raising(kind, make_exc, nth, log, raised):
    calls = [0]

    def hook(arg):
        calls[0] += 1
        log.append((kind, canon(arg)))
        if calls[0] == nth:
            raised.append(make_exc())
            raise raised[-1]
        return arg
    return hook


def _chain(exc):
    return (type(exc.__cause__), type(exc.__context__), exc.__suppress_context__)


@pytest.mark.parametrize("nth", [1, 2])
@pytest.mark.parametrize("raiser", list(RAISERS))
@pytest.mark.parametrize("kind", RAISE_KINDS)
def test_hook_raises(kind, raiser, nth):
    for doc in RAISE_DOCS:
        jlog, rlog, jraised, rraised = [], [], [], []
        want = image(json.loads, doc, **{kind: _raising(kind, RAISERS[raiser], nth, jlog, jraised)})
        got = image(rjson.loads, doc, **{kind: _raising(kind, RAISERS[raiser], nth, rlog, rraised)})
        ctx = f" for loads({doc!r}, {kind}=<raises {raiser} at call {nth}>)"
        assert got == want, f"outcomes differ{ctx}:\n rjson {got!r:.600}\n json  {want!r:.600}"
        assert_same_log(rlog, jlog, ctx)
        assert len(rraised) == len(jraised)
        if jraised and not raiser.startswith("StopIteration"):
            # the hook's exception object itself propagates, with no chaining added
            try:
                rjson.loads(doc, **{kind: _raising(kind, RAISERS[raiser], nth, [], rraised)})
            except Exception as exc:  # noqa: BLE001
                assert exc is rraised[-1], f"a different exception object{ctx}: {exc!r}"
                assert _chain(exc) == _chain(jraised[0]) == (type(None), type(None), False), ctx
            else:
                raise AssertionError(f"no exception{ctx}")


@pytest.mark.parametrize("kind", RAISE_KINDS)
def test_hook_raises_base_exception(kind):
    """A BaseException (not Exception) from a hook propagates unchanged too."""
    for mod in (json, rjson):
        raised = []
        hook = _raising(kind, lambda: HookBaseError("base"), 1, [], raised)
        with pytest.raises(HookBaseError) as info:
            mod.loads(RAISE_DOCS[0], **{kind: hook})
        assert info.value is raised[0], mod.__name__
    # and rjson still works afterwards
    assert rjson.loads(RAISE_DOCS[1]) == json.loads(RAISE_DOCS[1])


def test_stop_iteration_from_hook_details():
    """json.raw_decode turns a StopIteration escaping the scanner into 'Expecting value'
    at its value: pin a few outcomes exactly (compared, whatever they are)."""
    for doc in ["[1, 2]", "[1.5]", "{}", "NaN", "1", '{"a": [1]}']:
        for value in (0, 3, -1, 100, None, "x", 2.5):
            def stop(arg, value=value):
                raise StopIteration(value)
            for kind in RAISE_KINDS:
                assert image(rjson.loads, doc, **{kind: stop}) == \
                    image(json.loads, doc, **{kind: stop}), (doc, value, kind)


# ---------------------------------------------------------------------------
# strict

STRICT_DOCS = ['"\x00"', '"a\x1fb"', '{"\t": "\n"}', '["\r", "\x7f", "\x1f\x01"]',
               '{"k\x00": {"\x0b": ["\x0c"]}}', '"\\u0000\x00"', '"ok"', '"\x00',
               '["a\x00", 1.5, NaN]', "[\"\x80\x9f\"]"]


@pytest.mark.parametrize("strict", [True, False, 0, 1, "", "yes", None, [], [0]], ids=repr)
@pytest.mark.parametrize("doc", STRICT_DOCS, ids=repr)
def test_strict(doc, strict):
    check(doc, {"strict": strict})
    check(doc.encode("utf-8"), {"strict": strict})
    check(doc, {"strict": strict, "object_pairs_hook": "tagged", "parse_float": "rec_decimal",
                "parse_constant": "rec_tag"})


def test_strict_bool_raising():
    class Bad:
        def __bool__(self):
            raise ValueError("no truth")

    for doc in ('"\x00"', '"a"', "[", "1"):
        assert image(rjson.loads, doc, strict=Bad()) == image(json.loads, doc, strict=Bad())


# ---------------------------------------------------------------------------
# Keywords: unknown ones, order of checks

@pytest.mark.parametrize("doc", ["[1]", "[1", "\ufeff[1]", b"[1]", b"\xff[1]", 5, None,
                                 bytearray(b"{}")], ids=repr)
@pytest.mark.parametrize("kw", [
    {"foo": 1}, {"foo": 1, "object_hook": dict}, {"indent": 2}, {"strict": False, "bar": None},
    {"encoding": "utf-8"}, {"cls": json.JSONDecoder, "foo": 1}, {"cls": None, "foo": 1},
    {"s": "x"}, {"idx": 0},
], ids=repr)
def test_unknown_keywords(doc, kw):
    """Unknown keywords go to the decoder class: TypeError from its __init__, raised
    after the input type / BOM / encoding checks."""
    assert image(rjson.loads, doc, **kw) == image(json.loads, doc, **kw)


def test_unknown_keyword_message():
    with pytest.raises(TypeError) as r:
        rjson.loads("1", foo=1)
    with pytest.raises(TypeError) as j:
        json.loads("1", foo=1)
    assert str(r.value) == str(j.value)


def test_hooks_passed_as_none_are_no_hooks():
    doc = '[1, 2.5, NaN, {"a": {}}]'
    kw = dict(cls=None, object_hook=None, parse_float=None, parse_int=None, parse_constant=None,
              object_pairs_hook=None)
    assert image(rjson.loads, doc, **kw) == image(json.loads, doc)


# ---------------------------------------------------------------------------
# cls=

def make_decoder_cls(base, log):
    class Dec(base):
        def __init__(self, **kw):
            log.append(("init", [(k, getattr(v, "__name__", None) if callable(v) else canon(v))
                                 for k, v in kw.items()]))
            super().__init__(**kw)

        def decode(self, s, *args, **kw):
            log.append(("decode", canon(s), args, sorted(kw)))
            return super().decode(s, *args, **kw)

        def raw_decode(self, s, *args, **kw):
            log.append(("raw_decode", canon(s), args, kw))
            return super().raw_decode(s, *args, **kw)

    return Dec


CLS_DOCS = [NESTED, "[1, 2.5]", " {} ", "[1,", b'{"a": 1.5}', '{"a": 1.5}'.encode("utf-16"),
            bytearray(b"[NaN]"), "\ufeff[1]", b"\xef\xbb\xbf[1]", "[1] x", "", b"\xff",
            StrSub('{"sub": [1.5]}'), StrSub("\ufeff[]")]


@pytest.mark.parametrize("doc", CLS_DOCS, ids=repr)
@pytest.mark.parametrize("spec", [{}, ALL_RECORDING, {"object_pairs_hook": "tagged"},
                                  {"strict": False}, {"strict": False, "parse_int": "str"}],
                         ids=repr)
@pytest.mark.parametrize("base", ["json", "rjson"])
def test_cls(doc, spec, base):
    """cls(**kw).decode(s) with the keyword order of json.loads, s decoded from bytes."""
    jlog, rlog = [], []
    jcls = make_decoder_cls(json.JSONDecoder, jlog)
    rcls = make_decoder_cls(json.JSONDecoder if base == "json" else rjson.JSONDecoder, rlog)
    want = image(json.loads, doc, cls=jcls, **make_kw(spec, jlog))
    got = image(rjson.loads, doc, cls=rcls, **make_kw(spec, rlog))
    assert got == want
    assert_same_log(rlog, jlog)


@pytest.mark.parametrize("base", ["json", "rjson"])
def test_cls_extra_keywords(base):
    """Extra keywords reach cls.__init__ (before the hooks, in call order)."""
    class Dec((json if base == "json" else rjson).JSONDecoder):
        def __init__(self, *, flavour, **kw):
            self.flavour = flavour
            seen.append((flavour, list(kw)))
            super().__init__(**kw)

        def decode(self, s):
            return [self.flavour, super().decode(s)]

    seen = []
    got = rjson.loads("[1.5]", cls=Dec, parse_float=str, flavour="x", strict=False,
                      object_hook=dict)
    assert got == ["x", ["1.5"]]
    want_seen = list(seen)
    del seen[:]
    assert json.loads("[1.5]", cls=Dec, parse_float=str, flavour="x", strict=False,
                      object_hook=dict) == got
    assert seen == want_seen == [("x", ["strict", "object_hook", "parse_float"])]
    # missing keyword: the class's own TypeError
    assert image(rjson.loads, "1", cls=Dec) == image(json.loads, "1", cls=Dec)


def test_cls_not_a_class():
    """json only calls cls(**kw).decode(s): any callable returning a decoder works."""
    def factory(**kw):
        return json.JSONDecoder(parse_int=str, **kw)

    for kw in ({}, {"parse_float": str}, {"strict": False}):
        assert image(rjson.loads, "[1, 2.5]", cls=factory, **kw) == \
            image(json.loads, "[1, 2.5]", cls=factory, **kw)


def test_cls_decode_result_returned_as_is():
    class Weird(json.JSONDecoder):
        def decode(self, s):
            return (b"not json", s)

    assert rjson.loads(b"[1]", cls=Weird) == json.loads(b"[1]", cls=Weird) == (b"not json", "[1]")
    assert image(rjson.loads, 5, cls=Weird) == image(json.loads, 5, cls=Weird)


# ---------------------------------------------------------------------------
# bytes input with hooks

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                                      "utf-32", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("spec", [ALL_RECORDING, {"object_pairs_hook": "tagged",
                                                  "parse_float": "Decimal", "strict": False}],
                         ids=["all", "pairs"])
def test_bytes_with_hooks(encoding, spec):
    doc = '{"\u00e9": [1, 2.5, NaN, {"\U0001f600": -Infinity}], "x\x00": "\x01"}'
    data = doc.encode(encoding)
    check(data, spec)
    check(bytearray(data), spec)
    check(data[:-3], spec)


def test_bytes_invalid_utf8_with_hooks():
    for data in (b'["\xff", 1.5]', b'[1.5, {"a": 2}, "\xed\xa0\x80"]', b"[1.5, \xc3"):
        check(data, ALL_RECORDING)
        check(data, {"object_pairs_hook": "tagged", "strict": False})


# ---------------------------------------------------------------------------
# Reference counts around hook calls

N_CALLS = 30
_GRAVEYARD = []


class Marker:
    def __init__(self, tag):
        self.tag = tag


def fresh(tag):
    return "%s_%d_%s" % (tag, id(object()) % 1000, "y" * 3)


def assert_flat(objs, call, expect=None, n=N_CALLS):
    gc.collect()
    before = [sys.getrefcount(o) for o in objs]
    for _ in range(n):
        if expect is None:
            r = call()
            del r
        else:
            with pytest.raises(expect):
                call()
    gc.collect()
    after = [sys.getrefcount(o) for o in objs]
    if before != after:
        _GRAVEYARD.append(objs)
        raise AssertionError("refcounts changed after %d calls (index, before, after): %r" % (
            n, [(i, b, a) for i, (b, a) in enumerate(zip(before, after)) if b != a]))


def _refcount_doc():
    return ('{"%s": [1, 2.5, -0.0, 1e400, NaN, -Infinity, "s\\u00e9", {"k": [7, 8.5]}], '
            '"big": 123456789012345678901234567890, "n": [[[{"a": {"b": [1]}}]]], "x": {}}'
            % fresh("key"))


def _hook_set():
    m_obj, m_pairs, m_float, m_int, m_const = (Marker(i) for i in range(5))

    def object_hook(d):
        return m_obj

    def object_pairs_hook(p):
        return m_pairs

    def parse_float(s):
        return m_float

    def parse_int(s):
        return m_int

    def parse_constant(s):
        return m_const

    hooks = dict(object_hook=object_hook, object_pairs_hook=object_pairs_hook,
                 parse_float=parse_float, parse_int=parse_int, parse_constant=parse_constant)
    return hooks, [m_obj, m_pairs, m_float, m_int, m_const] + list(hooks.values())


@pytest.mark.parametrize("which", ["object_hook", "object_pairs_hook", "parse_float",
                                   "parse_int", "parse_constant", "all", "all_but_pairs"])
def test_refcount_hooks_and_results(which):
    hooks, objs = _hook_set()
    if which == "all_but_pairs":
        del hooks["object_pairs_hook"]
    elif which != "all":
        hooks = {which: hooks[which]}
    doc = _refcount_doc()
    data = doc.encode()
    assert canon(rjson.loads(doc, **hooks)) == canon(json.loads(doc, **hooks))
    assert_flat(objs + [doc], lambda: rjson.loads(doc, **hooks))
    assert_flat(objs + [data], lambda: rjson.loads(data, **hooks))


@pytest.mark.parametrize("kind", RAISE_KINDS)
def test_refcount_hook_raising(kind):
    msg = fresh("err")
    calls = [0]
    keep = Marker("kept")

    def hook(arg):
        calls[0] += 1
        if calls[0] % 2 == 0:
            raise HookError(msg)  # a new exception each time: a re-raised one grows its traceback
        return keep

    doc = _refcount_doc()

    def call():
        calls[0] = 0
        rjson.loads(doc, **{kind: hook})

    # the hook is called twice at least per loads: the second call raises
    assert_flat([msg, hook, keep, doc], call, expect=HookError)


def test_refcount_decoder_instance_and_cls():
    hooks, objs = _hook_set()
    dec = rjson.JSONDecoder(**hooks)
    doc = _refcount_doc()
    assert_flat(objs + [dec, doc], lambda: dec.decode(doc))
    assert_flat(objs + [dec, doc], lambda: dec.raw_decode(doc))
    cls = type("Dec", (rjson.JSONDecoder,), {})
    assert_flat(objs + [cls, doc], lambda: rjson.loads(doc, cls=cls, **hooks))


def test_hooks_no_gc_growth():
    hooks, _ = _hook_set()
    doc = _refcount_doc()
    bad = doc[:-2]

    def run(n):
        for _ in range(n):
            rjson.loads(doc, **hooks)
            rjson.loads(doc, parse_float=decimal.Decimal, object_hook=lambda d: d)
            try:
                rjson.loads(bad, object_pairs_hook=list)
            except ValueError:
                pass

    run(20)
    gc.collect()
    n0 = len(gc.get_objects())
    run(300)
    gc.collect()
    assert len(gc.get_objects()) - n0 < 100

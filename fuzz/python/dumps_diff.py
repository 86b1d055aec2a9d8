"""Differential fuzzing of `rjson.dumps` (and `dump`) against `json.dumps` (`json.dump`) on
objects built from the fuzz input with keyword combinations: the same text, or the same
exception (type and message).

Objects mix every type the encoder handles (dict, list, tuple, str with any code point
including lone surrogates, ints of any size, special floats, bool, None, subclasses of
them), keys of every coercible type and some that are not, unknown objects for `default`,
and now and then a reference cycle.

    python fuzz/python/dumps_diff.py CORPUS_DIR -max_total_time=60

The generator's own functions are instrumented: the shapes it has built are atheris'
coverage (rjson itself is not instrumented), so the corpus keeps inputs that build new
shapes.
"""

import io
import json
import sys

import atheris

from common import assert_same_outcome, outcome, run

import rjson


class IntSub(int):
    pass


class FloatSub(float):
    pass


class StrSub(str):
    pass


class ListSub(list):
    pass


class DictSub(dict):
    pass


class Unknown:
    def __init__(self, n):
        self.n = n


def default_ok(o):
    if isinstance(o, Unknown):
        return [o.n, str(o.n)]
    if isinstance(o, (set, frozenset)):
        return sorted(o, key=repr)
    raise TypeError(f"no default for {type(o).__name__}")


def default_raises(o):
    raise ValueError(f"refused {type(o).__name__}")


FLOATS = [0.0, -0.0, 1e-7, 1e16, 1.5, float("nan"), float("inf"), float("-inf"), 5e-324, 1.7976931348623157e308]
SEPARATORS = [None, (",", ":"), (", ", ": "), (",\n", " = "), ("", ""), ("\u00e9", "\U0001f600")]
INDENTS = [None, 0, 2, "\t", "", " \u2028 ", -1]
DEFAULTS = [None, default_ok, default_raises]


@atheris.instrument_func
def text(fdp):
    kind = fdp.ConsumeIntInRange(0, 3)
    n = fdp.ConsumeIntInRange(0, 40)
    if kind == 0:
        return fdp.ConsumeUnicodeNoSurrogates(n)
    if kind == 1:
        return fdp.ConsumeUnicode(n)  # surrogates included
    if kind == 2:
        return "".join(chr(fdp.ConsumeIntInRange(0, 0x10FFFF)) for _ in range(n % 8))
    return "a\"\\\n\x00\x7f\u2028" * (n % 5)


@atheris.instrument_func
def scalar(fdp):
    choice = fdp.ConsumeIntInRange(0, 12)
    if choice == 0:
        return None
    if choice == 1:
        return fdp.ConsumeBool()
    if choice == 2:
        return fdp.ConsumeInt(fdp.ConsumeIntInRange(1, 8))
    if choice == 3:
        return fdp.ConsumeInt(fdp.ConsumeIntInRange(9, 600))  # big ints
    if choice == 4:
        return fdp.ConsumeRegularFloat()
    if choice == 5:
        return fdp.PickValueInList(FLOATS)
    if choice == 6:
        return IntSub(fdp.ConsumeInt(4))
    if choice == 7:
        return FloatSub(fdp.PickValueInList(FLOATS))
    if choice == 8:
        return StrSub(text(fdp))
    if choice == 9:
        return Unknown(fdp.ConsumeIntInRange(0, 9))
    if choice == 10:
        return fdp.ConsumeFloat()
    return text(fdp)


@atheris.instrument_func
def key(fdp):
    choice = fdp.ConsumeIntInRange(0, 9)
    if choice == 0:
        return fdp.ConsumeInt(4)
    if choice == 1:
        return fdp.PickValueInList(FLOATS)
    if choice == 2:
        return fdp.PickValueInList([True, False, None])
    if choice == 3:
        return (1, 2)  # not a valid key: TypeError or skipped
    if choice == 4:
        return StrSub(text(fdp))
    return text(fdp)


@atheris.instrument_func
def value(fdp, depth):
    choice = fdp.ConsumeIntInRange(0, 9)
    if depth > 6 or choice < 5:
        return scalar(fdp)
    n = fdp.ConsumeIntInRange(0, 6)
    if choice == 5:
        return [value(fdp, depth + 1) for _ in range(n)]
    if choice == 6:
        return tuple(value(fdp, depth + 1) for _ in range(n))
    if choice == 7:
        return ListSub(value(fdp, depth + 1) for _ in range(n))
    container = DictSub() if fdp.ConsumeBool() else {}
    for _ in range(n):
        container[key(fdp)] = value(fdp, depth + 1)
    return container


@atheris.instrument_func
def test_one_input(data):
    fdp = atheris.FuzzedDataProvider(data)
    kwargs = {
        "skipkeys": fdp.ConsumeBool(),
        "ensure_ascii": fdp.ConsumeBool(),
        "check_circular": fdp.ConsumeBool(),
        "allow_nan": fdp.ConsumeBool(),
        "sort_keys": fdp.ConsumeBool(),
        "indent": fdp.PickValueInList(INDENTS),
        "separators": fdp.PickValueInList(SEPARATORS),
        "default": fdp.PickValueInList(DEFAULTS),
    }
    to_file = fdp.ConsumeBool()
    cycle = fdp.ConsumeIntInRange(0, 15) == 0
    obj = value(fdp, 0)
    # A cycle: ValueError with check_circular, else both sides hit the recursion limit.
    if cycle and isinstance(obj, list):
        obj.append(obj)
    elif cycle and isinstance(obj, dict):
        obj["self"] = obj
    if to_file:
        def dump(lib):
            out = io.StringIO()
            lib.dump(obj, out, **kwargs)
            return out.getvalue()

        want, got = outcome(dump, json), outcome(dump, rjson)
    else:
        want, got = outcome(json.dumps, obj, **kwargs), outcome(rjson.dumps, obj, **kwargs)
    assert_same_outcome(got, want, (obj, kwargs))


if __name__ == "__main__":
    # Low enough that a cycle written with an indent (json's pure-Python encoder: its indent
    # grows with the depth, so the work is quadratic) reaches it in well under libFuzzer's
    # timeout under ASan; at 1000, json alone took over 20 s on such inputs.
    sys.setrecursionlimit(300)
    run(test_one_input)

"""orjson-face loads against the real orjson: the same values (exact types, float bits, key
order) and the same errors. Outcomes (value or error kind) are compared everywhere; orjson's
exact messages and positions are compared in the tests named *_messages."""

import json
import random
import struct
import sys

import pytest

from conftest import CONFORMANCE_DIR
from orjson_face import S, call, check_loads, oracle

PARSING_DIR = CONFORMANCE_DIR / "JSONTestSuite" / "test_parsing"
PARSING_FILES = sorted(PARSING_DIR.glob("*.json")) if PARSING_DIR.is_dir() else []


def loads_ok(doc):
    want = check_loads(doc)
    assert want[0] == "ok", f"orjson raised {want[1]!r}"
    return want[1]


def loads_err(doc, message=True):
    want = check_loads(doc, message=message)
    assert want[0] == "raise", f"orjson returned {want[1]!r}"
    return want[1]


def as_all_types(doc):
    """doc as bytes, bytearray, memoryview and (when it is valid UTF-8) str."""
    b = doc.encode("utf-8", "surrogatepass") if isinstance(doc, str) else doc
    out = [b, bytearray(b), memoryview(b)]
    try:
        out.append(b.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    return out


VALUES = {
    "literals": b"[true,false,null]", "empty": b"[[],{},\"\"]", "ws": b" \t\n\r[ 1 , { \"a\" : 2 } ] \n",
    "strings": '["\u00e9", "\u20ac", "\U0001f600", "\\u00e9\\ud83d\\ude00\\u0000", "\\b\\f\\n\\r\\t\\"\\\\\\/", "\x7f"]'.encode(),
    "key order": b'{"b":1,"a":2,"c":{"z":1,"y":2}}', "duplicate keys, last wins": b'{"a":1,"b":2,"a":3}',
    "ints": b"[0,-0,1,-1,9007199254740993,18446744073709551615,-9223372036854775808]",
    "ints past 64 bits become floats": b"[18446744073709551616,-9223372036854775809,123456789012345678901234567890]",
    "floats": b"[0.0,-0.0,1.5,1e2,1E2,1e-7,0.1,2.5e-5,1.7976931348623157e308,5e-324,4.9e-324,1e-400,2.2250738585072011e-308]",
    "float rounding": b"[0.30000000000000004,9007199254740993.0,1e23,8.98846567431158e307,1.00000000000000011102230246251565]",
    "long numbers": b"[1." + b"1" * 400 + b",0." + b"0" * 400 + b"1," + b"1" * 19 + b"." + b"5" * 30 + b"]",
    "uppercase hex escape": b'"\\u00C9\\uABCD"', "long string": b'"' + b"x" * 100000 + b'"',
    "non-ASCII long": ('"' + "\u00e9\u4e2d\U0001f600" * 3000 + '"').encode(),
    "many keys": b"{" + b",".join(b'"k%d":%d' % (i, i) for i in range(3000)) + b"}",
    "nested": b'{"a":[{"b":[[],{"c":null}]}]}',
}


@pytest.mark.parametrize("doc", VALUES.values(), ids=VALUES.keys())
def test_values(doc):
    for d in as_all_types(doc):
        loads_ok(d)


def test_values_exact():
    assert loads_ok(b'{"a":1,"b":2,"a":3}') == {"a": 3, "b": 2}
    v = loads_ok(b"[18446744073709551615,18446744073709551616,-0,-0.0]")
    assert v == [18446744073709551615, 1.8446744073709552e19, 0, -0.0]
    assert [type(x) for x in v] == [int, float, int, float]
    assert struct.pack("<d", v[3]) == struct.pack("<d", -0.0)


def test_repeated_keys_are_equal_strs():
    v = S.loads(b'[{"key":1},{"key":2}]')
    assert list(v[0]) == list(v[1]) == ["key"]


def test_corpus(corpus_path):
    data = corpus_path.read_bytes()
    for d in as_all_types(data):
        loads_ok(d)


def test_random_floats_bit_exact():
    rng = random.Random(6)
    floats = [struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0] for _ in range(3000)]
    text = json.dumps([f for f in floats if f == f and abs(f) != float("inf")])
    loads_ok(text.encode())
    digits = [f"{rng.randrange(10**rng.randrange(1, 25))}.{rng.randrange(10**rng.randrange(1, 25))}e{rng.randrange(-330, 310)}"
              for _ in range(3000)]
    for start in range(0, len(digits), 100):
        check_loads(("[" + ",".join(digits[start:start + 100]) + "]").encode())


def test_random_ints():
    rng = random.Random(6)
    ints = [rng.randrange(-(2**70), 2**70) >> rng.randrange(70) for _ in range(3000)]
    loads_ok(json.dumps(ints).encode())


# ---------------------------------------------------------------------------------------
# strictness and errors, with orjson's messages

ERRORS = {
    "NaN": (b"NaN", "unexpected character, expected a JSON value", 0),
    "Infinity": (b"Infinity", "unexpected character, expected a JSON value", 0),
    "-Infinity": (b"-Infinity", "no digit after sign", 1),
    "[NaN]": (b"[NaN]", "unexpected character, expected a JSON value", 1),
    "nan": (b"nan", "invalid literal, expected 'null'", 0),
    "UTF-8 BOM": (b"\xef\xbb\xbf[1]", "UTF-8 byte order mark (BOM) is not supported", 0),
    "BOM in str": ("\ufeff[1]", "UTF-8 byte order mark (BOM) is not supported", 0),
    "lone high surrogate escape": (b'"\\ud800"', "no low surrogate in string", 1),
    "lone low surrogate escape": (b'"\\udc00"', "invalid high surrogate in string", 1),
    "high surrogate then x": (b'"\\ud800x"', "no low surrogate in string", 1),
    "trailing comma in list": (b"[1,]", "trailing comma is not allowed", 2),
    "trailing comma in object": (b'{"a":1,}', "trailing comma is not allowed", 6),
    "leading zero": (b"[01]", "number with leading zero is not allowed", 1),
    "-01": (b"-01", "number with leading zero is not allowed", 1),
    "1.": (b"[1.]", "no digit after decimal point", 3),
    ".1": (b"[.1]", "no digit after sign", 1),
    "+1": (b"[+1]", "no digit after sign", 1),
    "1e": (b"[1e]", "no digit after exponent sign", 3),
    "--1": (b"--1", "no digit after sign", 1),
    "[-]": (b"[-]", "no digit after sign", 2),
    "1e400": (b"1e400", "number is infinity when parsed as double", 0),
    "-1e400": (b"-1e400", "number is infinity when parsed as double", 0),
    "1.8e308": (b"[1.8e308]", "number is infinity when parsed as double", 1),
    "400 nines": (b"9" * 400, "number is infinity when parsed as double", 0),
    "tab in string": (b'"\t"', "unexpected control character in string", 1),
    "NUL in string": (b'"\x00"', "unexpected control character in string", 1),
    "0x1f in string": (b'"\x1f"', "unexpected control character in string", 1),
    "single quotes": (b"'a'", "unexpected character, expected a JSON value", 0),
    "content after": (b"[1] x", "unexpected content after document", 4),
    "NUL after": (b"[1]\x00", "unexpected content after document", 3),
    "two documents": (b"[1]\n[2]", "unexpected content after document", 4),
    "1 2": (b"1 2", "unexpected content after document", 2),
    "int key": (b"{1:2}", "unexpected character, expected a string key", 1),
    "missing colon": (b'{"a" 1}', "unexpected character, expected ':' after key", 5),
    "missing comma": (b"[true false]", "unexpected character, expected ',' or ']'", 6),
    "tru": (b"tru", "unexpected end of data", 3),
    "bad escape": (b'"\\x"', "invalid escaped sequence in string", 1),
    "short u escape": (b'"\\u12"', "invalid escaped sequence in string", 1),
    "unterminated string": (b'"abc', "unexpected end of data", 4),
    "[": (b"[", "unexpected end of data", 1),
    "{": (b"{", "unexpected end of data", 1),
    '{"a":': (b'{"a":', "unexpected end of data", 5),
    "-": (b"-", "unexpected end of data", 1),
    "form feed": (b"\x0c1", "unexpected character, expected a JSON value", 0),
    "NUL": (b"\x00", "unexpected character, expected a JSON value", 0),
    "empty bytes": (b"", "Input is a zero-length, empty document", 0),
    "empty str": ("", "Input is a zero-length, empty document", 0),
    "whitespace only": (b"   \n", "input data is empty", 0),
    "line and column": (b"[1,\n2,\n x]", "unexpected character, expected a JSON value", 8),
    "position counts characters": ('["\u00e9\U0001f600", x]'.encode(), "unexpected character, expected a JSON value", 7),
    "nbsp in str": ("\xa01", "unexpected character, expected a JSON value", 0),
    # numbers: where the digit is missing; the end of the input where it ends there
    "1.e5": (b"1.e5", "no digit after decimal point", 2),
    "00": (b"[00]", "number with leading zero is not allowed", 1),
    "-.5": (b"-.5", "no digit after sign", 1),
    "1. at the end": (b"1.", "unexpected end of data", 2),
    "1e+ at the end": (b"[1e+", "unexpected end of data", 4),
    "0e]": (b"[0e]", "no digit after exponent sign", 3),
    "1.5.3": (b"[1.5.3]", "unexpected character, expected ',' or ']'", 4),
    "number then letter": (b"12a", "unexpected content after document", 2),
    "20 digits then more": (b"[123456789012345678901.]", "no digit after decimal point", 23),
    # literals: a cut-short one is the end of the input
    "tr]": (b"[tr]", "invalid literal, expected 'true'", 1),
    "[tru": (b"[tru", "unexpected end of data", 4),
    "falsy": (b"falsy", "invalid literal, expected 'false'", 0),
    "nul at the end of an object": (b'{"a":nul', "unexpected end of data", 8),
    # structure
    "missing comma in object": (b'{"a":1 "b":2}', "unexpected character, expected ',' or '}'", 7),
    "bracket closing an object": (b'{"a":1]', "unexpected character, expected ',' or '}'", 6),
    "brace closing an array": (b"[1}", "unexpected character, expected ',' or ']'", 2),
    "two strings": (b'["a" "b"]', "unexpected character, expected ',' or ']'", 5),
    "two commas": (b"[1,,2]", "unexpected character, expected a JSON value", 3),
    "comma in empty object": (b"{,}", "unexpected character, expected a string key", 1),
    "two commas in object": (b'{"a":1,,}', "unexpected character, expected a string key", 7),
    "trailing comma before whitespace": (b"[1 ,\n ]", "trailing comma is not allowed", 3),
    "trailing comma inside": (b'[{"a":1,}]', "trailing comma is not allowed", 7),
    "key then the end": (b'{"a" ', "unexpected end of data", 5),
    "closed too often": (b"[]]", "unexpected content after document", 2),
    "garbage after whitespace": (b"  1  x", "unexpected content after document", 5),
    "NUL between items": (b"[1,\x00]", "unexpected character, expected a JSON value", 3),
    # strings and escapes: positions at the backslash, the end where an escape is cut short
    "invalid low surrogate": (b'"\\ud800\\u0041"', "invalid low surrogate in string", 1),
    "bad hex in the low escape": (b'["\\ud800\\uzzzz"]', "invalid escape in string", 2),
    "high surrogate at the end": (b'"\\ud800', "unexpected end of data", 7),
    "pair cut short": (b'"\\ud800\\udc', "unexpected end of data", 11),
    "low escape cut short, not a low surrogate": (b'"\\ud800\\ud7', "invalid escape in string", 1),
    "escape cut short": (b'"\\u12', "unexpected end of data", 5),
    "backslash at the end": (b'"\\', "unexpected end of data", 2),
    "bad escape after text": ('"\u00e9\\x"'.encode(), "invalid escaped sequence in string", 2),
    "control character after an escape": (b'"\\n\x01"', "unexpected control character in string", 3),
    "escaped pair then the end": (b'"\\ud83d\\ude00', "unexpected end of data", 13),
}


@pytest.mark.parametrize("doc,msg,pos", ERRORS.values(), ids=ERRORS.keys())
def test_errors(doc, msg, pos):
    for d in as_all_types(doc):
        loads_err(d, message=False)


@pytest.mark.parametrize("doc,msg,pos", ERRORS.values(), ids=ERRORS.keys())
def test_errors_messages(doc, msg, pos):
    for d in as_all_types(doc):
        exc = loads_err(d)
        assert (exc.msg, exc.pos) == (msg, pos)


UTF8_ERRORS = {
    "encoded surrogate": b'"\xed\xa0\x80"', "0xff": b'"\xff"', "truncated": b'"\xc3"', "overlong": b'"\xc0\x80"',
    "bare 0xff": b"\xff", "latin-1 nbsp": b"\xa01", "after a valid document": b'"\xe9" x',
    "deep inside": b'[1,2,{"a":"ok","b":"\xfe"}]', "in a key": b'{"\xff":1}',
    # the parse itself refuses these: a document read to its end is not checked again
    "an encoded surrogate in a key": b'{"a\xed\xbf\xbf":1}', "an encoded surrogate mid-string": b'["\\n\xc3\xa9\xed\xb0\x80x"]',
    # invalid UTF-8 is found before a BOM (a fuzzing find)
    "after a BOM": b"\xef\xbb\xbf{\xf0\x9f\x87]", "a surrogate after a BOM": b"\xef\xbb\xbf\xed\xa0\x80",
}


@pytest.mark.parametrize("doc", UTF8_ERRORS.values(), ids=UTF8_ERRORS.keys())
def test_invalid_utf8(doc):
    for d in (doc, bytearray(doc), memoryview(doc)):
        loads_err(d, message=False)


@pytest.mark.parametrize("doc", UTF8_ERRORS.values(), ids=UTF8_ERRORS.keys())
def test_invalid_utf8_messages(doc):
    exc = loads_err(doc)
    assert (exc.msg, exc.pos, exc.doc) == ("str is not valid UTF-8: surrogates not allowed", 0, "")


@pytest.mark.parametrize("doc", ['"\ud800"', '["a", "\udfff"]', '{"\ud83d": 1}', '"\ud83d\ude00"'], ids=repr)
def test_str_input_with_lone_surrogates(doc):
    exc = loads_err(doc)
    assert (exc.msg, exc.pos, exc.doc) == ("str is not valid UTF-8: surrogates not allowed", 0, "")


def test_surrogate_pairs_in_escapes():
    assert loads_ok(b'"\\ud83d\\ude00\\ud800\\udc00"') == "\U0001f600\U00010000"
    assert loads_ok('"\U0001f600"') == "\U0001f600"


# ---------------------------------------------------------------------------------------
# nesting: 1024 levels

@pytest.mark.parametrize("depth", [1, 500, 1023, 1024, 1025, 2000, 100000])
def test_depth(depth):
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 5000))  # comparing the results recurses in Python
    try:
        want = check_loads(b"[" * depth + b"]" * depth, message=False)
        check_loads(b'{"a":' * depth + b"1" + b"}" * depth, message=False)
        half = depth // 2
        check_loads(b'[{"a":' * half + b"1" + b"}]" * half, message=False)
    finally:
        sys.setrecursionlimit(limit)
    assert (want[0] == "ok") == (depth <= 1024)


def test_depth_messages():
    exc = loads_err(b"[" * 1025 + b"]" * 1025)
    assert (exc.msg, exc.pos) == ("depth limit exceeded", 1025)
    exc = loads_err(b'{"a":' * 1025 + b"1" + b"}" * 1025)
    assert (exc.msg, exc.pos) == ("depth limit exceeded", 5121)


def test_unclosed_deep_input():
    # orjson's message for these is an artefact ("failed to allocate memory"): outcome only
    for depth in (10, 1000, 1024, 1025, 2000):
        loads_err(b"[" * depth, message=False)
        loads_err(b"[" * depth + b"x", message=False)


# ---------------------------------------------------------------------------------------
# JSONTestSuite

@pytest.mark.skipif(not PARSING_FILES, reason=f"{PARSING_DIR} is missing")
def test_jsontestsuite_outcomes():
    failures = []
    for path in PARSING_FILES:
        data = path.read_bytes()
        try:
            check_loads(data, message=False)
        except AssertionError as e:
            failures.append(f"{path.name}: {e}")
    assert not failures, "\n".join(failures)


@pytest.mark.skipif(not PARSING_FILES, reason=f"{PARSING_DIR} is missing")
def test_jsontestsuite_messages():
    failures = []
    for path in PARSING_FILES:
        data = path.read_bytes()
        if data.count(b"[") > 1000:  # the unclosed-deep-input artefact above
            continue
        try:
            check_loads(data)
        except AssertionError as e:
            failures.append(f"{path.name}: {e}")
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------------------------
# round trips

def test_round_trip_of_dumps_output():
    obj = {"a": [1, 2.5, -0.0, "\u00e9\x00", None, True, {"b": []}], "c": 2**63, "d": 1e-7, "e": 1e16}
    for option in (0, oracle.OPT_INDENT_2, oracle.OPT_APPEND_NEWLINE | oracle.OPT_SORT_KEYS):
        text = S.dumps(obj, option=option)
        assert text == oracle.dumps(obj, option=option)
        loads_ok(text)
    assert call(S.loads, S.dumps(obj)) == ("ok", obj)

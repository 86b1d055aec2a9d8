"""rjson.loads on valid input: differential tests against the stdlib ``json``.

The running interpreter's ``json.loads`` is the oracle everywhere: every test
computes the expected result (value or exception) with it.
"""

import array
import codecs
import gc
import json
import math
import os
import subprocess
import sys
import textwrap
import threading
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rjson
from conftest import SMALL_THREAD_STACK, SOLE_REFCOUNT, assert_same, assert_same_outcome, check_loads, float_bits, outcome

HYPO = settings(deadline=None, max_examples=300, suppress_health_check=list(HealthCheck))


def check_all_input_types(text):
    """``text`` (a str) as str, UTF-8 bytes, bytearray and memoryviews."""
    check_loads(text)
    data = text.encode("utf-8", "surrogatepass")
    check_loads(data)
    check_loads(bytearray(data), data)
    check_loads(memoryview(data), data)
    check_loads(memoryview(bytearray(data)), data)


# ---------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------

def test_corpus(corpus_path):
    data = corpus_path.read_bytes()
    expected = json.loads(data)
    text = data.decode(json.detect_encoding(data))
    assert_same(json.loads(text), expected)
    assert_same(rjson.loads(data), expected)
    assert_same(rjson.loads(text), expected)
    assert_same(rjson.loads(bytearray(data)), expected)
    assert_same(rjson.loads(memoryview(data)), expected)
    assert_same(rjson.loads(memoryview(bytearray(data))), expected)


def test_corpus_indented_and_ascii(corpus_path):
    """The same values serialized differently (whitespace, \\u escapes) still parse."""
    value = json.loads(corpus_path.read_bytes())
    text = json.dumps(value, indent="\t", separators=(" ,\r\n", " : "), ensure_ascii=True)
    assert_same(rjson.loads(text), json.loads(text))
    text = json.dumps(value, ensure_ascii=False)
    assert_same(rjson.loads(text.encode("utf-8", "surrogatepass")), json.loads(text))


# ---------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------

NUMBERS = [
    "0", "-0", "1", "-1", "0.0", "-0.0", "0e0", "0E0", "-0e0", "0e-0", "0e+0", "0.0e0",
    "1E+2", "1e+2", "1e-2", "1E2", "1.5", "-1.5", "123456789", "-123456789",
    "1e400", "-1e400", "1e-400", "-1e-400", "1e308", "1.7976931348623157e308",
    "1.7976931348623158e308", "1.7976931348623159e308", "-1.7976931348623159e308",
    "2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308",
    "4.9406564584124654e-324", "5e-324", "2.4703282292062327e-324",
    "2.4703282292062328e-324", "1.5e-320", "-1.5e-320", "1e-320", "3e-310",
    "0.1", "0.2", "0.3", "0.30000000000000004", "1.1", "2.675", "1.0000000000000002",
    "9007199254740992", "9007199254740993", "9007199254740993.0", "9007199254740995.0",
    "9007199254740993.000000000000000000000000000001", "18014398509481985.0",
    "0.1000000000000000055511151231257827021181583404541015625",
    "0.1000000000000000055511151231257827021181583404541015624",
    "0.1000000000000000055511151231257827021181583404541015626",
    "123456789012345678901234567890e-30", "1" + "0" * 400 + ".0", "0." + "0" * 400 + "1",
    "1" + "0" * 308, "1" + "0" * 309 + ".5", "1e99999999999999999999", "1e-99999999999999999999",
    "0e99999999999999999999", "-0e-99999999999999999999", "1.0e+0000000000000000000001",
    "18446744073709551615", "18446744073709551616", "-9223372036854775808",
    "-9223372036854775809", "9223372036854775807", "9223372036854775808",
    "4294967295", "4294967296", "2147483647", "2147483648", "-2147483649",
    str(2 ** 64), str(2 ** 64 - 1), str(-(2 ** 64)), str(2 ** 63), str(-(2 ** 63) - 1),
    str(10 ** 100), str(-(10 ** 100)), str(2 ** 1000), "1" * 100,
    "1.5e+10", "1.5E-10", "123.456e78", "-0.000001", "1e1", "1e01", "1e001",
    "100000000000000000000000.0", "1.23456789012345678901234567890",
    "7.2057594037927933e16", "8.98846567431158e307", "4.4501477170144023e-308",
    "2.9802322387695312e-8", "1e23", "8.533e+68", "4.1006e-184", "9.998e+307",
    "9.9538452227e-280", "6.47660115e-260", "7.4e+47", "5.92e+48", "7.35e+66", "8.32116e+55",
]

BAD_NUMBERS = [
    "01", "-01", "00", "1.", "-1.", "1.e1", ".5", "-.5", "1e", "1e+", "1e-", "1E+-2", "+1", "--1",
    "- 1", "1.5.5", "0x10", "1_000", "1e1.5", "Infinity1", "-", "-e1", "1ee2", "1.5e", "0.e1",
    "\u0661", "１", "1\u0660", "nan", "inf", "-inf", "-NaN", "+Infinity", "infinity", "NAN",
]


@pytest.mark.parametrize("num", NUMBERS + BAD_NUMBERS)
def test_number(num):
    check_all_input_types(num)
    check_all_input_types(f"[{num}]")
    check_all_input_types(f' {{"k" : {num} , "x":[ {num},{num} ]}}\n')
    check_all_input_types(f"[{num}, -{num}, {num}1, {num}0]")


def test_negative_zero_bits():
    for doc in ("-0.0", "-0e0", "-0.0e+12", "-1e-400", "[-0.0]"):
        want, got = json.loads(doc), rjson.loads(doc)
        if isinstance(want, list):
            want, got = want[0], got[0]
        assert type(got) is float
        assert math.copysign(1.0, got) == -1.0
        assert float_bits(got) == float_bits(want)
    assert type(rjson.loads("-0")) is int and rjson.loads("-0") == 0


def test_subnormals_exact():
    for doc in ("1.5e-320", "5e-324", "4.9e-324", "2.5e-324", "2.4e-324", "1e-310", "2.225073858507201e-308"):
        assert float_bits(rjson.loads(doc)) == float_bits(json.loads(doc)) == float_bits(float(doc))


@pytest.mark.parametrize("ndigits", [4299, 4300, 4301, 5000])
@pytest.mark.parametrize("sign", ["", "-"])
@pytest.mark.parametrize("wrap", ["{}", "[{}]", '{{"a": {}}}', "[1, {}, 2", "[{}.5]", "[{}e1]", "[{}, x"])
def test_int_max_str_digits(ndigits, sign, wrap):
    doc = wrap.format(sign + "7" * ndigits)
    check_loads(doc)
    check_loads(doc.encode())


@pytest.mark.parametrize("limit", [0, 640, 5000])
def test_int_max_str_digits_follows_sys_setting(limit):
    old = sys.get_int_max_str_digits()
    try:
        sys.set_int_max_str_digits(limit)
        for n in (639, 640, 641, 4300, 4301, 5000, 5001, 6000):
            check_loads("-" + "9" * n)
            check_loads(("[" + "9" * n + "]").encode())
    finally:
        sys.set_int_max_str_digits(old)


@given(st.integers() | st.integers(min_value=-(10 ** 80), max_value=10 ** 80))
@HYPO
def test_hypothesis_ints(n):
    check_loads(str(n))
    check_loads(f"[{n}]".encode())


@given(st.floats(allow_nan=False))
@HYPO
def test_hypothesis_float_repr(x):
    for text in (repr(x), json.dumps(x), "%.17g" % x, "%.20e" % x, "%.3e" % x):
        if "inf" in text:
            continue
        check_loads(text)
        check_loads(f"[{text}]".encode())


NUMBER_RE = r"-?(0|[1-9][0-9]{0,40})(\.[0-9]{1,40})?([eE][+-]?[0-9]{1,4})?"


@given(st.from_regex(NUMBER_RE, fullmatch=True))
@settings(HYPO, max_examples=150)
def test_hypothesis_number_grammar(text):
    check_loads(text)
    check_loads(text.encode())


@given(st.text(alphabet="0123456789-+.eE", min_size=1, max_size=25))
@HYPO
def test_hypothesis_number_like_junk(text):
    check_loads(text)
    check_loads(f"[{text}]".encode())


# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("doc", [
    "NaN", "Infinity", "-Infinity", "[NaN, Infinity, -Infinity]", '{"a": NaN}',
    "true", "false", "null", "[true,false,null]", " true ", "NaN ", "[-Infinity]",
    "[NaN,NaN]", "-NaN", "NaNa", "Infinityx", "truex", "true1", "nulll", "True", "None",
    "tRue", "[nul]", "[-Infinit]", "Inf", "-I", "[true false]",
])
def test_constants(doc):
    check_all_input_types(doc)


def test_constant_types():
    r = rjson.loads("[NaN, Infinity, -Infinity, true, false, null]")
    assert type(r[0]) is float and math.isnan(r[0])
    assert r[1] == math.inf and type(r[1]) is float
    assert r[2] == -math.inf and type(r[2]) is float
    assert r[3] is True and r[4] is False and r[5] is None


# ---------------------------------------------------------------------------
# Strings
# ---------------------------------------------------------------------------

STRINGS = [
    '""', '"a"', '"abc"', r'"\"\\\/\b\f\n\r\t"', r'"a\"b\\c\/d\be\ff\ng\rh\ti"',
    r'"\u0000"', r'"\u001f"', r'"\u0020"', r'"\u007f"', r'"\u0080"', r'"\u00ff"', r'"\u0100"',
    r'"\u07ff"', r'"\u0800"', r'"\uffff"', r'"\uFFFE"', r'"\uFeFf"', r'"\u00E9\u00e9"',
    r'"\ud800"', r'"\udfff"', r'"\udc00"', r'"\ud800\udc00"', r'"\udbff\udfff"',
    r'"\uD83D\uDE00"', r'"\ud83d\ude00x"', r'"\udc00\ud800"', r'"\ud800\u0041"',
    r'"\ud800\ud800\udc00"', r'"\ud800\udc00\udc00"', r'"\ud800x"', r'"\ud800\n"',
    r'"\ud800\\"', r'"\ud800\"\udc00"', r'"\ud800\u"', r'"\ud800\u00"', r'"\ud800\udc0"',
    r'"\ud800\uzzzz"', r'"\ud800\\udc00"', r'"x\ud800"', r'"\udbff"', r'"\ud7ff\ue000"',
    r'"\u0041\u0042"', r'"a\u0000b"', r'"\/"', '"/"',
    '"é"', '"ÿ"', '"\u0100"', '"€"', '"\uffff"', '"😀"', '"\U0010ffff"', '"\x7f"',
    '"aé€😀"', '"é\\n€\\t😀"', '"😀\\u00e9"', '"\\u20ac€"', '"\u00e9' * 3 + '"',
    '"\ud800"', '"\udc00\ud800"', '"\ud800\udc00"', '"\udfff"', '"a\ud800b"',
    '"' + "x" * 1000 + '"', '"' + "é" * 1000 + '"', '"' + "😀" * 1000 + '"',
    '"' + "\\n" * 1000 + '"', '"' + "\\ud83d\\ude00" * 300 + '"', '"' + "a\\\"" * 500 + '"',
    '"' + "".join(chr(c) for c in range(0x20, 0x3000) if c not in (0x22, 0x5C) and not 0xD800 <= c < 0xE000) + '"',
    '"' + "".join("\\u%04x" % c for c in range(0, 0x800)) + '"',
]


@pytest.mark.parametrize("doc", STRINGS)
def test_string(doc):
    check_all_input_types(doc)
    check_all_input_types(f"[{doc}, {doc}]")
    check_all_input_types(f'{{{doc}: {doc}}}')


def test_string_surrogates_exact():
    r = rjson.loads(r'["\ud800", "\ud800\udc00", "\udc00\ud800", "\ud800\u0041"]')
    assert r == ["\ud800", "\U00010000", "\udc00\ud800", "\ud800A"]
    assert [len(s) for s in r] == [1, 1, 2, 2]
    # UTF-8-encoded surrogates in bytes: json decodes with surrogatepass, no joining.
    r = rjson.loads(b'"\xed\xa0\x80\xed\xb0\x80"')
    assert r == json.loads(b'"\xed\xa0\x80\xed\xb0\x80"') == "\ud800\udc00"
    assert rjson.loads('"\ud800\udc00"') == "\ud800\udc00"


ESCAPE_PIECES = st.sampled_from([
    '\\"', "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0000", "\\u00e9", "\\u20AC",
    "\\ud83d", "\\ude00", "\\uD800", "\\uDFFF", "\\udbff", "\\udc00",
])
HEX_ESCAPE = st.builds(lambda n, up: ("\\u%04X" if up else "\\u%04x") % n,
                       st.integers(0, 0xFFFF) | st.integers(0xD800, 0xDFFF), st.booleans())
ANY_CHAR = st.characters() | st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
RAW_CHAR = ANY_CHAR.filter(lambda c: c not in '"\\' and c >= " ")


@given(st.lists(ESCAPE_PIECES | HEX_ESCAPE | RAW_CHAR, max_size=20))
@HYPO
def test_hypothesis_string_literals(pieces):
    doc = '"' + "".join(pieces) + '"'
    check_loads(doc)
    check_loads(doc.encode("utf-8", "surrogatepass"))
    check_loads(f'{{{doc}: [{doc}]}}'.encode("utf-8", "surrogatepass"))


# ---------------------------------------------------------------------------
# Whitespace, containers, duplicate keys
# ---------------------------------------------------------------------------

WS_DOCS = [
    " 1", "1 ", "\t1\t", "\n1\n", "\r1\r", " \t\n\r[ \t\n\r1 \t\n\r, \t\n\r2 \t\n\r] \t\n\r",
    '{ "a" : 1 , "b" : [ ] }', '\r\n{\r\n"a"\r\n:\r\n1\r\n}\r\n', "[\n\n\n]",
    "\x0b1", "1\x0c", "\xa01", "1\xa0", "\u20281", "[1,\u3000 2]", "\ufeff1", " \ufeff1", "[\ufeff]",
    "\x001", "1\x00", "\x85 1", "\u00a0", "[1\x0b]",
]


@pytest.mark.parametrize("doc", WS_DOCS)
def test_whitespace(doc):
    check_all_input_types(doc)


@pytest.mark.parametrize("doc", [
    "[]", "{}", " [ ] ", "{ }", "[[]]", "[{}]", '{"a":{}}', '{"a":[]}', "[[], {}, [[]], [{}]]",
    '""', '{"": ""}', '{"":{"":{"":[]}}}', "[" * 100 + "]" * 100, '{"a":' * 100 + "1" + "}" * 100,
    "[" + ",".join(["[]"] * 1000) + "]", "[" + ",".join(["{}"] * 1000) + "]",
])
def test_containers(doc):
    check_all_input_types(doc)


@pytest.mark.parametrize("doc", [
    '{"a":1,"b":2,"a":3}', '{"a":1,"a":2,"a":3}', '{"a":1,"\\u0061":2}', '{"b":1,"a":2,"b":3,"a":4,"c":5}',
    '{"é":1,"\\u00e9":2,"e\\u0301":3}', '{"\\ud800":1,"\\ud800":2}', '[{"a":1,"a":[]},{"a":2}]',
    '{"a":{"x":1},"a":{"y":2}}', '{"1":1,"01":2,"1":3}', '{"":1,"":2}',
    '{' + ",".join(f'"k{i % 7}":{i}' for i in range(100)) + '}',
])
def test_duplicate_keys(doc):
    check_all_input_types(doc)


def test_duplicate_key_position():
    r = rjson.loads('{"a":1,"b":2,"a":3}')
    assert list(r.items()) == [("a", 3), ("b", 2)]


def test_many_keys_and_items():
    obj = {f"key{i}": [i, str(i), i / 7] for i in range(20000)}
    for text in (json.dumps(obj), json.dumps(list(obj.items()))):
        assert_same(rjson.loads(text), json.loads(text))
        assert_same(rjson.loads(text.encode()), json.loads(text))


def test_concurrent_threads():
    docs = [json.dumps({"k%d" % i: [i, i / 3, "é€😀" * (i % 5), None, {"x": [True]}] for i in range(300)}),
            DOC_BYTES, "[" + ",".join(str(2 ** i) for i in range(200)) + "]", '"\\ud83d\\ude00\\ud800"']
    docs.append(docs[0].encode("utf-16"))
    expected = [json.loads(d) for d in docs]
    errors = []

    def work():
        try:
            for _ in range(30):
                for d, e in zip(docs, expected):
                    assert_same(rjson.loads(d), e)
                check_loads('[1, "é", ')
                check_loads(b'["\xff"]')
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]


def test_results_are_fresh_objects():
    a, b = rjson.loads('[{"a": []}]'), rjson.loads('[{"a": []}]')
    assert a is not b and a[0] is not b[0] and a[0]["a"] is not b[0]["a"]
    a[0]["a"].append(1)
    assert b == [{"a": []}]


# ---------------------------------------------------------------------------
# Hypothesis: json.dumps of random values
# ---------------------------------------------------------------------------

JSON_TEXT = st.text(ANY_CHAR, max_size=12)
JSON_LEAVES = (
    st.none() | st.booleans() | st.integers() | st.integers(min_value=-(10 ** 40), max_value=10 ** 40)
    | st.floats() | JSON_TEXT
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: st.lists(children, max_size=6) | st.dictionaries(JSON_TEXT, children, max_size=6),
    max_leaves=40,
)
WS = st.text(alphabet=" \t\n\r", max_size=2)
DUMPS_KWARGS = st.fixed_dictionaries({
    "ensure_ascii": st.booleans(),
    "indent": st.sampled_from([None, 0, 1, 4, "\t", " \r\n"]),
    "separators": st.tuples(st.builds("{},{}".format, WS, WS), st.builds("{}:{}".format, WS, WS)),
    "sort_keys": st.booleans(),
})


@given(JSON_VALUES, DUMPS_KWARGS)
@HYPO
def test_hypothesis_roundtrip(value, kwargs):
    text = json.dumps(value, **kwargs)
    check_loads(text)
    data = text.encode("utf-8", "surrogatepass")
    check_loads(data)
    check_loads(memoryview(bytearray(data)), data)


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]


@given(JSON_VALUES, st.booleans(), st.sampled_from(ENCODINGS))
@settings(HYPO, max_examples=150)
def test_hypothesis_encodings(value, ensure_ascii, encoding):
    text = json.dumps(value, ensure_ascii=ensure_ascii)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode(encoding, "surrogatepass")
    check_loads(data)
    check_loads(bytearray(data), data)


# ---------------------------------------------------------------------------
# Encodings (json.detect_encoding)
# ---------------------------------------------------------------------------

ENC_DOCS = ["1", "12", "123", "1234", '""', '"é"', '"😀"', "[]", "{}", " 1", "[1]", "\x00", "",
            '[1, "a", {"b": null, "c": [true, false, 1.5]}]', '{"€": "😀", "é": "\\u00e9"}', "x", "[1,",
            '"\\ud800"', "\ufeff1", "  ", "0"]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("doc", ENC_DOCS)
def test_encodings(doc, encoding):
    data = doc.encode(encoding)
    check_loads(data)
    check_loads(bytearray(data), data)
    check_loads(memoryview(data), data)
    for cut in (1, 2, 3):  # truncated: decode errors, or other encodings detected
        if len(data) >= cut:
            check_loads(data[:-cut])
    check_loads(codecs.BOM_UTF8 + data)
    check_loads(data + b"\x00")


@pytest.mark.parametrize("data", [
    b"\xef\xbb\xbf", b"\xef\xbb\xbf1", b"\xef\xbb\xbf\xef\xbb\xbf1", b"\xef\xbb\xbf\xff", b"\xef\xbb", b"\xef\xbb1",
    b"\xff\xfe", b"\xfe\xff", b"\xff\xfe1", b"\xff\xfe1\x00", b"\xfe\xff\x001", b"\xff\xfe\x00\x00",
    b"\xff\xfe\x00\x001\x00\x00\x00", b"\x00\x00\xfe\xff\x00\x00\x001", b"\x00\x00\xfe\xff",
    b"\x00\x00", b"\x001", b"1\x00", b"1\x00\x00", b"\x00\x00\x001", b"1\x00\x00\x00", b"\x001\x002",
    b"1\x002\x00", b"1\x00\x002", b"\x00", b"\x00\x00\x00", b"1\x00\x00\x00\x00", b"\x00\x00\x00\x00",
    b"\x00[\x00]", b"[\x00]\x00", b"\x00\x00\x00[\x00\x00\x00]", b"[\x00\x00\x00]\x00\x00\x00",
    b"\x00\x00\x00[\x00\x00\x00", b"\xff\xfe\x00", b"\xfe\xff\x00\x31\xd8\x00", b"\xff\xfe\x00\xd8\x22\x00",
])
def test_detect_encoding_edge_cases(data):
    check_loads(data)
    check_loads(bytearray(data), data)
    check_loads(memoryview(data), data)


def test_str_with_bom():
    for doc in ("\ufeff1", "\ufeff", "\ufeff[]", "\ufeff\ufeff1", "\ufeffx"):
        got = outcome(rjson.loads, doc)
        assert got[0] == "raise"
        assert_same_outcome(got, outcome(json.loads, doc), doc)
        assert got[1].msg == "Unexpected UTF-8 BOM (decode using utf-8-sig)"
        assert got[1].pos == 0


# ---------------------------------------------------------------------------
# Input types
# ---------------------------------------------------------------------------

DOC = '{"a": [1, 2.5, "é😀", null, true], "b": {"c": "\\u20ac"}}'
DOC_BYTES = DOC.encode()


def test_input_types_basic():
    expected = json.loads(DOC)
    for arg in (DOC, DOC_BYTES, bytearray(DOC_BYTES), memoryview(DOC_BYTES), memoryview(bytearray(DOC_BYTES)),
                memoryview(b"xx" + DOC_BYTES + b"yy")[2:-2]):
        assert_same(rjson.loads(arg), expected)


def test_str_subclass_and_bytes_subclass():
    class S(str):
        pass

    class B(bytes):
        pass

    class BA(bytearray):
        pass

    check_loads(S(DOC))
    check_loads(B(DOC_BYTES))
    check_loads(BA(DOC_BYTES))
    check_loads(S("[1,"))
    check_loads(B(b"[1,"))


def test_memoryview_non_contiguous():
    mv = memoryview(b"[1, 2, 3, 4]")[::2]
    assert not mv.c_contiguous
    with pytest.raises(TypeError):
        rjson.loads(mv)
    mv2 = memoryview(bytearray(b"[[1], [2]]"))[::-1]
    with pytest.raises(TypeError):
        rjson.loads(mv2)


def test_memoryview_other_formats_contiguous():
    raw = b"[1, 2, 3, 4, 5, 6]  "  # 20 bytes, a multiple of 4 (and of 2)
    assert len(raw) % 4 == 0
    for fmt in ("I", "i", "H", "c", "b", "B", "f"):
        mv = memoryview(raw).cast(fmt)
        assert mv.c_contiguous
        assert_same(rjson.loads(mv), json.loads(raw))
    mv = memoryview(array.array("I", raw[:20]))  # raw bytes of an array
    assert_same(rjson.loads(mv), json.loads(bytes(mv)))
    mv2d = memoryview(raw).cast("B", shape=[4, 5])
    assert mv2d.c_contiguous and mv2d.ndim == 2
    assert_same(rjson.loads(mv2d), json.loads(raw))
    # Errors are reported on the bytes, like json.loads(bytes(view)).
    bad = b'[1, "\xff"] '
    check_loads(memoryview(bad), bad)
    bad = b"[1, 2,] "
    check_loads(memoryview(bad).cast("I"), bad)


def test_memoryview_empty_and_slices():
    check_loads(memoryview(b""), b"")
    check_loads(memoryview(b"[1]")[0:0], b"")
    check_loads(memoryview(b"[12]")[1:3], b"12")


def test_memoryview_released():
    mv = memoryview(b"[1]")
    mv.release()
    with pytest.raises(ValueError):
        rjson.loads(mv)


def test_buffer_export_released_after_call():
    ba = bytearray(DOC_BYTES)
    mv = memoryview(ba)
    rjson.loads(mv)
    mv.release()  # BufferError if rjson still held a buffer of the view
    ba.extend(b" ")  # BufferError if a buffer of the bytearray is still exported
    ba = bytearray(b"[1, ")
    mv = memoryview(ba)
    with pytest.raises(json.JSONDecodeError):
        rjson.loads(mv)
    mv.release()
    ba.extend(b"2]")
    ba = bytearray(b'["\xff"]')
    with pytest.raises(UnicodeDecodeError):
        rjson.loads(ba)
    ba[:] = b"[1]"
    assert rjson.loads(ba) == [1]
    ba.extend(b" ")


def test_array_array_either_accepted_or_typeerror():
    arr = array.array("b", b"[1, 2]")
    got = outcome(rjson.loads, arr)
    if got[0] == "raise":
        assert type(got[1]) is TypeError
    else:
        assert_same(got[1], json.loads(b"[1, 2]"))


@pytest.mark.parametrize("arg", [1, 1.5, None, True, [], ["[]"], {}, (), object(), {"a": 1}, set(), len],
                         ids=repr)
def test_non_text_argument_typeerror(arg):
    with pytest.raises(TypeError) as want:
        json.loads(arg)
    with pytest.raises(TypeError) as got:
        rjson.loads(arg)
    assert str(got.value) == str(want.value)


JSON_KWARGS = ["cls", "object_hook", "parse_float", "parse_int", "parse_constant", "object_pairs_hook"]
KWARGS = JSON_KWARGS + ["strict", "unknown_keyword", "encoding"]


@pytest.mark.parametrize("kw", KWARGS)
@pytest.mark.parametrize("value", [None, 0, 1, dict, lambda *a: a, json.JSONDecoder], ids=repr)
def test_keywords_same_outcome(kw, value):
    """Every keyword of json.loads, and unknown ones (passed on to the decoder class), with
    odd values: the same result or the same exception as json."""
    for doc in ("[1]", b"[1,", '{"a": [1.5, NaN]}', "\ufeff[1]"):
        assert_same_outcome(outcome(rjson.loads, doc, **{kw: value}), outcome(json.loads, doc, **{kw: value}), (doc, kw))


def test_document_by_keyword():
    assert_same(rjson.loads(s='{"a": [1]}'), json.loads(s='{"a": [1]}'))
    with pytest.raises(TypeError):
        rjson.loads("[1]", s="[2]")


def test_bad_arity():
    with pytest.raises(TypeError):
        rjson.loads()
    with pytest.raises(TypeError):
        rjson.loads("1", "2")
    with pytest.raises(TypeError):
        rjson.loads("1", None)
    with pytest.raises(TypeError):
        rjson.loads(b"1", 2, 3)


def test_module_attributes():
    assert rjson.JSONDecodeError is json.JSONDecodeError
    assert callable(rjson.loads)
    assert isinstance(rjson.__built_for__, tuple)
    assert rjson.__built_for__ == tuple(sys.version_info[:2])


# ---------------------------------------------------------------------------
# Deep nesting (in subprocesses: a crash must not take pytest down)
# ---------------------------------------------------------------------------

def run_python(code, timeout=300):
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=timeout, env=dict(os.environ, PYTHONFAULTHANDLER="1"))
    assert proc.returncode == 0, (
        f"child exited with {proc.returncode} (negative: killed by signal)\n"
        f"stdout: {proc.stdout[-3000:]}\nstderr: {proc.stderr[-3000:]}")
    return proc.stdout


DEEP_CHILD_PRELUDE = SMALL_THREAD_STACK + """
import json, sys, threading
import rjson
DEEP = [
    ("array", "[" * 10**6),
    ("object", '{"a":' * 10**6),
    ("mixed", '[{"a":' * 300000),
    ("closed-array", "[" * 200000 + "]" * 200000),
    ("closed-object", '{"a":' * 200000 + "1" + "}" * 200000),
    ("array-bytes", b"[" * 10**6),
    ("object-bytes", b'{"a":' * 10**6),
    ("array-bytearray", bytearray(b"[" * 10**6)),
    ("array-memoryview", memoryview(b"[" * 10**6)),
    ("array-after-spaces", "[ " * 500000),
    ("array-non-ascii", '["é", ' * 300000),
]
def deep_results(accept_decode_error=False):
    out = []
    for name, doc in DEEP:
        try:
            rjson.loads(doc)
            out.append(name + ": returned a value")
        except RecursionError:
            pass
        except ValueError as e:
            if not accept_decode_error:
                out.append(name + ": " + type(e).__name__ + ": " + str(e)[:200])
    return out
"""


def test_deep_nesting_raises_recursionerror():
    out = run_python(DEEP_CHILD_PRELUDE + """
bad = deep_results()
# the recursion depth bookkeeping is restored: rjson and Python recursion still work
ok = rjson.loads("[" * 100 + "]" * 100)
assert ok == json.loads("[" * 100 + "]" * 100)
very_deep = "[" * 100000
for _ in range(3000):
    try:
        rjson.loads(very_deep)
    except RecursionError:
        pass
def rec(n):
    return 0 if n == 0 else 1 + rec(n - 1)
rec(sys.getrecursionlimit() - 100)
print("BAD", bad)
""")
    assert "BAD []" in out, out


def test_deep_nesting_in_small_thread():
    out = run_python(DEEP_CHILD_PRELUDE + """
moderate = '{"a": [' * 50 + "1" + "]}" * 50
expected = json.loads(moderate)
res = {}
def work():
    res["bad"] = deep_results()
    try:
        res["moderate"] = rjson.loads(moderate)
    except BaseException as e:
        res["moderate"] = repr(e)
small_thread_stack()
t = threading.Thread(target=work)
t.start()
t.join()
# Compared here: comparing 100 levels takes C stack of its own (in a 100 KiB thread of a
# 3.14 debug build, more than there is).
res["moderate"] = res["moderate"] == expected or res["moderate"]
print("RES", res)
""")
    assert "RES {'bad': [], 'moderate': True}" in out, out


def test_deep_nesting_with_high_recursion_limit():
    """With the limit raised far beyond what the C stack holds: never a crash.

    json itself would overflow the C stack here; rjson may raise RecursionError,
    or (the limit allowing it) parse the closed documents correctly."""
    out = run_python(DEEP_CHILD_PRELUDE + """
sys.setrecursionlimit(10**7)
def depth_of(v):
    n = 0
    while isinstance(v, (list, dict)):
        n += 1
        if not v:
            break
        v = v[0] if isinstance(v, list) else v["a"]
    return n
bad = []
for name, doc in DEEP:
    try:
        v = rjson.loads(doc)
    except RecursionError:
        continue
    except ValueError as e:
        if name.startswith("closed"):
            bad.append(name + ": " + str(e)[:200])
        continue
    if not name.startswith("closed") or depth_of(v) != 200000:
        bad.append(name + ": returned a wrong value")
    del v
print("BAD", bad)
""")
    assert "BAD []" in out, out


def test_depth_around_recursion_limit():
    """Near the recursion limit: the same value as json, or RecursionError where
    json raises it (json's own threshold also counts the caller's frames, so it is
    not exact); far beyond it, RecursionError.  Never a crash."""
    out = run_python("""
import json, sys
import rjson
limit = sys.getrecursionlimit()
def result(func, doc):
    try:
        return ("ok", func(doc))
    except (RecursionError, ValueError) as e:
        return ("raise", type(e), str(e))
bad = []
for depth in list(range(limit - 60, limit + 60)) + [2 * limit]:
    for doc in ("[" * depth + "]" * depth, '{"a":' * depth + "0" + "}" * depth, "[" * depth + "1",
                '{"a":' * depth):
        want, got = result(json.loads, doc), result(rjson.loads, doc)
        if want[0] == "raise" and want[1] is RecursionError:
            continue  # rjson may raise it too, or get further than json did
        if got[0] == "raise" and got[1] is RecursionError:
            continue  # json got further (e.g. 3.12+'s C recursion limit)
        if got != want:
            bad.append((depth, doc[:3], got[0], got[1:] if got[0] == "raise" else "value"))
for depth in (100 * limit, 10**6):
    for doc in ("[" * depth + "]" * depth, '{"a":' * depth + "0" + "}" * depth):
        got = result(rjson.loads, doc)
        if got[0] != "raise" or got[1] is not RecursionError:
            bad.append((depth, doc[:3], "no RecursionError"))
def nested_call(n, doc):
    if n:
        return nested_call(n - 1, doc)
    try:
        rjson.loads(doc)
    except RecursionError:
        pass
for slack in (5, 20, 50, 100):
    nested_call(limit - slack, "[" * 200 + "]" * 200)
    nested_call(limit - slack, "[" * 10**5)
print("BAD", bad)
""")
    assert "BAD []" in out, out


def test_moderate_nesting_parses():
    for depth in (10, 100, 200):
        for doc in ("[" * depth + "]" * depth, '{"a":' * depth + "[]" + "}" * depth,
                    '[{"a":' * (depth // 2) + "1" + "}]" * (depth // 2)):
            assert_same(rjson.loads(doc), json.loads(doc))
            assert_same(rjson.loads(doc.encode()), json.loads(doc))


# ---------------------------------------------------------------------------
# Reference counts and leaks
# ---------------------------------------------------------------------------

def _fresh(s):
    return (s + " ")[:-1] if isinstance(s, str) else type(s)(bytes(s) + b" ")[:-1]


@pytest.mark.parametrize("doc", ['[1, 2, {"a": "bc"}]', "[1, ", '"\\x"', b'{"a": [1.5]}', b"[1,]", b'"\xff"',
                                 "1" * 5000, "NaN", "[" * 100000])
def test_input_refcount_unchanged(doc):
    obj = _fresh(doc)
    for arg in (obj, bytearray(doc.encode() if isinstance(doc, str) else doc)):
        before = sys.getrefcount(arg)
        for _ in range(3):
            outcome(rjson.loads, arg)
        assert sys.getrefcount(arg) == before
    data = doc.encode() if isinstance(doc, str) else doc
    data = _fresh(data)
    mv = memoryview(data)
    before_data, before_mv = sys.getrefcount(data), sys.getrefcount(mv)
    outcome(rjson.loads, mv)
    assert sys.getrefcount(mv) == before_mv
    assert sys.getrefcount(data) == before_data
    mv.release()
    assert sys.getrefcount(data) == before_data - 1


def test_input_refcount_unchanged_on_typeerror():
    s = _fresh("[1]")
    before = sys.getrefcount(s)
    for kw in KWARGS:
        outcome(rjson.loads, s, **{kw: None})
    outcome(rjson.loads, s, s)
    assert sys.getrefcount(s) == before


def test_result_refcounts():
    for doc in ('[[1], {"a": [2, {"b": {}}]}, [3.25, 123456789012345678901234567890]]',):
        for arg in (doc, doc.encode()):
            got, want = rjson.loads(arg), json.loads(arg)
            assert sys.getrefcount(got) == sys.getrefcount(want) == SOLE_REFCOUNT
            assert sys.getrefcount(got[0]) == sys.getrefcount(want[0])
            assert sys.getrefcount(got[1]) == sys.getrefcount(want[1])
            assert sys.getrefcount(got[1]["a"]) == sys.getrefcount(want[1]["a"])
            assert sys.getrefcount(got[1]["a"][1]["b"]) == sys.getrefcount(want[1]["a"][1]["b"])
            assert sys.getrefcount(got[2][0]) == sys.getrefcount(want[2][0])
            assert sys.getrefcount(got[2][1]) == sys.getrefcount(want[2][1])
    for doc in ("{}", '{"a": 1}', "[]", '"a long enough string"', "1.5", str(10 ** 30)):
        got, want = rjson.loads(doc), json.loads(doc)
        assert sys.getrefcount(got) == sys.getrefcount(want), doc


LEAK_DOCS = [
    '{"a": [1, 2.5, "x\\u00e9y", null, true, {"b": []}], "c": "d"}', '[1, 2, {"a": [3, 4', '{"a": 1, "a": 2}',
    b'["\xc3\xa9", {"k": "v"}]', b'["\xff"]', b'[1, 2, "abc\\x"]', "[NaN, -Infinity]", "[" * 3000,
    '{"a":' * 3000, "9" * 5000, b"\xff\xfe[\x001\x00]\x00", '["\\ud800", "\\ud83d\\ude00"]',
]


def _churn(n):
    for _ in range(n):
        for doc in LEAK_DOCS:
            outcome(rjson.loads, doc)
            outcome(rjson.loads, memoryview(doc.encode() if isinstance(doc, str) else doc))


def test_no_leak_python_objects():
    _churn(20)
    gc.collect()
    blocks = sys.getallocatedblocks()
    total = sys.gettotalrefcount() if hasattr(sys, "gettotalrefcount") else None
    _churn(200)
    gc.collect()
    assert sys.getallocatedblocks() - blocks < 200
    if total is not None:
        assert sys.gettotalrefcount() - total < 100
    tracemalloc.start()
    try:
        _churn(20)
        gc.collect()
        m1 = tracemalloc.get_traced_memory()[0]
        _churn(200)
        gc.collect()
        m2 = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert m2 - m1 < 64 * 1024


def _rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc")
def test_no_leak_native_memory():
    big_ok = json.dumps([{"k%d" % i: ["v" * 50, i * 1.5, "é😀"]} for i in range(8000)])
    big_bad = big_ok[:-1]
    docs = [big_ok, big_bad, big_ok.encode(), big_bad.encode(), big_ok.encode()[:-1] + b"\xff"]
    for doc in docs:
        outcome(rjson.loads, doc)
    gc.collect()
    before = _rss()
    for _ in range(12):
        for doc in docs:
            outcome(rjson.loads, doc)
    gc.collect()
    grown = _rss() - before
    assert grown < 16 * 1024 * 1024, f"RSS grew by {grown} bytes"

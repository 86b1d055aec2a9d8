"""rjson.loads on invalid input: the same exception as json.loads.

For every malformed document the exception must match the stdlib's exactly:
type (``json.JSONDecodeError`` itself, ``UnicodeDecodeError``, ``ValueError``),
``str()``, ``args``, and ``msg``/``pos``/``lineno``/``colno``/``doc`` (positions
in characters of the decoded text for bytes input), or ``encoding``/``reason``/
``start``/``end``/``object`` for decode errors.  The oracle is the running
interpreter's ``json``, so version differences (e.g. 3.13's "Illegal trailing
comma" messages) are followed automatically.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rjson
from conftest import CORPUS_FILES, assert_same_outcome, check_loads, outcome

HYPO = settings(deadline=None, max_examples=400, suppress_health_check=list(HealthCheck))


def check_str_and_bytes(text):
    """``text`` as str, as UTF-8 bytes (surrogatepass, as json decodes), bytearray, memoryview."""
    got = check_loads(text)
    data = text.encode("utf-8", "surrogatepass")
    check_loads(data)
    check_loads(bytearray(data), data)
    check_loads(memoryview(data), data)
    return got


def test_decode_error_class_is_json_s():
    assert rjson.JSONDecodeError is json.JSONDecodeError
    with pytest.raises(json.JSONDecodeError) as info:
        rjson.loads("[1,")
    assert type(info.value) is json.JSONDecodeError


CLASSIC = [
    "", " ", "\n", "\t\r\n ", "[", "]", "{", "}", "[1,", "[1,]", "[1, ]", "[1,\n]", "[,]", "[,1]", "[1,,2]",
    "{\"a\"", "{\"a\":", "{\"a\":1,}", "{\"a\":1 ,\n }", "{\"a\":1,,}", "{,}", "{1:2}", "{a:1}",
    "{'a':1}", "{\"a\"}", "{\"a\",1}", "{\"a\":1\"b\":2}", "{\"a\":1,\"b\"}", "{\"a\":}",
    "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12x4\"", "\"\\u\"", "\"\\u", "\"\\", "\"\\\"", "\"\\a\"",
    "\"\\U0041\"", "\"\\u-123\"", "\"\\u 123\"", "\"\\u+123\"", "\"\\u12345\"", "\"\\'\"", "\"\\0\"",
    "\"a\x01\"", "\"\x00\"", "\"\t\"", "\"a\tb\"", "\"\n\"", "\"\r\"", "\"\x1f\"", "\"\x7f\"",
    "tru", "nul", "fals", "t", "n", "f", "trUe", "null_", "-", "--", "+", "01", "00", "-01", "1.", "1e",
    "1e+", ".5", "-.5", "0x1", "[1 2]", "{\"a\" 1}", "1 2", "\"a\" \"b\"", "[] []", "{}{}", "[]]",
    "[1]]", "{}}", "NaNx", "-Infinityy", "Infinit", "-Infinit", "NaN1", "nan", "[-]", "[-a]",
    "[1.]", "[1.e5]", "[.e5]", "[1e]", "[\"a\" \"b\"]", "[\"a\":1]", "{\"a\":1]", "[1}", "[\"a\"",
    "[\"a", "[\"a\\", "\"\\ud800\\u", "\"\\ud800\\udz00\"", "\"\\ud800\\u12\"", "[1,2", "[[[[1]]]",
    "{\"a\":[1,{\"b\":[2,{\"c\":]}]}]}", "/* c */ 1", "// c\n1", "# c\n1", "1 // c", "'a'", "[True]",
    "[None]", "undefined", "\x00", "\x00[]", "[]\x00", "\u00a0[]", "[]\u00a0", "\ufeff[]", "[\ufeff]",
    "é", "[é]", "\"é", "[\"é\", x]", "[\"😀😀\", ]", "{\"é€\":\n\n  1,\n \"😀\" 2}", "\n\n   [1,\n 2 3]",
    "\"é\x01\"", "[\"\u2028\", x]", "\"😀\\x\"", "\"é\\u12\"", "[\"é", "[\"😀\", 1,\n\n\t\"x\",\n  ]",
    "\"\ud800\", x", "[\"\ud800\udc00\", x]", "[\"\udfff\"\n, ?]", "😀", "[1, 😀]", "{\"a\": 1, 😀: 2}",
    "[\n\"é\",\r\n\"€\",\r\"😀\",\n\n x]", "\n" * 5 + "é" * 5 + "x", "\r\r\r[" + "1, " * 3 + "]",
    "[" * 50 + "]" * 49, "[" * 50 + "1,]" + "]" * 49, "{\"a\":" * 50 + "}",
    "[" + "1," * 100000 + "]", "[\"" + "é" * 100000 + "\", x]", "[\"" + "😀" * 50000 + "\"\n\n,]",
]


@pytest.mark.parametrize("doc", CLASSIC, ids=lambda d: ascii(d)[:60])
def test_classic_errors(doc):
    check_str_and_bytes(doc)


@pytest.mark.parametrize("code", range(0x20))
def test_control_characters(code):
    c = chr(code)
    for doc in (f'"a{c}b"', f'"{c}"', c, f"[{c}]", f"[1,{c}2]", f'{{"a"{c}:1}}', f'["é", "{c}"]',
                f'{{"{c}": 1}}', f'"\\u00e9{c}', f"{c}1", f"1{c}", f'"\\{c}"'):
        check_str_and_bytes(doc)


# ---------------------------------------------------------------------------
# Mutations of small documents
# ---------------------------------------------------------------------------

DOC1 = ('{"a": [1, -2.5e3, true, false, null], "b\\n\\u00e9": "x\\"y", "c": {"d": [], "e": {}},'
        ' "é€😀": "ü", "f": NaN, "g": -Infinity, "h": "\\ud83d\\ude00\\u0041"}')
DOC2 = json.dumps(json.loads(DOC1), indent=2, ensure_ascii=False)
DOC3 = ('[{"id": 12345678901234567890, "text": "RT @x: \\ud83d\\ude00 café\\/\\t",\r\n'
        ' "geo": null, "coords": [-0.5, 1e-7, 3E+20, 0]},\n\t{"😀": ["", {}]}]')
DOCS = {"doc1": DOC1, "doc2": DOC2, "doc3": DOC3}

REPLACEMENTS = ['"', "\\", ",", ":", "{", "}", "[", "]", "x", " ", "\n", "\x00", "\x1f", "1", "-", ".", "e",
                "é", "😀", "\ud800"]


@pytest.mark.parametrize("name", sorted(DOCS))
def test_truncations(name):
    doc = DOCS[name]
    for i in range(len(doc) + 1):
        check_loads(doc[:i])
        check_loads(doc[i:])
    data = doc.encode()
    for i in range(len(data) + 1):  # cuts inside multi-byte characters too
        check_loads(data[:i])
        check_loads(data[i:])


@pytest.mark.parametrize("name", sorted(DOCS))
def test_deletions(name):
    doc = DOCS[name]
    for i in range(len(doc)):
        check_str_and_bytes(doc[:i] + doc[i + 1:])
    data = doc.encode()
    for i in range(len(data)):
        check_loads(data[:i] + data[i + 1:])


@pytest.mark.parametrize("name", sorted(DOCS))
def test_replacements(name):
    doc = DOCS[name]
    for i in range(len(doc)):
        for r in REPLACEMENTS:
            mutated = doc[:i] + r + doc[i + 1:]
            check_loads(mutated)
            check_loads(mutated.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("name", sorted(DOCS))
def test_insertions(name):
    doc = DOCS[name]
    for i in range(len(doc) + 1):
        for r in REPLACEMENTS:
            mutated = doc[:i] + r + doc[i:]
            check_loads(mutated)
            check_loads(mutated.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("name", sorted(DOCS))
def test_byte_replacements(name):
    data = DOCS[name].encode()
    for i in range(len(data)):
        for b in (b"\xff", b"\x80", b"\xc3", b"\xed", b"\x00", b'"', b"\\"):
            check_loads(data[:i] + b + data[i + 1:])


def _corpus_prefixes():
    wanted = ("github.json", "twitterescaped.json", "update-center.json", "canada.json")
    return [p for p in CORPUS_FILES if p.name in wanted]


@pytest.mark.parametrize("path", _corpus_prefixes(), ids=lambda p: p.name)
def test_corpus_prefix_truncations(path):
    data = path.read_bytes()[:1500]
    for i in range(len(data) + 1):
        check_loads(data[:i])
    text = data.decode("utf-8", "ignore")
    for i in range(0, len(text) + 1, 3):
        check_loads(text[:i])


# ---------------------------------------------------------------------------
# Invalid UTF-8
# ---------------------------------------------------------------------------

BAD_UTF8 = [
    b"\xff", b"\xfe", b"\x80", b"\xbf", b"\xc0\x80", b"\xc1\xbf", b"\xc0", b"\xc3", b"\xc3(", b"\xe2\x82",
    b"\xe2\x82(", b"\xe2(\xa1", b"\xe0\x80\x80", b"\xe0\x9f\xbf", b"\xf0\x80\x80\x80", b"\xf0\x8f\xbf\xbf",
    b"\xf0\x9f\x98", b"\xf0\x9f", b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"\xf8\x88\x80\x80\x80",
    b"\xfc\x84\x80\x80\x80\x80", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xed\xa0\x80\xed\xb0\x80",
    b"\xed\xb0\x80\xed\xa0\x80", b"\xed\xa0", b"\xed\x9f\xbf", b"\xee\x80\x80", b"\xef\xbf\xbf",
    b"\xf4\x8f\xbf\xbf", b"\xc3\xa9\xff", b"\xe2\x82\xac\x80", b"\x80\x80\x80\x80",
]
UTF8_CONTEXTS = [
    b'"%s"', b'["a%sb"]', b'{"k%s": 1}', b'{"k": "%s"}', b"[%s]", b"1%s", b"%s1", b'{"a":1}%s', b"[1,%s",
    b"{%s", b'"%s', b'"\\u00e9%s\\x"', b'["\xc3\xa9", "%s", x]', b'["\xc3\xa9"%s]', b"%s", b"[\n\n %s",
    b'"%s\x01"', b'"\\%s"', b"[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, %s]",
    b'"' + b"a" * 40 + b'%s"', b'"' + b"\xc3\xa9" * 20 + b'%s"',
]


@pytest.mark.parametrize("seq", BAD_UTF8, ids=lambda b: b.hex())
def test_invalid_utf8(seq):
    for ctx in UTF8_CONTEXTS:
        data = ctx.replace(b"%s", seq)
        check_loads(data)
        check_loads(bytearray(data), data)
        check_loads(memoryview(data), data)


def test_encoded_surrogates_accepted_like_json():
    for data in (b'"\xed\xa0\x80"', b'["\xed\xbf\xbf"]', b'{"\xed\xa0\x80": "\xed\xb0\x80"}'):
        got = check_loads(data)
        assert got[0] == "ok"


# ---------------------------------------------------------------------------
# Hypothesis
# ---------------------------------------------------------------------------

ALPHABET = list('{}[]:,"\\ \t\n\r0123456789-+.eEtrufalsnNIiybu/') + [
    "é", "€", "😀", "\ud800", "\udc00", "\x00", "\x01", "\x1f", "\x7f", "\xa0", "\ufeff"]
TOKENS = ["{", "}", "[", "]", ":", ",", " ", "\n", '"a"', '"é"', '"\\u00e9"', '"\\ud83d\\ude00"',
          '"\\ud800"', '"', "\\", "\\u", "0", "1", "-1", "1.5", "1e5", "-0.0e-1", "true", "false", "null",
          "NaN", "Infinity", "-Infinity", "x", "😀", "\t", "\x00", "\x1f", '"\x1f', "tr", "-"]


@given(st.text(alphabet=ALPHABET, max_size=20))
@HYPO
def test_hypothesis_jsonish_text(text):
    check_loads(text)
    check_loads(text.encode("utf-8", "surrogatepass"))


@given(st.lists(st.sampled_from(TOKENS), max_size=16))
@HYPO
def test_hypothesis_tokens(tokens):
    text = "".join(tokens)
    check_loads(text)
    check_loads(text.encode("utf-8", "surrogatepass"))


@given(st.binary(max_size=16))
@HYPO
def test_hypothesis_binary(data):
    check_loads(data)


@given(st.lists(st.sampled_from([b"\x00", b"\xff", b"\xfe", b"\xef", b"\xbb", b"\xbf", b"\xc3", b"\xa9",
                                 b"\xed", b"\xa0", b"\x80", b"[", b"]", b"1", b'"', b"{", b":", b","]),
                max_size=12))
@HYPO
def test_hypothesis_encoding_bytes(pieces):
    data = b"".join(pieces)
    check_loads(data)
    check_loads(memoryview(bytearray(data)), data)

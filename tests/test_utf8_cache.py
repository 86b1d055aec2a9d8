"""A non-ASCII str that carries CPython's cached UTF-8 (made by PyUnicode_AsUTF8AndSize, e.g.
by orjson) is written from that cache without ensure_ascii; one without it is transcoded, and
dumps never creates the cache (the str keeps its size)."""
import ctypes
import json
import sys

import pytest

import rjson

AS_UTF8 = ctypes.pythonapi.PyUnicode_AsUTF8AndSize
AS_UTF8.argtypes = [ctypes.py_object, ctypes.c_void_p]
AS_UTF8.restype = ctypes.c_void_p

TEXTS = [
    "é", "café", "naïve \"quoted\" \\ back\nslash\x01\x1f\x7f",
    "日本語", "日本語のテキスト、とても長い文章です。" * 5, "\u2028\u2029 line seps",
    "😀", "emoji 😀 and \"quotes\" \t and 日本", "x" * 40 + "é" + "\x00" * 3 + "y" * 40,
    "\xff" * 17, "\u0100" * 15, "\U0010ffff" * 33,
]


def fresh(text):
    """An equal str no one has asked for its UTF-8 yet."""
    return (text + "!")[:-1]


def cached(text):
    s = fresh(text)
    before = sys.getsizeof(s)
    assert AS_UTF8(s, None)
    # The cache is there now (a one-character str is CPython's shared one: it may have it).
    assert sys.getsizeof(s) > before or len(s) == 1
    return s


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("make", [fresh, cached])
def test_same_text_as_json_with_or_without_the_cache(text, make):
    s = make(text)
    for doc in (s, [s, 1, s], {s: s, "k": [s]}):
        for kw in ({"ensure_ascii": False}, {"ensure_ascii": False, "separators": (",", ":")},
                   {"ensure_ascii": False, "indent": 2}, {}):
            out = rjson.dumps(doc, **kw)
            assert out == json.dumps(doc, **kw)
            # Equal strs of different kinds compare unequal: the result has its canonical kind.
            assert out.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass") == out


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("make", [fresh, cached])
def test_orjson_face_same_bytes_with_or_without_the_cache(text, make):
    orjson = pytest.importorskip("orjson")
    s = make(text)
    for doc in (s, [s, s], {s: s}):
        assert rjson.orjson.dumps(doc) == json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
        if make is cached:
            assert rjson.orjson.dumps(doc) == orjson.dumps(doc)


@pytest.mark.parametrize("text", TEXTS)
def test_dumps_never_creates_the_cache(text):
    s = fresh(text)
    size = sys.getsizeof(s)
    rjson.dumps([s, {s: s}], ensure_ascii=False)
    rjson.dumps(s)
    rjson.orjson.dumps({s: [s]})
    assert sys.getsizeof(s) == size

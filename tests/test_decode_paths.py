"""The decoder's fast paths, each against the stdlib ``json`` at its edges.

Every fast path (numbers read while scanned, ...) has a boundary where it hands over to a
slower one; these tests sit on both sides of each.
"""

import json
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rjson
from conftest import assert_same, float_bits

HYPO = settings(deadline=None, max_examples=500, suppress_health_check=list(HealthCheck))


def same(doc):
    assert_same(rjson.loads(doc), json.loads(doc))
    assert_same(rjson.loads(doc.encode()), json.loads(doc))


# ---------------------------------------------------------------------------
# Numbers: integers of up to 19 digits are read as u64, longer ones by CPython; floats by
# Clinger's fast path, Eisel-Lemire, or the standard parser past 19 significant digits.
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("sign", ["", "-"])
@pytest.mark.parametrize("digits", [
    "9" * 18, "9" * 19, "1" + "0" * 18, "1" + "0" * 19, "9" * 20,
    str(2 ** 63 - 1), str(2 ** 63), str(2 ** 63 + 1), str(2 ** 64 - 1), str(2 ** 64),
    "12345678", "123456789", "1234567812345678", "12345678123456781",
])
def test_integers_at_the_u64_boundaries(sign, digits):
    doc = sign + digits
    assert rjson.loads(doc) == int(doc) and type(rjson.loads(doc)) is int
    same(f"[{doc}, {doc}]")


@pytest.mark.parametrize("text", [
    # Significant digits around 19, with leading zeros that do not count.
    "0." + "0" * 20 + "1234", "0." + "0" * 20 + "1234567890123456789", "0." + "0" * 20 + "12345678901234567891",
    "1234567890123456789.0", "12345678901234567891.0", "0.00000000000000000000e5", "1.0000000000000000000",
    # Mantissas that do or do not fit Clinger's fast path (2^53, 10^22).
    "9007199254740992.0", "9007199254740993.0", "9007199254740993e-22", "9007199254740992e22",
    "9007199254740992e23", "1e22", "1e23", "1e-22", "1e-23",
    # Eight-digit chunks.
    "12345678.87654321", "0.12345678", "0.123456789", "1234567812345678.5e-5",
])
def test_float_paths(text):
    for doc in (text, "-" + text):
        assert float_bits(rjson.loads(doc)) == float_bits(float(doc))
        same(f"[{doc}]")


@given(st.integers(min_value=1, max_value=10 ** 21), st.integers(min_value=-360, max_value=330),
       st.integers(min_value=0, max_value=22))
@HYPO
def test_hypothesis_decimal_floats(mantissa, exp, point):
    digits = str(mantissa)
    point = min(point, len(digits))
    text = f"{digits[:len(digits) - point] or '0'}.{digits[len(digits) - point:] or '0'}e{exp}"
    assert float_bits(rjson.loads(text)) == float_bits(float(text))


# ---------------------------------------------------------------------------
# Strings: plain ASCII runs are found 16 bytes at a time; non-ASCII runs are validated
# sequence by sequence and decide the str's kind by their largest lead byte.
# ---------------------------------------------------------------------------

SPECIALS = ["\\n", "\\u00e9", "\\ud83d\\ude00", "\\\\", '\\"', "é", "ÿ", "Ā", "€", "\uffff", "😀", "\x7f", "\t"]


@pytest.mark.parametrize("special", SPECIALS)
def test_strings_with_a_special_at_every_offset_of_two_blocks(special):
    for length in range(0, 40):
        for at in range(0, length + 1):
            body = "a" * at + special + "b" * (length - at)
            doc = f'["{body}", {{"{body}": 1}}]'
            want = json.loads(doc, strict=False)
            assert_same(rjson.loads(doc.encode(), strict=False), want)
            assert_same(rjson.loads(doc, strict=False), want)


@pytest.mark.parametrize("chars", [
    "é", "éÿ", "ÿĀ", "Āé", "é€", "€é", "é😀", "😀é", "€😀", "\ud800", "é\udfff", "ÿ\ud83d\ude00", "ח中", "中ח",
])
def test_non_ascii_runs_make_the_narrowest_str(chars):
    for text in (chars, "x" + chars + "y", chars * 20, "ascii " * 5 + chars):
        doc = json.dumps([text, {text: text}], ensure_ascii=False)
        data = doc.encode("utf-8", "surrogatepass")
        got = rjson.loads(data)
        assert_same(got, json.loads(data))
        # Equal strs of different kinds compare unequal in CPython, so this checks the kind.
        assert got[0] == text and sys.getsizeof(got[0]) == sys.getsizeof(text)


@pytest.mark.parametrize("bad", [b"\x80", b"\xc3", b"\xc3(", b"\xe0\x80\x80", b"\xe2\x82", b"\xf0\x8f\xbf\xbf",
                                 b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80", b"\xff"])
@pytest.mark.parametrize("before", [b"", b"a" * 15, b"\xc3\xa9" * 9, b"\xe2\x82\xac"])
def test_invalid_utf8_inside_non_ascii_runs(bad, before):
    data = b'["' + before + bad + b'"]'
    with pytest.raises(UnicodeDecodeError) as want:
        json.loads(data)
    with pytest.raises(UnicodeDecodeError) as got:
        rjson.loads(data)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("ws", [" ", "\t", "\n", "\r", "\r\n", "\n  "])
def test_whitespace_runs_of_every_length(ws):
    for count in (1, 2, 15, 16, 17, 31, 33, 100):
        pad = ws * count
        doc = f'{pad}{{{pad}"a"{pad}:{pad}[{pad}1{pad},{pad}"x"{pad}]{pad},"b":{pad}{{}}{pad}}}{pad}'
        same(doc)


# ---------------------------------------------------------------------------
# The key cache: direct-mapped, so distinct keys collide; each hit is verified by bytes.
# ---------------------------------------------------------------------------

def test_keys_that_collide_in_the_cache_stay_distinct():
    # Far more keys than slots, repeated, and keys differing in one byte at every position
    # (compared by words up to 16 bytes, by bytes beyond).
    keys = [f"k{i}" for i in range(5000)]
    for length in range(1, 65):
        base = "".join(chr(ord("a") + k % 26) for k in range(length))
        keys += [base[:at] + "Z" + base[at + 1:] for at in range(length)] + [base]
    doc = json.dumps([{k: i for i, k in enumerate(keys)}, {k: 1 for k in reversed(keys)}] * 2)
    for _ in range(2):
        same(doc)
        got = rjson.loads(doc)
        assert list(got[0]) == keys and list(got[1]) == keys[::-1]


def test_a_hook_that_parses_again_gets_its_own_buffers():
    inner = json.dumps({"deep": [[1, 2, {"k": "v" * 40}]] * 50, "t": "\\u00e9" * 30})

    def hook(d):
        return [d, rjson.loads(inner)]

    doc = json.dumps([{"a": [1, {"b": "x\\ny"}], "c": "é" * 20}] * 30)
    assert_same(rjson.loads(doc, object_hook=hook), json.loads(doc, object_hook=hook))


# ---------------------------------------------------------------------------
# Object shapes: the second time a key sequence is seen its dict becomes a template, and
# objects of that shape are copies of it with their values written in place.
# ---------------------------------------------------------------------------

def test_objects_of_one_shape_keep_their_own_values():
    rows = [{"id": i, "name": f"n{i}", "tags": [i, {"x": i}], "ok": i % 2 == 0, "none": None} for i in range(50)]
    doc = json.dumps(rows)
    for _ in range(3):
        got = rjson.loads(doc)
        assert_same(got, rows)
    # Changing a result changes neither the template nor later results.
    got[0]["id"] = "changed"
    got[0]["extra"] = 1
    del got[1]["name"]
    assert_same(rjson.loads(doc), rows)


def test_shapes_with_duplicates_reordered_or_colliding_keys():
    doc = json.dumps([{"a": 1, "b": 2}, {"b": 3, "a": 4}, {"a": 5, "b": 6, "c": 7}] * 4)
    doc = doc[:-1] + ', {"a": 1, "b": 2, "a": 3}, {"a": 1, "b": 2, "a": 3}, {"a": 1, "b": 2, "a": 3}]'
    for _ in range(2):
        same(doc)
    # More shapes than slots, each seen several times.
    many = json.dumps([{f"k{i}": 1, f"j{i}": 2, "z": i} for i in range(2000)] * 3)
    same(many)


def test_shaped_dicts_are_tracked_by_the_gc_as_json_makes_them():
    import gc
    doc = json.dumps([{"a": 1, "b": "x"}, {"a": [], "b": 2}, {"a": {}, "b": None}, {"a": {"c": 1}, "b": 0}] * 3)
    for _ in range(2):
        got, want = rjson.loads(doc), json.loads(doc)
        assert [gc.is_tracked(d) for d in got] == [gc.is_tracked(d) for d in want]
        assert [gc.is_tracked(d["a"]) for d in got if isinstance(d["a"], dict)] == \
            [gc.is_tracked(d["a"]) for d in want if isinstance(d["a"], dict)]


def test_shaped_dicts_leave_no_references_behind():
    doc = json.dumps([{"a": None, "b": True, "c": [None]}] * 20)
    rjson.loads(doc)
    before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(200):
        rjson.loads(doc)
    assert (sys.getrefcount(None), sys.getrefcount(True)) == before


def test_shapes_are_kept_across_calls():
    # One small object per call: from the second call on its dict is a copy of the
    # template kept from the earlier ones, with this call's values.
    rows = [{"id": i, "name": f"n{i}", "tags": [i], "ok": i % 2 == 0, "sub": {"x": i, "y": None}} for i in range(20)]
    got = [rjson.loads(json.dumps(row)) for row in rows]
    assert_same(got, rows)
    got[3]["id"] = "changed"
    got[3]["sub"]["new"] = 1
    assert_same(rjson.loads(json.dumps(rows[3])), rows[3])
    # The same keys in another order, or with a duplicate, between calls of the kept shape.
    for doc in ['{"name": 1, "id": 2}', '{"id": 1, "name": 2}', '{"id": 1, "name": 2, "id": 3}'] * 3:
        same(doc)


def test_purge_lets_go_of_kept_shapes():
    doc = '{"kept_shape_key_a": 1, "kept_shape_key_b": 2}'
    for _ in range(3):
        got = rjson.loads(doc)
    key = next(iter(got))
    held = sys.getrefcount(key)
    rjson._purge()
    # The key cache's reference, and from 3.11 on (where shapes are used, see
    # src/decode/shapes.rs) the shape's and its template's.
    assert held - sys.getrefcount(key) == (3 if sys.version_info >= (3, 11) else 1)


def test_object_hook_gets_shaped_dicts():
    doc = json.dumps([{"a": 1, "b": [2]}] * 5)
    seen = []
    got = rjson.loads(doc, object_hook=lambda d: seen.append(dict(d)) or len(seen))
    assert got == [1, 2, 3, 4, 5] and seen == [{"a": 1, "b": [2]}] * 5


@pytest.mark.parametrize("after", ["\\n", "\\u20ac", "é", "😀", "\x01", "\\ud83d\\ude00"])
def test_text_after_a_first_escape_is_copied_in_runs_of_any_length(after):
    # Once a string has an escape its content is copied: runs of every length between
    # specials, across 16-byte blocks.
    for gap in range(0, 36):
        body = "\\t" + "a" * gap + after + "b" * (gap // 2) + "\\\\" + "c" * gap
        doc = f'["{body}", {{"{body}": "{body}"}}]'
        want = json.loads(doc, strict=False)
        assert_same(rjson.loads(doc.encode(), strict=False), want)
        assert_same(rjson.loads(doc, strict=False), want)


@pytest.mark.parametrize("bad", [b"\xff", b"\xc3", b"\xe2\x82"])
def test_invalid_utf8_after_an_escape(bad):
    for gap in (0, 5, 20):
        data = b'["\\n' + b"x" * gap + bad + b'"]'
        with pytest.raises(UnicodeDecodeError) as want:
            json.loads(data)
        with pytest.raises(UnicodeDecodeError) as got:
            rjson.loads(data)
        assert str(got.value) == str(want.value)
        with pytest.raises(json.JSONDecodeError) as want:
            json.loads('["\\n' + "x" * gap + '\x01"]')
        with pytest.raises(json.JSONDecodeError) as got:
            rjson.loads('["\\n' + "x" * gap + '\x01"]')
        assert (got.value.msg, got.value.pos) == (want.value.msg, want.value.pos)

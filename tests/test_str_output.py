"""The str face's output (src/encode/str_writer.rs): ASCII goes to a byte buffer, runs of
non-ASCII characters are kept aside at their narrowest width, and the result is assembled in
the byte buffer's own block at its final kind, back to front. json is the oracle: `==`
between strs of different kinds is False in CPython, so an equal result also has the kind
json's has.
"""

import io
import json

import pytest

from hypothesis import given, settings, strategies as st

import rjson

# Characters from each storage kind's range, and the escapes that split a str into runs.
LATIN1 = "\u00e9\u00ff\u0080"
UCS2 = "\u0100\u20ac\uffff\ud800\udfff"
UCS4 = "\U00010000\U0001f600\U0010ffff"
ESCAPED = '\n"\\\x00\x1f'

pieces = st.one_of(
    st.text(alphabet="abc xyz", min_size=0, max_size=40),
    st.text(alphabet=LATIN1 + "ab" + ESCAPED, max_size=8),
    st.text(alphabet=UCS2 + LATIN1 + "a" + ESCAPED, max_size=8),
    st.text(alphabet=UCS4 + UCS2 + "a" + ESCAPED, max_size=8),
)
strs = st.lists(pieces, max_size=4).map("".join)
docs = st.recursive(
    st.one_of(strs, st.integers(), st.floats(allow_nan=False), st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(strs, inner, max_size=5)),
    max_leaves=20,
)
KWS = [
    {"ensure_ascii": False},
    {"ensure_ascii": False, "separators": (",", ":")},
    {"ensure_ascii": False, "indent": "\u00e9\t", "separators": ("\u2028,", "\U0001f600")},
    {"ensure_ascii": False, "sort_keys": True, "indent": 1},
    {},
]


@settings(max_examples=300, deadline=None)
@given(doc=docs, kw=st.sampled_from(KWS))
def test_generated_documents(doc, kw):
    assert rjson.dumps(doc, **kw) == json.dumps(doc, **kw)


def test_runs_at_every_offset_of_the_ascii_blocks():
    # The ASCII bytes are widened 16 at a time from the end: runs placed before, inside and
    # after every position of a block, in results of each kind.
    for wide in ("\u00e9", "\u0100", "\U0001f600", "\u00e9\n\u0100", "\ud800"):
        for before in range(0, 40):
            for after in (0, 1, 15, 16, 17, 33):
                doc = ["a" * before + wide + "b" * after, "c" * after, wide]
                assert rjson.dumps(doc, ensure_ascii=False) == json.dumps(doc, ensure_ascii=False)


def test_each_run_kept_at_its_own_width():
    # Separators and indentation arrive as UCS-4 text, and a UCS-2 str split by escapes
    # arrives in runs of which some are Latin-1: each is kept at the width its characters
    # need, so that the result's kind is the narrowest that holds it (a Latin-1 separator
    # around ASCII values makes a Latin-1 str, not a UCS-4 one).
    cases = [
        (["a", "b"], {"indent": "\u00e9"}),
        ({"k": [1]}, {"separators": (",", "\u00ff ")}),
        (["a", "b"], {"indent": "\u0100"}),
        (["x\u00e9"], {"indent": "\U0001f600", "separators": ("\u00e9", ":")}),
        (["\u00e9\n\u0100"], {}),
        (["\u0100\n\u00e9", "\u00e9"], {}),
        ({"\u00e9\n": "\U0001f600"}, {"sort_keys": True}),
    ]
    for doc, kw in cases:
        assert rjson.dumps(doc, ensure_ascii=False, **kw) == json.dumps(doc, ensure_ascii=False, **kw)


def test_large_results_and_dump_chunks():
    doc = [{"name": f"item {i} \u00e9t\u00e9 \u20ac{i}", "note": "x" * (i % 50), "emoji": "\U0001f600" * (i % 3)}
           for i in range(20000)]
    for kw in ({"ensure_ascii": False}, {"ensure_ascii": False, "indent": 2}):
        want = json.dumps(doc, **kw)
        for _ in range(3):  # each call starts from the state the last left
            assert rjson.dumps(doc, **kw) == want
        out = io.StringIO()
        rjson.dump(doc, out, **kw)  # handed over in chunks, each assembled on its own
        assert out.getvalue() == want


@pytest.mark.parametrize("char", ["\u00e9", "\u0101", "\U0001f600"])
def test_every_way_the_str_is_made(char):
    # ASCII text of every length around the block's sizes (it doubles from 512 bytes) and a
    # few characters kept: the str fits the text's room; reaches the tail, which is copied out;
    # outgrows the block; or, many characters kept, goes to a block of its own.
    sizes = {512 * 2 ** j + d for j in range(8) for d in range(-90, 40, 3)}
    for n in sorted(sizes):
        for kept in (1, 7, n // 8, n):
            doc = ["a" * n, char * kept]
            assert rjson.dumps(doc, ensure_ascii=False) == json.dumps(doc, ensure_ascii=False), (n, kept)


def test_nested_calls_keep_their_own_runs():
    # A `default` that calls dumps itself, mid-document: the inner call cannot have the outer
    # one's kept runs.
    class Thing:
        pass

    def default(o):
        return rjson.dumps(["\u0100 inner", "\U0001f600"], ensure_ascii=False)

    def std_default(o):
        return json.dumps(["\u0100 inner", "\U0001f600"], ensure_ascii=False)

    doc = ["\u00e9 outer", Thing(), "\u20ac after", [Thing()]]
    assert rjson.dumps(doc, ensure_ascii=False, default=default) == json.dumps(doc, ensure_ascii=False, default=std_default)

"""`dumps` keeps the options of its last call configured by keywords alone and reuses them
when the next call passes the same objects (src/stdlib/last_options.rs). Kept options must
never reach a call with other keywords: not after a change, not for a new tuple at a freed
one's address, not in a call made while an encoding with them runs."""
import json
import random
import sys

import pytest

import rjson

DOC = {"b": [1, 2.5, None, True, -0.0], "a": {"x": "é\u2028", "y": [], "z": {}}, "c": "\ud800 \x7f"}

KEYWORDS = [
    {},
    {"ensure_ascii": False},
    {"separators": (",", ":")},
    {"separators": (";", "=")},
    {"separators": [",", ":"]},
    {"separators": ("\u00e9", "\u4e00")},
    {"indent": 2},
    {"indent": "\t"},
    {"indent": 0},
    {"indent": None, "separators": None},
    {"sort_keys": True},
    {"sort_keys": True, "indent": 1, "separators": (",", ": ")},
    {"sort_keys": 1},
    {"ensure_ascii": None},
    {"ensure_ascii": 0, "separators": (",", ":")},
    {"skipkeys": True, "check_circular": False, "allow_nan": False},
    {"default": str},
    {"cls": rjson.JSONEncoder, "separators": (",", ":")},
]


def test_each_call_gets_its_keywords_options():
    order = KEYWORDS * 6
    random.Random(5).shuffle(order)
    for kw in order:
        assert rjson.dumps(DOC, **kw) == json.dumps(DOC, **kw), kw


def test_new_values_at_freed_addresses():
    # Each value is made for its call and freed right after it, so the next one is made at
    # the same address: kept options are told apart by holding their values.
    for i in range(300):
        separators = ("," + " " * (i % 3), ":" + " " * (i % 2))
        expected = json.dumps(DOC, separators=separators)
        assert rjson.dumps(DOC, separators=separators) == expected, separators
        del separators
    for i in range(300):
        indent = "ab" + " " * (i % 4)
        expected = json.dumps(DOC, indent=indent)
        assert rjson.dumps(DOC, indent=indent) == expected, indent
        del indent


def test_refused_keywords_raise_every_time():
    for _ in range(3):
        for kw in ({"indent": 2.0}, {"separators": (",", 1)}, {"separators": (",",)}):
            with pytest.raises((TypeError, ValueError)) as expected:
                json.dumps(DOC, **kw)
            with pytest.raises(expected.type):
                rjson.dumps(DOC, **kw)
        assert rjson.dumps(DOC, separators=(",", ":")) == json.dumps(DOC, separators=(",", ":"))


INNER = {"b": 1, "a": [2, {"c": None}]}


def test_calls_made_while_kept_options_encode():
    """A str subclass's `__lt__` (sort_keys) runs Python code in the middle of an encoding
    with kept options; the calls it makes have other keywords and must get their own."""
    inner = []

    class Key(str):
        def __lt__(self, other):
            inner.append(rjson.dumps(INNER, separators=(";", "=")))
            inner.append(rjson.dumps(INNER))
            return str.__lt__(self, other)

    doc = {Key("b"): [1], Key("a"): {"x": 2}, Key("c"): 3}
    for _ in range(3):
        for kw in ({"sort_keys": True}, {"sort_keys": True, "separators": (",", ":")}):
            inner.clear()
            assert rjson.dumps(doc, **kw) == json.dumps(doc, **kw)
            assert inner[:2] == [json.dumps(INNER, separators=(";", "=")), json.dumps(INNER)]
            assert len(set(inner)) == 2


def test_same_keywords_nested():
    """A nested call with the very same keywords finds the kept options in use and reads its
    own; both results are right."""
    inner = []

    class Key(str):
        def __lt__(self, other):
            inner.append(rjson.dumps(INNER, sort_keys=True))
            return str.__lt__(self, other)

    doc = {Key("b"): 1, Key("a"): 2}
    for _ in range(3):
        assert rjson.dumps(doc, sort_keys=True) == json.dumps(doc, sort_keys=True)
        assert set(inner) == {json.dumps(INNER, sort_keys=True)}


def test_purge_lets_go_of_kept_values():
    separators = ("," + "", ":" + " ")
    rjson.dumps(DOC, separators=separators)
    held = sys.getrefcount(separators)
    rjson._purge()
    assert sys.getrefcount(separators) == held - 1
    assert rjson.dumps(DOC, separators=separators) == json.dumps(DOC, separators=separators)

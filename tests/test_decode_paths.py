"""The decoder's fast paths, each against the stdlib ``json`` at its edges.

Every fast path (numbers read while scanned, ...) has a boundary where it hands over to a
slower one; these tests sit on both sides of each.
"""

import json

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

//! Number scanning with the exact acceptance rules of CPython's `_json` scanner, reading the
//! value in the same pass: an integer of up to 19 digits as its `u64` magnitude, a float
//! correctly rounded (so with the bits CPython's `float()` gives the same text).
//!
//! Floats take the first of three exact ways that applies: Clinger's fast path (mantissa and
//! power of ten both exact doubles, one rounding), Eisel-Lemire (a 128-bit approximation of
//! the power of five that tells when it cannot decide), then the standard library's parser
//! (also correctly rounded) for the rest: more than 19 significant digits, or an undecided
//! Eisel-Lemire.

use super::error::{syntax, ErrorKind, SyntaxError};

/// A number token: where it ends and its value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Number {
    pub end: usize,
    pub value: Value,
}

/// The value of a number token.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// An integer of at most 19 digits (`-0` is zero).
    Int { negative: bool, magnitude: u64 },
    /// An integer too long for `u64` arithmetic: convert its text.
    BigInt,
    /// A number with a fraction or an exponent.
    Float(f64),
}

impl Value {
    pub fn is_float(&self) -> bool {
        matches!(self, Value::Float(_))
    }
}

/// The decimal digit at `i`, if there is one.
#[inline(always)]
fn digit_at(buf: &[u8], i: usize) -> Option<u64> {
    match buf.get(i) {
        Some(&b) if b.is_ascii_digit() => Some(u64::from(b - b'0')),
        _ => None,
    }
}

/// The value of eight digits, first digit in the low byte, each already less '0' (SWAR, as
/// fast_float).
#[inline(always)]
fn eight_digits(v: u64) -> u64 {
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let mask = 0x0000_00FF_0000_00FF;
    let v = (v & mask).wrapping_mul(0x000F_4240_0000_0064).wrapping_add(((v >> 16) & mask).wrapping_mul(0x0000_2710_0000_0001));
    v >> 32
}

const POW10_U64: [u64; 9] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

/// Reads the digits from `i` on into `mantissa` (wrapping past 19 digits), eight bytes at a
/// time while eight are left; returns where the digits end.
#[inline(always)]
fn read_digits(buf: &[u8], mut i: usize, mantissa: &mut u64) -> usize {
    while let Some(chunk) = buf.get(i..i + 8) {
        let v = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let less_zero = v.wrapping_sub(0x3030_3030_3030_3030);
        // The top bit of the first non-digit byte is set (below '0' it borrows, above '9' it
        // carries, from 0x80 on it already was); carries and borrows only reach later bytes.
        let non_digits = (v.wrapping_add(0x4646_4646_4646_4646) | less_zero) & 0x8080_8080_8080_8080;
        if non_digits == 0 {
            *mantissa = mantissa.wrapping_mul(100_000_000).wrapping_add(eight_digits(less_zero));
            i += 8;
            continue;
        }
        let n = non_digits.trailing_zeros() as usize / 8;
        if n > 0 {
            // The n digits moved to the top, below them zeros: an eight-digit number.
            let digits = less_zero << (64 - 8 * n);
            *mantissa = mantissa.wrapping_mul(POW10_U64[n]).wrapping_add(eight_digits(digits));
        }
        return i + n;
    }
    while let Some(d) = digit_at(buf, i) {
        *mantissa = mantissa.wrapping_mul(10).wrapping_add(d);
        i += 1;
    }
    i
}

/// Scans the number starting at `start` (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`).
///
/// As in CPython, a `.` or exponent that is not followed by digits is not part of the number
/// (it is left for the caller, who then reports "Extra data" or a missing delimiter), nor is
/// a digit after a leading `0`. A missing integer part fails at `start`.
#[inline(always)]
pub fn scan_number(buf: &[u8], start: usize) -> Result<Number, SyntaxError> {
    let negative = buf.get(start) == Some(&b'-');
    let int_start = start + usize::from(negative);
    // All the digits, wrapping past 19 of them (`digits` then says so).
    let mut mantissa = 0u64;
    let mut i = match digit_at(buf, int_start) {
        Some(0) => int_start + 1,
        Some(_) => read_digits(buf, int_start, &mut mantissa),
        None => return syntax(ErrorKind::NumberWithoutDigits, start),
    };
    let mut digits = i - int_start;
    let mut is_float = false;
    let mut exp10 = 0i64;
    if buf.get(i) == Some(&b'.') && digit_at(buf, i + 1).is_some() {
        is_float = true;
        let end = read_digits(buf, i + 1, &mut mantissa);
        digits += end - (i + 1);
        exp10 = -((end - (i + 1)) as i64);
        i = end;
    }
    if matches!(buf.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        let exp_negative = buf.get(j) == Some(&b'-');
        if matches!(buf.get(j), Some(b'-' | b'+')) {
            j += 1;
        }
        if digit_at(buf, j).is_some() {
            let mut exp = 0i64;
            while let Some(d) = digit_at(buf, j) {
                // Past 2^40 the value is 0 or infinity whatever the digits; stop growing.
                if exp < 1 << 40 {
                    exp = exp * 10 + d as i64;
                }
                j += 1;
            }
            exp10 += if exp_negative { -exp } else { exp };
            is_float = true;
            i = j;
        }
    }
    if digits > 19 {
        // Leading zeros (`0.000...1`) add nothing.
        digits -= buf[int_start..i].iter().take_while(|&&b| b == b'0' || b == b'.').filter(|&&b| b == b'0').count();
    }
    let value = if !is_float {
        if digits <= 19 {
            Value::Int { negative, magnitude: mantissa }
        } else {
            Value::BigInt
        }
    } else {
        let exact = if digits <= 19 { to_f64(mantissa, exp10) } else { None };
        let magnitude = exact.unwrap_or_else(|| parse_float_text(&buf[int_start..i]));
        Value::Float(if negative { -magnitude } else { magnitude })
    };
    Ok(Number { end: i, value })
}

/// The standard library's correctly rounded parser, for what the fast ways cannot decide
/// (and for integers read as floats: the orjson face's beyond 64 bits).
#[cold]
pub fn parse_float_text(text: &[u8]) -> f64 {
    // The scanner matched the number grammar: ASCII digits, '.', 'e', 'E', signs.
    std::str::from_utf8(text).ok().and_then(|t| t.parse().ok()).unwrap_or(f64::NAN)
}

/// `w * 10^q` correctly rounded, or `None` when this cannot tell which way to round.
#[inline(always)]
fn to_f64(w: u64, q: i64) -> Option<f64> {
    if w == 0 {
        return Some(0.0);
    }
    if w <= 1 << 53 && (-22..=22).contains(&q) {
        // Both operands are exact doubles, so the one operation rounds correctly.
        let w = w as f64;
        return Some(if q < 0 { w / POW10[(-q) as usize] } else { w * POW10[q as usize] });
    }
    eisel_lemire(w, q).map(f64::from_bits)
}

/// The powers of ten that are exact doubles.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
    1e20, 1e21, 1e22,
];

const SMALLEST_POWER_OF_TEN: i64 = -342;
const LARGEST_POWER_OF_TEN: i64 = 308;
const MANTISSA_BITS: i32 = 52;
const INFINITE_POWER: i32 = 0x7FF;

/// The bits of the double nearest `w * 10^q` (`w` > 0) by Eisel and Lemire's algorithm
/// ("Number parsing at a gigabyte per second", 2021, as in fast_float), or `None` when the
/// 128-bit approximation of `5^q` cannot decide the rounding.
fn eisel_lemire(w: u64, q: i64) -> Option<u64> {
    if q < SMALLEST_POWER_OF_TEN {
        // Below half the smallest subnormal even for w = 2^64 - 1.
        return Some(0);
    }
    if q > LARGEST_POWER_OF_TEN {
        return Some((INFINITE_POWER as u64) << MANTISSA_BITS);
    }
    let lz = w.leading_zeros();
    let w = w << lz;
    let (lo, hi) = product_approx(q, w);
    // The truncated product might be one short of the exact one; that only matters (and is
    // only possible to overflow into the rounding bit) outside exponents where it is exact.
    if lo == u64::MAX && !(-27..=55).contains(&q) {
        return None;
    }
    let upper_bit = (hi >> 63) as i32;
    let shift = upper_bit + 64 - MANTISSA_BITS - 3;
    let mut mantissa = hi >> shift;
    // floor(q * log2(10)) + 63, exact for |q| <= 2620.
    let log2_q = (((q as i32).wrapping_mul(152_170 + 65_536)) >> 16) + 63;
    let mut power2 = log2_q + upper_bit - lz as i32 + 1023;
    if power2 <= 0 {
        // Subnormal (or zero).
        if -power2 + 1 >= 64 {
            return Some(0);
        }
        mantissa >>= -power2 + 1;
        mantissa += mantissa & 1;
        mantissa >>= 1;
        // Rounding up may reach the smallest normal, whose biased exponent is 1.
        let power2 = u64::from(mantissa >= 1 << MANTISSA_BITS);
        return Some(power2 << MANTISSA_BITS | (mantissa & ((1 << MANTISSA_BITS) - 1)));
    }
    // An exact tie (possible only when 5^q is small enough for the product to be exact)
    // rounds to even: drop the bit that would round up.
    if lo <= 1 && (-4..=23).contains(&q) && mantissa & 3 == 1 && (mantissa << shift) == hi {
        mantissa &= !1;
    }
    mantissa += mantissa & 1;
    mantissa >>= 1;
    if mantissa >= 2 << MANTISSA_BITS {
        mantissa = 1 << MANTISSA_BITS;
        power2 += 1;
    }
    mantissa &= !(1 << MANTISSA_BITS);
    if power2 >= INFINITE_POWER {
        return Some((INFINITE_POWER as u64) << MANTISSA_BITS);
    }
    Some((power2 as u64) << MANTISSA_BITS | mantissa)
}

/// The high 128 bits of `w * 5^q` (normalized `w`), from one multiplication when its bits
/// above the rounding precision are not all ones, else two.
#[inline(always)]
fn product_approx(q: i64, w: u64) -> (u64, u64) {
    let (hi5, lo5) = POW5[(q - SMALLEST_POWER_OF_TEN) as usize];
    let full = |a: u64, b: u64| {
        let r = u128::from(a) * u128::from(b);
        (r as u64, (r >> 64) as u64)
    };
    let (mut lo, mut hi) = full(w, hi5);
    let precision_mask = u64::MAX >> (MANTISSA_BITS + 3);
    if hi & precision_mask == precision_mask {
        let (_, second_hi) = full(w, lo5);
        lo = lo.wrapping_add(second_hi);
        if second_hi > lo {
            hi += 1;
        }
    }
    (lo, hi)
}

/// `5^q` for q in [-342, 308] as its (high, low) 64-bit halves, normalized so the top bit is
/// set: truncated for q >= 0; for q < 0 the reciprocal `2^b / 5^-q` plus one, truncated
/// (fast_float's table, computed here at compile time).
static POW5: [(u64, u64); (LARGEST_POWER_OF_TEN - SMALLEST_POWER_OF_TEN + 1) as usize] = pow5_table();

/// Little-endian 64-bit limbs; 28 hold 2^1728, more than the 2^1718 the table needs.
const LIMBS: usize = 28;
type Big = [u64; LIMBS];

const fn bit_len(x: &Big) -> u32 {
    let mut i = LIMBS;
    while i > 0 {
        i -= 1;
        if x[i] != 0 {
            return i as u32 * 64 + 64 - x[i].leading_zeros();
        }
    }
    0
}

/// `x >> s`.
const fn shr(x: &Big, s: u32) -> Big {
    let (limbs, bits) = ((s / 64) as usize, s % 64);
    let mut out = [0u64; LIMBS];
    let mut i = 0;
    while i + limbs < LIMBS {
        out[i] = x[i + limbs] >> bits;
        if bits > 0 && i + limbs + 1 < LIMBS {
            out[i] |= x[i + limbs + 1] << (64 - bits);
        }
        i += 1;
    }
    out
}

/// The top 128 bits of `x` (at least 2^64), as (high, low).
const fn top_128(x: &Big) -> (u64, u64) {
    let len = bit_len(x);
    if len >= 128 {
        let top = shr(x, len - 128);
        (top[1], top[0])
    } else {
        let v = ((x[1] as u128) << 64 | x[0] as u128) << (128 - len);
        ((v >> 64) as u64, v as u64)
    }
}

const fn mul_small(x: &mut Big, m: u64) {
    let mut carry = 0u128;
    let mut i = 0;
    while i < LIMBS {
        let cur = x[i] as u128 * m as u128 + carry;
        x[i] = cur as u64;
        carry = cur >> 64;
        i += 1;
    }
    assert!(carry == 0);
}

const fn div_small(x: &mut Big, d: u64) {
    let mut rem = 0u128;
    let mut i = LIMBS;
    while i > 0 {
        i -= 1;
        let cur = rem << 64 | x[i] as u128;
        x[i] = (cur / d as u128) as u64;
        rem = cur % d as u128;
    }
}

const fn add_one(x: &mut Big) {
    let mut i = 0;
    while i < LIMBS {
        x[i] = x[i].wrapping_add(1);
        if x[i] != 0 {
            return;
        }
        i += 1;
    }
}

const fn pow5_table() -> [(u64, u64); (LARGEST_POWER_OF_TEN - SMALLEST_POWER_OF_TEN + 1) as usize] {
    let mut table = [(0u64, 0u64); (LARGEST_POWER_OF_TEN - SMALLEST_POWER_OF_TEN + 1) as usize];
    // q >= 0: 5^q, truncated to its top 128 bits.
    let mut power = [0u64; LIMBS];
    power[0] = 1;
    let mut q = 0;
    while q <= LARGEST_POWER_OF_TEN {
        table[(q - SMALLEST_POWER_OF_TEN) as usize] = top_128(&power);
        mul_small(&mut power, 5);
        q += 1;
    }
    // q = -k < 0: floor(2^b / 5^k) + 1, truncated to 128 bits, where b = z + 127 for k <= 27
    // and 2z + 128 beyond, 2^z being the smallest power of two above 5^k. floor(2^B / 5^k)
    // is carried along for B = 1728 (floor(floor(x / 5) / 5) = floor(x / 25)), and
    // floor(2^b / 5^k) = floor(2^B / 5^k) >> (B - b).
    const B: u32 = 1728;
    let mut quotient = [0u64; LIMBS];
    quotient[(B / 64) as usize] = 1 << (B % 64);
    let mut power = [0u64; LIMBS];
    power[0] = 1;
    let mut k = 1;
    while k <= -SMALLEST_POWER_OF_TEN {
        mul_small(&mut power, 5);
        div_small(&mut quotient, 5);
        let z = bit_len(&power);
        let b = if k <= 27 { z + 127 } else { 2 * z + 128 };
        let mut c = shr(&quotient, B - b);
        add_one(&mut c);
        table[(-k - SMALLEST_POWER_OF_TEN) as usize] = top_128(&c);
        k += 1;
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(s: &str) -> Result<(usize, bool), SyntaxError> {
        scan_number(s.as_bytes(), 0).map(|n| (n.end, n.value.is_float()))
    }

    fn value(s: &str) -> Value {
        scan_number(s.as_bytes(), 0).unwrap().value
    }

    fn float(s: &str) -> f64 {
        match value(s) {
            Value::Float(f) => f,
            v => panic!("{s}: {v:?}"),
        }
    }

    #[test]
    fn integers_and_floats() {
        assert_eq!(scan("0"), Ok((1, false)));
        assert_eq!(scan("-0"), Ok((2, false)));
        assert_eq!(scan("123,"), Ok((3, false)));
        assert_eq!(scan("1.5"), Ok((3, true)));
        assert_eq!(scan("-1.5e-3]"), Ok((7, true)));
        assert_eq!(scan("1E+2"), Ok((4, true)));
        assert_eq!(scan("1e5"), Ok((3, true)));
    }

    #[test]
    fn partial_suffixes_are_left_out() {
        assert_eq!(scan("01"), Ok((1, false)));
        assert_eq!(scan("1."), Ok((1, false)));
        assert_eq!(scan("1.e5"), Ok((1, false)));
        assert_eq!(scan("1e"), Ok((1, false)));
        assert_eq!(scan("1e+"), Ok((1, false)));
        assert_eq!(scan("1.5e-x"), Ok((3, true)));
    }

    #[test]
    fn digit_runs_of_every_length_end_at_any_other_byte() {
        for len in 1..=20 {
            let digits: String = (0..len).map(|k| char::from(b'1' + (k % 9) as u8)).collect();
            for end in [",", "]", "}", " ", "/", ":", "x", "\u{ff}", ""] {
                for pad in ["", "          "] {
                    let doc = format!("{digits}{end}{pad}");
                    let n = scan_number(doc.as_bytes(), 0).unwrap();
                    assert_eq!(n.end, len, "{doc:?}");
                    let expected = if len <= 19 {
                        Value::Int { negative: false, magnitude: digits.parse().unwrap() }
                    } else {
                        Value::BigInt
                    };
                    assert_eq!(n.value, expected, "{doc:?}");
                    let doc = format!("0.{digits}{end}{pad}");
                    let n = scan_number(doc.as_bytes(), 0).unwrap();
                    assert_eq!((n.end, n.value), (len + 2, Value::Float(format!("0.{digits}").parse().unwrap())));
                }
            }
        }
    }

    #[test]
    fn missing_integer_part_fails_at_start() {
        let err = SyntaxError { kind: ErrorKind::NumberWithoutDigits, pos: 0 };
        assert_eq!(scan("-"), Err(err));
        assert_eq!(scan(".5"), Err(err));
        assert_eq!(scan("-x"), Err(err));
        assert_eq!(scan_number(b"[-]", 1), Err(SyntaxError { kind: ErrorKind::NumberWithoutDigits, pos: 1 }));
    }

    #[test]
    fn integers_up_to_19_digits_are_read_exactly() {
        assert_eq!(value("-0"), Value::Int { negative: true, magnitude: 0 });
        assert_eq!(value("9223372036854775807"), Value::Int { negative: false, magnitude: i64::MAX as u64 });
        assert_eq!(value("-9223372036854775808"), Value::Int { negative: true, magnitude: 1 << 63 });
        assert_eq!(value("9999999999999999999"), Value::Int { negative: false, magnitude: 9_999_999_999_999_999_999 });
        assert_eq!(value("1234567812345678"), Value::Int { negative: false, magnitude: 1_234_567_812_345_678 });
        assert_eq!(value("12345678"), Value::Int { negative: false, magnitude: 12_345_678 });
        assert_eq!(value("10000000000000000000"), Value::BigInt);
        assert_eq!(value("-18446744073709551616"), Value::BigInt);
    }

    #[test]
    fn the_table_is_fast_floats() {
        assert_eq!(POW5[0], (0xeef453d6923bd65a, 0x113faa2906a13b3f));
        assert_eq!(POW5[(-27 - SMALLEST_POWER_OF_TEN) as usize], (0x9e74d1b791e07e48, 0x775ea264cf55347e));
        assert_eq!(POW5[(-1 - SMALLEST_POWER_OF_TEN) as usize], (0xcccccccccccccccc, 0xcccccccccccccccd));
        assert_eq!(POW5[(0 - SMALLEST_POWER_OF_TEN) as usize], (1 << 63, 0));
        assert_eq!(POW5[(308 - SMALLEST_POWER_OF_TEN) as usize], (0x8e679c2f5e44ff8f, 0x570f09eaa7ea7648));
    }

    /// Every float agrees with the standard library's correctly rounded parser.
    fn agrees(s: &str) {
        let expected: f64 = s.parse().unwrap();
        assert_eq!(float(s).to_bits(), expected.to_bits(), "{s}");
    }

    #[test]
    fn floats_round_to_the_boundaries_as_float_does() {
        for s in [
            "0.0", "-0.0", "0e-999", "-0e999", "1e-400", "-1e-400", "1e400", "-1e400", "1e99999999999999999999",
            "1e-99999999999999999999", "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
            "2.2250738585072011e-308", "2.2250738585072014e-308", "4.9406564584124654e-324", "5e-324",
            "2.4703282292062327e-324", "2.4703282292062328e-324", "9007199254740993.0", "9007199254740995.0",
            "9007199254740992e1", "1e22", "1e23", "8.98846567431158e307", "0.1", "0.3", "123456789012345678e-5",
            "1234567890123456789e-330", "9999999999999999999e290", "1e-342", "1e-343", "7.2057594037927933e16",
            "2.2250738585072012e-308", "1.00000000000000011102230246251565404236316680908203125",
            "1.00000000000000011102230246251565404236316680908203124", "0.000000000000000000000000001",
            "4503599627370496.5", "4503599627370497.5", "-65.613616999999977", "43.420273000000009",
            "1448997445238699e0", "3.0540412e5", "1.2345678901234567e-300", "0.000000000000000000001234",
            "0.00000000000000000000012345678901234567890", "0.00000000000000000000000e5", "12345678.12345678",
            "1234567812345678.5", "0.1234567812345678", "123456781234567812345678.0",
        ] {
            agrees(s);
        }
    }

    #[test]
    fn random_floats_agree_with_the_standard_parser() {
        let mut next = crate::test_random::xorshift(0x2545_f491_4f6c_dd1d);
        for _ in 0..300_000 {
            let digits = 1 + next() % 20;
            let mantissa: String = (0..digits).map(|_| char::from(b'0' + (next() % 10) as u8)).collect();
            let point = next() % (digits + 1);
            let exp = (next() % 700) as i64 - 350;
            let (int, frac) = mantissa.split_at(point as usize);
            let int = if int.is_empty() { "0" } else { int.trim_start_matches('0') };
            let int = if int.is_empty() { "0" } else { int };
            let s = match (frac.is_empty(), next() % 3) {
                (true, 0) => format!("{int}e{exp}"),
                (true, _) => format!("{int}.0e{exp}"),
                (false, 0) => format!("{int}.{frac}"),
                (false, _) => format!("{int}.{frac}E{exp:+}"),
            };
            agrees(&s);
            // Shortest round-trip texts of random doubles (the common case in real data).
            let f = f64::from_bits(next() >> 1);
            if f.is_finite() {
                agrees(&format!("{f:e}"));
                agrees(&format!("{f:?}"));
            }
        }
    }
}

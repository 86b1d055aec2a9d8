//! Finite floats as the shortest digits that round-trip (Żmij, the `zmij` crate), laid out as
//! `float.__repr__` lays them out (`1e-05`, `0.0001`, `1e+16`, `1000000000000000.0`) or as
//! orjson does (which writes numpy's float32 by its own shortest digits: `0.1`, not
//! `0.10000000149011612`, with float32's layout bounds: `0.000001`, `1e+13`).
//!
//! Żmij rather than ryu: the same digits and layout at a third of the instructions (callgrind,
//! 2026-11: ryu alone took more instructions than orjson's whole dumps of canada.json; orjson
//! itself formats with Żmij).

use super::buffer::OutBuf;
use super::integer::Decimal;

/// Appends `repr(value)` for a finite `value` (see [`put_float_repr`]).
pub fn write_float_repr(out: &mut OutBuf, value: f64) {
    // SAFETY: `put_float_repr` writes at most MAX_LEN bytes and says how many.
    unsafe { out.put(MAX_LEN, |at| put_float_repr(at, value)) }
}

/// Writes `repr(value)` for a finite `value` at `at`; returns its length.
///
/// # Safety
/// `at` must be valid for [`MAX_LEN`] bytes of writes.
#[inline(always)]
unsafe fn put_float_repr(at: *mut u8, value: f64) -> usize {
    // SAFETY: forwarded.
    unsafe {
        if is_plain_repr(value) {
            put_float_orjson(at, value)
        } else {
            put_exponent_repr(at, value)
        }
    }
}

/// Writes `repr(value)` for a finite `value` outside [`is_plain_repr`]'s range at `at`;
/// returns its length.
///
/// Żmij's shortest digits are laid out as CPython lays them out except in two cases, fixed
/// here in place: CPython writes exponents with at least two digits (`1e-07`, Żmij `1e-7`),
/// and switches to exponent form one decade earlier for small numbers (`1e-05`, Żmij
/// `0.00001`).
///
/// Out of line: the walk writes most floats by [`FloatWriter`], and a second copy of Żmij
/// in it slowed those.
///
/// # Safety
/// `at` must be valid for [`MAX_LEN`] bytes of writes.
#[inline(never)]
pub unsafe fn put_exponent_repr(at: *mut u8, value: f64) -> usize {
    debug_assert!(value.is_finite() && !is_plain_repr(value));
    // SAFETY: forwarded.
    let len = unsafe { put_float_orjson(at, value) };
    // SAFETY: `at` is valid for MAX_LEN bytes, the first `len` of them Żmij's text.
    unsafe { relayout_as_repr(std::slice::from_raw_parts_mut(at, MAX_LEN), len) }
}

/// Lays out Żmij's text (the first `len` bytes of `text`) of a value outside `repr`'s plain
/// range as CPython does; returns its new length. Neither change makes it longer than
/// MAX_LEN: an exponent of one digit follows at most 17 digits, a sign and a point.
#[inline(always)]
fn relayout_as_repr(text: &mut [u8], len: usize) -> usize {
    // The exponent, if any, is in the last five bytes (`e-308`).
    let tail = len.saturating_sub(5);
    if let Some(e) = text[tail..len].iter().rposition(|&b| b == b'e') {
        // `e`, the sign, one digit: a zero goes before the digit.
        if tail + e + 3 == len {
            text[len] = text[len - 1];
            text[len - 1] = b'0';
            return len + 1;
        }
        return len;
    }
    let sign = usize::from(text[0] == b'-');
    let unsigned = &text[sign..len];
    // Żmij writes 0.0000ddd for 1e-05 <= |value| < 1e-04: d.dde-05 in CPython.
    if !(unsigned.starts_with(b"0.0000") && unsigned.len() > 6 && unsigned[6] != b'0') {
        return len;
    }
    let digits = sign + 6..len;
    text[sign] = text[digits.start];
    let mut end = sign + 1;
    if digits.len() > 1 {
        text[end] = b'.';
        text.copy_within(digits.start + 1..digits.end, end + 1);
        end += digits.len();
    }
    text[end..end + 4].copy_from_slice(b"e-05");
    end + 4
}

/// Whether `repr(value)` is Żmij's text as it is (see [`put_float_orjson`]): zero, or
/// finite between 1e-4 and 1e16, where neither writes an exponent.
#[inline(always)]
pub fn is_plain_repr(value: f64) -> bool {
    let magnitude = value.abs();
    magnitude == 0.0 || (1e-4..1e16).contains(&magnitude)
}

/// A binary float written by its shortest digits: `f64`, or `f32` (numpy's float32, and
/// float16 through the float32 it converts to exactly, as orjson writes them).
pub trait Shortest: zmij::Float + Copy {
    fn is_finite(self) -> bool;
}

impl Shortest for f64 {
    #[inline(always)]
    fn is_finite(self) -> bool {
        f64::is_finite(self)
    }
}

impl Shortest for f32 {
    #[inline(always)]
    fn is_finite(self) -> bool {
        f32::is_finite(self)
    }
}

/// The size of a `zmij::Buffer`: room for Żmij's longest text.
pub const MAX_LEN: usize = 24;

/// Writes `value` as orjson writes it (Żmij's layout as it is: `0.00001`, `1e-7`, `1e+16`;
/// NaN and infinities, which JSON cannot hold, as `null`) at `at`; returns its length.
///
/// Żmij writes into a `zmij::Buffer` only. Text copied out of one right after it was written
/// is read back before its stores have landed (a store-forwarding stall, as costly as the
/// digits), so the buffer here is the output's own memory at `at`.
///
/// # Safety
/// `at` must be valid for [`MAX_LEN`] bytes of writes.
#[inline(always)]
pub unsafe fn put_float_orjson<F: Shortest>(at: *mut u8, value: F) -> usize {
    const _: () = assert!(std::mem::size_of::<zmij::Buffer>() == MAX_LEN && std::mem::align_of::<zmij::Buffer>() == 1);
    if !value.is_finite() {
        // SAFETY: `at` is valid for MAX_LEN bytes, more than four.
        unsafe { std::ptr::copy_nonoverlapping(b"null".as_ptr(), at, 4) };
        return 4;
    }
    // SAFETY: a `zmij::Buffer` is MAX_LEN bytes of `MaybeUninit<u8>` (size and alignment
    // asserted above), so the MAX_LEN bytes at `at` are one. The text Żmij returns lies in
    // it; it is moved to `at` (where Żmij writes it anyway).
    unsafe {
        let text = (*at.cast::<zmij::Buffer>()).format_finite(value);
        let (from, len) = (text.as_ptr(), text.len());
        if from != at.cast_const() {
            std::ptr::copy(from, at, len);
        }
        len
    }
}

/// Appends `value` as orjson writes it (see [`put_float_orjson`]).
#[inline(always)]
pub fn write_float_orjson<F: Shortest>(out: &mut OutBuf, value: F) {
    // SAFETY: `put_float_orjson` writes at most MAX_LEN bytes and says how many.
    unsafe { out.put(MAX_LEN, |at| put_float_orjson(at, value)) }
}

/// Writes a walk's floats, through [`put_short_decimal`] while that mostly finds them short.
/// A miss costs its test and, where hits and misses mix, a mispredicted branch after a
/// division: canada.json (one float in nine short) took 8% longer when every float was
/// tried. A hit counts one, a miss two against; the walk stops trying once misses
/// outweigh (marine_ik.json: 99% short, 23% faster).
pub struct FloatWriter {
    score: i8,
}

impl Default for FloatWriter {
    fn default() -> Self {
        FloatWriter { score: 8 }
    }
}

impl FloatWriter {
    /// Writes `value` at `at` as [`put_float_orjson`] does; returns the length.
    ///
    /// # Safety
    /// `at` valid for [`MAX_LEN`] bytes of writes.
    #[inline(always)]
    pub unsafe fn put(&mut self, at: *mut u8, value: f64) -> usize {
        // SAFETY: forwarded.
        unsafe {
            if self.score >= 0 {
                if let Some(len) = put_short_decimal(at, value) {
                    self.score = self.score.saturating_add(1).min(64);
                    return len;
                }
                self.score -= 2;
            }
            put_float_orjson(at, value)
        }
    }
}

/// Fractional digits a short decimal may have.
const SHORT_DECIMALS: u32 = 8;

/// Writes `value` at `at` if it is a decimal of at most 8 fractional digits from 1e-4 to
/// 1e7 (what measured, priced or counted data mostly holds: `0.270354`, `617.5`, `42.0`);
/// returns the length. These are found and written in under half of Żmij's instructions,
/// and its text for them is the same (as is `float.__repr__`'s, both laying such values
/// out without an exponent).
///
/// `value` scaled by 1e8 and rounded is the candidate `digits`; it is the value's text if
/// it reads back as the value (the division is correctly rounded). Then it is also the
/// shortest text: it has at most 15 significant digits, and no two decimals of at most 15
/// significant digits read back as the same `f64` (DBL_DIG), so the shortest, which has no
/// more digits, is this one (its trailing zeros dropped).
///
/// # Safety
/// `at` valid for [`MAX_LEN`] bytes of writes.
#[inline(always)]
unsafe fn put_short_decimal(at: *mut u8, value: f64) -> Option<usize> {
    const SCALE: f64 = 1e8;
    const SCALE_INT: u64 = 100_000_000;
    let magnitude = value.abs();
    if !(1e-4..1e7).contains(&magnitude) {
        return None;
    }
    // Below 1e15 (2^50): the product's unit in the last place is at most 1/8, so adding
    // one half is exact, and the truncation rounds to the nearest integer.
    // Signed conversions: one instruction each way, where unsigned ones take several.
    let digits = (magnitude * SCALE + 0.5) as i64;
    if digits as f64 / SCALE != magnitude {
        return None;
    }
    let digits = digits as u64;
    let (whole, fraction) = (digits / SCALE_INT, (digits % SCALE_INT) as u32);
    let fraction = digit_bytes(fraction);
    // Trailing zero digits are the high zero bytes; one digit stays (`42.0`).
    let fraction_len = (SHORT_DECIMALS - fraction.leading_zeros() / 8).max(1) as usize;
    // SAFETY: at most 17 bytes (a sign, 7 whole digits, the point, 8 fractional digits
    // stored whole), within MAX_LEN; `fraction_len` of the 8 are kept.
    unsafe {
        *at = b'-';
        let whole_at = at.add(usize::from(value.is_sign_negative()));
        let point = whole_at.add(whole.put(whole_at));
        *point = b'.';
        point.add(1).cast::<u64>().write_unaligned((fraction | 0x3030_3030_3030_3030).to_le());
        Some(point.add(1 + fraction_len).offset_from(at) as usize)
    }
}

/// The 8 decimal digits of `n` (below 1e8) as byte values 0 to 9, the first digit in the
/// lowest byte: four digits to a 32-bit lane, then two to a 16-bit lane, then one to a
/// byte, each split by a multiply and shift that divide exactly in range.
#[inline(always)]
fn digit_bytes(n: u32) -> u64 {
    debug_assert!(n < 100_000_000);
    let fours = u64::from(n / 10_000) | u64::from(n % 10_000) << 32;
    // x / 100 for x < 10,000 is x * 5243 >> 19.
    let hundreds = (fours * 5243 >> 19) & 0x0000_007f_0000_007f;
    let pairs = hundreds | (fours - hundreds * 100) << 16;
    // x / 10 for x < 100 is x * 103 >> 10.
    let tens = (pairs * 103 >> 10) & 0x000f_000f_000f_000f;
    tens | (pairs - tens * 10) << 8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repr(v: f64) -> String {
        let mut out = OutBuf::default();
        write_float_repr(&mut out, v);
        String::from_utf8(out.as_slice().to_vec()).unwrap()
    }

    #[test]
    fn matches_python_repr() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e-7, "1e-07"),
            (1.5e-7, "1.5e-07"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (123456789012345680.0, "1.2345678901234568e+17"),
            (1e22, "1e+22"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (0.30000000000000004, "0.30000000000000004"),
            (9007199254740993.0, "9007199254740992.0"),
            (123.456, "123.456"),
            (1e100, "1e+100"),
            (-1.5e-5, "-1.5e-05"),
            (1.2345e-5, "1.2345e-05"),
            (9.999e-5, "9.999e-05"),
            (-0.0001, "-0.0001"),
            (1e-100, "1e-100"),
            (1234567890123456.0, "1234567890123456.0"),
            (-65.613616999999977, "-65.61361699999998"),
            // The longest texts moved in place: 17 digits before `e-05`, or before a
            // one-digit exponent given its zero.
            (-1.2345678901234567e-05, "-1.2345678901234568e-05"),
            (-1.2345678901234567e-7, "-1.2345678901234566e-07"),
            (9.999999999999999e-05, "9.999999999999999e-05"),
            (-5e-5, "-5e-05"),
            (1e-9, "1e-09"),
        ];
        for &(value, expected) in cases {
            assert_eq!(repr(value), expected, "{value:e}");
        }
    }

    #[test]
    fn matches_orjson() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (0.0001, "0.0001"),
            (0.00001, "0.00001"),
            (1.5e-5, "0.000015"),
            (1e-7, "1e-7"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.5e300, "1.5e+300"),
            (5e-324, "5e-324"),
            (1.23e-18, "1.23e-18"),
            (f64::NAN, "null"),
            (f64::NEG_INFINITY, "null"),
        ];
        for &(value, expected) in cases {
            let mut out = OutBuf::default();
            write_float_orjson(&mut out, value);
            assert_eq!(out.as_slice(), expected.as_bytes(), "{value:e}");
        }
    }

    #[test]
    fn matches_orjson_for_f32() {
        // orjson writes numpy's float32 by its own shortest digits, with f32's layout bounds.
        let cases: &[(f32, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (0.1, "0.1"),
            (1.0 / 3.0, "0.33333334"),
            (1e-6, "0.000001"),
            (9.999999e-7, "9.999999e-7"),
            (1e-5, "0.00001"),
            (9_999_999_000_000.0, "9999999000000.0"),
            (1e13, "1e+13"),
            (6.1335515e14, "6.1335515e+14"),
            (3.4028235e38, "3.4028235e+38"),
            (1e-45, "1e-45"),
            (16_777_216.0, "16777216.0"),
            (f32::INFINITY, "null"),
        ];
        for &(value, expected) in cases {
            let mut out = OutBuf::default();
            write_float_orjson(&mut out, value);
            assert_eq!(out.as_slice(), expected.as_bytes(), "{value:e}");
        }
    }

    /// Żmij's own text, not through the short decimal path.
    fn zmij_text(value: f64) -> String {
        zmij::Buffer::new().format_finite(value).to_owned()
    }

    fn short_decimal_text(value: f64) -> Option<String> {
        let mut at = [0u8; MAX_LEN];
        // SAFETY: MAX_LEN bytes of room.
        let len = unsafe { put_short_decimal(at.as_mut_ptr(), value) }?;
        Some(String::from_utf8(at[..len].to_vec()).unwrap())
    }

    #[test]
    fn short_decimals_are_zmijs_text() {
        let mut taken = 0;
        let mut check = |value: f64| {
            if let Some(text) = short_decimal_text(value) {
                assert_eq!(text, zmij_text(value), "{value:e}");
                taken += 1;
            }
        };
        // Decimals of every length up to 8 fractional digits (and longer: 9 to 17, which
        // take the short path only when they read back as a shorter one) and every scale.
        let mut next = crate::test_random::xorshift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..400_000 {
            let (r, shape) = (next(), next());
            let digits = 1 + shape % 17;
            let decimals = (shape >> 8) % (digits + 1);
            let mantissa = r % 10u64.pow(digits as u32);
            let sign = if shape >> 16 & 1 == 1 { "-" } else { "" };
            let text = format!("{sign}{mantissa}e-{decimals}");
            check(text.parse::<f64>().unwrap());
        }
        // Arbitrary doubles around the bounds and across the range.
        let mut next = crate::test_random::xorshift(0x2545_f491_4f6c_dd1d);
        for bits in std::iter::repeat_with(&mut next).take(400_000) {
            check(f64::from_bits(bits));
            let near = f64::from_bits(bits % (1 << 52) | 0x3ff0_0000_0000_0000);
            for bound in [1e-4, 1e-3, 0.1, 1.0, 1e3, 1e6, 1e7] {
                check(bound * near);
                check(bound * near / 2.0);
            }
        }
        for value in [1e-4, 1e7, 9_999_999.999_999_99, 0.000_100_000_000_1, 5e-5, 0.5, 617.0, 42.0, 1e-4 - 1e-20] {
            check(value);
            check(-value);
        }
        assert!(taken > 300_000, "the short path took only {taken} values");
    }

    #[test]
    fn short_decimal_path_takes_what_it_is_for() {
        for (value, text) in [(0.270354, "0.270354"), (617.0, "617.0"), (-4999.5, "-4999.5"), (0.0001, "0.0001"), (9_999_999.999_999_99, "9999999.99999999")] {
            assert_eq!(short_decimal_text(value).as_deref(), Some(text));
        }
        // Not short, or outside the range: Żmij's.
        for value in [0.1 + 0.2, 1e7, 5e-5, 0.000_123_456_789, 1.0 / 3.0, -65.613616999999977] {
            assert_eq!(short_decimal_text(value), None, "{value:e}");
        }
    }
}

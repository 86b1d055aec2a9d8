//! Decimal text of machine integers, written straight into the output.
//!
//! Not through `itoa`'s buffer: its text is built on the stack two digits at a time and
//! copying it out right after reads across those small stores, which the CPU cannot forward
//! to a wider load (a stall of a dozen cycles or more per int: 74% of the int writer's time
//! on citm_catalog.json, perf). Here the length is known first and the digits land in place.
//! `itoa` stays the reference the tests compare with.

/// Two-digit texts of 0..100, back to back.
const PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// An integer type whose decimal text is written in place.
pub trait Decimal: Copy {
    /// The longest text (a sign and the digits).
    const MAX_LEN: usize;

    /// Writes the text at `at`; returns its length.
    ///
    /// # Safety
    /// `at` valid for `MAX_LEN` bytes of writes.
    unsafe fn put(self, at: *mut u8) -> usize;
}

/// Number of decimal digits of `v` (1 for 0): the bit length's estimate, corrected by one
/// comparison.
#[inline(always)]
fn digit_count(v: u64) -> usize {
    const POWERS: [u64; 20] = {
        let mut powers = [1u64; 20];
        let mut i = 1;
        while i < 20 {
            powers[i] = powers[i - 1] * 10;
            i += 1;
        }
        powers
    };
    // `v | 1` has the digits of `v` (no power of ten above 1 is odd) and a bit length >= 1.
    let v = v | 1;
    let guess = (((64 - v.leading_zeros()) * 1233) >> 12) as usize;
    guess + (v >= POWERS[guess]) as usize
}

/// Writes the two digits of `pair` (below 100) at `at`.
///
/// # Safety
/// `at` valid for 2 bytes of writes.
#[inline(always)]
unsafe fn put_pair(at: *mut u8, pair: usize) {
    // SAFETY: `pair < 100`, so both bytes read are in PAIRS; `at` is writable for 2 bytes.
    unsafe { std::ptr::copy_nonoverlapping(PAIRS.as_ptr().add(2 * pair), at, 2) }
}

/// Writes the digits of `v` at `at`; returns how many. Below 10^8 (most ints in data), the
/// count is the branch taken: a text's end then waits on no arithmetic, where a count computed
/// from the value would put a dozen cycles on the cursor, which every later write needs.
///
/// # Safety
/// `at` valid for 20 bytes of writes (or as many as `v` has digits).
#[inline(always)]
unsafe fn put_digits(at: *mut u8, v: u64) -> usize {
    // SAFETY: forwarded; the digits of `v / 10_000` (at most 4), then 4.
    unsafe {
        if v >= 100_000_000 {
            return put_long_digits(at, v);
        }
        if v < 10_000 {
            return put_short_digits(at, v as usize);
        }
        let len = put_short_digits(at, (v / 10_000) as usize);
        put_four(at.add(len), (v % 10_000) as usize);
        len + 4
    }
}

/// The 4 digits of `v` (below 10,000), leading zeros included.
///
/// # Safety
/// `at` valid for 4 bytes of writes.
#[inline(always)]
unsafe fn put_four(at: *mut u8, v: usize) {
    // SAFETY: forwarded.
    unsafe {
        put_pair(at, v / 100);
        put_pair(at.add(2), v % 100);
    }
}

/// The digits of `v` (below 10,000), as [`put_digits`] writes them.
///
/// # Safety
/// `at` valid for 4 bytes of writes.
#[inline(always)]
unsafe fn put_short_digits(at: *mut u8, v: usize) -> usize {
    debug_assert!(v < 10_000);
    let (high, low) = (v / 100, v % 100);
    // SAFETY: each branch writes the digits it counts.
    unsafe {
        match (high, v) {
            (0, ..10) => {
                *at = b'0' + low as u8;
                1
            }
            (0, _) => {
                put_pair(at, low);
                2
            }
            (..10, _) => {
                *at = b'0' + high as u8;
                put_pair(at.add(1), low);
                3
            }
            _ => {
                put_pair(at, high);
                put_pair(at.add(2), low);
                4
            }
        }
    }
}

/// [`put_digits`] from 10^8 up.
///
/// # Safety
/// As for [`put_digits`].
#[inline(always)]
unsafe fn put_long_digits(at: *mut u8, mut v: u64) -> usize {
    let len = digit_count(v);
    // SAFETY: exactly `len` bytes are written, each once, from `at + len` down to `at`.
    unsafe {
        let mut end = at.add(len);
        while v >= 10_000 {
            let four = (v % 10_000) as usize;
            v /= 10_000;
            end = end.sub(4);
            put_four(end, four);
        }
        let mut v = v as usize;
        if v >= 100 {
            end = end.sub(2);
            put_pair(end, v % 100);
            v /= 100;
        }
        if v >= 10 {
            put_pair(end.sub(2), v);
        } else {
            *end.sub(1) = b'0' + v as u8;
        }
    }
    len
}

macro_rules! unsigned {
    ($($t:ty),*) => {$(
        impl Decimal for $t {
            const MAX_LEN: usize = <$t>::MAX.ilog10() as usize + 1;
            #[inline(always)]
            unsafe fn put(self, at: *mut u8) -> usize {
                // SAFETY: forwarded (at most MAX_LEN digits).
                unsafe { put_digits(at, self as u64) }
            }
        }
    )*};
}

macro_rules! signed {
    ($($t:ty),*) => {$(
        impl Decimal for $t {
            const MAX_LEN: usize = <$t>::MIN.unsigned_abs().ilog10() as usize + 2;
            #[inline(always)]
            unsafe fn put(self, at: *mut u8) -> usize {
                let negative = self < 0;
                // SAFETY: a sign (written always, kept only when negative) and at most
                // MAX_LEN - 1 digits.
                unsafe {
                    *at = b'-';
                    negative as usize + put_digits(at.add(negative as usize), self.unsigned_abs() as u64)
                }
            }
        }
    )*};
}

unsigned!(u8, u16, u32, u64);
signed!(i8, i16, i32, i64);

#[cfg(test)]
mod tests {
    use super::*;

    fn text<T: Decimal>(v: T) -> String {
        let mut out = vec![0u8; T::MAX_LEN];
        // SAFETY: MAX_LEN bytes of room.
        let len = unsafe { v.put(out.as_mut_ptr()) };
        out.truncate(len);
        String::from_utf8(out).unwrap()
    }

    fn check<T: Decimal + itoa::Integer>(v: T) {
        assert_eq!(text(v), itoa::Buffer::new().format(v), "MAX_LEN {}", T::MAX_LEN);
    }

    #[test]
    fn every_digit_count_and_edge_matches_itoa() {
        let mut power = 1u64;
        for _ in 0..20 {
            for v in [power - 1, power, power + 1, power.wrapping_mul(5)] {
                check(v);
                check(v as i64);
                check((v as i64).wrapping_neg());
            }
            power = power.wrapping_mul(10);
        }
        check(u64::MAX);
        check(i64::MIN);
        check(i64::MAX);
        for v in [0, 1, 9, 10, 99, 100, 127, 128, 255] {
            check(v as u8);
            check(v as i8);
        }
        check(i8::MIN);
        check(i16::MIN);
        check(u16::MAX);
        check(i32::MIN);
        check(u32::MAX);
    }

    #[test]
    fn pseudo_random_values_match_itoa() {
        let mut next = crate::test_random::xorshift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..200_000 {
            let state = next();
            // Every bit length, not mostly 20-digit values.
            let v = state >> (state % 64);
            check(v);
            check(v as i64);
            check(v as u32);
            check(v as i32);
            check(v as i16);
        }
    }

    #[test]
    fn max_len_is_the_longest_text() {
        assert_eq!((u8::MAX_LEN, i8::MAX_LEN, u16::MAX_LEN, i16::MAX_LEN), (3, 4, 5, 6));
        assert_eq!((u32::MAX_LEN, i32::MAX_LEN, u64::MAX_LEN, i64::MAX_LEN), (10, 11, 20, 20));
    }
}

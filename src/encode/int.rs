//! Integers as decimal text, written in place at the end of the output, in their final
//! position (text formatted into a separate buffer and copied just after would stall on
//! store forwarding when read back, costing as much as the digits).

/// "00" to "99".
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The number of decimal digits of `v`: from its bit length (`* 1233 >> 12` is `*
/// log10(2)` within one), corrected by one comparison. `v | 1` has the digits of `v` (no
/// power of ten is odd) and is never zero.
#[inline(always)]
fn decimal_len(v: u64) -> usize {
    const POWERS: [u64; 20] = {
        let mut p = [1u64; 20];
        let mut i = 1;
        while i < 20 {
            p[i] = p[i - 1] * 10;
            i += 1;
        }
        p
    };
    let v = v | 1;
    let guess = (((64 - v.leading_zeros()) * 1233) >> 12) as usize;
    guess + usize::from(v >= POWERS[guess])
}

/// Writes the two digits of `pair` (below 100) at `at`.
///
/// # Safety
/// `at` must be valid for two bytes of writes.
#[inline(always)]
unsafe fn put_pair(at: *mut u8, pair: u32) {
    // SAFETY: `pair < 100`, so both bytes read are inside PAIRS; `at` as required.
    unsafe { std::ptr::copy_nonoverlapping(PAIRS.as_ptr().add(pair as usize * 2), at, 2) }
}

/// Writes the digits of `v` backwards, the last just before `end`: by eight while it is
/// wider than 32 bits, then by four in 32-bit arithmetic.
///
/// # Safety
/// The `decimal_len(v)` bytes before `end` must be valid for writes.
#[inline(always)]
unsafe fn put_digits(mut end: *mut u8, mut v: u64) {
    // SAFETY: each step writes the digits it removes from `v`, just before the previous.
    unsafe {
        while v > u64::from(u32::MAX) {
            let eight = (v % 100_000_000) as u32;
            v /= 100_000_000;
            end = end.sub(8);
            put_four(end, eight / 10_000);
            put_four(end.add(4), eight % 10_000);
        }
        let mut v = v as u32;
        while v >= 10_000 {
            end = end.sub(4);
            put_four(end, v % 10_000);
            v /= 10_000;
        }
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
}

/// Writes the four digits of `four` (below 10000) at `at`.
///
/// # Safety
/// `at` must be valid for four bytes of writes.
#[inline(always)]
unsafe fn put_four(at: *mut u8, four: u32) {
    // SAFETY: forwarded.
    unsafe {
        put_pair(at, four / 100);
        put_pair(at.add(2), four % 100);
    }
}

/// Appends the last `N` decimal digits of `v`, leading zeros included (`N` even: dates and
/// times).
#[inline(always)]
pub fn write_pairs<const N: usize>(out: &mut Vec<u8>, mut v: u32) {
    const { assert!(N.is_multiple_of(2)) };
    out.reserve(N);
    // SAFETY: N bytes of spare capacity are reserved, filled two at a time from the last
    // before `set_len` counts them.
    unsafe {
        let at = out.as_mut_ptr().add(out.len());
        let mut k = N;
        while k > 0 {
            k -= 2;
            put_pair(at.add(k), v % 100);
            v /= 100;
        }
        out.set_len(out.len() + N);
    }
}

/// The longest text of a 64-bit integer (`-9223372036854775808`, `18446744073709551615`).
pub const MAX_LEN: usize = 20;

/// Writes `v` in decimal at `at`; returns its length.
///
/// # Safety
/// `at` must be valid for writes of that text (at most [`MAX_LEN`] bytes).
#[inline(always)]
pub unsafe fn put_u64(at: *mut u8, v: u64) -> usize {
    let len = decimal_len(v);
    // SAFETY: the digits fill the `len` bytes at `at`.
    unsafe { put_digits(at.add(len), v) };
    len
}

/// Writes `v` in decimal at `at`; returns its length.
///
/// # Safety
/// As for [`put_u64`].
#[inline(always)]
pub unsafe fn put_i64(at: *mut u8, v: i64) -> usize {
    let sign = usize::from(v < 0);
    // SAFETY: the text's first byte is its sign or first digit, so the `-` written there
    // first (without a branch) stays only if it is the sign.
    unsafe {
        *at = b'-';
        sign + put_u64(at.add(sign), v.unsigned_abs())
    }
}

/// Appends `v` in decimal.
#[inline(always)]
pub fn write_u64(out: &mut Vec<u8>, v: u64) {
    out.reserve(MAX_LEN);
    // SAFETY: MAX_LEN bytes of spare capacity are reserved; `put_u64` initialises the
    // ones `set_len` counts.
    unsafe {
        let len = put_u64(out.as_mut_ptr().add(out.len()), v);
        out.set_len(out.len() + len);
    }
}

/// Appends `v` in decimal.
#[inline(always)]
pub fn write_i64(out: &mut Vec<u8>, v: i64) {
    out.reserve(MAX_LEN);
    // SAFETY: as in `write_u64`.
    unsafe {
        let len = put_i64(out.as_mut_ptr().add(out.len()), v);
        out.set_len(out.len() + len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_length_and_boundary() {
        let mut cases = vec![0, 1, 9, 10, 11, 99, 100, 101, 999, u64::MAX, u64::MAX - 1, 1 << 63];
        let mut p = 1u64;
        while let Some(next) = p.checked_mul(10) {
            cases.extend([p - 1, p, p + 1, p * 7 + 3]);
            p = next;
        }
        cases.push(p);
        for v in cases {
            let mut out = b"x".to_vec();
            write_u64(&mut out, v);
            assert_eq!(out, format!("x{v}").into_bytes());
        }
        for v in [0, -1, -9, -10, -99, -100, i64::MIN, i64::MAX, i64::MIN + 1] {
            let mut out = Vec::new();
            write_i64(&mut out, v);
            assert_eq!(out, v.to_string().into_bytes());
        }
        let mut out = Vec::new();
        write_pairs::<4>(&mut out, 7);
        write_pairs::<2>(&mut out, 0);
        write_pairs::<6>(&mut out, 999_999);
        write_pairs::<2>(&mut out, 123);
        assert_eq!(out, b"00070099999923");
    }
}

//! Finding runs of bytes that JSON strings carry unchanged, 16 bytes at a time: shared by the
//! scanner (where such a run needs no decoding) and the escaper (no escaping).

/// The offset of the first byte at or after `i` that is not plain printable ASCII (a `"`, a
/// `\\`, a control character, a byte >= 0x80, and DEL when `stop_at_del`), or the end.
#[inline(always)]
pub fn plain_run_end(buf: &[u8], i: usize, stop_at_del: bool) -> usize {
    run_end::<false>(buf, i, stop_at_del)
}

/// The offset of the first byte at or after `i` of UTF-8 text that JSON escapes when writing
/// non-ASCII text as is (a `"`, a `\\` or a control character), or the end.
#[inline(always)]
pub fn utf8_run_end(buf: &[u8], i: usize) -> usize {
    run_end::<true>(buf, i, false)
}

/// [`plain_run_end`], or with `UTF8` [`utf8_run_end`].
#[inline(always)]
fn run_end<const UTF8: bool>(buf: &[u8], mut i: usize, stop_at_del: bool) -> usize {
    #[cfg(target_arch = "x86_64")]
    while i + 16 <= buf.len() {
        // SAFETY: the loop condition keeps the 16 bytes at `i` inside `buf`.
        let special = unsafe { special_mask(load_16(buf.as_ptr().add(i)), stop_at_del, UTF8) };
        if special != 0 {
            return i + special.trailing_zeros() as usize;
        }
        i += 16;
    }
    let rest = buf.len() - i;
    #[cfg(target_arch = "x86_64")]
    if rest > 0 && buf.len() >= 16 {
        // The last 16 bytes, of which the first `16 - rest` were found plain above.
        // SAFETY: `buf.len() >= 16`, so the 16 bytes before its end are inside it.
        let special = special_mask(unsafe { load_16(buf.as_ptr().add(buf.len() - 16)) }, stop_at_del, UTF8) >> (16 - rest);
        return i + (special | 1 << rest).trailing_zeros() as usize;
    }
    i + short_run_len::<UTF8>(&buf[i..], stop_at_del)
}

/// [`run_end`] of a short buffer (under 16 bytes on x86_64: a dict key, a short value): its
/// bytes gathered into 16 and tested at once. Overlapping reads put equal bytes in the same
/// places; the gaps hold a plain byte.
#[inline(always)]
fn short_run_len<const UTF8: bool>(bytes: &[u8], stop_at_del: bool) -> usize {
    const FILL: u64 = u64::from_le_bytes(*b"aaaaaaaa");
    let n = bytes.len();
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
    let u32_at = |at: usize| u64::from(u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or_default()));
    // The gathered bytes, and where the one at a place `p` is in `bytes`.
    let (lo, hi, place): (u64, u64, fn(usize, usize) -> usize) = match n {
        0 => return 0,
        // bytes[..8] and bytes[n - 8..]
        8.. => (u64_at(0), u64_at(n - 8), |p, n| if p < 8 { p } else { n + p - 16 }),
        // bytes[..4] and bytes[n - 4..]
        4..=7 => (u32_at(0) | u32_at(n - 4) << 32, FILL, |p, n| if p < 4 { p } else { n + p - 8 }),
        // bytes 0, n / 2 and n - 1
        _ => {
            let b = |k: usize| u64::from(bytes[k]);
            (b(0) | b(n / 2) << 8 | b(n - 1) << 16 | FILL << 24, FILL, |p, n| [0, n / 2, n - 1][p])
        }
    };
    match first_special::<UTF8>(lo, hi, stop_at_del) {
        Some(p) => place(p, n),
        None => n,
    }
}

/// The place of the first byte that is not plain among the 16 bytes of `lo` then `hi`
/// (little-endian).
#[inline(always)]
fn first_special<const UTF8: bool>(lo: u64, hi: u64, stop_at_del: bool) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::_mm_set_epi64x;
        // SAFETY: SSE2 is part of the x86_64 baseline.
        let special = special_mask(unsafe { _mm_set_epi64x(hi as i64, lo as i64) }, stop_at_del, UTF8);
        (special != 0).then(|| special.trailing_zeros() as usize)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let mut all = [0u8; 16];
        all[..8].copy_from_slice(&lo.to_le_bytes());
        all[8..].copy_from_slice(&hi.to_le_bytes());
        all.iter().position(|&b| is_special(b, stop_at_del, UTF8))
    }
}

/// The bit mask of the bytes among the 16 at `p` that are not plain (see [`plain_run_end`]);
/// with `utf8`, of those [`utf8_run_end`] stops at.
///
/// # Safety
/// `p` must be readable for 16 bytes.
#[inline(always)]
pub unsafe fn special_mask_16(p: *const u8, stop_at_del: bool, utf8: bool) -> u32 {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: forwarded.
    return special_mask(unsafe { load_16(p) }, stop_at_del, utf8);
    #[cfg(not(target_arch = "x86_64"))]
    // SAFETY: forwarded.
    unsafe { std::slice::from_raw_parts(p, 16) }
        .iter()
        .enumerate()
        .fold(0, |mask, (k, &b)| mask | u32::from(is_special(b, stop_at_del, utf8)) << k)
}

/// The 16 bytes at `p`.
///
/// # Safety
/// `p` must be readable for 16 bytes.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn load_16(p: *const u8) -> std::arch::x86_64::__m128i {
    // SAFETY: SSE2 is part of the x86_64 baseline; `p` is readable for 16 bytes.
    unsafe { std::arch::x86_64::_mm_loadu_si128(p.cast()) }
}

/// The bit mask of the bytes of `v` that are not plain; with `utf8`, bytes >= 0x80 are.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn special_mask(v: std::arch::x86_64::__m128i, stop_at_del: bool, utf8: bool) -> u32 {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 register operations, part of the x86_64 baseline.
    unsafe {
        let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
        let quoted = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8)), _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8)));
        // DEL matches itself only when asked; otherwise compare with a byte that is already
        // caught (the quote).
        let del = _mm_cmpeq_epi8(v, _mm_set1_epi8(if stop_at_del { 0x7f } else { b'"' as i8 }));
        let special = _mm_or_si128(_mm_or_si128(quoted, control), del);
        if utf8 {
            // (The control test is unsigned: bytes >= 0x80 pass it.)
            return _mm_movemask_epi8(special) as u32;
        }
        // The sign bit of each byte marks non-ASCII bytes.
        (_mm_movemask_epi8(special) | _mm_movemask_epi8(v)) as u32
    }
}

/// AVX-512 forms (BW and VL; see `crate::cpu`): a masked load reads exactly the bytes asked
/// for, so a short run is tested with no branch on its length and no read past its end.
#[cfg(target_arch = "x86_64")]
pub mod avx512 {
    use std::arch::x86_64::*;

    /// The `n <= 32` bytes at `p` (the rest of the vector zero, and not read), and the bit
    /// mask of those that are not plain ([`super::plain_run_end`]'s test; with `utf8`, those
    /// [`super::utf8_run_end`] stops at).
    ///
    /// # Safety
    /// The CPU has AVX-512 BW and VL; `p` is readable for `n` bytes.
    #[target_feature(enable = "avx512bw,avx512vl")]
    #[inline]
    pub unsafe fn load_32(p: *const u8, n: usize, stop_at_del: bool, utf8: bool) -> (__m256i, u32) {
        debug_assert!(n <= 32);
        let valid = ((1u64 << n) - 1) as u32;
        // SAFETY: only the `n` bytes `valid` selects are read (masked-off bytes never fault).
        let v = unsafe { _mm256_maskz_loadu_epi8(valid, p.cast()) };
        // The zeroed bytes past `n` are left out of the control test (the others cannot match).
        let control = _mm256_mask_cmplt_epu8_mask(valid, v, _mm256_set1_epi8(0x20));
        let quoted = _mm256_cmpeq_epi8_mask(v, _mm256_set1_epi8(b'"' as i8)) | _mm256_cmpeq_epi8_mask(v, _mm256_set1_epi8(b'\\' as i8));
        let del = if stop_at_del && !utf8 { _mm256_cmpeq_epi8_mask(v, _mm256_set1_epi8(0x7f)) } else { 0 };
        let high = if utf8 { 0 } else { _mm256_movepi8_mask(v) };
        (v, control | quoted | del | high)
    }

    /// [`super::unescaped_run_end_ucs2`] 32 units a vector, the last fewer under a mask.
    ///
    /// # Safety
    /// The CPU has AVX-512 BW and VL; `p` is readable for `n` units; `i <= n`.
    #[target_feature(enable = "avx512bw,avx512vl")]
    pub unsafe fn unescaped_run_end_ucs2(p: *const u16, n: usize, mut i: usize) -> usize {
        while i < n {
            let valid = if n - i >= 32 { u32::MAX } else { (1u32 << (n - i)) - 1 };
            // SAFETY: only the units `valid` selects, inside `n`, are read (masked-off ones
            // never fault).
            let v = unsafe { _mm512_maskz_loadu_epi16(valid, p.add(i).cast()) };
            // The zeroed lanes past `n` are left out of the control test (the others cannot
            // match).
            let control = _mm512_mask_cmplt_epu16_mask(valid, v, _mm512_set1_epi16(0x20));
            let quoted = _mm512_cmpeq_epi16_mask(v, _mm512_set1_epi16(b'"' as i16)) | _mm512_cmpeq_epi16_mask(v, _mm512_set1_epi16(b'\\' as i16));
            let escape = control | quoted;
            if escape != 0 {
                return i + escape.trailing_zeros() as usize;
            }
            i += 32;
        }
        n
    }

    /// Bits of the 16-bit lanes of `v` that hold plain ASCII: `0x20..0x80` and neither `"`
    /// nor `\\` (DEL included: the one-pass writer writes it as is).
    #[target_feature(enable = "avx512bw,avx512vl")]
    #[inline]
    fn plain_lanes_16(v: __m512i) -> u32 {
        let printable = _mm512_cmplt_epu16_mask(_mm512_sub_epi16(v, _mm512_set1_epi16(0x20)), _mm512_set1_epi16(0x60));
        let quoted = _mm512_cmpeq_epi16_mask(v, _mm512_set1_epi16(b'"' as i16)) | _mm512_cmpeq_epi16_mask(v, _mm512_set1_epi16(b'\\' as i16));
        printable & !quoted
    }

    /// Copies the plain ASCII units (as [`plain_lanes_16`] says) at the start of the `n` UCS-2
    /// units at `src` to `dst` as bytes, 32 at a time; how many. Stops inside the first
    /// block of 32 that holds another unit, or before the last `n % 32` units.
    ///
    /// # Safety
    /// The CPU has AVX-512 BW and VL; `src` readable for `n` units, `dst` writable for `n`
    /// bytes rounded down to a multiple of 32.
    #[target_feature(enable = "avx512bw,avx512vl")]
    pub unsafe fn narrow_plain_ucs2(src: *const u16, n: usize, dst: *mut u8) -> usize {
        let mut i = 0;
        while i + 32 <= n {
            // SAFETY: units `i..i + 32` are inside `n`; so are the 32 bytes stored at `i`.
            unsafe {
                let v = _mm512_loadu_si512(src.add(i).cast());
                _mm256_storeu_si256(dst.add(i).cast(), _mm512_cvtepi16_epi8(v));
                let plain = plain_lanes_16(v);
                if plain != u32::MAX {
                    return i + plain.trailing_ones() as usize;
                }
            }
            i += 32;
        }
        i
    }

    /// [`narrow_plain_ucs2`] for Latin-1 units (bytes), 64 at a time.
    ///
    /// # Safety
    /// The CPU has AVX-512 BW and VL; `src` readable for `n` bytes, `dst` writable for `n`
    /// bytes rounded down to a multiple of 64.
    #[target_feature(enable = "avx512bw,avx512vl")]
    pub unsafe fn copy_plain_latin1(src: *const u8, n: usize, dst: *mut u8) -> usize {
        let mut i = 0;
        while i + 64 <= n {
            // SAFETY: bytes `i..i + 64` are inside `n`, read and stored.
            unsafe {
                let v = _mm512_loadu_si512(src.add(i).cast());
                _mm512_storeu_si512(dst.add(i).cast(), v);
                let printable = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8(0x20)), _mm512_set1_epi8(0x60));
                let quoted = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'"' as i8)) | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'\\' as i8));
                let plain = printable & !quoted;
                if plain != u64::MAX {
                    return i + plain.trailing_ones() as usize;
                }
            }
            i += 64;
        }
        i
    }
}

/// The offset of the first byte at or after `i` that is not JSON whitespace (space, tab,
/// line feed, carriage return), or the end. Indented documents have long runs of spaces
/// after each line feed, so these are skipped 16 bytes at a time.
#[inline(always)]
pub fn whitespace_end(buf: &[u8], mut i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is part of the x86_64 baseline; every load reads 16 bytes at
        // `i..i + 16`, which the loop condition keeps inside `buf`.
        unsafe {
            while i + 16 <= buf.len() {
                let v = _mm_loadu_si128(buf.as_ptr().add(i).cast());
                let space = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
                let tab = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\t' as i8));
                let lf = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8));
                let cr = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8));
                let ws = _mm_or_si128(_mm_or_si128(space, tab), _mm_or_si128(lf, cr));
                let other = !(_mm_movemask_epi8(ws) as u32) & 0xffff;
                if other != 0 {
                    return i + other.trailing_zeros() as usize;
                }
                i += 16;
            }
        }
    }
    while matches!(buf.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// How many of the 16 bytes at `p` are ASCII before the first that is not (16 if none).
///
/// # Safety
/// `p` must be readable for 16 bytes.
#[inline(always)]
pub unsafe fn ascii_prefix_16(p: *const u8) -> usize {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of the x86_64 baseline; `p` is readable for 16 bytes.
    unsafe {
        use std::arch::x86_64::*;
        let high = _mm_movemask_epi8(_mm_loadu_si128(p.cast())) as u32;
        (high | 1 << 16).trailing_zeros() as usize
    }
    #[cfg(not(target_arch = "x86_64"))]
    // SAFETY: `p` is readable for 16 bytes.
    unsafe {
        std::slice::from_raw_parts(p, 16).iter().take_while(|b| b.is_ascii()).count()
    }
}

/// The offset of the first UCS-2 unit at or after `i` that JSON escapes when non-ASCII text
/// is written as is (`ensure_ascii=False`): `"`, `\\` or a control character; or the end.
#[inline(always)]
pub fn unescaped_run_end_ucs2(units: &[u16], i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::has_avx512() {
        // SAFETY: the CPU has AVX-512 BW and VL; `units` is readable for its length.
        return unsafe { avx512::unescaped_run_end_ucs2(units.as_ptr(), units.len(), i) };
    }
    unescaped_run_end_ucs2_baseline(units, i)
}

/// [`unescaped_run_end_ucs2`] with x86_64's baseline instructions (or another target's).
#[inline(always)]
fn unescaped_run_end_ucs2_baseline(units: &[u16], mut i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of the x86_64 baseline; every load reads 8 units at `i..i + 8`,
    // which the loop condition keeps inside `units`.
    unsafe {
        while i + 8 <= units.len() {
            let mask = escape_lanes_ucs2(std::arch::x86_64::_mm_loadu_si128(units.as_ptr().add(i).cast()));
            if mask != 0 {
                return i + mask.trailing_zeros() as usize / 2;
            }
            i += 8;
        }
    }
    while i < units.len() && !needs_escape(u32::from(units[i])) {
        i += 1;
    }
    i
}

/// Two mask bits for each of the 8 UCS-2 units of `v` that [`needs_escape`].
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn escape_lanes_ucs2(v: std::arch::x86_64::__m128i) -> u32 {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 register operations, part of the x86_64 baseline.
    unsafe {
        // Unsigned v <= 0x1f exactly when the saturating v - 0x1f is zero.
        let control = _mm_cmpeq_epi16(_mm_subs_epu16(v, _mm_set1_epi16(0x1f)), _mm_setzero_si128());
        let quoted = _mm_or_si128(_mm_cmpeq_epi16(v, _mm_set1_epi16(b'"' as i16)), _mm_cmpeq_epi16(v, _mm_set1_epi16(b'\\' as i16)));
        _mm_movemask_epi8(_mm_or_si128(control, quoted)) as u32
    }
}

/// Whether JSON escapes the character `c` even when non-ASCII text is written as is.
#[inline(always)]
pub fn needs_escape(c: u32) -> bool {
    c < 0x20 || c == u32::from(b'"') || c == u32::from(b'\\')
}

/// Whether a run stops at `b`: it is not plain ([`plain_run_end`]) or, with `utf8`, it is
/// one [`utf8_run_end`] stops at.
#[inline(always)]
pub fn is_special(b: u8, stop_at_del: bool, utf8: bool) -> bool {
    if utf8 {
        needs_escape(u32::from(b))
    } else {
        !is_plain(b, stop_at_del)
    }
}

/// One byte of [`plain_run_end`]'s test.
#[inline(always)]
pub fn is_plain(b: u8, stop_at_del: bool) -> bool {
    (0x20..0x80).contains(&b) && b != b'"' && b != b'\\' && !(stop_at_del && b == 0x7f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_runs_stop_at_every_kind_of_special_byte() {
        for len in [0, 1, 15, 16, 17, 31, 32, 33, 100] {
            for special in [b'"', b'\\', 0x00, 0x1f, 0x80, 0xff] {
                let mut doc = vec![b'"'];
                doc.extend(std::iter::repeat_n(b'a', len));
                doc.push(special);
                assert_eq!(plain_run_end(&doc, 1, false), 1 + len, "len {len} byte {special:#x}");
            }
            let mut doc = vec![b'"'];
            doc.extend(std::iter::repeat_n(b'~', len));
            assert_eq!(plain_run_end(&doc, 1, false), 1 + len, "unterminated run of {len}");
        }
    }

    #[test]
    fn every_start_every_length_every_special_byte() {
        let reference = |buf: &[u8], i: usize, del: bool| (i..buf.len()).find(|&k| !is_plain(buf[k], del)).unwrap_or(buf.len());
        for len in 0..40 {
            for special in [None, Some(b'"'), Some(b'\\'), Some(0x00), Some(0x1f), Some(0x7f), Some(0x80), Some(0xff)] {
                for at in 0..len.max(1) {
                    let mut buf: Vec<u8> = (0..len).map(|k| b' ' + (k * 7 % 90) as u8).map(|b| if b == b'"' || b == b'\\' { b'a' } else { b }).collect();
                    if let (Some(b), true) = (special, at < len) {
                        buf[at] = b;
                    }
                    for del in [false, true] {
                        for i in 0..=len {
                            assert_eq!(plain_run_end(&buf, i, del), reference(&buf, i, del), "{buf:?} from {i}, del {del}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn utf8_runs_stop_at_escapes_only() {
        let text = "日本語のテキスト、とても長い".as_bytes();
        for len in 0..text.len() {
            for special in [None, Some(b'"'), Some(b'\\'), Some(0x00), Some(0x1f)] {
                for at in 0..len.max(1) {
                    let mut buf = text[..len].to_vec();
                    if let (Some(b), true) = (special, at < len) {
                        buf[at] = b;
                    }
                    buf.push(0x7f);
                    let want = |i: usize| (i..buf.len()).find(|&k| needs_escape(u32::from(buf[k]))).unwrap_or(buf.len());
                    for i in 0..=buf.len() {
                        assert_eq!(utf8_run_end(&buf, i), want(i), "{buf:?} from {i}");
                    }
                }
            }
        }
    }

    /// Both forms (the AVX-512 one where the CPU has it), from several starts.
    #[test]
    fn ucs2_runs_stop_at_escapes_only() {
        let mut ways: Vec<fn(&[u16], usize) -> usize> = vec![unescaped_run_end_ucs2_baseline];
        #[cfg(target_arch = "x86_64")]
        if crate::cpu::has_avx512() {
            // SAFETY: the CPU has the features; `units` is readable for its length.
            ways.push(|units, i| unsafe { avx512::unescaped_run_end_ucs2(units.as_ptr(), units.len(), i) });
        }
        for run_end in ways {
            for len in [0, 1, 7, 8, 9, 17, 31, 32, 33, 64, 70] {
                for start in [0, 1, 5] {
                    for special in [0x22u16, 0x5c, 0x00, 0x1f] {
                        let mut units = vec![0x3042u16; start + len];
                        units.push(special);
                        units.push(0xffff);
                        assert_eq!(run_end(&units, start), start + len, "len {len} unit {special:#x}");
                    }
                }
                let units: Vec<u16> = (0..len as u32).map(|k| (0x20 + k * 1000 % 0xffc0) as u16).filter(|&c| c != 0x22 && c != 0x5c).collect();
                assert_eq!(run_end(&units, 0), units.len());
            }
        }
    }

    #[test]
    fn whitespace_runs_end_at_the_first_other_byte() {
        for len in [0, 1, 15, 16, 17, 31, 32, 33, 100] {
            for ws in [b' ', b'\t', b'\n', b'\r'] {
                for end in [b'x', 0x00, 0x0b, 0x0c, 0x1f, 0x21, 0x80] {
                    let mut doc = vec![b'['];
                    doc.extend(std::iter::repeat_n(ws, len));
                    doc.push(end);
                    doc.extend(std::iter::repeat_n(b' ', 20));
                    assert_eq!(whitespace_end(&doc, 1), 1 + len, "{len} {ws:#x} {end:#x}");
                }
                let doc: Vec<u8> = std::iter::repeat_n(ws, len).collect();
                assert_eq!(whitespace_end(&doc, 0), len);
            }
        }
    }

    #[test]
    fn del_stops_only_when_asked() {
        for len in [3, 20] {
            let mut doc = vec![b'a'; len];
            doc.push(0x7f);
            doc.push(b'"');
            assert_eq!(plain_run_end(&doc, 0, true), len);
            assert_eq!(plain_run_end(&doc, 0, false), len + 1);
        }
    }
}

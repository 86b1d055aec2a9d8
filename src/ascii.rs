//! Finding runs of bytes that JSON strings carry unchanged, 16 bytes at a time: shared by the
//! scanner (where such a run needs no decoding) and the escaper (no escaping).

/// The offset of the first byte at or after `i` that is not plain printable ASCII (a `"`, a
/// `\\`, a control character, a byte >= 0x80, and DEL when `stop_at_del`), or the end.
#[inline(always)]
pub fn plain_run_end(buf: &[u8], mut i: usize, stop_at_del: bool) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is part of the x86_64 baseline; every load reads 16 bytes at
        // `i..i + 16`, which the loop condition keeps inside `buf` (never past its end).
        unsafe {
            let quote = _mm_set1_epi8(b'"' as i8);
            let backslash = _mm_set1_epi8(b'\\' as i8);
            let control_max = _mm_set1_epi8(0x1f);
            // DEL matches itself only when asked; otherwise compare with a byte that is
            // already caught (the quote).
            let del = _mm_set1_epi8(if stop_at_del { 0x7f } else { b'"' as i8 });
            while i + 16 <= buf.len() {
                let v = _mm_loadu_si128(buf.as_ptr().add(i).cast());
                let control = _mm_cmpeq_epi8(_mm_min_epu8(v, control_max), v);
                let quoted = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash));
                let special = _mm_or_si128(_mm_or_si128(quoted, control), _mm_cmpeq_epi8(v, del));
                // The sign bit of each byte marks non-ASCII bytes.
                let mask = (_mm_movemask_epi8(special) | _mm_movemask_epi8(v)) as u32;
                if mask != 0 {
                    return i + mask.trailing_zeros() as usize;
                }
                i += 16;
            }
        }
    }
    while i < buf.len() && is_plain(buf[i], stop_at_del) {
        i += 1;
    }
    i
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

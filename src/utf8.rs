//! Generalized UTF-8: UTF-8 in which a surrogate code point is a 3-byte sequence of its own
//! (never paired with its neighbour). It carries any Python `str`, lone surrogates included,
//! through the pure-Rust scanner and escaper.

use crate::ffi::unicode::StrData;
use std::collections::TryReserveError;

/// Appends code point `cp` as generalized UTF-8 (a surrogate as its own 3-byte sequence).
#[inline]
pub fn push_char(out: &mut Vec<u8>, cp: u32) {
    match cp {
        0..=0x7f => out.push(cp as u8),
        0x80..=0x7ff => out.extend_from_slice(&[0xC0 | (cp >> 6) as u8, 0x80 | (cp & 0x3f) as u8]),
        0x800..=0xffff => out.extend_from_slice(&[
            0xE0 | (cp >> 12) as u8,
            0x80 | ((cp >> 6) & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]),
        _ => out.extend_from_slice(&[
            0xF0 | (cp >> 18) as u8,
            0x80 | ((cp >> 12) & 0x3f) as u8,
            0x80 | ((cp >> 6) & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]),
    }
}

/// The code point of the sequence starting at `i` in valid generalized UTF-8, and its width.
#[inline(always)]
pub fn decode_at(text: &[u8], i: usize) -> (u32, usize) {
    let lead = u32::from(text[i]);
    let cont = |k: usize| u32::from(text[i + k] & 0x3f);
    match text[i] {
        0x00..=0x7f => (lead, 1),
        0xC0..=0xDF => ((lead & 0x1f) << 6 | cont(1), 2),
        0xE0..=0xEF => ((lead & 0x0f) << 12 | cont(1) << 6 | cont(2), 3),
        _ => ((lead & 0x07) << 18 | cont(1) << 12 | cont(2) << 6 | cont(3), 4),
    }
}

/// The code points of generalized UTF-8 text that the scanner produced or validated (the
/// tests and fuzzers read the scanner's output with it).
pub fn chars(text: &[u8]) -> impl Iterator<Item = u32> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        if i >= text.len() {
            return None;
        }
        let (cp, width) = decode_at(text, i);
        i += width;
        Some(cp)
    })
}

/// Number of characters in the generalized UTF-8 prefix `text` (its non-continuation bytes):
/// turns a byte offset into the character offset the standard library reports.
pub fn char_count(text: &[u8]) -> usize {
    text.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

/// A `str`'s characters as generalized UTF-8 (how `loads` reads a non-ASCII `str`): runs of
/// ASCII are copied eight characters at a time. Fails only if the buffer, as long as the
/// text, cannot be allocated.
pub fn try_from_str_data(data: StrData<'_>) -> Result<Vec<u8>, TryReserveError> {
    match data {
        StrData::Ascii(b) => {
            let mut out = Vec::new();
            out.try_reserve_exact(b.len())?;
            out.extend_from_slice(b);
            Ok(out)
        }
        StrData::Latin1(b) => transcode(b),
        StrData::Ucs2(u) => transcode(u),
        StrData::Ucs4(u) => transcode(u),
    }
}

/// [`try_from_str_data`] for short texts (names, separators), where failing to allocate
/// aborts as Rust's allocations do.
pub fn from_str_data(data: StrData<'_>) -> Vec<u8> {
    try_from_str_data(data).unwrap_or_else(|e| panic!("{e}"))
}

/// A code unit of a `str` kind, as read for transcoding.
pub trait Unit: Copy {
    /// The most UTF-8 bytes one unit takes.
    const MAX_WIDTH: usize;
    /// Units handled at once by [`Unit::ascii_chunk`] and [`Unit::utf8_len`].
    const CHUNK: usize;
    /// Writes the `CHUNK` units at `units[i..]` as bytes at `dst` if they are all ASCII.
    ///
    /// # Safety
    /// `units[i..i + CHUNK]` in bounds; `dst` writable for `CHUNK` bytes.
    #[inline(always)]
    unsafe fn ascii_chunk(units: &[Self], i: usize, dst: *mut u8) -> bool {
        let units = &units[i..i + Self::CHUNK];
        if units.iter().any(|&u| u.cp() >= 0x80) {
            return false;
        }
        for (k, &u) in units.iter().enumerate() {
            // SAFETY: `dst` is writable for `CHUNK` bytes.
            unsafe { dst.add(k).write(u.cp() as u8) };
        }
        true
    }
    fn cp(self) -> u32;

    /// [`transcode_into`] for this width.
    ///
    /// # Safety
    /// As for [`transcode_into`].
    #[inline(always)]
    unsafe fn transcode_into(units: &[Self], dst: *mut u8) -> Transcoded {
        // SAFETY: forwarded.
        unsafe { transcode_from(units, 0, dst, Transcoded::default()) }
    }

    /// The length of `units` in UTF-8.
    fn utf8_len(units: &[Self]) -> usize {
        units.iter().map(|&u| width(u.cp())).sum()
    }
}

/// The UTF-8 length of `cp`.
#[inline(always)]
fn width(cp: u32) -> usize {
    1 + usize::from(cp >= 0x80) + usize::from(cp >= 0x800) + usize::from(cp >= 0x10000)
}

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

impl Unit for u8 {
    const MAX_WIDTH: usize = 2;
    const CHUNK: usize = 16;

    #[inline(always)]
    unsafe fn ascii_chunk(units: &[u8], i: usize, dst: *mut u8) -> bool {
        let chunk: [u8; 16] = units[i..i + 16].try_into().unwrap_or_default();
        if u128::from_le_bytes(chunk) & 0x8080_8080_8080_8080_8080_8080_8080_8080 != 0 {
            return false;
        }
        // SAFETY: `dst` is writable for 16 bytes.
        unsafe { dst.cast::<[u8; 16]>().write_unaligned(chunk) };
        true
    }

    #[inline(always)]
    fn cp(self) -> u32 {
        u32::from(self)
    }

    fn utf8_len(units: &[u8]) -> usize {
        // Each byte >= 0x80 takes two.
        units.len() + units.iter().filter(|&&b| b >= 0x80).count()
    }
}

impl Unit for u16 {
    const MAX_WIDTH: usize = 3;
    const CHUNK: usize = 8;

    // x86_64 transcodes UCS-2 with `transcode_ucs2`, whose ASCII chunks are its own.

    #[inline(always)]
    fn cp(self) -> u32 {
        u32::from(self)
    }

    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn transcode_into(units: &[u16], dst: *mut u8) -> Transcoded {
        // SAFETY: forwarded.
        unsafe { transcode_ucs2(units, dst) }
    }

    #[cfg(target_arch = "x86_64")]
    fn utf8_len(units: &[u16]) -> usize {
        let mut len = units.len();
        let mut i = 0;
        // SAFETY: SSE2 is baseline on x86_64; each load reads units[i..i + 8], in bounds.
        unsafe {
            let zero = _mm_setzero_si128();
            let (above_7f, above_7ff) = (_mm_set1_epi16(0xff80u16 as i16), _mm_set1_epi16(0xf800u16 as i16));
            while i + 8 <= units.len() {
                let v = _mm_loadu_si128(units.as_ptr().add(i).cast());
                // Two mask bits per unit that is *not* above the bound.
                let small = _mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(v, above_7f), zero)) as u32;
                let medium = _mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(v, above_7ff), zero)) as u32;
                len += 16 - (small.count_ones() + medium.count_ones()) as usize / 2;
                i += 8;
            }
        }
        len + units[i..].iter().map(|&u| width(u32::from(u)) - 1).sum::<usize>()
    }
}

impl Unit for u32 {
    const MAX_WIDTH: usize = 4;
    const CHUNK: usize = 8;

    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn ascii_chunk(units: &[u32], i: usize, dst: *mut u8) -> bool {
        let units = &units[i..i + 8];
        // SAFETY: SSE2 is baseline on x86_64; 8 units are read, 8 bytes written. Code points
        // are at most 0x10ffff, so signed comparisons and packs are exact.
        unsafe {
            let (a, b) = (_mm_loadu_si128(units.as_ptr().cast()), _mm_loadu_si128(units.as_ptr().add(4).cast()));
            if _mm_movemask_epi8(_mm_cmpgt_epi32(_mm_or_si128(a, b), _mm_set1_epi32(0x7f))) != 0 {
                return false;
            }
            let words = _mm_packs_epi32(a, b);
            _mm_storel_epi64(dst.cast(), _mm_packus_epi16(words, words));
            true
        }
    }

    #[inline(always)]
    fn cp(self) -> u32 {
        self
    }

    #[cfg(target_arch = "x86_64")]
    fn utf8_len(units: &[u32]) -> usize {
        let mut i = 0;
        let mut extra = 0;
        // SAFETY: SSE2 is baseline on x86_64; each load reads units[i..i + 4], in bounds.
        // Code points are at most 0x10ffff: signed comparisons are exact. A lane gains at
        // most 3 per load, so blocks of 2^28 loads never wrap its 32 bits.
        unsafe {
            while i + 4 <= units.len() {
                let block_end = units.len().min(i + (4 << 28));
                let mut acc = _mm_setzero_si128();
                while i + 4 <= block_end {
                    let v = _mm_loadu_si128(units.as_ptr().add(i).cast());
                    // Each comparison is -1 where true: subtracting adds one byte.
                    acc = _mm_sub_epi32(acc, _mm_cmpgt_epi32(v, _mm_set1_epi32(0x7f)));
                    acc = _mm_sub_epi32(acc, _mm_cmpgt_epi32(v, _mm_set1_epi32(0x7ff)));
                    acc = _mm_sub_epi32(acc, _mm_cmpgt_epi32(v, _mm_set1_epi32(0xffff)));
                    i += 4;
                }
                let lanes: [u32; 4] = std::mem::transmute(acc);
                extra += lanes.iter().map(|&l| l as usize).sum::<usize>();
            }
        }
        units.len() + extra + units[i..].iter().map(|&u| width(u) - 1).sum::<usize>()
    }
}

/// `units` as generalized UTF-8, in a buffer of its exact size.
fn transcode<T: Unit>(units: &[T]) -> Result<Vec<u8>, TryReserveError> {
    let len = T::utf8_len(units);
    let mut out: Vec<u8> = Vec::new();
    out.try_reserve_exact(len + SLACK)?;
    // SAFETY: the capacity is the UTF-8 length and the slack, the length all written before
    // `set_len`.
    unsafe {
        let written = transcode_into(units, out.as_mut_ptr());
        debug_assert_eq!(written.len, len);
        out.set_len(len);
    }
    Ok(out)
}

/// What [`transcode_into`] wrote.
#[derive(Clone, Copy, Default)]
pub struct Transcoded {
    /// Bytes written.
    pub len: usize,
    /// The largest code point written, if any was above ASCII (else below 0x80).
    pub max_char: u32,
    /// Whether a surrogate code point was among them.
    pub surrogate: bool,
}

/// Bytes past the UTF-8 length that [`transcode_into`] may write (and leave undefined).
pub const SLACK: usize = 16;

/// Writes `units` as generalized UTF-8 at `dst`: runs of ASCII a chunk at a time (UCS-2:
/// every character a chunk at a time, see [`transcode_ucs2`]).
///
/// # Safety
/// `dst` writable for the UTF-8 length of `units` (at most `units.len() * T::MAX_WIDTH`)
/// plus [`SLACK`] bytes.
#[inline]
pub unsafe fn transcode_into<T: Unit>(units: &[T], dst: *mut u8) -> Transcoded {
    // SAFETY: forwarded.
    unsafe { T::transcode_into(units, dst) }
}

/// Whether `cp` is a surrogate code point (which UTF-8 proper cannot hold).
#[inline(always)]
pub fn is_surrogate(cp: u32) -> bool {
    (0xD800..=0xDFFF).contains(&cp)
}

/// Writes code point `cp` as generalized UTF-8 at `dst`; returns its width.
///
/// # Safety
/// `dst` writable for the width (1 to 4 bytes).
#[inline(always)]
pub unsafe fn put_char(dst: *mut u8, cp: u32) -> usize {
    // SAFETY: each arm writes exactly the width it returns.
    unsafe {
        match cp {
            0..=0x7f => {
                dst.write(cp as u8);
                1
            }
            0x80..=0x7ff => {
                dst.write(0xC0 | (cp >> 6) as u8);
                dst.add(1).write(0x80 | (cp & 0x3f) as u8);
                2
            }
            0x800..=0xffff => {
                dst.write(0xE0 | (cp >> 12) as u8);
                dst.add(1).write(0x80 | ((cp >> 6) & 0x3f) as u8);
                dst.add(2).write(0x80 | (cp & 0x3f) as u8);
                3
            }
            _ => {
                dst.write(0xF0 | (cp >> 18) as u8);
                dst.add(1).write(0x80 | ((cp >> 12) & 0x3f) as u8);
                dst.add(2).write(0x80 | ((cp >> 6) & 0x3f) as u8);
                dst.add(3).write(0x80 | (cp & 0x3f) as u8);
                4
            }
        }
    }
}

/// [`transcode_into`] one unit at a time from `i` on (ASCII chunks aside), writing at
/// `dst + o`, adding to what `done` says was written before.
///
/// # Safety
/// `dst + done.len` writable for the UTF-8 length of `units[i..]`.
#[inline(always)]
unsafe fn transcode_from<T: Unit>(units: &[T], mut i: usize, dst: *mut u8, done: Transcoded) -> Transcoded {
    let Transcoded { len: mut o, mut max_char, mut surrogate } = done;
    // SAFETY: each unit writes exactly its UTF-8 width (an ASCII chunk one byte a unit), so
    // `o` never passes the UTF-8 length of `units`, for which `dst` has room.
    unsafe {
        // Units before `slow_end` are taken one by one: a chunk there was not all ASCII.
        let mut slow_end = 0;
        while i < units.len() {
            if i >= slow_end && i + T::CHUNK <= units.len() {
                if T::ascii_chunk(units, i, dst.add(o)) {
                    i += T::CHUNK;
                    o += T::CHUNK;
                    continue;
                }
                slow_end = i + T::CHUNK;
            }
            let cp = units[i].cp();
            i += 1;
            if cp >= 0x80 {
                max_char = max_char.max(cp);
            }
            surrogate |= is_surrogate(cp);
            o += put_char(dst.add(o), cp);
        }
    }
    Transcoded { len: o, max_char, surrogate }
}

/// UCS-2 to generalized UTF-8 eight units at a time with SSE2 (x86_64's baseline), whatever
/// their mix of widths: each unit's 1-, 2- or 3-byte form is made in a 32-bit lane, and the
/// lanes are stored one after the other as whole words, each advancing by its width (the
/// word's spare bytes are overwritten by the next). The last four to seven units are read
/// from a zero-padded copy and written whole: the padding's NULs and the last word's spare
/// bytes go in the [`SLACK`] past the output. Fewer are written one by one.
///
/// # Safety
/// As for [`transcode_into`].
#[cfg(target_arch = "x86_64")]
#[inline]
unsafe fn transcode_ucs2(units: &[u16], dst: *mut u8) -> Transcoded {
    let (mut i, mut o) = (0, 0);
    let mut wide = false;
    // SAFETY: SSE2 is baseline on x86_64; each load reads 8 units in bounds of `units` or of
    // the padded copy. A chunk of `count` units writes their UTF-8 length plus at most 10
    // bytes (up to 7 padding NULs, then a word's 3 spare bytes), which the units after it
    // write over or which fall in the slack after the output: every store is in `dst`'s room.
    unsafe {
        let zero = _mm_setzero_si128();
        let splat16 = |x: u16| _mm_set1_epi16(x as i16);
        // The largest unit, compared as signed after flipping the top bit; surrogates seen.
        let mut max = splat16(0x8000);
        let mut surrogates = zero;
        // A few last units cost less one at a time.
        while units.len() - i >= 4 {
            let count = (units.len() - i).min(8);
            let v = if count == 8 {
                _mm_loadu_si128(units.as_ptr().add(i).cast())
            } else {
                let mut padded = [0u16; 8];
                padded[..count].copy_from_slice(&units[i..]);
                _mm_loadu_si128(padded.as_ptr().cast())
            };
            i += count;
            if wide_lanes(v) == 0 {
                _mm_storel_epi64(dst.add(o).cast(), _mm_packus_epi16(v, v));
                o += count;
                continue;
            }
            wide = true;
            max = _mm_max_epi16(max, _mm_xor_si128(v, splat16(0x8000)));
            surrogates = _mm_or_si128(surrogates, surrogate_lanes(v));
            o += put_ucs2_chunk(v, dst.add(o));
            // The padding's NULs were written too, a byte each, into the slack.
            o -= 8 - count;
        }
        let done = if wide {
            let lanes: [u16; 8] = std::mem::transmute(max);
            let max_char = lanes.iter().map(|&l| u32::from(l ^ 0x8000)).max().unwrap_or(0);
            Transcoded { len: o, max_char, surrogate: _mm_movemask_epi8(surrogates) != 0 }
        } else {
            Transcoded { len: o, max_char: 0, surrogate: false }
        };
        transcode_from(units, i, dst, done)
    }
}

/// Two mask bits for each of the 8 UCS-2 units of `v` above ASCII.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn wide_lanes(v: __m128i) -> u32 {
    // SAFETY: SSE2 register operations, part of the x86_64 baseline.
    unsafe { !_mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(v, _mm_set1_epi16(0xff80u16 as i16)), _mm_setzero_si128())) as u32 & 0xffff }
}

/// The lanes of `v` (8 UCS-2 units) that hold a surrogate, all ones.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn surrogate_lanes(v: __m128i) -> __m128i {
    // SAFETY: SSE2 register operations, part of the x86_64 baseline.
    unsafe { _mm_cmpeq_epi16(_mm_and_si128(v, _mm_set1_epi16(0xf800u16 as i16)), _mm_set1_epi16(0xd800u16 as i16)) }
}

/// Writes the 8 UCS-2 units of `v` as generalized UTF-8 at `dst`; returns their UTF-8
/// length. Each unit is stored as a 4-byte word, so up to 3 bytes past that length are
/// written too (and left undefined).
///
/// # Safety
/// `dst` writable for the UTF-8 length of the units plus 3 bytes.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub unsafe fn put_ucs2_chunk(v: __m128i, dst: *mut u8) -> usize {
    let mut o = 0;
    // SAFETY: SSE2 is baseline on x86_64; the `k`th store starts at the UTF-8 length of the
    // units before it and is 4 bytes long, inside the room vouched for.
    unsafe {
        let zero = _mm_setzero_si128();
        let splat32 = |x: i32| _mm_set1_epi32(x);
        for half in [_mm_unpacklo_epi16(v, zero), _mm_unpackhi_epi16(v, zero)] {
            let low6 = _mm_or_si128(_mm_and_si128(half, splat32(0x3f)), splat32(0x80));
            let high = _mm_srli_epi32::<6>(half);
            let three = _mm_or_si128(
                _mm_or_si128(_mm_srli_epi32::<12>(half), splat32(0xe0)),
                _mm_or_si128(
                    _mm_slli_epi32::<8>(_mm_or_si128(_mm_and_si128(high, splat32(0x3f)), splat32(0x80))),
                    _mm_slli_epi32::<16>(low6),
                ),
            );
            let two = _mm_or_si128(_mm_or_si128(high, splat32(0xc0)), _mm_slli_epi32::<8>(low6));
            let one_byte = _mm_cmplt_epi32(half, splat32(0x80));
            let two_bytes = _mm_cmplt_epi32(half, splat32(0x800));
            let word = _mm_or_si128(
                _mm_and_si128(one_byte, half),
                _mm_andnot_si128(one_byte, _mm_or_si128(_mm_and_si128(two_bytes, two), _mm_andnot_si128(two_bytes, three))),
            );
            // 3, less one for each bound the unit is under (the masks are -1).
            let width = _mm_add_epi32(splat32(3), _mm_add_epi32(one_byte, two_bytes));
            let words: [u32; 4] = std::mem::transmute(word);
            let widths: [u32; 4] = std::mem::transmute(width);
            for k in 0..4 {
                dst.add(o).cast::<u32>().write_unaligned(words[k].to_le());
                o += widths[k] as usize;
            }
        }
    }
    o
}

/// Writes the code points of the `lanes` of `v` (8 in 32-bit lanes, any below 0x110000) as
/// generalized UTF-8 at `dst`; returns their UTF-8 length. Each is spelled out in its lane
/// and the lanes' bytes are packed together with one `vpcompressb`: no store or branch per
/// character. 32 bytes are stored (the rest past the length left undefined).
///
/// # Safety
/// The CPU has what [`crate::cpu::has_avx512_vbmi2`] says; `dst` writable for 32 bytes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512bw,avx512vl,avx512vbmi2,popcnt,bmi1,bmi2")]
#[inline]
pub unsafe fn put_chars_8(v: __m256i, lanes: u8, dst: *mut u8) -> usize {
    let s = _mm256_set1_epi32;
    let tail = |x: __m256i| _mm256_or_si256(_mm256_and_si256(x, s(0x3f)), s(0x80));
    let (t0, t1, t2) = (tail(v), tail(_mm256_srli_epi32::<6>(v)), tail(_mm256_srli_epi32::<12>(v)));
    let lead = |x: __m256i, bits: i32| _mm256_or_si256(x, s(bits));
    let two = _mm256_or_si256(lead(_mm256_srli_epi32::<6>(v), 0xc0), _mm256_slli_epi32::<8>(t0));
    let three = _mm256_or_si256(
        lead(_mm256_srli_epi32::<12>(v), 0xe0),
        _mm256_or_si256(_mm256_slli_epi32::<8>(t1), _mm256_slli_epi32::<16>(t0)),
    );
    let four = _mm256_or_si256(
        _mm256_or_si256(lead(_mm256_srli_epi32::<18>(v), 0xf0), _mm256_slli_epi32::<8>(t2)),
        _mm256_or_si256(_mm256_slli_epi32::<16>(t1), _mm256_slli_epi32::<24>(t0)),
    );
    let one_byte = _mm256_cmplt_epu32_mask(v, s(0x80));
    let two_bytes = _mm256_cmplt_epu32_mask(v, s(0x800));
    let three_bytes = _mm256_cmplt_epu32_mask(v, s(0x10000));
    let pick = |four: __m256i, three: __m256i, two: __m256i, one: __m256i| {
        let word = _mm256_mask_mov_epi32(four, three_bytes, three);
        _mm256_mask_mov_epi32(_mm256_mask_mov_epi32(word, two_bytes, two), one_byte, one)
    };
    let word = pick(four, three, two, v);
    // Each lane's bytes in use, as the top bits of its bytes; none for lanes left out.
    let used = pick(s(-1), s(0xff_ffff), s(0xffff), s(0xff));
    let bytes = _mm256_movepi8_mask(_mm256_maskz_mov_epi32(lanes, used));
    // SAFETY: `dst` is writable for the 32 bytes stored, as vouched for.
    unsafe { _mm256_storeu_si256(dst.cast(), _mm256_maskz_compress_epi8(bytes, word)) };
    bytes.count_ones() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_char_round_trips() {
        let mut out = Vec::new();
        let cps = [0x41, 0xe9, 0x20ac, 0xd800, 0xdfff, 0x1f600, 0x10ffff];
        for cp in cps {
            push_char(&mut out, cp);
        }
        assert_eq!(chars(&out).collect::<Vec<_>>(), cps);
        assert_eq!(char_count(&out), cps.len());
    }

    #[test]
    fn transcodes_runs_of_any_length_with_any_char_anywhere() {
        let reference = |cps: &[u32]| {
            let mut out = Vec::new();
            cps.iter().for_each(|&cp| push_char(&mut out, cp));
            out
        };
        for len in 0..40 {
            for at in 0..len {
                for special in [0x7f, 0x80, 0xff, 0x100, 0x7ff, 0x800, 0xd800, 0xffff, 0x10000, 0x10ffff] {
                    let mut cps: Vec<u32> = (0..len).map(|k| 0x20 + k as u32 % 90).collect();
                    cps[at] = special;
                    let expected = reference(&cps);
                    let ucs4: Vec<u32> = cps.clone();
                    assert_eq!(from_str_data(StrData::Ucs4(&ucs4)), expected, "ucs4 {len} {at} {special:#x}");
                    if special <= 0xffff {
                        let ucs2: Vec<u16> = cps.iter().map(|&c| c as u16).collect();
                        assert_eq!(from_str_data(StrData::Ucs2(&ucs2)), expected, "ucs2 {len} {at} {special:#x}");
                    }
                    if special <= 0xff {
                        let latin1: Vec<u8> = cps.iter().map(|&c| c as u8).collect();
                        assert_eq!(from_str_data(StrData::Latin1(&latin1)), expected, "latin1 {len} {at} {special:#x}");
                    }
                }
            }
        }
    }

    #[test]
    fn transcodes_ucs2_chunks_of_any_mix() {
        // Units of every width (and surrogates) mixed at random, at every length around the
        // chunk size.
        let picks = [0x20u16, 0x41, 0x7f, 0x80, 0xe9, 0x7ff, 0x800, 0x3042, 0xd800, 0xdfff, 0xfffd, 0xffff];
        let mut next = crate::test_random::xorshift(0x9e37_79b9_7f4a_7c15);
        for len in 0..64 {
            for _ in 0..50 {
                let units: Vec<u16> = (0..len).map(|_| picks[(next() % picks.len() as u64) as usize]).collect();
                let mut expected = Vec::new();
                units.iter().for_each(|&u| push_char(&mut expected, u32::from(u)));
                let mut out = vec![0u8; expected.len() + SLACK];
                // SAFETY: `out` holds the UTF-8 length and the slack.
                let written = unsafe { transcode_into(&units, out.as_mut_ptr()) };
                assert_eq!(out[..expected.len()], expected, "{units:x?}");
                assert_eq!(written.len, expected.len());
                let max = units.iter().copied().max().map_or(0, u32::from);
                assert_eq!(written.max_char, if max >= 0x80 { max } else { 0 }, "{units:x?}");
                assert_eq!(written.surrogate, units.iter().any(|&u| u & 0xf800 == 0xd800), "{units:x?}");
            }
        }
    }

    #[test]
    fn transcodes_every_kind() {
        assert_eq!(from_str_data(StrData::Latin1(b"\xe9a")), "éa".as_bytes());
        assert_eq!(from_str_data(StrData::Ucs2(&[0x20ac, 0xd800])), b"\xe2\x82\xac\xed\xa0\x80");
        assert_eq!(from_str_data(StrData::Ucs4(&[0x1f600])), "😀".as_bytes());
    }
}

//! JSON string escaping as the standard library does it: `encode_basestring_ascii`
//! (`ensure_ascii=True`: everything outside printable ASCII as `\uXXXX`, astral characters
//! as surrogate pairs) and `encode_basestring` (`ensure_ascii=False`: only `"`, `\` and
//! control characters escaped; the rest, lone surrogates included, written as is).
//!
//! Output goes to an [`Out`]: runs that need no escaping are handed over whole, at the width
//! of the source string; UTF-8 outputs take whole strs instead ([`push_escaped`]: scanned
//! and transcoded in one pass).

use super::buffer::{put_short, OutBuf};
use crate::ascii::{is_plain, is_special, needs_escape, plain_run_end, special_mask_16, unescaped_run_end_ucs2, utf8_run_end};
use crate::utf8::{is_surrogate, put_char};
use crate::ffi::unicode::StrData;

/// Where escaped text goes.
pub trait Out {
    /// The UTF-8 byte buffer under the output, for text written straight into it.
    fn buffer(&mut self) -> &mut OutBuf;
    /// ASCII bytes.
    fn ascii(&mut self, bytes: &[u8]);
    /// Characters copied unchanged from a string of that width.
    fn latin1(&mut self, units: &[u8]);
    fn ucs2(&mut self, units: &[u16]);
    fn ucs4(&mut self, units: &[u32]);

    /// A non-ASCII str's characters escaped as without `ensure_ascii`: the runs between
    /// escapes handed to [`Out::latin1`], [`Out::ucs2`] or [`Out::ucs4`]. (UTF-8 outputs
    /// escape and transcode in one pass instead: [`push_escaped`].)
    fn escaped<T: Units>(&mut self, units: &[T])
    where
        Self: Sized,
    {
        let mut i = 0;
        loop {
            let end = T::run_end(units, i);
            T::copy(self, &units[i..end]);
            let Some(&c) = units.get(end) else { break };
            write_escape(self, c.into());
            i = end + 1;
        }
    }
}

/// The units of a non-ASCII str: Latin-1, UCS-2 or UCS-4.
pub trait Units: Copy + Into<u32> {
    /// Hands `run` to `out` at its width.
    fn copy(out: &mut impl Out, run: &[Self]);

    /// Where the run from `i` of units that need no escape (without `ensure_ascii`) ends.
    fn run_end(units: &[Self], mut i: usize) -> usize {
        while i < units.len() && !needs_escape(units[i].into()) {
            i += 1;
        }
        i
    }

    /// The 8 units at `p`, each in a 16-bit lane, if units fit one (UCS-4's do not: it is
    /// transcoded a unit at a time).
    ///
    /// # Safety
    /// `p` readable for 8 units.
    #[cfg(target_arch = "x86_64")]
    unsafe fn load_8(p: *const Self) -> Option<std::arch::x86_64::__m128i>;

    /// Units in a vector of [`Units::put_plain_ascii`] (0: there is none, as for UCS-4).
    const VECTOR: usize = 0;

    /// Writes the plain ASCII units at the start of `units` to `dst` as bytes, a vector at a
    /// time; how many.
    ///
    /// # Safety
    /// The CPU has AVX-512 BW and VL; `dst` writable for `units.len()` bytes.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn put_plain_ascii(_units: &[Self], _dst: *mut u8) -> usize {
        0
    }
}

impl Units for u8 {
    fn copy(out: &mut impl Out, run: &[u8]) {
        out.latin1(run);
    }

    // Latin-1 units are escaped as UTF-8 bytes are: the same bytes below 0x80 stop a run.
    fn run_end(units: &[u8], i: usize) -> usize {
        utf8_run_end(units, i)
    }

    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load_8(p: *const u8) -> Option<std::arch::x86_64::__m128i> {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is baseline on x86_64; 8 bytes read, as vouched for.
        Some(unsafe { _mm_unpacklo_epi8(_mm_loadl_epi64(p.cast()), _mm_setzero_si128()) })
    }

    const VECTOR: usize = 64;

    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn put_plain_ascii(units: &[u8], dst: *mut u8) -> usize {
        // SAFETY: the CPU has the features; `units` is readable, `dst` writable for its length.
        unsafe { crate::ascii::avx512::copy_plain_latin1(units.as_ptr(), units.len(), dst) }
    }
}

impl Units for u16 {
    fn copy(out: &mut impl Out, run: &[u16]) {
        out.ucs2(run);
    }

    fn run_end(units: &[u16], i: usize) -> usize {
        unescaped_run_end_ucs2(units, i)
    }

    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load_8(p: *const u16) -> Option<std::arch::x86_64::__m128i> {
        // SAFETY: SSE2 is baseline on x86_64; 16 bytes read, as vouched for.
        Some(unsafe { std::arch::x86_64::_mm_loadu_si128(p.cast()) })
    }

    const VECTOR: usize = 32;

    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn put_plain_ascii(units: &[u16], dst: *mut u8) -> usize {
        // SAFETY: the CPU has the features; `units` is readable, `dst` writable for its length.
        unsafe { crate::ascii::avx512::narrow_plain_ucs2(units.as_ptr(), units.len(), dst) }
    }
}

impl Units for u32 {
    fn copy(out: &mut impl Out, run: &[u32]) {
        out.ucs4(run);
    }

    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load_8(_: *const u32) -> Option<std::arch::x86_64::__m128i> {
        None
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The short escape of `c`, if JSON has one.
#[inline(always)]
const fn short_escape(c: u32) -> Option<&'static [u8; 2]> {
    Some(match c {
        0x22 => br#"\""#,
        0x5c => br"\\",
        0x0a => br"\n",
        0x0d => br"\r",
        0x09 => br"\t",
        0x08 => br"\b",
        0x0c => br"\f",
        _ => return None,
    })
}

/// `\uXXXX` for the UTF-16 unit `unit` (below 0x10000), in the first 6 bytes of a word.
#[inline(always)]
fn u_escape(unit: u32) -> [u8; 8] {
    let [a, b] = HEX_PAIRS[(unit >> 8 & 0xff) as usize];
    let [c, d] = HEX_PAIRS[(unit & 0xff) as usize];
    [b'\\', b'u', a, b, c, d, 0, 0]
}

/// Writes the escape of `c`, a character that must be escaped (a control character, `"`,
/// `\`, or with `ensure_ascii` anything outside printable ASCII).
#[inline(always)]
fn write_escape(out: &mut impl Out, c: u32) {
    if let Some(esc) = short_escape(c) {
        out.ascii(esc);
    } else if c < 0x10000 {
        out.ascii(&u_escape(c)[..6]);
    } else {
        let v = c - 0x10000;
        out.ascii(&u_escape(0xD800 | (v >> 10))[..6]);
        out.ascii(&u_escape(0xDC00 | (v & 0x3ff))[..6]);
    }
}

/// Appends `"text"` escaped as `json.dumps` escapes it.
#[inline(always)]
pub fn write_escaped(out: &mut impl Out, data: StrData<'_>, ensure_ascii: bool) {
    if let StrData::Ascii(bytes) = data {
        // The common case, written straight into the byte buffer.
        return write_escaped_bytes::<false>(out.buffer(), bytes, ensure_ascii);
    }
    out.ascii(b"\"");
    match data {
        StrData::Ascii(_) => unreachable!("written above"),
        StrData::Latin1(units) if !ensure_ascii => out.escaped(units),
        StrData::Ucs2(units) if !ensure_ascii => out.escaped(units),
        StrData::Ucs4(units) if !ensure_ascii => out.escaped(units),
        StrData::Latin1(units) => push_escaped_ascii(out.buffer(), units),
        StrData::Ucs2(units) => push_escaped_ascii(out.buffer(), units),
        StrData::Ucs4(units) => push_escaped_ascii(out.buffer(), units),
    }
    out.ascii(b"\"");
}

/// Appends `"text"` for a non-ASCII str whose UTF-8 CPython has cached (`utf8`), without
/// `ensure_ascii`, to a UTF-8 output: copied as is but for `"`, `\\` and control characters,
/// with no transcoding.
#[inline(always)]
pub fn write_escaped_utf8(out: &mut impl Out, utf8: &[u8]) {
    write_escaped_bytes::<true>(out.buffer(), utf8, false);
}

/// The longest string [`put_quoted_plain`] writes.
pub const SHORT_PLAIN: usize = 32;

/// Writes `"bytes"` at `at` and says how many bytes that took, if none of `bytes` (at most
/// [`SHORT_PLAIN`]) needs escaping: is not plain ([`plain_run_end`]) or, with `UTF8`, is
/// one [`utf8_run_end`] stops at. Otherwise `None`, with bytes at `at` left to overwrite.
///
/// # Safety
/// `at` valid for `SHORT_PLAIN + 2` bytes of writes.
#[inline(always)]
pub unsafe fn put_quoted_plain<const UTF8: bool>(at: *mut u8, bytes: &[u8], stop_at_del: bool) -> Option<usize> {
    let n = bytes.len();
    debug_assert!(n <= SHORT_PLAIN);
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::has_avx512() {
        // SAFETY: the CPU has AVX-512 BW and VL; forwarded.
        return unsafe { put_quoted_plain_avx512::<UTF8>(at, bytes, stop_at_del) };
    }
    // SAFETY: forwarded.
    unsafe { put_quoted_plain_baseline::<UTF8>(at, bytes, stop_at_del) }
}

/// [`put_quoted_plain`] with x86_64's baseline instructions (or another target's).
///
/// # Safety
/// As for [`put_quoted_plain`].
#[inline(always)]
unsafe fn put_quoted_plain_baseline<const UTF8: bool>(at: *mut u8, bytes: &[u8], stop_at_del: bool) -> Option<usize> {
    let n = bytes.len();
    let end = if UTF8 { utf8_run_end(bytes, 0) } else { plain_run_end(bytes, 0, stop_at_del) };
    // SAFETY: the quotes and the `n <= SHORT_PLAIN` bytes between them.
    (end == n).then(|| unsafe {
        *at = b'"';
        put_short(at.add(1), bytes);
        *at.add(n + 1) = b'"';
        n + 2
    })
}

/// [`put_quoted_plain`] with one masked load, test and store for every length: no branch on
/// the length (the baseline's run test and copy take a few, which random lengths mispredict).
///
/// # Safety
/// As for [`put_quoted_plain`], on a CPU with AVX-512 BW and VL.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512bw,avx512vl")]
unsafe fn put_quoted_plain_avx512<const UTF8: bool>(at: *mut u8, bytes: &[u8], stop_at_del: bool) -> Option<usize> {
    let n = bytes.len();
    // SAFETY: `bytes` is readable for its `n <= 32` bytes; the CPU has the features.
    let (v, special) = unsafe { crate::ascii::avx512::load_32(bytes.as_ptr(), n, stop_at_del, UTF8) };
    if special != 0 {
        return None;
    }
    // SAFETY: `at` has room for SHORT_PLAIN + 2 = 34 bytes: the quote, the whole 32-byte
    // vector (its first `n` bytes the text) and the closing quote at `n + 1 <= 33`.
    unsafe {
        *at = b'"';
        std::arch::x86_64::_mm256_storeu_si256(at.add(1).cast(), v);
        *at.add(n + 1) = b'"';
    }
    Some(n + 2)
}

/// `"text"` for ASCII `bytes` (or with `UTF8`, UTF-8 bytes written as is): a short text with
/// nothing to escape in one step; others with room reserved for their worst case, so that
/// nothing inside checks the capacity: at once up to [`PIECE`] bytes, then a piece at a time.
#[inline(always)]
fn write_escaped_bytes<const UTF8: bool>(buf: &mut OutBuf, bytes: &[u8], ensure_ascii: bool) {
    let n = bytes.len();
    if n <= SHORT_PLAIN {
        // Most keys and short values: nothing to escape, written with one capacity check.
        let mut written = false;
        // SAFETY: `put_quoted_plain` writes at most SHORT_PLAIN + 2 bytes and says how many.
        unsafe {
            buf.put(SHORT_PLAIN + 2, |at| {
                let len = put_quoted_plain::<UTF8>(at, bytes, ensure_ascii);
                written = len.is_some();
                len.unwrap_or(0)
            })
        };
        if written {
            return;
        }
    }
    if let Some(room) = quoted_escaped_room(n) {
        // SAFETY: `put_quoted_escaped` writes within the room reserved and says how much.
        unsafe { buf.put(room, |at| put_quoted_escaped::<UTF8>(at, bytes, ensure_ascii)) };
        return;
    }
    buf.push(b'"');
    // SAFETY: `put_escaped_any` writes within `(to - from) * 6 + 32` bytes and says how many.
    unsafe { put_in_pieces(buf, n, 6, |at, from, to| put_escaped_any::<UTF8>(at, bytes, from, to, ensure_ascii)) };
    buf.push(b'"');
}

/// The room [`put_quoted_escaped`] needs for `n` bytes (6 a byte, each escaped; the quotes;
/// a vector stored whole past the end), if it takes them in one go: up to [`PIECE`] bytes,
/// so that the worst case reserved stays small.
#[inline(always)]
pub fn quoted_escaped_room(n: usize) -> Option<usize> {
    (n <= PIECE).then_some(n * 6 + 34)
}

/// Writes `"bytes"` escaped at `at` (as [`write_escaped_bytes`]) in one go; returns its length.
/// Not inlined: its callers are inlined in many places, and its texts are long.
///
/// # Safety
/// `at` valid for the bytes [`quoted_escaped_room`]`(bytes.len())` says (it says some).
#[inline(never)]
pub unsafe fn put_quoted_escaped<const UTF8: bool>(at: *mut u8, bytes: &[u8], ensure_ascii: bool) -> usize {
    // SAFETY: the quote, the run (within `n * 6 + 32` bytes from `at + 1`), and the closing
    // quote right after the run's `len <= n * 6` bytes.
    unsafe {
        *at = b'"';
        let len = put_escaped_any::<UTF8>(at.add(1), bytes, 0, bytes.len(), ensure_ascii);
        *at.add(len + 1) = b'"';
        len + 2
    }
}

/// [`put_escaped_run`] in the best form the CPU has.
///
/// # Safety
/// `from <= to <= bytes.len()`; `at` valid for `(to - from) * 6 + 32` bytes of writes.
#[inline(always)]
unsafe fn put_escaped_any<const UTF8: bool>(at: *mut u8, bytes: &[u8], from: usize, to: usize, ensure_ascii: bool) -> usize {
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::has_avx512() {
        // SAFETY: the CPU has AVX-512 BW and VL; forwarded.
        return unsafe { put_escaped_run_avx512::<UTF8>(at, bytes, from, to, ensure_ascii) };
    }
    // SAFETY: forwarded (it needs 16 bytes past the worst case, not 32).
    unsafe { put_escaped_run::<UTF8>(at, bytes, from, to, ensure_ascii) }
}

/// Source units escaped per reservation by [`put_in_pieces`] (and at most by
/// [`put_quoted_escaped`]).
const PIECE: usize = 4096;

/// Writes `n` source units escaped, [`PIECE`] at a time, so that the worst case reserved
/// (every unit escaped) stays small: `put(at, from, to)` writes units `from..to` at `at`
/// and returns how many bytes that took.
///
/// # Safety
/// `put` writes within `(to - from) * unit_room + 64` bytes at `at`.
#[inline(always)]
unsafe fn put_in_pieces(buf: &mut OutBuf, n: usize, unit_room: usize, mut put: impl FnMut(*mut u8, usize, usize) -> usize) {
    let mut from = 0;
    while from < n {
        let to = n.min(from + PIECE);
        // SAFETY: the room reserved is what `put` may write, as the caller vouches.
        unsafe { buf.put((to - from) * unit_room + 64, |at| put(at, from, to)) };
        from = to;
    }
}

/// Writes `bytes[from..to]` escaped at `at` (as [`write_escaped_bytes`]); returns how many
/// bytes that took. Each 16 bytes are stored whole, and kept up to the first that needs an
/// escape, which is written and the next 16 taken from after it.
///
/// # Safety
/// `from <= to <= bytes.len()`; `at` valid for `(to - from) * 6 + 16` bytes of writes.
#[inline(always)]
unsafe fn put_escaped_run<const UTF8: bool>(at: *mut u8, bytes: &[u8], from: usize, to: usize, ensure_ascii: bool) -> usize {
    let src = bytes.as_ptr();
    let (mut i, mut o) = (from, at);
    // SAFETY: loads stay inside `bytes[..to]`; by the time `i` bytes are read, `o` is at most
    // `(i - from) * 6` past `at`, and each write (16 bytes, an 8-byte escape, or the rest of
    // the run) ends inside `(to - from) * 6 + 16`.
    unsafe {
        while i + 16 <= to {
            let block = src.add(i).cast::<[u8; 16]>().read_unaligned();
            o.cast::<[u8; 16]>().write_unaligned(block);
            let special = special_mask_16(src.add(i), ensure_ascii, UTF8);
            if special == 0 {
                (i, o) = (i + 16, o.add(16));
                continue;
            }
            let k = special.trailing_zeros() as usize;
            o = put_escape(o.add(k), bytes[i + k]);
            i += k + 1;
        }
        let rest = to - i;
        if rest > 0 {
            // The last bytes: their mask from the 16 that end with them, if the string has
            // as many; otherwise one at a time.
            let mut special = if to >= 16 {
                special_mask_16(src.add(to - 16), ensure_ascii, UTF8) >> (16 - rest)
            } else {
                (0..rest).fold(0, |mask, k| mask | u32::from(is_special(bytes[i + k], ensure_ascii, UTF8)) << k)
            };
            let mut run = i;
            while special != 0 {
                let k = i + special.trailing_zeros() as usize;
                put_short(o, &bytes[run..k]);
                o = put_escape(o.add(k - run), bytes[k]);
                run = k + 1;
                special &= special - 1;
            }
            put_short(o, &bytes[run..to]);
            o = o.add(to - run);
        }
        o.offset_from(at) as usize
    }
}

/// [`put_escaped_run`] 32 bytes a vector, the last fewer under a mask; every escape in a
/// vector written from it: the bytes after each escape stored again, moved past it.
///
/// # Safety
/// The CPU has AVX-512 BW and VL; `from <= to <= bytes.len()`; `at` valid for
/// `(to - from) * 6 + 32` bytes of writes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512bw,avx512vl,bmi1")]
unsafe fn put_escaped_run_avx512<const UTF8: bool>(at: *mut u8, bytes: &[u8], from: usize, to: usize, ensure_ascii: bool) -> usize {
    use std::arch::x86_64::*;
    let (mut i, mut o) = (from, at);
    // SAFETY: each load reads `bytes[i..i + n]`, inside `..to`. By the time `i` bytes are
    // read, `o` is at most `(i - from) * 6` past `at`; a vector's `n` bytes take at most
    // `n * 6` from `o`, each store (32 bytes, or an escape's 8, at most 5 bytes a byte past
    // where its byte lands) ending inside the `(to - i) * 6 + 32` bytes left.
    unsafe {
        while i < to {
            let n = (to - i).min(32);
            let (v, mut special) = crate::ascii::avx512::load_32(bytes.as_ptr().add(i), n, ensure_ascii, UTF8);
            _mm256_storeu_si256(o.cast(), v);
            // Where the vector's byte `j` goes: `o + j`, moved on by each escape before it.
            while special != 0 {
                let k = special.trailing_zeros() as usize;
                // The escape's end is where byte `k + 1` goes.
                o = put_escape(o.add(k), bytes[i + k]).sub(k + 1);
                // The bytes after `k` (garbage past `n` included: it lies past the text).
                _mm256_mask_storeu_epi8(o.cast(), u32::MAX << k << 1, v);
                special &= special - 1;
            }
            (i, o) = (i + n, o.add(n));
        }
        o.offset_from(at) as usize
    }
}

/// The escapes of ASCII bytes, 8 bytes each: the escape (at most 6 bytes) and its length in
/// the last byte.
static ESCAPES: [[u8; 8]; 128] = {
    let mut table = [[0u8; 8]; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = match short_escape(b as u32) {
            Some(&[backslash, c]) => [backslash, c, 0, 0, 0, 0, 0, 2],
            None => [b'\\', b'u', b'0', b'0', HEX[b >> 4], HEX[b & 0xf], 0, 6],
        };
        b += 1;
    }
    table
};

/// Writes the escape of the ASCII byte `b` at `o` (8 bytes stored, the escape's counted);
/// returns where it ends.
///
/// # Safety
/// `o` valid for 8 bytes of writes; `b` is ASCII.
#[inline(always)]
unsafe fn put_escape(o: *mut u8, b: u8) -> *mut u8 {
    let escape = ESCAPES[usize::from(b & 0x7f)];
    // SAFETY: forwarded.
    unsafe {
        o.cast::<[u8; 8]>().write_unaligned(escape);
        o.add(usize::from(escape[7]))
    }
}

/// Appends a str's characters escaped as without `ensure_ascii`, as generalized UTF-8,
/// scanning and transcoding in one pass (no quotes); whether a surrogate was among them.
pub fn push_escaped<T: Units>(buf: &mut OutBuf, units: &[T]) -> bool {
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::has_avx512_vbmi2() {
        // SAFETY: the CPU has the features `put_escaped_vbmi2` needs; it writes within
        // `(to - from) * 6 + 32` bytes.
        return unsafe { push_escaped_by(buf, units.len(), |at, from, to| put_escaped_vbmi2(at, units, from, to)) };
    }
    // SAFETY: `put_escaped` writes within `(to - from) * 6 + 16` bytes.
    unsafe { push_escaped_by(buf, units.len(), |at, from, to| put_escaped(at, units, from, to)) }
}

/// [`push_escaped`] of `n` units with `put(at, from, to)`, which writes units `from..to`
/// escaped at `at` and says how many bytes that took and whether a surrogate was among them.
///
/// # Safety
/// `put` writes within `(to - from) * 6 + 32` bytes at `at`.
#[inline(always)]
unsafe fn push_escaped_by(buf: &mut OutBuf, n: usize, mut put: impl FnMut(*mut u8, usize, usize) -> (usize, bool)) -> bool {
    let mut surrogate = false;
    // SAFETY: forwarded.
    unsafe {
        put_in_pieces(buf, n, 6, |at, from, to| {
            let (len, surrogates) = put(at, from, to);
            surrogate |= surrogates;
            len
        })
    };
    surrogate
}

/// The `lanes` (the low ones of 8) of the units at `p`, each in a 32-bit lane; the rest zero
/// and not read.
///
/// # Safety
/// The CPU has what [`crate::cpu::has_avx512_vbmi2`] says; `p` readable for the units `lanes`
/// selects.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512bw,avx512vl,avx512vbmi2,popcnt,bmi1,bmi2")]
#[inline]
unsafe fn load_lanes<T: Units>(p: *const T, lanes: u8) -> std::arch::x86_64::__m256i {
    use std::arch::x86_64::*;
    // SAFETY: masked-off lanes are never read (nor fault); the others are readable.
    unsafe {
        match std::mem::size_of::<T>() {
            1 => _mm256_cvtepu8_epi32(_mm_maskz_loadu_epi8(u16::from(lanes), p.cast())),
            2 => _mm256_cvtepu16_epi32(_mm_maskz_loadu_epi16(lanes, p.cast())),
            _ => _mm256_maskz_loadu_epi32(lanes, p.cast()),
        }
    }
}

/// Stores the 8 lanes of `v`, all ASCII, as 8 bytes at `o`: narrowed in registers (the one
/// `vpmovdb` to memory the compiler makes of a plain narrowing is slow on Zen 4).
///
/// # Safety
/// The CPU has what [`crate::cpu::has_avx512_vbmi2`] says; `o` writable for 8 bytes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512bw,avx512vl,avx512vbmi2,popcnt,bmi1,bmi2")]
#[inline]
unsafe fn put_ascii_8(o: *mut u8, v: std::arch::x86_64::__m256i) {
    use std::arch::x86_64::*;
    let narrow = _mm256_cvtepi32_epi16(v);
    // SAFETY: 8 bytes stored, as vouched for.
    unsafe { _mm_storel_epi64(o.cast(), _mm_packus_epi16(narrow, narrow)) };
}

/// [`put_escaped`] with AVX-512 VBMI2, for every width and to the last unit: 8 units at a
/// time (the last fewer, by a masked load), each 8 with nothing to escape packed to bytes if
/// all are ASCII, else spelled out as UTF-8 together ([`put_chars_8`]); otherwise those before
/// the first escape, then the escape, and the next 8 taken from after it.
///
/// # Safety
/// The CPU has what [`crate::cpu::has_avx512_vbmi2`] says; `from <= to <= units.len()`;
/// `at` valid for `(to - from) * 6 + 32` bytes of writes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512bw,avx512vl,avx512vbmi2,popcnt,bmi1,bmi2")]
unsafe fn put_escaped_vbmi2<T: Units>(at: *mut u8, units: &[T], from: usize, to: usize) -> (usize, bool) {
    use std::arch::x86_64::*;
    let s = _mm256_set1_epi32;
    let (mut i, mut o) = (from, at);
    let mut surrogates = 0u8;
    // SAFETY: the masked loads read `units[i..i + n]`, inside `..to` (masked-off lanes never
    // fault). By the time `i` units are read, `o` is at most `(i - from) * 6` past `at` (at
    // most 6 bytes a unit: an escape; 4 for a character), so at least `(to - i) * 6 + 32`
    // bytes are left: room for each store (8 packed bytes, `put_chars_8`'s 32, an escape's
    // 8, and `put_plain_ascii`'s one byte a unit).
    unsafe {
        while i < to {
            let n = (to - i).min(8);
            let lanes = ((1u32 << n) - 1) as u8;
            let v = load_lanes(units.as_ptr().add(i), lanes);
            let escapes = _mm256_mask_cmplt_epu32_mask(lanes, v, s(0x20))
                | _mm256_mask_cmpeq_epi32_mask(lanes, v, s(i32::from(b'"')))
                | _mm256_mask_cmpeq_epi32_mask(lanes, v, s(i32::from(b'\\')));
            let ascii = _mm256_cmplt_epu32_mask(v, s(0x80));
            if escapes == 0 {
                // The common case, apart so that neither `i` nor (for ASCII) `o` waits on
                // the data: the branch is predicted. (Sharing the ASCII test with the escape
                // case below, in `put_utf8_lanes`, cost 3-5% on short non-ASCII strs.)
                i += n;
                if lanes & !ascii != 0 {
                    o = put_utf8_lanes(o, v, lanes, &mut surrogates);
                    continue;
                }
                put_ascii_8(o, v);
                o = o.add(n);
                // Runs of plain ASCII are tried a vector at a time after 8 such units, as in
                // `put_escaped`.
                if T::VECTOR > 0 && n == 8 && to - i >= T::VECTOR {
                    let run = T::put_plain_ascii(&units[i..to], o);
                    (i, o) = (i + run, o.add(run));
                }
                continue;
            }
            // The lanes before the first escape, then the escape.
            let k = escapes.trailing_zeros() as usize;
            let chars = ((1u32 << k) - 1) as u8;
            if chars & !ascii == 0 {
                put_ascii_8(o, v);
                o = o.add(k);
            } else {
                o = put_utf8_lanes(o, v, chars, &mut surrogates);
            }
            o = put_escape(o, units[i + k].into() as u8);
            i += k + 1;
        }
        (o.offset_from(at) as usize, surrogates != 0)
    }
}

/// Writes the `chars` lanes of `v` as UTF-8 at `o` ([`put_chars_8`]), noting surrogates
/// among them in `surrogates`; returns where they end.
///
/// # Safety
/// As for [`put_chars_8`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512bw,avx512vl,avx512vbmi2,popcnt,bmi1,bmi2")]
#[inline]
unsafe fn put_utf8_lanes(o: *mut u8, v: std::arch::x86_64::__m256i, chars: u8, surrogates: &mut u8) -> *mut u8 {
    use std::arch::x86_64::*;
    let s = _mm256_set1_epi32;
    *surrogates |= _mm256_mask_cmpeq_epi32_mask(chars, _mm256_and_si256(v, s(!0x7ff)), s(0xd800));
    // SAFETY: forwarded.
    unsafe { o.add(crate::utf8::put_chars_8(v, chars, o)) }
}

/// Writes `units[from..to]` escaped at `at` (as [`push_escaped`]); returns how many
/// bytes that took and whether a surrogate was among them. Latin-1 and UCS-2 8 units at a
/// time: with nothing to escape, packed to bytes if all are ASCII, else transcoded together;
/// otherwise those before the first escape, then the escape, and the next 8 taken from after
/// it. UCS-4 (and the last units) one at a time.
///
/// # Safety
/// `from <= to <= units.len()`; `at` valid for `(to - from) * 6 + 16` bytes of writes.
#[inline(always)]
unsafe fn put_escaped<T: Units>(at: *mut u8, units: &[T], from: usize, to: usize) -> (usize, bool) {
    let (mut i, mut o) = (from, at);
    let mut surrogate = false;
    #[cfg(target_arch = "x86_64")]
    // SAFETY: loads read `units[i..i + 8]` inside `..to`; by the time `i` units are read, `o`
    // is at most `(i - from) * 6` past `at` (at most 6 bytes a unit: an escape; 3 for a
    // character), and each store (8 packed bytes, a chunk's UTF-8 and 3 more, an escape's 8)
    // ends inside `(to - from) * 6 + 16`.
    unsafe {
        use crate::ascii::escape_lanes_ucs2;
        use crate::utf8::{put_ucs2_chunk, surrogate_lanes, wide_lanes};
        use std::arch::x86_64::*;
        let mut surrogates = _mm_setzero_si128();
        // Runs of plain ASCII are tried a vector at a time after 8 such units (not at the
        // start, nor after other text, where the try would only slow: twitter.json's
        // Japanese text 3%).
        let vectors = T::VECTOR > 0 && crate::cpu::has_avx512();
        while i + 8 <= to {
            let Some(v) = T::load_8(units.as_ptr().add(i)) else { break };
            let escapes = escape_lanes_ucs2(v);
            let wide = wide_lanes(v);
            if escapes == 0 {
                if wide == 0 {
                    _mm_storel_epi64(o.cast(), _mm_packus_epi16(v, v));
                    (i, o) = (i + 8, o.add(8));
                    if vectors && to - i >= T::VECTOR {
                        let n = T::put_plain_ascii(&units[i..to], o);
                        (i, o) = (i + n, o.add(n));
                    }
                } else {
                    surrogates = _mm_or_si128(surrogates, surrogate_lanes(v));
                    o = o.add(put_ucs2_chunk(v, o));
                    i += 8;
                }
                continue;
            }
            let k = escapes.trailing_zeros() as usize / 2;
            if wide & ((1 << (2 * k)) - 1) == 0 {
                _mm_storel_epi64(o.cast(), _mm_packus_epi16(v, v));
                o = o.add(k);
            } else {
                for &c in &units[i..i + k] {
                    surrogate |= is_surrogate(c.into());
                    o = o.add(put_char(o, c.into()));
                }
            }
            o = put_escape(o, units[i + k].into() as u8);
            i += k + 1;
        }
        surrogate |= _mm_movemask_epi8(surrogates) != 0;
    }
    // SAFETY: as above, a unit at a time.
    unsafe {
        for &c in &units[i..to] {
            let c: u32 = c.into();
            if needs_escape(c) {
                o = put_escape(o, c as u8);
            } else {
                surrogate |= is_surrogate(c);
                o = o.add(put_char(o, c));
            }
        }
        (o.offset_from(at) as usize, surrogate)
    }
}

/// Appends a non-ASCII str's characters escaped as with `ensure_ascii` (no quotes): all
/// ASCII, so straight into the byte buffer under any output.
fn push_escaped_ascii<T: Units>(buf: &mut OutBuf, units: &[T]) {
    // UCS-4 text keeps the plain path: the astral characters it is there for take two escapes,
    // which end `put_ascii_chunk`'s 8 each.
    #[cfg(target_arch = "x86_64")]
    if T::VECTOR > 0 && crate::cpu::has_avx512_vbmi2() {
        // SAFETY: the CPU has what `put_escaped_ascii::<_, true>` needs; it writes within
        // `(to - from) * 12 + 64` bytes and says how many it wrote.
        unsafe { put_in_pieces(buf, units.len(), 12, |at, from, to| put_escaped_ascii::<T, true>(at, units, from, to)) };
        return;
    }
    // SAFETY: `put_escaped_ascii` writes within `(to - from) * 12 + 8` bytes and says how many
    // it wrote.
    unsafe { put_in_pieces(buf, units.len(), 12, |at, from, to| put_escaped_ascii::<T, false>(at, units, from, to)) };
}

/// Writes the next (up to) 8 units from `i` (before `to`) as `ensure_ascii` does at `o`, and
/// says how far that got in both: characters of the Basic Multilingual Plane with no short
/// escape are written together ([`put_ascii_lanes`]); a unit with a short escape (`\n`,
/// `"`, ...) or an astral character (two escapes) ends the chunk, written on its own.
///
/// # Safety
/// The CPU has what [`crate::cpu::has_avx512_vbmi2`] says; `i < to <= units.len()`; `o`
/// writable for `(to - i) * 12 + 64` bytes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512bw,avx512vl,avx512vbmi2,popcnt,bmi1,bmi2")]
#[inline]
unsafe fn put_ascii_chunk<T: Units>(units: &[T], i: usize, to: usize, o: *mut u8) -> (usize, *mut u8) {
    use std::arch::x86_64::*;
    let s = _mm256_set1_epi32;
    let n = (to - i).min(8);
    let lanes = ((1u32 << n) - 1) as u8;
    // SAFETY: the masked load reads `units[i..i + n]`, inside `..to`; at most 12 bytes a unit
    // are written (an astral character's two escapes), and each store (`put_ascii_lanes`'
    // 64, `put_ascii_escaped`'s at most 14) ends inside the room vouched for.
    unsafe {
        let v = load_lanes(units.as_ptr().add(i), lanes);
        // `\b`, `\t`, `\n`, `\f` and `\r` (bits of 0x3700; a shift by 32 or more is 0),
        // `"` and `\`; astral characters.
        let alone = _mm256_mask_test_epi32_mask(lanes, _mm256_srlv_epi32(s(0x3700), v), s(1))
            | _mm256_mask_cmpeq_epi32_mask(lanes, v, s(i32::from(b'"')))
            | _mm256_mask_cmpeq_epi32_mask(lanes, v, s(i32::from(b'\\')))
            | _mm256_mask_cmpge_epu32_mask(lanes, v, s(0x10000));
        let plain = _mm256_cmplt_epu32_mask(_mm256_sub_epi32(v, s(0x20)), s(0x5f));
        if alone == 0 {
            return (i + n, put_ascii_lanes(o, v, lanes, plain));
        }
        let k = alone.trailing_zeros() as usize;
        let o = put_ascii_lanes(o, v, ((1u32 << k) - 1) as u8, plain);
        (i + k + 1, put_ascii_escaped(o, units[i + k].into()))
    }
}

/// Writes the `chars` lanes of `v` (characters of the Basic Multilingual Plane without a
/// short escape) as `ensure_ascii` does at `o`: packed to bytes if all are `plain`, else
/// each spelled out in a 64-bit lane (the character, or `\uXXXX`) and packed with one
/// `vpcompressb`. Returns where they end; 64 bytes are stored.
///
/// # Safety
/// The CPU has what [`crate::cpu::has_avx512_vbmi2`] says; `o` writable for 64 bytes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512bw,avx512vl,avx512vbmi2,popcnt,bmi1,bmi2")]
#[inline]
unsafe fn put_ascii_lanes(o: *mut u8, v: std::arch::x86_64::__m256i, chars: u8, plain: u8) -> *mut u8 {
    use std::arch::x86_64::*;
    // SAFETY: each store is inside the 64 bytes vouched for.
    unsafe {
        if chars & !plain == 0 {
            put_ascii_8(o, v);
            return o.add(chars.count_ones() as usize);
        }
        // The unit's high byte to bytes 2 and 3 of its 64-bit lane, its low byte to 4 and 5
        // (where its hex digits go), the rest zero; per 128 bits, which hold two lanes.
        let spread = _mm512_broadcast_i32x4(_mm_setr_epi8(-1, -1, 1, 1, 0, 0, -1, -1, -1, -1, 9, 9, 8, 8, -1, -1));
        let hex = _mm512_broadcast_i32x4(_mm_loadu_si128(HEX.as_ptr().cast()));
        let wide = _mm512_cvtepu32_epi64(v);
        let pairs = _mm512_shuffle_epi8(wide, spread);
        // Each digit's nibble in its byte: the first of each byte pair shifted down.
        let nibbles = _mm512_and_si512(_mm512_mask_blend_epi8(0x1414_1414_1414_1414, pairs, _mm512_srli_epi16::<4>(pairs)), _mm512_set1_epi8(0x0f));
        let prefix = _mm512_set1_epi64(i64::from(u16::from_le_bytes(*b"\\u")));
        let escapes = _mm512_mask_blend_epi8(0x3c3c_3c3c_3c3c_3c3c, prefix, _mm512_shuffle_epi8(hex, nibbles));
        let words = _mm512_mask_mov_epi64(escapes, plain, wide);
        let used = _mm512_mask_mov_epi64(_mm512_set1_epi64(0x8080_8080_8080), plain, _mm512_set1_epi64(0x80));
        let bytes = _mm512_movepi8_mask(_mm512_maskz_mov_epi64(chars, used));
        _mm512_storeu_si512(o.cast(), _mm512_maskz_compress_epi8(bytes, words));
        o.add(bytes.count_ones() as usize)
    }
}

/// Writes `units[from..to]` escaped as with `ensure_ascii` at `at`; returns how many bytes
/// that took. Latin-1 and UCS-2 8 units at a time while they are printable ASCII (packed to
/// bytes), else a unit at a time (each escape one word stored), or with `VBMI2` (for Latin-1
/// and UCS-2) by [`put_ascii_chunk`], as are the last fewer than 8. The loop itself keeps to
/// the baseline's instructions: compiled for AVX-512, its tests go through mask registers
/// (gsoc-2018.json 15% slower).
///
/// # Safety
/// `from <= to <= units.len()`; `at` valid for `(to - from) * 12 + 8` bytes of writes, and
/// with `VBMI2`, `+ 64` and the CPU has what [`crate::cpu::has_avx512_vbmi2`] says.
#[inline(always)]
unsafe fn put_escaped_ascii<T: Units, const VBMI2: bool>(at: *mut u8, units: &[T], from: usize, to: usize) -> usize {
    let (mut i, mut o) = (from, at);
    // SAFETY: loads read `units[i..i + 8]` inside `..to`; a unit takes at most 12 bytes (an
    // astral character's two escapes), so by the time `i` units are read `o` is at most
    // `(i - from) * 12` past `at`, and each store (8 packed bytes; a word at most 2 bytes
    // past the escape it holds) ends inside `(to - from) * 12 + 8`; with `VBMI2`,
    // `put_ascii_chunk` is given the `(to - i) * 12 + 64` bytes left, and the CPU has what it
    // needs.
    unsafe {
        #[cfg(target_arch = "x86_64")]
        {
            use crate::ascii::escape_lanes_ucs2;
            use crate::utf8::wide_lanes;
            use std::arch::x86_64::*;
            while i + 8 <= to {
                let Some(v) = T::load_8(units.as_ptr().add(i)) else { break };
                let del = _mm_movemask_epi8(_mm_cmpeq_epi16(v, _mm_set1_epi16(0x7f))) as u32;
                if escape_lanes_ucs2(v) | wide_lanes(v) | del == 0 {
                    _mm_storel_epi64(o.cast(), _mm_packus_epi16(v, v));
                    (i, o) = (i + 8, o.add(8));
                    continue;
                }
                if VBMI2 {
                    (i, o) = put_ascii_chunk(units, i, to, o);
                    continue;
                }
                for &c in &units[i..i + 8] {
                    o = put_ascii_escaped(o, c.into());
                }
                i += 8;
            }
            while VBMI2 && i < to {
                (i, o) = put_ascii_chunk(units, i, to, o);
            }
        }
        for &c in &units[i..to] {
            o = put_ascii_escaped(o, c.into());
        }
        o.offset_from(at) as usize
    }
}

/// Writes the character `c` as `ensure_ascii` does at `o` (a word stored per escape); returns
/// where it ends.
///
/// # Safety
/// `o` valid for 14 bytes of writes.
#[inline(always)]
unsafe fn put_ascii_escaped(o: *mut u8, c: u32) -> *mut u8 {
    // SAFETY: forwarded: at most two words, the second 6 bytes in.
    unsafe {
        if c < 0x80 {
            if is_plain(c as u8, true) {
                *o = c as u8;
                return o.add(1);
            }
            return put_escape(o, c as u8);
        }
        if c < 0x10000 {
            return put_u_escape(o, c);
        }
        let v = c - 0x10000;
        put_u_escape(put_u_escape(o, 0xD800 | (v >> 10)), 0xDC00 | (v & 0x3ff))
    }
}

/// Writes `\uXXXX` for the UTF-16 unit `unit` at `o` (8 bytes stored); returns where it ends.
///
/// # Safety
/// `o` valid for 8 bytes of writes; `unit < 0x10000`.
#[inline(always)]
unsafe fn put_u_escape(o: *mut u8, unit: u32) -> *mut u8 {
    // SAFETY: forwarded.
    unsafe {
        o.cast::<[u8; 8]>().write_unaligned(u_escape(unit));
        o.add(6)
    }
}

/// Each byte's two lowercase hex digits.
static HEX_PAIRS: [[u8; 2]; 256] = {
    let mut table = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = [HEX[b >> 4], HEX[b & 0xf]];
        b += 1;
    }
    table
};

/// Generalized UTF-8 output, for tests and text assembled outside the encoder (keys).
impl Out for OutBuf {
    fn buffer(&mut self) -> &mut OutBuf {
        self
    }
    fn ascii(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    fn latin1(&mut self, units: &[u8]) {
        self.push_transcoded(units);
    }
    fn ucs2(&mut self, units: &[u16]) {
        self.push_transcoded(units);
    }
    fn ucs4(&mut self, units: &[u32]) {
        self.push_transcoded(units);
    }

    fn escaped<T: Units>(&mut self, units: &[T]) {
        push_escaped(self, units);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(data: StrData<'_>, ensure_ascii: bool) -> Vec<u8> {
        let mut out = OutBuf::default();
        write_escaped(&mut out, data, ensure_ascii);
        out.as_slice().to_vec()
    }

    fn esc(data: StrData<'_>, ensure_ascii: bool) -> String {
        String::from_utf8(escaped(data, ensure_ascii)).unwrap()
    }

    #[test]
    fn ascii_escapes() {
        let s = StrData::Ascii(b"a\"b\\c\n\r\t\x08\x0c\x01\x1f\x7f/");
        assert_eq!(esc(s, true), r#""a\"b\\c\n\r\t\b\f\u0001\u001f\u007f/""#);
        assert_eq!(esc(s, false), "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\x7f/\"");
        let long = StrData::Ascii(b"0123456789abcdefghij\"klmnopqrstuvwxyz0123456789\n");
        assert_eq!(esc(long, true), r#""0123456789abcdefghij\"klmnopqrstuvwxyz0123456789\n""#);
    }

    #[test]
    fn non_ascii() {
        assert_eq!(esc(StrData::Latin1(b"\xe9\x01"), true), r#""\u00e9\u0001""#);
        assert_eq!(esc(StrData::Latin1(b"\xe9\x01\x7f"), false), "\"é\\u0001\x7f\"");
        assert_eq!(esc(StrData::Ucs2(&[0x20ac, 0x2028, 0x22]), true), r#""\u20ac\u2028\"""#);
        assert_eq!(esc(StrData::Ucs2(&[0x20ac, 0x2028, 0x22]), false), "\"€\u{2028}\\\"\"");
        assert_eq!(esc(StrData::Ucs4(&[0x1f600, 0x41]), true), r#""\ud83d\ude00A""#);
        assert_eq!(esc(StrData::Ucs4(&[0x1f600]), false), "\"😀\"");
    }

    /// Both forms of `put_quoted_plain` (the AVX-512 one where the CPU has it) on every length,
    /// with each kind of byte that stops a run at each place, against the byte-wise test.
    #[test]
    fn quoted_plain_every_length_and_stop() {
        type Put = unsafe fn(*mut u8, &[u8], bool) -> Option<usize>;
        fn check(put: Put, utf8: bool) {
            for n in 0..=SHORT_PLAIN {
                for stop in [None, Some(b'"'), Some(b'\\'), Some(0x00), Some(0x1f), Some(0x7f), Some(0x80), Some(0xff)] {
                    for at in 0..n.max(1) {
                        let mut text: Vec<u8> = (0..n).map(|k| b'a' + (k % 26) as u8).collect();
                        if let (Some(b), true) = (stop, at < n) {
                            text[at] = b;
                        }
                        for del in [false, true] {
                            let plain = text.iter().all(|&b| if utf8 { !crate::ascii::needs_escape(u32::from(b)) } else { is_plain(b, del) });
                            let mut out = [0xeeu8; SHORT_PLAIN + 2];
                            // SAFETY: `out` has room for SHORT_PLAIN + 2 bytes.
                            let len = unsafe { put(out.as_mut_ptr(), &text, del) };
                            let quoted = [&b"\""[..], &text, b"\""].concat();
                            assert_eq!(len.map(|len| &out[..len]), plain.then_some(&quoted[..]), "{text:?} del {del} utf8 {utf8}");
                        }
                    }
                }
            }
        }
        check(put_quoted_plain_baseline::<false>, false);
        check(put_quoted_plain_baseline::<true>, true);
        #[cfg(target_arch = "x86_64")]
        if crate::cpu::has_avx512() {
            // SAFETY: the CPU has AVX-512 BW and VL; `check` gives room for SHORT_PLAIN + 2.
            check(|at, bytes, del| unsafe { put_quoted_plain_avx512::<false>(at, bytes, del) }, false);
            check(|at, bytes, del| unsafe { put_quoted_plain_avx512::<true>(at, bytes, del) }, true);
        }
    }

    /// ASCII and UTF-8 text escaped a vector at a time (and in pieces), by both forms,
    /// against the per-character escaper, with what needs escaping at every place around the
    /// vector and piece boundaries, alone, doubled, and everywhere.
    #[test]
    fn byte_runs_escape_as_characters_do() {
        let lengths = (0..80).chain([PIECE - 17, PIECE - 1, PIECE, PIECE + 1, PIECE + 40, 2 * PIECE + 3]);
        for n in lengths {
            let base: Vec<u8> = (0..n).map(|k| b"abcdefghij klmnopqrstuvwxyz0123456789/~"[k % 39]).collect();
            let mut texts = vec![base.clone(), vec![b'"'; n], vec![0x7f; n]];
            let places: Vec<usize> = if n < 80 { (0..n).collect() } else { (0..n).filter(|k| k % PIECE < 40 || k % PIECE > PIECE - 40 || k % 97 == 0).collect() };
            for &at in &places {
                for stop in [b'"', b'\\', b'\n', 0x00, 0x1f, 0x7f] {
                    let mut text = base.clone();
                    text[at] = stop;
                    if at + 1 < n {
                        text[at + 1] = b'\t';
                    }
                    texts.push(text);
                }
            }
            for text in &texts {
                let units: Vec<u32> = text.iter().map(|&b| u32::from(b)).collect();
                for ensure_ascii in [true, false] {
                    let expected = escaped(StrData::Ucs4(&units), ensure_ascii);
                    assert_eq!(escaped(StrData::Ascii(text), ensure_ascii), expected, "{n} {text:?}");
                    for (form, put) in run_forms::<false>() {
                        assert_eq!(escaped_run(put, text, ensure_ascii), expected[1..expected.len() - 1], "{form} {n} {text:?}");
                    }
                }
                // The same with a character of two bytes in front, as UTF-8 written as is.
                let mut utf8 = "é".as_bytes().to_vec();
                utf8.extend_from_slice(text);
                let mut chars = vec![0xe9];
                chars.extend_from_slice(&units);
                let expected = escaped(StrData::Ucs4(&chars), false);
                let mut out = OutBuf::default();
                write_escaped_utf8(&mut out, &utf8);
                assert_eq!(out.as_slice(), expected, "utf-8 {n}");
                for (form, put) in run_forms::<true>() {
                    assert_eq!(escaped_run(put, &utf8, false), expected[1..expected.len() - 1], "utf-8 {form} {n}");
                }
            }
        }
    }

    type PutRun = unsafe fn(*mut u8, &[u8], usize, usize, bool) -> usize;

    /// Both forms of `put_escaped_run` (the AVX-512 one where the CPU has it).
    fn run_forms<const UTF8: bool>() -> Vec<(&'static str, PutRun)> {
        let mut forms: Vec<(&'static str, PutRun)> = vec![("baseline", put_escaped_run::<UTF8>)];
        #[cfg(target_arch = "x86_64")]
        if crate::cpu::has_avx512() {
            // SAFETY: the CPU has AVX-512 BW and VL; `escaped_run` gives the room it needs.
            forms.push(("avx512", |at, bytes, from, to, ensure_ascii| unsafe { put_escaped_run_avx512::<UTF8>(at, bytes, from, to, ensure_ascii) }));
        }
        forms
    }

    /// `text` escaped by `put`, in pieces, without quotes.
    fn escaped_run(put: PutRun, text: &[u8], ensure_ascii: bool) -> Vec<u8> {
        let mut out = OutBuf::default();
        // SAFETY: both forms write within `(to - from) * 6 + 32` bytes, in the room
        // `put_in_pieces` reserves.
        unsafe { put_in_pieces(&mut out, text.len(), 6, |at, from, to| put(at, text, from, to, ensure_ascii)) };
        out.as_slice().to_vec()
    }

    /// What `json.dumps(ensure_ascii=False)` writes between the quotes, as generalized UTF-8
    /// (a surrogate as a 3-byte sequence of its own), spelled out a character at a time.
    fn reference(text: &[u32]) -> Vec<u8> {
        let mut out = Vec::new();
        for &c in text {
            match c {
                0x22 => out.extend(br#"\""#),
                0x5c => out.extend(br"\\"),
                0x0a => out.extend(br"\n"),
                0x0d => out.extend(br"\r"),
                0x09 => out.extend(br"\t"),
                0x08 => out.extend(br"\b"),
                0x0c => out.extend(br"\f"),
                0..=0x1f => out.extend(format!("\\u{c:04x}").bytes()),
                0xd800..=0xdfff => out.extend([0xe0 | (c >> 12) as u8, 0x80 | (c >> 6 & 0x3f) as u8, 0x80 | (c & 0x3f) as u8]),
                _ => out.extend(char::from_u32(c).unwrap().encode_utf8(&mut [0; 4]).bytes()),
            }
        }
        out
    }

    /// What [`push_escaped`] writes and says through each path this CPU can take: the
    /// baseline's and, if it has the features, AVX-512 VBMI2's.
    fn pushed_each_way<T: Units>(units: &[T]) -> Vec<(Vec<u8>, bool)> {
        let push = |put: &mut dyn FnMut(*mut u8, usize, usize) -> (usize, bool)| {
            let mut out = OutBuf::default();
            // SAFETY: each `put` below writes within `(to - from) * 6 + 32` bytes.
            let surrogate = unsafe { push_escaped_by(&mut out, units.len(), put) };
            (out.as_slice().to_vec(), surrogate)
        };
        // SAFETY: `from <= to <= units.len()` and the room, from `push_escaped_by`.
        let mut ways = vec![push(&mut |at, from, to| unsafe { put_escaped(at, units, from, to) })];
        #[cfg(target_arch = "x86_64")]
        if crate::cpu::has_avx512_vbmi2() {
            // SAFETY: as above, and the CPU has the features.
            ways.push(push(&mut |at, from, to| unsafe { put_escaped_vbmi2(at, units, from, to) }));
        }
        ways
    }

    /// What [`push_escaped_ascii`] writes through each path this CPU can take, as
    /// [`pushed_each_way`].
    fn pushed_ascii_each_way<T: Units>(units: &[T]) -> Vec<Vec<u8>> {
        let push = |put: &mut dyn FnMut(*mut u8, usize, usize) -> usize| {
            let mut out = OutBuf::default();
            // SAFETY: each `put` below writes within `(to - from) * 12 + 64` bytes.
            unsafe { put_in_pieces(&mut out, units.len(), 12, put) };
            out.as_slice().to_vec()
        };
        // SAFETY: `from <= to <= units.len()` and the room, from `put_in_pieces`.
        let mut ways = vec![push(&mut |at, from, to| unsafe { put_escaped_ascii::<T, false>(at, units, from, to) })];
        #[cfg(target_arch = "x86_64")]
        if T::VECTOR > 0 && crate::cpu::has_avx512_vbmi2() {
            // SAFETY: as above, and the CPU has the features.
            ways.push(push(&mut |at, from, to| unsafe { put_escaped_ascii::<T, true>(at, units, from, to) }));
        }
        ways
    }

    /// What `json.dumps(ensure_ascii=True)` writes between the quotes, spelled out a
    /// character at a time.
    fn reference_ascii(text: &[u32]) -> Vec<u8> {
        let mut out = Vec::new();
        for &c in text {
            match c {
                0x22 | 0x5c | 0x0a | 0x0d | 0x09 | 0x08 | 0x0c => out.extend(reference(&[c])),
                0x20..=0x7e => out.push(c as u8),
                0x10000.. => {
                    let v = c - 0x10000;
                    out.extend(format!("\\u{:04x}\\u{:04x}", 0xd800 | (v >> 10), 0xdc00 | (v & 0x3ff)).bytes());
                }
                _ => out.extend(format!("\\u{c:04x}").bytes()),
            }
        }
        out
    }

    /// Every width escaped and transcoded in one pass, against the characters spelled out:
    /// an escape, a wider character or a surrogate at every place around the 8-unit chunks
    /// and the pieces, alone and next to another; and the surrogate reported exactly. The
    /// same with `ensure_ascii`.
    #[test]
    fn escapes_and_transcodes_in_one_pass() {
        let lengths = (0..40).chain([PIECE - 9, PIECE - 1, PIECE, PIECE + 1, PIECE + 11]);
        for n in lengths {
            let base: Vec<u32> = (0..n).map(|k| u32::from(b"abcdefghij klmnop/~"[k % 19])).collect();
            let places: Vec<usize> = if n < 40 { (0..n).collect() } else { (0..n).filter(|k| k % PIECE < 20 || k % PIECE > PIECE - 20).collect() };
            let mut texts = vec![base.clone()];
            for &at in &places {
                for unit in [0x22, 0x5c, 0x0a, 0x1f, 0x00, 0x7f, 0xe9, 0x7ff, 0x800, 0x20ac, 0xd800, 0xdfff, 0xffff, 0x1f600, 0x10ffff] {
                    for next in [None, Some(0x0a), Some(0x20ac), Some(0x1f600)] {
                        let mut text = base.clone();
                        text[at] = unit;
                        if let (Some(next), true) = (next, at + 1 < n) {
                            text[at + 1] = next;
                        }
                        texts.push(text);
                    }
                }
            }
            for text in &texts {
                let want = reference(text);
                let has_surrogate = text.iter().any(|u| (0xd800..=0xdfff).contains(u));
                let want_ascii = reference_ascii(text);
                for (out, surrogate) in pushed_each_way(text) {
                    assert_eq!(surrogate, has_surrogate, "{text:?}");
                    assert_eq!(out, want, "ucs-4 {n} {text:?}");
                }
                for out in pushed_ascii_each_way(text) {
                    assert_eq!(out, want_ascii, "ucs-4 ensure_ascii {n} {text:?}");
                }
                // The same as UCS-2 and Latin-1, where it fits.
                if let Ok(ucs2) = text.iter().map(|&u| u16::try_from(u)).collect::<Result<Vec<u16>, _>>() {
                    for (out, surrogate) in pushed_each_way(&ucs2) {
                        assert_eq!(surrogate, has_surrogate, "{text:?}");
                        assert_eq!(out, want, "ucs-2 {n} {text:?}");
                    }
                    for out in pushed_ascii_each_way(&ucs2) {
                        assert_eq!(out, want_ascii, "ucs-2 ensure_ascii {n} {text:?}");
                    }
                }
                if let Ok(latin1) = text.iter().map(|&u| u8::try_from(u)).collect::<Result<Vec<u8>, _>>() {
                    for (out, surrogate) in pushed_each_way(&latin1) {
                        assert!(!surrogate);
                        assert_eq!(out, want, "latin-1 {n} {text:?}");
                    }
                    for out in pushed_ascii_each_way(&latin1) {
                        assert_eq!(out, want_ascii, "latin-1 ensure_ascii {n} {text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn lone_surrogates() {
        assert_eq!(esc(StrData::Ucs2(&[0xd800]), true), r#""\ud800""#);
        assert_eq!(escaped(StrData::Ucs2(&[0xd800]), false), b"\"\xed\xa0\x80\"");
    }
}

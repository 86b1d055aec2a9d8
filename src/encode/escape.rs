//! JSON string escaping as the standard library does it: `encode_basestring_ascii`
//! (`ensure_ascii=True`: everything outside printable ASCII as `\uXXXX`, astral characters
//! as surrogate pairs) and `encode_basestring` (`ensure_ascii=False`: only `"`, `\` and
//! control characters escaped; the rest, lone surrogates included, written as is).
//!
//! Output goes to an [`Out`]: runs that need no escaping are handed over whole, at the width
//! of the source string.

use super::buffer::{put_short, OutBuf};
use crate::ascii::{is_plain, plain_run_end, unescaped_run_end_ucs2, utf8_run_end};
use crate::ffi::unicode::StrData;

/// Where escaped text goes.
pub trait Out {
    /// The UTF-8 byte buffer under the output, for text written straight into it.
    fn buffer(&mut self) -> &mut OutBuf;
    /// ASCII bytes.
    fn ascii(&mut self, bytes: &[u8]);
    /// Notes that non-ASCII UTF-8 text went into [`Out::buffer`]: `continuations` bytes beyond
    /// the first of each of its characters, the largest of which needs `max_char`'s kind.
    #[inline(always)]
    fn utf8_written(&mut self, continuations: usize, max_char: u32) {
        let _ = (continuations, max_char);
    }
    /// Characters copied unchanged from a string of that width.
    fn latin1(&mut self, units: &[u8]);
    fn ucs2(&mut self, units: &[u16]);
    fn ucs4(&mut self, units: &[u32]);
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The short escape of `c`, if JSON has one.
#[inline(always)]
fn short_escape(c: u32) -> Option<&'static [u8; 2]> {
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

fn u_escape(unit: u32) -> [u8; 6] {
    [
        b'\\',
        b'u',
        HEX[(unit >> 12 & 0xf) as usize],
        HEX[(unit >> 8 & 0xf) as usize],
        HEX[(unit >> 4 & 0xf) as usize],
        HEX[(unit & 0xf) as usize],
    ]
}

/// Writes the escape of `c`, a character that must be escaped (a control character, `"`,
/// `\`, or with `ensure_ascii` anything outside printable ASCII).
#[inline(always)]
fn write_escape(out: &mut impl Out, c: u32) {
    if let Some(esc) = short_escape(c) {
        out.ascii(esc);
    } else if c < 0x10000 {
        out.ascii(&u_escape(c));
    } else {
        let v = c - 0x10000;
        out.ascii(&u_escape(0xD800 | (v >> 10)));
        out.ascii(&u_escape(0xDC00 | (v & 0x3ff)));
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
        StrData::Latin1(units) => write_units(out, units, ensure_ascii, |o, run| o.latin1(run)),
        StrData::Ucs2(units) if !ensure_ascii => {
            let mut i = 0;
            loop {
                let end = unescaped_run_end_ucs2(units, i);
                out.ucs2(&units[i..end]);
                let Some(&c) = units.get(end) else { break };
                write_escape(out, u32::from(c));
                i = end + 1;
            }
        }
        StrData::Ucs2(units) => write_units(out, units, ensure_ascii, |o, run| o.ucs2(run)),
        StrData::Ucs4(units) => write_units(out, units, ensure_ascii, |o, run| o.ucs4(run)),
    }
    out.ascii(b"\"");
}

/// Appends `"text"` for a non-ASCII str of `chars` characters whose UTF-8 CPython has cached
/// (`utf8`), without `ensure_ascii`: copied as is but for `"`, `\\` and control characters,
/// with no transcoding. `max_char` is the largest character's kind (see [`Out::utf8_written`]).
#[inline(always)]
pub fn write_escaped_utf8(out: &mut impl Out, utf8: &[u8], chars: usize, max_char: u32) {
    write_escaped_bytes::<true>(out.buffer(), utf8, false);
    out.utf8_written(utf8.len() - chars, max_char);
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

/// `"text"` for ASCII `bytes` (or with `UTF8`, UTF-8 bytes written as is): room for the
/// quotes and every byte unescaped is reserved once, so plain runs (found 16 bytes at a time)
/// are copied without further checks.
#[inline(always)]
fn write_escaped_bytes<const UTF8: bool>(buf: &mut OutBuf, bytes: &[u8], ensure_ascii: bool) {
    let run_end = |i| if UTF8 { utf8_run_end(bytes, i) } else { plain_run_end(bytes, i, ensure_ascii) };
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
    let mut i = run_end(0);
    buf.reserve(n + 2);
    buf.push(b'"');
    let mut start = 0;
    loop {
        buf.extend_from_slice(&bytes[start..i]);
        let Some(&b) = bytes.get(i) else { break };
        write_escape(buf, u32::from(b));
        start = i + 1;
        // A run stops exactly at what needs escaping (one byte: ASCII).
        i = run_end(start);
    }
    buf.push(b'"');
}

/// Escapes a non-ASCII string: without `ensure_ascii` runs of characters that need no escape
/// are copied whole at their width; with it, every non-ASCII character is escaped.
fn write_units<T: Copy + Into<u32>, O: Out>(out: &mut O, units: &[T], ensure_ascii: bool, copy: impl Fn(&mut O, &[T])) {
    let mut run = 0;
    for (i, &unit) in units.iter().enumerate() {
        let c: u32 = unit.into();
        let plain = if c < 0x80 { is_plain(c as u8, ensure_ascii) } else { !ensure_ascii };
        if !plain {
            copy(out, &units[run..i]);
            write_escape(out, c);
            run = i + 1;
        }
    }
    copy(out, &units[run..]);
}

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
            check(|at, bytes, del| unsafe { put_quoted_plain_avx512::<false>(at, bytes, del) }, false);
            check(|at, bytes, del| unsafe { put_quoted_plain_avx512::<true>(at, bytes, del) }, true);
        }
    }

    #[test]
    fn lone_surrogates() {
        assert_eq!(esc(StrData::Ucs2(&[0xd800]), true), r#""\ud800""#);
        assert_eq!(escaped(StrData::Ucs2(&[0xd800]), false), b"\"\xed\xa0\x80\"");
    }
}

//! String scanning: finds the end of a JSON string, validates it (UTF-8 with surrogates, as
//! `surrogatepass` decodes, control characters, escapes) with the exact error positions of
//! CPython's `_json` scanner, and unescapes it when needed.
//!
//! Text is carried as generalized UTF-8 (`crate::utf8`), so lone surrogates survive, as in
//! the standard library.

use super::error::{syntax, ErrorKind, SyntaxError};
use crate::ascii::plain_run_end;
use crate::utf8::push_char;

/// A scanned string: where it ends and what the object builder needs to create it once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StrToken {
    /// Offset just past the closing quote.
    pub end: usize,
    /// The raw content `buf[start..end - 1]` when there were no escapes, or `None` when the
    /// unescaped text was written to the scratch buffer.
    pub raw_start: Option<usize>,
    /// Number of characters (code points) in the string.
    pub chars: usize,
    /// Below 0x80 the text is pure ASCII; otherwise a code point of the largest `str` kind
    /// the text needs (0xff, 0xffff or 0x10ffff), which decides the kind of the `str`.
    pub max_char: u32,
}

impl StrToken {
    /// The string's content as generalized UTF-8.
    pub fn text<'a>(&self, buf: &'a [u8], scratch: &'a [u8]) -> &'a [u8] {
        match self.raw_start {
            Some(start) => &buf[start..self.end - 1],
            None => scratch,
        }
    }
}

/// Scans the string whose opening quote is at `quote`. Escaped content goes to `scratch`.
/// Without `strict`, control characters are taken as content (`JSONDecoder(strict=False)`);
/// with `rfc` (orjson's grammar), escapes are read as RFC 8259 has them: a surrogate must be
/// the high half of a pair of escapes, and the standard library's quirks at the end of the
/// input are not kept.
#[inline(always)]
pub fn scan_string(
    buf: &[u8],
    quote: usize,
    scratch: &mut Vec<u8>,
    strict: bool,
    rfc: bool,
) -> Result<StrToken, SyntaxError> {
    let start = quote + 1;
    let i = plain_run_end(buf, start, false);
    // Most strings are plain ASCII: done at the first special byte.
    if buf.get(i) == Some(&b'"') {
        return Ok(StrToken { end: i + 1, raw_start: Some(start), chars: i - start, max_char: 0 });
    }
    scan_string_rest(buf, quote, i, scratch, strict, rfc)
}

/// [`scan_string`] from `i`, the first byte after `quote` that is not plain ASCII; the
/// content is read in place until an escape, then copied.
fn scan_string_rest(
    buf: &[u8],
    quote: usize,
    mut i: usize,
    scratch: &mut Vec<u8>,
    strict: bool,
    rfc: bool,
) -> Result<StrToken, SyntaxError> {
    let start = quote + 1;
    let mut chars = i - start;
    let mut max_char = 0u32;
    loop {
        let Some(&b) = buf.get(i) else {
            return syntax(ErrorKind::UnterminatedString, quote);
        };
        match b {
            b'"' => return Ok(StrToken { end: i + 1, raw_start: Some(start), chars, max_char }),
            b'\\' => {
                scratch.clear();
                room(scratch, i - start, i)?;
                scratch.extend_from_slice(&buf[start..i]);
                return scan_escaped(buf, quote, i, scratch, (strict, rfc), chars, max_char);
            }
            0x00..=0x1f if strict => return syntax(ErrorKind::InvalidControlCharacter, i),
            0x00..=0x1f => {
                chars += 1;
                i += 1;
            }
            _ => i = non_ascii_run(buf, i, &mut chars, &mut max_char, rfc)?,
        }
        let run_begin = i;
        i = plain_run_end(buf, i, false);
        chars += i - run_begin;
    }
}

/// The rest of a string from its first escape at `i`, its content so far in `scratch`.
#[cold]
fn scan_escaped(
    buf: &[u8],
    quote: usize,
    mut i: usize,
    scratch: &mut Vec<u8>,
    (strict, rfc): (bool, bool),
    mut chars: usize,
    mut max_char: u32,
) -> Result<StrToken, SyntaxError> {
    loop {
        room(scratch, STEP, i)?;
        let Some(&b) = buf.get(i) else {
            return syntax(ErrorKind::UnterminatedString, quote);
        };
        match b {
            b'"' => return Ok(StrToken { end: i + 1, raw_start: None, chars, max_char }),
            b'\\' => {
                let (cp, next) = scan_escape(buf, i, quote, rfc)?;
                push_char(scratch, cp);
                max_char = max_char.max(cp);
                chars += 1;
                i = next;
            }
            0x00..=0x1f if strict => return syntax(ErrorKind::InvalidControlCharacter, i),
            0x00..=0x1f => {
                scratch.push(b);
                chars += 1;
                i += 1;
            }
            _ => {
                let end = non_ascii_run(buf, i, &mut chars, &mut max_char, rfc)?;
                room(scratch, end - i + 16, i)?;
                scratch.extend_from_slice(&buf[i..end]);
                i = end;
            }
        }
        i = copy_plain_run(buf, i, scratch, &mut chars)?;
    }
}

/// The room each step of [`scan_escaped`] makes in its output first: for an escape (at most
/// 4 bytes) or a control character, then the 16 bytes [`copy_plain_run`] may write.
const STEP: usize = 4 + 16;

/// Makes room for `n` more bytes in `out`, which grows with the input's escaped strings:
/// failing to allocate is reported (as `OutOfMemory` at `pos`), not an abort.
#[inline(always)]
fn room(out: &mut Vec<u8>, n: usize, pos: usize) -> Result<(), SyntaxError> {
    if out.capacity() - out.len() >= n {
        return Ok(());
    }
    grow(out, n, pos)
}

#[cold]
#[inline(never)]
fn grow(out: &mut Vec<u8>, n: usize, pos: usize) -> Result<(), SyntaxError> {
    out.try_reserve(n).or_else(|_| syntax(ErrorKind::OutOfMemory, pos))
}

/// Copies the plain ASCII run at `i` to `out` (which has room for 16 more bytes) and returns
/// where it ends. Escaped text has short runs: the first 16 bytes are copied whole and the
/// run's part of them kept; a longer run is found, then copied.
#[inline(always)]
fn copy_plain_run(buf: &[u8], mut i: usize, out: &mut Vec<u8>, chars: &mut usize) -> Result<usize, SyntaxError> {
    #[cfg(target_arch = "x86_64")]
    if i + 16 <= buf.len() {
        debug_assert!(out.capacity() - out.len() >= 16);
        // SAFETY: the 16 bytes at `i` are inside `buf`; `out` has room for 16 more (the
        // caller's), of which only the run's (initialized) bytes are counted in its length.
        let plain = unsafe {
            let src = buf.as_ptr().add(i);
            std::ptr::copy_nonoverlapping(src, out.as_mut_ptr().add(out.len()), 16);
            let plain = (crate::ascii::special_mask_16(src, false, false) | 1 << 16).trailing_zeros() as usize;
            out.set_len(out.len() + plain);
            plain
        };
        i += plain;
        *chars += plain;
        if plain < 16 {
            return Ok(i);
        }
    }
    let end = plain_run_end(buf, i, false);
    room(out, end - i, i)?;
    out.extend_from_slice(&buf[i..end]);
    *chars += end - i;
    Ok(end)
}

/// Validates the run of non-ASCII characters at `i` (text in most scripts has few ASCII
/// bytes between them) and returns where it ends, counting its characters and raising
/// `max_char` to its widest kind. With `rfc` a surrogate is invalid, as in UTF-8 proper.
#[inline(always)]
fn non_ascii_run(buf: &[u8], mut i: usize, chars: &mut usize, max_char: &mut u32, rfc: bool) -> Result<usize, SyntaxError> {
    let mut max_lead = 0u8;
    while let Some(&lead) = buf.get(i).filter(|&&b| b >= 0x80) {
        i += utf8_sequence(buf, i, lead, rfc)?;
        max_lead = max_lead.max(lead);
        *chars += 1;
    }
    // The largest lead tells the widest kind: 0xc2-0xc3 only fit Latin-1, 0xc4-0xef need
    // UCS-2, 0xf0-0xf4 UCS-4.
    *max_char = (*max_char).max(match max_lead {
        0..=0xc3 => 0xff,
        0xc4..=0xef => 0xffff,
        _ => 0x10ffff,
    });
    Ok(i)
}

/// The length of the valid UTF-8 sequence whose lead byte `lead` (>= 0x80) is at `i`;
/// surrogates (0xED 0xA0-0xBF) are accepted as `surrogatepass` decodes them, unless `rfc`.
#[inline(always)]
fn utf8_sequence(buf: &[u8], i: usize, lead: u8, rfc: bool) -> Result<usize, SyntaxError> {
    let cont = |k: usize, range: std::ops::RangeInclusive<u8>| buf.get(i + k).is_some_and(|b| range.contains(b));
    let valid = match lead {
        0xC2..=0xDF => return if cont(1, 0x80..=0xBF) { Ok(2) } else { syntax(ErrorKind::InvalidUtf8, i) },
        0xE0 => cont(1, 0xA0..=0xBF) && cont(2, 0x80..=0xBF),
        0xED if rfc => cont(1, 0x80..=0x9F) && cont(2, 0x80..=0xBF),
        0xE1..=0xEF => cont(1, 0x80..=0xBF) && cont(2, 0x80..=0xBF),
        0xF0 => cont(1, 0x90..=0xBF) && cont(2, 0x80..=0xBF) && cont(3, 0x80..=0xBF),
        0xF1..=0xF3 => cont(1, 0x80..=0xBF) && cont(2, 0x80..=0xBF) && cont(3, 0x80..=0xBF),
        0xF4 => cont(1, 0x80..=0x8F) && cont(2, 0x80..=0xBF) && cont(3, 0x80..=0xBF),
        _ => false,
    };
    if !valid {
        return syntax(ErrorKind::InvalidUtf8, i);
    }
    Ok(if lead < 0xF0 { 3 } else { 4 })
}

/// The escape whose backslash is at `bs`: its code point and the offset after it.
fn scan_escape(buf: &[u8], bs: usize, quote: usize, rfc: bool) -> Result<(u32, usize), SyntaxError> {
    let Some(&c) = buf.get(bs + 1) else {
        return syntax(ErrorKind::UnterminatedString, quote);
    };
    let simple = match c {
        b'"' => b'"',
        b'\\' => b'\\',
        b'/' => b'/',
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'u' => return scan_unicode_escape(buf, bs + 1, rfc),
        _ => return syntax(ErrorKind::InvalidEscape, bs),
    };
    Ok((u32::from(simple), bs + 2))
}

/// A `\uXXXX` escape whose `u` is at `u`, joined with a following low-surrogate escape.
///
/// CPython before 3.14 wants a character after the four digits (else the string could not be
/// terminated; 3.14 reports that as unterminated); errors point at the `u`. The RFC grammar
/// does not have that quirk.
#[inline(always)]
fn scan_unicode_escape(buf: &[u8], u: usize, rfc: bool) -> Result<(u32, usize), SyntaxError> {
    let end = u + 5;
    if end >= buf.len() && (end > buf.len() || !(cfg!(py_3_14) || rfc)) {
        return syntax(ErrorKind::InvalidUnicodeEscape, u);
    }
    let Some(cp) = hex4(&buf[u + 1..end]) else {
        return syntax(ErrorKind::InvalidUnicodeEscape, u);
    };
    if (0xD800..0xE000).contains(&cp) {
        return surrogate_escape(buf, u, cp, rfc);
    }
    Ok((cp, end))
}

/// The surrogate `cp` escaped at `u`, joined with the low half escaped next if it is a high
/// one. The standard library keeps a lone surrogate (and only tries to pair when seven more
/// characters follow); the RFC grammar fails it, at the `u` of the first escape.
#[cold]
fn surrogate_escape(buf: &[u8], u: usize, cp: u32, rfc: bool) -> Result<(u32, usize), SyntaxError> {
    let end = u + 5;
    if !rfc {
        if cp < 0xDC00 && end + 6 < buf.len() && buf[end] == b'\\' && buf[end + 1] == b'u' {
            let Some(low) = hex4(&buf[end + 2..end + 6]) else {
                return syntax(ErrorKind::InvalidUnicodeEscape, end + 1);
            };
            if (0xDC00..0xE000).contains(&low) {
                return Ok((paired(cp, low), end + 6));
            }
        }
        return Ok((cp, end));
    }
    if cp >= 0xDC00 {
        return syntax(ErrorKind::LowSurrogateFirst, u);
    }
    if buf.get(end..end + 2) != Some(b"\\u") {
        return syntax(ErrorKind::UnpairedHighSurrogate, u);
    }
    let Some(low) = buf.get(end + 2..end + 6).and_then(hex4) else {
        return syntax(ErrorKind::InvalidLowSurrogateEscape, u);
    };
    if !(0xDC00..0xE000).contains(&low) {
        return syntax(ErrorKind::InvalidLowSurrogate, u);
    }
    Ok((paired(cp, low), end + 6))
}

/// The character a high and a low surrogate encode.
fn paired(hi: u32, low: u32) -> u32 {
    0x10000 + ((hi - 0xD800) << 10) + (low - 0xDC00)
}

#[inline(always)]
fn hex4(digits: &[u8]) -> Option<u32> {
    let mut value = 0u32;
    for &d in digits {
        let digit = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            b'A'..=b'F' => d - b'A' + 10,
            _ => return None,
        };
        value = value << 4 | u32::from(digit);
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::utf8::chars;

    fn scan(s: &[u8]) -> Result<(Vec<u32>, usize), SyntaxError> {
        let mut scratch = Vec::new();
        let tok = scan_string(s, 0, &mut scratch, true, false)?;
        let text = tok.text(s, &scratch);
        let cps: Vec<u32> = chars(text).collect();
        assert_eq!(cps.len(), tok.chars);
        let kind = |c: u32| match c {
            0..=0x7f => 1,
            0x80..=0xff => 2,
            0x100..=0xffff => 3,
            _ => 4,
        };
        let max = cps.iter().copied().max().unwrap_or(0);
        assert_eq!(kind(max), kind(tok.max_char));
        Ok((cps, tok.end))
    }

    fn err(kind: ErrorKind, pos: usize) -> Result<(Vec<u32>, usize), SyntaxError> {
        Err(SyntaxError { kind, pos })
    }

    #[test]
    fn plain_and_escaped() {
        assert_eq!(scan(br#""abc" "#), Ok((vec![97, 98, 99], 5)));
        assert_eq!(scan(br#""a\nb\u00e9\/""#).unwrap().0, vec![97, 10, 98, 0xe9, 0x2f]);
        assert_eq!(scan("\"é€😀\"".as_bytes()).unwrap().0, vec![0xe9, 0x20ac, 0x1f600]);
    }

    #[test]
    fn surrogates_pair_only_through_escapes() {
        assert_eq!(scan(br#""\ud83d\ude00""#).unwrap().0, vec![0x1f600]);
        assert_eq!(scan(br#""\ud800\u0041""#).unwrap().0, vec![0xd800, 0x41]);
        assert_eq!(scan(br#""\udc00\ud800""#).unwrap().0, vec![0xdc00, 0xd800]);
        // Encoded surrogates (as surrogatepass reads them) stay separate code points.
        assert_eq!(scan(b"\"\xed\xa0\xbd\xed\xb8\x80\"").unwrap().0, vec![0xd83d, 0xde00]);
    }

    #[test]
    fn errors_at_stdlib_positions() {
        assert_eq!(scan(br#""abc"#), err(ErrorKind::UnterminatedString, 0));
        assert_eq!(scan(br#""abc\"#), err(ErrorKind::UnterminatedString, 0));
        assert_eq!(scan(b"\"a\x01\""), err(ErrorKind::InvalidControlCharacter, 2));
        let lax = scan_string(b"\"a\x01\tb\"", 0, &mut Vec::new(), false, false).unwrap();
        assert_eq!((lax.end, lax.chars, lax.raw_start), (6, 4, Some(1)));
        assert_eq!(scan(br#""a\x""#), err(ErrorKind::InvalidEscape, 2));
        assert_eq!(scan(br#""\u12"#), err(ErrorKind::InvalidUnicodeEscape, 2));
        let at_end = if cfg!(py_3_14) { err(ErrorKind::UnterminatedString, 0) } else { err(ErrorKind::InvalidUnicodeEscape, 2) };
        assert_eq!(scan(br#""\u1234"#), at_end);
        assert_eq!(scan(br#""\u12x4""#), err(ErrorKind::InvalidUnicodeEscape, 2));
        assert_eq!(scan(br#""\ud800\u12"#), err(ErrorKind::InvalidUnicodeEscape, 8));
        assert_eq!(scan(br#""\ud800\uzzzz"  "#), err(ErrorKind::InvalidUnicodeEscape, 8));
    }

    #[test]
    fn rfc_escapes_pair_surrogates_or_fail_at_the_first_u() {
        let rfc = |s: &[u8]| {
            let mut scratch = Vec::new();
            scan_string(s, 0, &mut scratch, true, true).map(|tok| chars(tok.text(s, &scratch)).collect::<Vec<u32>>())
        };
        let err = |kind, pos| Err(SyntaxError { kind, pos });
        assert_eq!(rfc(br#""\ud83d\ude00""#), Ok(vec![0x1f600]));
        // Paired even where nothing follows (CPython wants seven more characters).
        assert_eq!(rfc(br#""\ud83d\ude00"#), err(ErrorKind::UnterminatedString, 0));
        assert_eq!(rfc(br#""a\udc00\ud800""#), err(ErrorKind::LowSurrogateFirst, 3));
        assert_eq!(rfc(br#""\ud800""#), err(ErrorKind::UnpairedHighSurrogate, 2));
        assert_eq!(rfc(br#""\ud800\n""#), err(ErrorKind::UnpairedHighSurrogate, 2));
        assert_eq!(rfc(br#""\ud800\u12"#), err(ErrorKind::InvalidLowSurrogateEscape, 2));
        assert_eq!(rfc(br#""\ud800\uzzzz""#), err(ErrorKind::InvalidLowSurrogateEscape, 2));
        assert_eq!(rfc(br#""\ud800\u0041""#), err(ErrorKind::InvalidLowSurrogate, 2));
        assert_eq!(rfc(br#""\ud800\ud800""#), err(ErrorKind::InvalidLowSurrogate, 2));
        // Four digits at the very end are an escape (then the string is unterminated).
        assert_eq!(rfc(br#""\u0041"#), err(ErrorKind::UnterminatedString, 0));
        assert_eq!(rfc(br#""\u004"#), err(ErrorKind::InvalidUnicodeEscape, 2));
    }

    #[test]
    fn invalid_utf8_is_reported_where_it_starts() {
        assert_eq!(scan(b"\"ab\xff\""), err(ErrorKind::InvalidUtf8, 3));
        assert_eq!(scan(b"\"\xc0\x80\""), err(ErrorKind::InvalidUtf8, 1));
        assert_eq!(scan(b"\"\xe0\x80\x80\""), err(ErrorKind::InvalidUtf8, 1));
        assert_eq!(scan(b"\"\xf4\x90\x80\x80\""), err(ErrorKind::InvalidUtf8, 1));
        assert_eq!(scan(b"\"\xe2\x82\""), err(ErrorKind::InvalidUtf8, 1));
    }

    #[test]
    fn encoded_surrogates_pass_unless_rfc() {
        for doc in [&b"\"\xed\xa0\x80\""[..], b"\"\\n\xed\xbf\xbf\"", b"\"a\xed\xb0\x80b\""] {
            let at = doc.iter().position(|&b| b == 0xed).unwrap();
            assert!(scan(doc).unwrap().0.iter().any(|c| (0xD800..0xE000).contains(c)), "{doc:?}");
            let refused = scan_string(doc, 0, &mut Vec::new(), true, true);
            assert_eq!(refused, Err(SyntaxError { kind: ErrorKind::InvalidUtf8, pos: at }), "{doc:?}");
        }
        // The neighbours of the surrogates are UTF-8 either way.
        for doc in ["\"\u{d7ff}\"", "\"\u{e000}\"", "\"\\t\u{d7ff}\""] {
            assert!(scan_string(doc.as_bytes(), 0, &mut Vec::new(), true, true).is_ok(), "{doc:?}");
        }
    }
}

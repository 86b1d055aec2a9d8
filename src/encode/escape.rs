//! JSON string escaping as the standard library does it: `encode_basestring_ascii`
//! (`ensure_ascii=True`: everything outside printable ASCII as `\uXXXX`, astral characters
//! as surrogate pairs) and `encode_basestring` (`ensure_ascii=False`: only `"`, `\` and
//! control characters escaped; the rest, lone surrogates included, written as is).
//!
//! Output is generalized UTF-8 (see `crate::utf8`), quotes included.

use crate::ascii::{is_plain, plain_run_end};
use crate::utf8::push_char;
use crate::ffi::unicode::StrData;

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

fn push_u_escape(out: &mut Vec<u8>, unit: u32) {
    out.extend_from_slice(&[
        b'\\',
        b'u',
        HEX[(unit >> 12 & 0xf) as usize],
        HEX[(unit >> 8 & 0xf) as usize],
        HEX[(unit >> 4 & 0xf) as usize],
        HEX[(unit & 0xf) as usize],
    ]);
}

/// Appends one escaped character that is not plain.
#[inline(always)]
fn push_escaped(out: &mut Vec<u8>, c: u32, ensure_ascii: bool) {
    if let Some(esc) = short_escape(c) {
        out.extend_from_slice(esc);
    } else if c < 0x20 || (ensure_ascii && c < 0x10000) {
        push_u_escape(out, c);
    } else if ensure_ascii {
        let v = c - 0x10000;
        push_u_escape(out, 0xD800 | (v >> 10));
        push_u_escape(out, 0xDC00 | (v & 0x3ff));
    } else {
        push_char(out, c);
    }
}

/// Appends `"text"` escaped as `json.dumps` escapes it.
pub fn write_escaped(out: &mut Vec<u8>, data: StrData<'_>, ensure_ascii: bool) {
    out.push(b'"');
    match data {
        StrData::Ascii(bytes) => {
            // Copy plain runs whole: in ASCII text the run stops exactly at what needs escaping.
            let mut i = 0;
            loop {
                let end = plain_run_end(bytes, i, ensure_ascii);
                out.extend_from_slice(&bytes[i..end]);
                let Some(&b) = bytes.get(end) else { break };
                push_escaped(out, u32::from(b), ensure_ascii);
                i = end + 1;
            }
        }
        StrData::Latin1(units) => write_units(out, units.iter().map(|&c| u32::from(c)), ensure_ascii),
        StrData::Ucs2(units) => write_units(out, units.iter().map(|&c| u32::from(c)), ensure_ascii),
        StrData::Ucs4(units) => write_units(out, units.iter().copied(), ensure_ascii),
    }
    out.push(b'"');
}

fn write_units(out: &mut Vec<u8>, units: impl Iterator<Item = u32>, ensure_ascii: bool) {
    for c in units {
        if c < 0x80 && is_plain(c as u8, ensure_ascii) {
            out.push(c as u8);
        } else if c >= 0x80 && !ensure_ascii {
            push_char(out, c);
        } else {
            push_escaped(out, c, ensure_ascii);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(data: StrData<'_>, ensure_ascii: bool) -> String {
        let mut out = Vec::new();
        write_escaped(&mut out, data, ensure_ascii);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn ascii_escapes() {
        let s = StrData::Ascii(b"a\"b\\c\n\r\t\x08\x0c\x01\x1f\x7f/");
        assert_eq!(esc(s, true), r#""a\"b\\c\n\r\t\b\f\u0001\u001f\u007f/""#);
        assert_eq!(esc(s, false), "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\x7f/\"");
    }

    #[test]
    fn non_ascii() {
        assert_eq!(esc(StrData::Latin1(b"\xe9\x01"), true), r#""\u00e9\u0001""#);
        assert_eq!(esc(StrData::Latin1(b"\xe9\x01"), false), "\"é\\u0001\"");
        assert_eq!(esc(StrData::Ucs2(&[0x20ac, 0x2028]), true), r#""\u20ac\u2028""#);
        assert_eq!(esc(StrData::Ucs4(&[0x1f600, 0x41]), true), r#""\ud83d\ude00A""#);
        assert_eq!(esc(StrData::Ucs4(&[0x1f600]), false), "\"😀\"");
    }

    #[test]
    fn lone_surrogates() {
        assert_eq!(esc(StrData::Ucs2(&[0xd800]), true), r#""\ud800""#);
        let mut out = Vec::new();
        write_escaped(&mut out, StrData::Ucs2(&[0xd800]), false);
        assert_eq!(out, b"\"\xed\xa0\x80\"");
    }
}

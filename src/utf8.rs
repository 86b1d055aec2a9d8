//! Generalized UTF-8: UTF-8 in which a surrogate code point is a 3-byte sequence of its own
//! (never paired with its neighbour). It carries any Python `str`, lone surrogates included,
//! through the pure-Rust scanner and escaper.

use crate::ffi::unicode::StrData;

/// Appends code point `cp` as generalized UTF-8 (a surrogate as its own 3-byte sequence).
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

/// The code points of generalized UTF-8 text that the scanner produced or validated.
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

/// A `str`'s characters as generalized UTF-8.
pub fn from_str_data(data: StrData<'_>) -> Vec<u8> {
    fn collect(units: impl ExactSizeIterator<Item = u32>) -> Vec<u8> {
        let mut out = Vec::with_capacity(units.len() * 2);
        for cp in units {
            push_char(&mut out, cp);
        }
        out
    }
    match data {
        StrData::Ascii(b) => b.to_vec(),
        StrData::Latin1(b) => collect(b.iter().map(|&c| u32::from(c))),
        StrData::Ucs2(u) => collect(u.iter().map(|&c| u32::from(c))),
        StrData::Ucs4(u) => collect(u.iter().copied()),
    }
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
    fn transcodes_every_kind() {
        assert_eq!(from_str_data(StrData::Latin1(b"\xe9a")), "éa".as_bytes());
        assert_eq!(from_str_data(StrData::Ucs2(&[0x20ac, 0xd800])), b"\xe2\x82\xac\xed\xa0\x80");
        assert_eq!(from_str_data(StrData::Ucs4(&[0x1f600])), "😀".as_bytes());
    }
}

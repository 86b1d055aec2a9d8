//! What `loads` accepts, and how each kind of input reaches the scanner as bytes: ASCII `str`
//! and UTF-8 bytes are read in place (zero-copy); other `str` kinds are transcoded to
//! generalized UTF-8 (`crate::utf8`); UTF-16/32 bytes are decoded as `json.loads` does.

use crate::ffi::unicode::StrData;

/// The encoding `json.detect_encoding` picks for a bytes document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// UTF-8 after a byte order mark, which is skipped.
    Utf8Sig,
    /// A codec name for `PyUnicode_Decode` (UTF-16/32 with or without BOM).
    Other(&'static std::ffi::CStr),
}

/// `json.detect_encoding`, byte for byte.
pub fn detect_encoding(b: &[u8]) -> Encoding {
    if b.starts_with(&[0, 0, 0xFE, 0xFF]) || b.starts_with(&[0xFF, 0xFE, 0, 0]) {
        return Encoding::Other(c"utf-32");
    }
    if b.starts_with(&[0xFE, 0xFF]) || b.starts_with(&[0xFF, 0xFE]) {
        return Encoding::Other(c"utf-16");
    }
    if b.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Encoding::Utf8Sig;
    }
    if b.len() >= 4 {
        if b[0] == 0 {
            return Encoding::Other(if b[1] != 0 { c"utf-16-be" } else { c"utf-32-be" });
        }
        if b[1] == 0 {
            return Encoding::Other(if b[2] != 0 || b[3] != 0 { c"utf-16-le" } else { c"utf-32-le" });
        }
    } else if b.len() == 2 {
        if b[0] == 0 {
            return Encoding::Other(c"utf-16-be");
        }
        if b[1] == 0 {
            return Encoding::Other(c"utf-16-le");
        }
    }
    Encoding::Utf8
}

/// The first character of a `str`, to spot a byte order mark.
pub fn first_char(data: StrData<'_>) -> Option<u32> {
    match data {
        StrData::Ascii(b) | StrData::Latin1(b) => b.first().map(|&c| u32::from(c)),
        StrData::Ucs2(u) => u.first().map(|&c| u32::from(c)),
        StrData::Ucs4(u) => u.first().copied(),
    }
}

/// The characters of a `str` from index `idx` on; `None` if `idx` is at or past its end.
pub fn str_data_from(data: StrData<'_>, idx: usize) -> Option<StrData<'_>> {
    match data {
        StrData::Ascii(b) => b.get(idx..).filter(|rest| !rest.is_empty()).map(StrData::Ascii),
        StrData::Latin1(b) => b.get(idx..).filter(|rest| !rest.is_empty()).map(StrData::Latin1),
        StrData::Ucs2(u) => u.get(idx..).filter(|rest| !rest.is_empty()).map(StrData::Ucs2),
        StrData::Ucs4(u) => u.get(idx..).filter(|rest| !rest.is_empty()).map(StrData::Ucs4),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_like_the_standard_library() {
        assert_eq!(detect_encoding(b"[1]"), Encoding::Utf8);
        assert_eq!(detect_encoding(b"\xef\xbb\xbf[1]"), Encoding::Utf8Sig);
        assert_eq!(detect_encoding(b"\xff\xfe[\x00"), Encoding::Other(c"utf-16"));
        assert_eq!(detect_encoding(b"\xff\xfe\x00\x00"), Encoding::Other(c"utf-32"));
        assert_eq!(detect_encoding(b"\x00[\x001"), Encoding::Other(c"utf-16-be"));
        assert_eq!(detect_encoding(b"\x00\x00\x00["), Encoding::Other(c"utf-32-be"));
        assert_eq!(detect_encoding(b"[\x00\x00\x00"), Encoding::Other(c"utf-32-le"));
        assert_eq!(detect_encoding(b"[\x001\x00"), Encoding::Other(c"utf-16-le"));
        assert_eq!(detect_encoding(b"1\x00"), Encoding::Other(c"utf-16-le"));
        assert_eq!(detect_encoding(b"\x001"), Encoding::Other(c"utf-16-be"));
        assert_eq!(detect_encoding(b"1"), Encoding::Utf8);
    }
}

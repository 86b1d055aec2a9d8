//! Number scanning with the exact acceptance rules of CPython's `_json` scanner.

use super::error::{syntax, ErrorKind, SyntaxError};

/// A number token: its text `buf[start..end]` and whether it has a fraction or exponent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Number {
    pub end: usize,
    pub is_float: bool,
}

/// Scans the number starting at `start` (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`).
///
/// As in CPython, a `.` or exponent that is not followed by digits is not part of the number
/// (it is left for the caller, who then reports "Extra data" or a missing delimiter), and a
/// missing integer part is "Expecting value" at `start`.
pub fn scan_number(buf: &[u8], start: usize) -> Result<Number, SyntaxError> {
    let digit_at = |i: usize| buf.get(i).is_some_and(u8::is_ascii_digit);
    let mut i = start;
    if buf.get(i) == Some(&b'-') {
        i += 1;
    }
    match buf.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            i += 1;
            while digit_at(i) {
                i += 1;
            }
        }
        _ => return syntax(ErrorKind::ExpectingValue, start),
    }
    let mut is_float = false;
    if buf.get(i) == Some(&b'.') && digit_at(i + 1) {
        is_float = true;
        i += 2;
        while digit_at(i) {
            i += 1;
        }
    }
    if matches!(buf.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(buf.get(j), Some(b'-' | b'+')) {
            j += 1;
        }
        if digit_at(j) {
            while digit_at(j) {
                j += 1;
            }
            is_float = true;
            i = j;
        }
    }
    Ok(Number { end: i, is_float })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(s: &str) -> Result<(usize, bool), SyntaxError> {
        scan_number(s.as_bytes(), 0).map(|n| (n.end, n.is_float))
    }

    #[test]
    fn integers_and_floats() {
        assert_eq!(scan("0"), Ok((1, false)));
        assert_eq!(scan("-0"), Ok((2, false)));
        assert_eq!(scan("123,"), Ok((3, false)));
        assert_eq!(scan("1.5"), Ok((3, true)));
        assert_eq!(scan("-1.5e-3]"), Ok((7, true)));
        assert_eq!(scan("1E+2"), Ok((4, true)));
        assert_eq!(scan("1e5"), Ok((3, true)));
    }

    #[test]
    fn partial_suffixes_are_left_out() {
        assert_eq!(scan("01"), Ok((1, false)));
        assert_eq!(scan("1."), Ok((1, false)));
        assert_eq!(scan("1.e5"), Ok((1, false)));
        assert_eq!(scan("1e"), Ok((1, false)));
        assert_eq!(scan("1e+"), Ok((1, false)));
        assert_eq!(scan("1.5e-x"), Ok((3, true)));
    }

    #[test]
    fn missing_integer_part_is_expecting_value_at_start() {
        let err = SyntaxError { kind: ErrorKind::ExpectingValue, pos: 0 };
        assert_eq!(scan("-"), Err(err));
        assert_eq!(scan(".5"), Err(err));
        assert_eq!(scan("-x"), Err(err));
        assert_eq!(scan_number(b"[-]", 1), Err(SyntaxError { kind: ErrorKind::ExpectingValue, pos: 1 }));
    }
}

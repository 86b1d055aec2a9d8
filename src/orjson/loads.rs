//! `rjson.orjson.loads(obj, /)`: the shared decoder configured as orjson: strict JSON (the
//! scanner's RFC grammar: no NaN or Infinity, no BOM, no lone surrogates), nesting up to
//! 1024, and orjson's errors: its input rules, and each syntax error worded and placed as
//! orjson (its yyjson reader) reports it.

use crate::decode::error::{ErrorKind, ParseError, SyntaxError, END_OF_DATA};
use crate::decode::input::first_char;
use crate::decode::{doc_str, raise_error_of, run, transcoded, with_bytes, Config, Doc};
use crate::ffi::buffer::{PinnedView, ViewError};
use crate::ffi::unicode::{str_data, StrData};
use crate::module::{state, State};
use crate::py::{raise, Owned};
use crate::utf8::char_count;
use pyo3_ffi::*;
use std::ptr::null_mut;

pub unsafe extern "C" fn loads(
    module: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: the interpreter passes a valid vectorcall argument array with the GIL held, and
    // `module` is this extension's module object.
    unsafe {
        if !kwnames.is_null() && PyTuple_GET_SIZE(kwnames) != 0 {
            raise(PyExc_TypeError, "orjson.loads() takes no keyword arguments");
            return null_mut();
        }
        if nargs != 1 {
            raise(PyExc_TypeError, &format!("orjson.loads() takes exactly one argument ({nargs} given)"));
            return null_mut();
        }
        decode(state(module), *args)
    }
}

const SURROGATES: &str = "str is not valid UTF-8: surrogates not allowed";
const BOM: &str = "UTF-8 byte order mark (BOM) is not supported";

/// A document as `orjson.loads` takes it: str, or bytes-like holding UTF-8 (no BOM, no
/// surrogates); every failure is the orjson face's `JSONDecodeError`.
unsafe fn decode(state: &State, doc: *mut PyObject) -> *mut PyObject {
    // SAFETY: `doc` is live; each branch reads it as the type it checked; pins keep mutable
    // buffers in place during the parse.
    unsafe {
        // orjson takes these exact types only.
        if PyUnicode_CheckExact(doc) != 0 {
            let Some(data) = str_data(doc) else {
                return null_mut();
            };
            let refused = match data {
                StrData::Ascii(bytes) => return parse(state, bytes, Doc::Str(doc)),
                _ if data.has_surrogate() => Some(SURROGATES),
                _ if first_char(data) == Some(0xFEFF) => Some(BOM),
                _ => None,
            };
            match refused {
                // orjson's `doc`: the text it could read, none of it here.
                Some(SURROGATES) => raise_error_utf8(state, SURROGATES, b"", 0),
                Some(msg) => raise_error(state, msg, doc, 0),
                None => match transcoded(data) {
                    Some(text) => return parse(state, &text, Doc::Str(doc)),
                    None => return null_mut(),
                },
            }
            return null_mut();
        }
        let with = |bytes: &[u8]| parse(state, bytes, Doc::Utf8);
        // orjson reads any C-contiguous memoryview's bytes. (A released one it reads anyway,
        // memory it no longer holds; here it raises the ValueError of using it.)
        let readable_view = || !matches!(PinnedView::new(doc), Err(ViewError::NotContiguous));
        if PyBytes_CheckExact(doc) != 0 || PyByteArray_CheckExact(doc) != 0 || (PyMemoryView_Check(doc) != 0 && readable_view()) {
            return with_bytes(doc, with);
        }
        raise_error_utf8(state, "Input must be bytes, bytearray, memoryview, or str", b"", 0);
        null_mut()
    }
}

/// Parses `text` as `orjson.loads` does: UTF-8 from a str (valid), or bytes (checked).
fn parse(state: &State, text: &[u8], doc: Doc) -> *mut PyObject {
    let error = if text.is_empty() {
        None
    } else {
        match run(state, text, Config::ORJSON, false) {
            Ok((obj, _)) => return obj,
            Err(error) => Some(error),
        }
    };
    // A document parsed to its end was valid UTF-8 (the RFC grammar refuses surrogates) and
    // had no BOM, so the bytes are checked for those only now, on failure: orjson reports
    // them before anything else, invalid UTF-8 first.
    if let Doc::Utf8 = doc {
        let refused = if std::str::from_utf8(text).is_err() {
            Some((SURROGATES, &b""[..]))
        } else {
            text.starts_with(b"\xef\xbb\xbf").then_some((BOM, text))
        };
        if let Some((msg, shown)) = refused {
            // SAFETY: GIL held; an exception the parse raised gives way to this one.
            unsafe {
                PyErr_Clear();
                raise_error_utf8(state, msg, shown, 0);
            }
            return null_mut();
        }
    }
    let failure = match error {
        None => ("Input is a zero-length, empty document", 0),
        Some(ParseError::Sink(_)) => return null_mut(),
        Some(ParseError::Syntax(SyntaxError { kind: ErrorKind::OutOfMemory, .. })) => {
            // SAFETY: GIL held.
            unsafe { PyErr_NoMemory() };
            return null_mut();
        }
        Some(ParseError::Syntax(error)) => report(error, text),
    };
    // SAFETY: GIL held; `text` and `doc` are the live input of this parse.
    unsafe {
        if let Some(d) = doc_str(text, doc) {
            raise_error(state, failure.0, d.as_ptr(), failure.1);
        }
    }
    null_mut()
}

/// orjson's message and (character) position for `error` in `text`. yyjson points some
/// errors elsewhere than the scanner, and reports an error found where the input ends, or in
/// a literal or an escape that the end cuts short, as the end of the input.
fn report(error: SyntaxError, text: &[u8]) -> (&'static str, usize) {
    let SyntaxError { kind, pos } = error;
    if kind == ErrorKind::ExpectingValue && text.iter().all(|b| b" \t\n\r".contains(b)) {
        return ("input data is empty", 0);
    }
    let at = match kind {
        // After the minus sign, where the digit is missing.
        ErrorKind::NumberWithoutDigits => pos + usize::from(text[pos] == b'-'),
        // After the bracket too many.
        ErrorKind::TooDeepArray | ErrorKind::TooDeepObject => pos + 1,
        ErrorKind::UnterminatedString => text.len(),
        // At the backslash, not the `u`.
        ErrorKind::InvalidUnicodeEscape
        | ErrorKind::LowSurrogateFirst
        | ErrorKind::UnpairedHighSurrogate
        | ErrorKind::InvalidLowSurrogateEscape
        | ErrorKind::InvalidLowSurrogate => pos - 1,
        _ => pos,
    };
    let rest = text.get(at..).unwrap_or_default();
    let cut_short = rest.is_empty()
        || match kind {
            ErrorKind::InvalidTrue => literal_cut_short(rest, b"true"),
            ErrorKind::InvalidFalse => literal_cut_short(rest, b"false"),
            ErrorKind::InvalidNull => literal_cut_short(rest, b"null"),
            ErrorKind::InvalidEscape
            | ErrorKind::InvalidUnicodeEscape
            | ErrorKind::LowSurrogateFirst
            | ErrorKind::UnpairedHighSurrogate
            | ErrorKind::InvalidLowSurrogateEscape
            | ErrorKind::InvalidLowSurrogate => escape_cut_short(rest),
            _ => false,
        };
    if cut_short {
        (END_OF_DATA, char_count(text))
    } else {
        (kind.orjson_message(), char_count(&text[..at]))
    }
}

/// Whether `rest`, the input from a failed literal on, is a proper prefix of it.
fn literal_cut_short(rest: &[u8], literal: &[u8]) -> bool {
    rest.len() < literal.len() && literal.starts_with(rest)
}

/// Whether `rest`, the input from a failed escape's backslash on, could still have become a
/// valid escape (or pair of surrogate escapes) had the input gone on: yyjson's test, which
/// takes any surrogate for a high one.
fn escape_cut_short(rest: &[u8]) -> bool {
    let hex = |b: &u8| b.is_ascii_hexdigit();
    match rest.len() {
        1 => true,
        2..=5 => rest[1] == b'u' && rest[2..].iter().all(hex),
        6..=11 => {
            let digits = Some(&rest[2..6]).filter(|digits| digits.iter().all(hex));
            let hi = digits.and_then(|digits| u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok());
            let surrogate = rest[1] == b'u' && hi.is_some_and(|hi| (0xD800..0xE000).contains(&hi));
            let low_escape: [fn(u8) -> bool; 5] = [
                |b| b == b'\\',
                |b| b == b'u',
                |b| matches!(b, b'd' | b'D'),
                |b| matches!(b, b'c'..=b'f' | b'C'..=b'F'),
                |b| b.is_ascii_hexdigit(),
            ];
            surrogate && rest[6..].iter().zip(low_escape).all(|(&b, starts)| starts(b))
        }
        _ => false,
    }
}

/// As [`raise_error`] with `text` (UTF-8, else empty) as the document.
unsafe fn raise_error_utf8(state: &State, msg: &str, text: &[u8], pos: usize) {
    // SAFETY: GIL held.
    unsafe {
        let text = std::str::from_utf8(text).unwrap_or("");
        if let Some(d) = Owned::new(PyUnicode_FromStringAndSize(text.as_ptr().cast(), text.len() as Py_ssize_t)) {
            raise_error(state, msg, d.as_ptr(), pos);
        }
    }
}

/// Raises the orjson face's `JSONDecodeError(msg, doc, pos)`.
unsafe fn raise_error(state: &State, msg: &str, doc: *mut PyObject, pos: usize) {
    // SAFETY: forwarded.
    unsafe { raise_error_of(state.orjson_decode_error, msg, doc, pos) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_cut_short_as_yyjson_sees_them() {
        for cut in [&b"\\"[..], b"\\u", b"\\u0", b"\\uabc", b"\\ud800", b"\\uDBFF\\", b"\\udc00\\u", b"\\ud800\\uD", b"\\ud800\\udF", b"\\ud800\\udc0"] {
            assert!(escape_cut_short(cut), "{:?}", String::from_utf8_lossy(cut));
        }
        for whole in [&b"\\x"[..], b"\\u00x", b"\\u0041", b"\\u00411", b"\\ud800x", b"\\ud800\\n", b"\\ud800\\ud7", b"\\ud800\\udc0x", b"\\ud800\\udc00"] {
            assert!(!escape_cut_short(whole), "{:?}", String::from_utf8_lossy(whole));
        }
    }

    #[test]
    fn positions_move_where_yyjson_points() {
        let at = |doc: &str, kind, pos| report(SyntaxError { kind, pos }, doc.as_bytes());
        assert_eq!(at("[-]", ErrorKind::NumberWithoutDigits, 1), ("no digit after sign", 2));
        assert_eq!(at("[+1]", ErrorKind::NumberWithoutDigits, 1), ("no digit after sign", 1));
        assert_eq!(at("-", ErrorKind::NumberWithoutDigits, 0), (END_OF_DATA, 1));
        assert_eq!(at(r#"["\u12x4"]"#, ErrorKind::InvalidUnicodeEscape, 3), ("invalid escaped sequence in string", 2));
        assert_eq!(at(r#"["é\u12"#, ErrorKind::InvalidUnicodeEscape, 5), (END_OF_DATA, 7));
        assert_eq!(at("[tr", ErrorKind::InvalidTrue, 1), (END_OF_DATA, 3));
        assert_eq!(at("[tr]", ErrorKind::InvalidTrue, 1), ("invalid literal, expected 'true'", 1));
        assert_eq!(at(" \n", ErrorKind::ExpectingValue, 2), ("input data is empty", 0));
        assert_eq!(at(r#"["é"#, ErrorKind::UnterminatedString, 1), (END_OF_DATA, 3));
    }
}

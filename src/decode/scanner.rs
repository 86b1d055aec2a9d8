//! The JSON scanner: one pass over the input bytes, iterative (an explicit stack, so nesting
//! depth never touches the C stack), reporting values to a [`Sink`] in document order.
//!
//! It accepts exactly what CPython's `json.loads` accepts (including `NaN`, `Infinity` and
//! `-Infinity`), or with [`Options::rfc`] what orjson accepts, and fails with what it found
//! and where ([`ErrorKind`], at the standard library's position, a byte offset here), which
//! each face words (and the caller turns into a character offset). It is pure Rust: no
//! Python calls, so it is tested and fuzzed on its own.

use super::error::{ErrorKind, ParseError, SyntaxError};
use super::number::{parse_float_text, scan_number, Value};
use super::strings::{scan_string, StrToken};
use crate::ascii::whitespace_end;

/// The constants `json` accepts besides `true`, `false` and `null`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Constant {
    NaN,
    Infinity,
    NegInfinity,
}

/// Receives the values of a document in order. Containers are reported when they close, with
/// their exact length, so the receiver can build each one at its final size.
pub trait Sink {
    type Error;
    fn null(&mut self) -> Result<(), Self::Error>;
    fn boolean(&mut self, value: bool) -> Result<(), Self::Error>;
    fn constant(&mut self, value: Constant) -> Result<(), Self::Error>;
    /// `text` is ASCII, matched by the number grammar; `value` is what it reads as.
    fn number(&mut self, text: &[u8], value: Value) -> Result<(), Self::Error>;
    /// A string value or (with `is_key`) an object key; `text` is generalized UTF-8.
    fn string(&mut self, text: &[u8], token: &StrToken, is_key: bool) -> Result<(), Self::Error>;
    /// A container opens (before its items); the sink may refuse the nesting.
    fn begin_container(&mut self, is_object: bool) -> Result<(), Self::Error>;
    /// Closes the array whose `len` values were the last ones reported.
    fn end_array(&mut self, len: usize) -> Result<(), Self::Error>;
    /// Closes the object whose `len` key/value pairs were the last ones reported.
    fn end_object(&mut self, len: usize) -> Result<(), Self::Error>;
}

/// Limits and version-dependent behaviour of a parse.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Containers nested deeper than this fail with `TooDeepArray`/`TooDeepObject`.
    pub max_depth: usize,
    /// Report `[1,]` and `{"a":1,}` as trailing commas (CPython 3.13+).
    pub name_trailing_commas: bool,
    /// Refuse control characters in strings (`JSONDecoder`'s `strict`).
    pub strict: bool,
    /// The RFC 8259 grammar, as orjson reads it, rather than the standard library's: no
    /// `NaN`, `Infinity` or `-Infinity`, no number that overflows a double, a `.` or an
    /// exponent without digits and leading zeros fail the number (the standard library ends
    /// the number before them), surrogate escapes must pair.
    pub rfc: bool,
}

/// An enclosing container, saved while a nested one is parsed: how many values (or pairs)
/// it holds so far, times two, plus one for an object.
#[derive(Clone, Copy)]
struct Frame(usize);

/// The buffers a parse works in, kept by the caller so that the next parse finds them
/// allocated: unescaped string content, and the stack of enclosing containers.
#[derive(Default)]
pub struct Scratch {
    text: Vec<u8>,
    frames: Vec<Frame>,
}

impl Scratch {
    /// The capacity held, in bytes.
    pub fn capacity(&self) -> usize {
        self.text.capacity() + self.frames.capacity() * std::mem::size_of::<Frame>()
    }
}

/// Parses a whole document (`json.loads`): leading and trailing whitespace allowed, anything
/// else after the value is "Extra data".
pub fn parse_document<S: Sink>(
    buf: &[u8],
    sink: &mut S,
    options: Options,
    scratch: &mut Scratch,
) -> Result<(), ParseError<S::Error>> {
    let start = skip_ws(buf, 0);
    let end = parse_value(buf, start, sink, options, scratch)?;
    let end = skip_ws(buf, end);
    if end != buf.len() {
        let error = SyntaxError { kind: ErrorKind::ExtraData, pos: end };
        return Err(if options.rfc { rfc_number_error(buf, error) } else { error }.into());
    }
    Ok(())
}

/// The offset of the first non-whitespace byte at or after `i`. Compact documents have
/// none, others mostly one space; indented ones have longer runs.
#[inline(always)]
fn skip_ws(buf: &[u8], i: usize) -> usize {
    match buf.get(i) {
        Some(&b) if b > b' ' => i,
        Some(b' ') if buf.get(i + 1).is_some_and(|&b| b > b' ') => i + 1,
        Some(_) => whitespace_run_end(buf, i),
        None => i,
    }
}

/// Out of line: its vector constants would otherwise stay live across the whole parse loop
/// and be reloaded after every call.
#[inline(never)]
fn whitespace_run_end(buf: &[u8], i: usize) -> usize {
    whitespace_end(buf, i)
}

/// Parses the value starting at `pos` (`scan_once`) and returns the offset after it.
pub fn parse_value<S: Sink>(
    buf: &[u8],
    pos: usize,
    sink: &mut S,
    options: Options,
    scratch: &mut Scratch,
) -> Result<usize, ParseError<S::Error>> {
    parse_value_at(buf, pos, sink, options, scratch).map_err(|error| match error {
        ParseError::Syntax(mut error) => {
            if options.rfc {
                error = rfc_number_error(buf, error);
            }
            if options.name_trailing_commas {
                error = trailing_comma(buf, error);
            }
            ParseError::Syntax(error)
        }
        error => error,
    })
}

fn parse_value_at<S: Sink>(
    buf: &[u8],
    mut pos: usize,
    sink: &mut S,
    options: Options,
    scratch: &mut Scratch,
) -> Result<usize, ParseError<S::Error>> {
    let Scratch { text: scratch, frames } = scratch;
    frames.clear();
    // The innermost open container (none at depth 0): its kind and its values so far. The
    // enclosing ones wait in `frames`.
    let mut depth = 0usize;
    let mut in_object = false;
    let mut count = 0usize;
    'value: loop {
        // One value at `pos`; a container opening comes back here for its first item.
        let Some(&b) = buf.get(pos) else {
            return Err(SyntaxError { kind: ErrorKind::ExpectingValue, pos }.into());
        };
        match b {
            b'"' => {
                let tok = scan_string(buf, pos, scratch, options.strict, options.rfc)?;
                sink.string(tok.text(buf, scratch), &tok, false).map_err(ParseError::Sink)?;
                pos = tok.end;
            }
            b'0'..=b'9' | b'-' if b != b'-' || buf.get(pos + 1) != Some(&b'I') => {
                pos = parse_number(buf, pos, sink, options.rfc)?;
                // Arrays of numbers: the items that follow, while numbers, without the
                // general dispatch (which takes over again at anything else).
                if depth > 0 && !in_object {
                    loop {
                        let comma = skip_ws(buf, pos);
                        if buf.get(comma) != Some(&b',') {
                            pos = comma;
                            break;
                        }
                        let next = skip_ws(buf, comma + 1);
                        match buf.get(next) {
                            Some(b'0'..=b'9') => {}
                            Some(b'-') if buf.get(next + 1) != Some(&b'I') => {}
                            _ => break,
                        }
                        count += 1;
                        pos = parse_number(buf, next, sink, options.rfc)?;
                    }
                }
            }
            b'[' | b'{' => {
                let is_object = b == b'{';
                if depth >= options.max_depth {
                    let kind = if is_object { ErrorKind::TooDeepObject } else { ErrorKind::TooDeepArray };
                    return Err(SyntaxError { kind, pos }.into());
                }
                sink.begin_container(is_object).map_err(ParseError::Sink)?;
                pos = skip_ws(buf, pos + 1);
                let close = if is_object { b'}' } else { b']' };
                if buf.get(pos) != Some(&close) {
                    if depth > 0 {
                        // As deep as the input nests (up to the depth limit, which may be
                        // set huge): failing to grow is reported, not an abort.
                        if frames.try_reserve(1).is_err() {
                            return Err(SyntaxError { kind: ErrorKind::OutOfMemory, pos }.into());
                        }
                        frames.push(Frame(count << 1 | usize::from(in_object)));
                    }
                    depth += 1;
                    in_object = is_object;
                    count = 0;
                    if is_object {
                        pos = parse_key(buf, pos, sink, options, scratch)?;
                    }
                    continue 'value;
                }
                if is_object { sink.end_object(0) } else { sink.end_array(0) }.map_err(ParseError::Sink)?;
                pos += 1;
            }
            _ => pos = parse_literal(buf, pos, sink, options.rfc)?,
        }
        // After a value: move on to the next item of the innermost container, or close it.
        loop {
            if depth == 0 {
                return Ok(pos);
            }
            count += 1;
            pos = skip_ws(buf, pos);
            match buf.get(pos) {
                Some(b',') => {
                    pos = skip_ws(buf, pos + 1);
                    if in_object {
                        pos = parse_key(buf, pos, sink, options, scratch)?;
                    }
                    continue 'value;
                }
                Some(b']') if !in_object => sink.end_array(count),
                Some(b'}') if in_object => sink.end_object(count),
                _ => {
                    let kind = if in_object { ErrorKind::ExpectingObjectComma } else { ErrorKind::ExpectingArrayComma };
                    return Err(SyntaxError { kind, pos }.into());
                }
            }
            .map_err(ParseError::Sink)?;
            pos += 1;
            depth -= 1;
            if let Some(Frame(outer)) = frames.pop() {
                in_object = outer & 1 == 1;
                count = outer >> 1;
            }
        }
    }
}

/// CPython 3.13+ names a comma right before the close of its container: a value expected at
/// a `]` (or a key at a `}`) that follows a comma is such a comma. (The hot loop does not
/// look for it: only a failed parse pays.)
fn trailing_comma(buf: &[u8], error: SyntaxError) -> SyntaxError {
    let kind = match (error.kind, buf.get(error.pos)) {
        (ErrorKind::ExpectingValue, Some(b']')) => ErrorKind::TrailingCommaArray,
        (ErrorKind::ExpectingPropertyName, Some(b'}')) => ErrorKind::TrailingCommaObject,
        _ => return error,
    };
    match buf[..error.pos].iter().rposition(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
        Some(comma) if buf[comma] == b',' => SyntaxError { kind, pos: comma },
        _ => error,
    }
}

/// Parses `"key" :` at `pos` and returns the offset of the value that follows.
fn parse_key<S: Sink>(
    buf: &[u8],
    pos: usize,
    sink: &mut S,
    options: Options,
    scratch: &mut Vec<u8>,
) -> Result<usize, ParseError<S::Error>> {
    if buf.get(pos) != Some(&b'"') {
        return Err(SyntaxError { kind: ErrorKind::ExpectingPropertyName, pos }.into());
    }
    let tok = scan_string(buf, pos, scratch, options.strict, options.rfc)?;
    sink.string(tok.text(buf, scratch), &tok, true).map_err(ParseError::Sink)?;
    let pos = skip_ws(buf, tok.end);
    if buf.get(pos) != Some(&b':') {
        return Err(SyntaxError { kind: ErrorKind::ExpectingColon, pos }.into());
    }
    Ok(skip_ws(buf, pos + 1))
}

#[inline(always)]
fn parse_number<S: Sink>(buf: &[u8], pos: usize, sink: &mut S, rfc: bool) -> Result<usize, ParseError<S::Error>> {
    let number = scan_number(buf, pos).map_err(ParseError::Syntax)?;
    let text = &buf[pos..number.end];
    if rfc && is_infinite(text, number.value) {
        return Err(ParseError::Syntax(SyntaxError { kind: ErrorKind::InfiniteNumber, pos }));
    }
    sink.number(text, number.value).map_err(ParseError::Sink)?;
    Ok(number.end)
}

/// Whether the number `text` (read as `value`) overflows a double.
#[inline(always)]
fn is_infinite(text: &[u8], value: Value) -> bool {
    match value {
        Value::Float(f) => f.is_infinite(),
        // `parse_float_text` is out of line.
        Value::BigInt => parse_float_text(text).is_infinite(),
        Value::Int { .. } => false,
    }
}

/// Under the RFC grammar, a number that the standard library's grammar ends before a `.` or
/// an exponent without digits, or before a digit after a leading `0`, fails where the digit
/// is missing. The standard grammar then fails right after the number (a missing delimiter,
/// or extra data): `error` is turned into that failure. (Only a failed parse pays for this.)
#[cold]
fn rfc_number_error(buf: &[u8], error: SyntaxError) -> SyntaxError {
    let end = error.pos;
    let after_number = end > 0 && buf[end - 1].is_ascii_digit();
    if !after_number || !matches!(error.kind, ErrorKind::ExpectingArrayComma | ErrorKind::ExpectingObjectComma | ErrorKind::ExtraData) {
        return error;
    }
    let start = buf[..end].iter().rposition(|b| !b"+-.eE0123456789".contains(b)).map_or(0, |k| k + 1);
    // A fraction or an exponent it has already would have taken such digits.
    let bare = |parts: &[u8]| !buf[start..end].iter().any(|b| parts.contains(b));
    let (kind, pos) = match buf.get(end) {
        Some(b'.') if bare(b".eE") => (ErrorKind::NoFractionDigits, end + 1),
        Some(b'e' | b'E') if bare(b"eE") => {
            (ErrorKind::NoExponentDigits, end + 1 + usize::from(matches!(buf.get(end + 1), Some(b'+' | b'-'))))
        }
        // Only a leading zero leaves a digit after the number.
        Some(b'0'..=b'9') => (ErrorKind::LeadingZero, end - 1),
        _ => return error,
    };
    SyntaxError { kind, pos }
}

/// `null`, `true`, `false` and (without `rfc`) `NaN`, `Infinity`, `-Infinity`; anything
/// else is not a value.
fn parse_literal<S: Sink>(buf: &[u8], pos: usize, sink: &mut S, rfc: bool) -> Result<usize, ParseError<S::Error>> {
    let rest = &buf[pos..];
    let (len, result) = match rest[0] {
        b'n' if rest.starts_with(b"null") => (4, sink.null()),
        b't' if rest.starts_with(b"true") => (4, sink.boolean(true)),
        b'f' if rest.starts_with(b"false") => (5, sink.boolean(false)),
        b'N' if !rfc && rest.starts_with(b"NaN") => (3, sink.constant(Constant::NaN)),
        b'I' if !rfc && rest.starts_with(b"Infinity") => (8, sink.constant(Constant::Infinity)),
        b'-' if !rfc && rest.starts_with(b"-Infinity") => (9, sink.constant(Constant::NegInfinity)),
        // "-I..." that is not -Infinity: the number scanner says where it fails.
        b'-' => return parse_number(buf, pos, sink, rfc),
        first => {
            let kind = match first {
                b't' => ErrorKind::InvalidTrue,
                b'f' => ErrorKind::InvalidFalse,
                b'n' => ErrorKind::InvalidNull,
                b'+' | b'.' => ErrorKind::NumberWithoutDigits,
                _ => ErrorKind::ExpectingValue,
            };
            return Err(SyntaxError { kind, pos }.into());
        }
    };
    result.map_err(ParseError::Sink)?;
    Ok(pos + len)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders the events as a compact trace, e.g. `[1,"a",{"k":n}]` → `1 "a" "k": n {1} [3]`.
    struct Trace(Vec<String>);

    impl Sink for Trace {
        type Error = ();
        fn null(&mut self) -> Result<(), ()> {
            self.0.push("n".into());
            Ok(())
        }
        fn boolean(&mut self, v: bool) -> Result<(), ()> {
            self.0.push(if v { "t" } else { "f" }.into());
            Ok(())
        }
        fn constant(&mut self, c: Constant) -> Result<(), ()> {
            self.0.push(format!("{c:?}"));
            Ok(())
        }
        fn number(&mut self, text: &[u8], value: Value) -> Result<(), ()> {
            let t = String::from_utf8(text.to_vec()).unwrap();
            self.0.push(if value.is_float() { format!("{t}f") } else { t });
            Ok(())
        }
        fn string(&mut self, text: &[u8], _: &StrToken, is_key: bool) -> Result<(), ()> {
            let t = String::from_utf8(text.to_vec()).unwrap();
            self.0.push(if is_key { format!("{t:?}:") } else { format!("{t:?}") });
            Ok(())
        }
        fn begin_container(&mut self, _: bool) -> Result<(), ()> {
            Ok(())
        }
        fn end_array(&mut self, len: usize) -> Result<(), ()> {
            self.0.push(format!("[{len}]"));
            Ok(())
        }
        fn end_object(&mut self, len: usize) -> Result<(), ()> {
            self.0.push(format!("{{{len}}}"));
            Ok(())
        }
    }

    const OPTS: Options = Options { max_depth: 100, name_trailing_commas: false, strict: true, rfc: false };

    fn run(doc: &str, options: Options) -> Result<String, SyntaxError> {
        let mut trace = Trace(Vec::new());
        match parse_document(doc.as_bytes(), &mut trace, options, &mut Scratch::default()) {
            Ok(()) => Ok(trace.0.join(" ")),
            Err(ParseError::Syntax(e)) => Err(e),
            Err(ParseError::Sink(())) => unreachable!(),
        }
    }

    fn fails(doc: &str, kind: ErrorKind, pos: usize) {
        assert_eq!(run(doc, OPTS), Err(SyntaxError { kind, pos }), "{doc:?}");
    }

    #[test]
    fn values_arrive_in_order_with_container_sizes() {
        assert_eq!(run(r#" [1, "a", {"k": null, "j": [true, false]}, []] "#, OPTS).unwrap(),
            r#"1 "a" "k": n "j": t f [2] {2} [0] [4]"#);
        assert_eq!(run("[NaN, Infinity, -Infinity, -1.5e3]", OPTS).unwrap(),
            "NaN Infinity NegInfinity -1.5e3f [4]");
        assert_eq!(run("{}", OPTS).unwrap(), "{0}");
    }

    #[test]
    fn runs_of_numbers_in_arrays_hand_over_at_anything_else() {
        assert_eq!(run(r#"[1, 2,"a", -3 ,-Infinity, 4 , [5,6] ,7]"#, OPTS).unwrap(),
            r#"1 2 "a" -3 NegInfinity 4 5 6 [2] 7 [8]"#);
        assert_eq!(run(r#"{"k": [1,2], "j": 3}"#, OPTS).unwrap(), r#""k": 1 2 [2] "j": 3 {2}"#);
        fails("[1,2 3]", ErrorKind::ExpectingArrayComma, 5);
        fails("[1,-]", ErrorKind::NumberWithoutDigits, 3);
        fails("[1,-I]", ErrorKind::NumberWithoutDigits, 3);
        fails("[1,2,]", ErrorKind::ExpectingValue, 5);
        let opts = Options { name_trailing_commas: true, ..OPTS };
        assert_eq!(run("[1,2 ,\n]", opts), Err(SyntaxError { kind: ErrorKind::TrailingCommaArray, pos: 5 }));
    }

    #[test]
    fn syntax_errors_match_the_standard_library() {
        fails("", ErrorKind::ExpectingValue, 0);
        fails("  ", ErrorKind::ExpectingValue, 2);
        fails("[", ErrorKind::ExpectingValue, 1);
        fails("[1,]", ErrorKind::ExpectingValue, 3);
        fails("[1 2]", ErrorKind::ExpectingArrayComma, 3);
        fails(r#"{"a":1 2}"#, ErrorKind::ExpectingObjectComma, 7);
        fails("{", ErrorKind::ExpectingPropertyName, 1);
        fails(r#"{"a":1,}"#, ErrorKind::ExpectingPropertyName, 7);
        fails(r#"{"a" 1}"#, ErrorKind::ExpectingColon, 5);
        fails(r#"{"a":}"#, ErrorKind::ExpectingValue, 5);
        fails("1 2", ErrorKind::ExtraData, 2);
        fails("1e", ErrorKind::ExtraData, 1);
        fails("[1e+]", ErrorKind::ExpectingArrayComma, 2);
        fails("nul", ErrorKind::InvalidNull, 0);
        fails("[tru]", ErrorKind::InvalidTrue, 1);
        fails("falsy", ErrorKind::InvalidFalse, 0);
        fails("fals", ErrorKind::InvalidFalse, 0);
        fails("-Infinit", ErrorKind::NumberWithoutDigits, 0);
        fails("+1", ErrorKind::NumberWithoutDigits, 0);
        fails("[.5]", ErrorKind::NumberWithoutDigits, 1);
        fails("Nan", ErrorKind::ExpectingValue, 0);
        fails("NaNx", ErrorKind::ExtraData, 3);
    }

    #[test]
    fn the_rfc_grammar_refuses_more_and_says_why() {
        let rfc = Options { rfc: true, ..OPTS };
        for (doc, kind, pos) in [
            ("NaN", ErrorKind::ExpectingValue, 0),
            ("[Infinity]", ErrorKind::ExpectingValue, 1),
            ("-Infinity", ErrorKind::NumberWithoutDigits, 0),
            ("[1, -1e400]", ErrorKind::InfiniteNumber, 4),
            ("[1, 2, 1.]", ErrorKind::NoFractionDigits, 9),
            (r#"{"a": 01}"#, ErrorKind::LeadingZero, 6),
            ("[1, 2, 3e]", ErrorKind::NoExponentDigits, 9),
            (r#"["\ud800"]"#, ErrorKind::UnpairedHighSurrogate, 3),
            ("-00", ErrorKind::LeadingZero, 1),
            ("1.e5", ErrorKind::NoFractionDigits, 2),
            ("0e-", ErrorKind::NoExponentDigits, 3),
            ("1.5E+x", ErrorKind::NoExponentDigits, 5),
            // After a fraction or an exponent, a `.` or an `e` is no longer the number's.
            ("1e5.", ErrorKind::ExtraData, 3),
            ("[1.5.3]", ErrorKind::ExpectingArrayComma, 4),
            ("[1e5e]", ErrorKind::ExpectingArrayComma, 4),
            ("1e400.", ErrorKind::InfiniteNumber, 0),
            (&format!("-1{}", "0".repeat(400)), ErrorKind::InfiniteNumber, 0),
        ] {
            assert_eq!(run(doc, rfc), Err(SyntaxError { kind, pos }), "{doc:?}");
        }
        assert_eq!(run("[1.5, -0, 1e2, 18446744073709551616]", rfc).unwrap(), "1.5f -0 1e2f 18446744073709551616 [4]");
    }

    #[test]
    fn trailing_commas_are_named_when_asked() {
        let opts = Options { name_trailing_commas: true, ..OPTS };
        assert_eq!(run("[1,]", opts), Err(SyntaxError { kind: ErrorKind::TrailingCommaArray, pos: 2 }));
        assert_eq!(run(r#"{"a":1 ,  }"#, opts), Err(SyntaxError { kind: ErrorKind::TrailingCommaObject, pos: 7 }));
        assert_eq!(run("[1,,]", opts), Err(SyntaxError { kind: ErrorKind::ExpectingValue, pos: 3 }));
        assert_eq!(run("[[1,\n ]]", opts), Err(SyntaxError { kind: ErrorKind::TrailingCommaArray, pos: 3 }));
        assert_eq!(run(r#"{"a":{"b":2,}}"#, opts), Err(SyntaxError { kind: ErrorKind::TrailingCommaObject, pos: 11 }));
        // Only a comma right before the container's own close is named.
        assert_eq!(run("[1,}", opts), Err(SyntaxError { kind: ErrorKind::ExpectingValue, pos: 3 }));
        assert_eq!(run(r#"{"a":1,]"#, opts), Err(SyntaxError { kind: ErrorKind::ExpectingPropertyName, pos: 7 }));
        assert_eq!(run(r#"{"a": ]"#, opts), Err(SyntaxError { kind: ErrorKind::ExpectingValue, pos: 6 }));
        assert_eq!(run("[,]", opts), Err(SyntaxError { kind: ErrorKind::ExpectingValue, pos: 1 }));
        assert_eq!(run("]", opts), Err(SyntaxError { kind: ErrorKind::ExpectingValue, pos: 0 }));
        assert_eq!(run("[1,]", OPTS), Err(SyntaxError { kind: ErrorKind::ExpectingValue, pos: 3 }));
    }

    #[test]
    fn depth_is_limited_without_recursion() {
        let deep = "[".repeat(1_000_000);
        let opts = Options { max_depth: 1000, ..OPTS };
        assert_eq!(run(&deep, opts), Err(SyntaxError { kind: ErrorKind::TooDeepArray, pos: 1000 }));
        let objects = r#"{"a":"#.repeat(2000);
        assert_eq!(run(&objects, opts).unwrap_err().kind, ErrorKind::TooDeepObject);
        let ok = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
        assert!(run(&ok, opts).is_ok());
    }
}

//! What the fuzz targets share: a [`Sink`] that records the scanner's events and checks them as
//! they arrive, and a renderer that writes the events back as JSON through rjson's escaper.

use rjson::decode::error::{ErrorKind, ParseError, SyntaxError};
use rjson::decode::number::Value;
use rjson::decode::scanner::{parse_document, Constant, Options, Scratch, Sink};
use rjson::decode::strings::StrToken;
use rjson::encode::buffer::OutBuf;
use rjson::encode::escape::write_escaped;
use rjson::ffi::unicode::StrData;
use rjson::utf8::{chars, push_char};

/// One value reported by the scanner; strings as code points.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Null,
    Bool(bool),
    Constant(Constant),
    Number(Vec<u8>, bool),
    Str(Vec<u32>, bool),
    Begin(bool),
    EndArray(usize),
    EndObject(usize),
}

/// Records events, checking each against what the scanner promises: string text is
/// generalized UTF-8 whose length and widest character the token states, numbers match the
/// grammar, containers close with the number of items reported since they opened (pairs for
/// objects, each key followed by one value), never deeper than `max_depth`.
pub struct Recorder {
    pub events: Vec<Event>,
    /// Items (keys and values) reported in each open container.
    open: Vec<(bool, usize)>,
    max_depth: usize,
}

impl Recorder {
    pub fn new(max_depth: usize) -> Self {
        Recorder { events: Vec::new(), open: Vec::new(), max_depth }
    }

    fn item(&mut self, event: Event) {
        if let Some((_, n)) = self.open.last_mut() {
            *n += 1;
        }
        self.events.push(event);
    }

    fn close(&mut self, is_object: bool, len: usize) {
        let (was_object, items) = self.open.pop().expect("container closed that never opened");
        assert_eq!(was_object, is_object, "container closed with the other bracket");
        assert_eq!(items, if is_object { 2 * len } else { len }, "container length");
        let event = if is_object { Event::EndObject(len) } else { Event::EndArray(len) };
        self.item(event);
    }
}

impl Sink for Recorder {
    type Error = ();
    fn null(&mut self) -> Result<(), ()> {
        self.item(Event::Null);
        Ok(())
    }
    fn boolean(&mut self, value: bool) -> Result<(), ()> {
        self.item(Event::Bool(value));
        Ok(())
    }
    fn constant(&mut self, value: Constant) -> Result<(), ()> {
        self.item(Event::Constant(value));
        Ok(())
    }
    fn number(&mut self, text: &[u8], value: Value) -> Result<(), ()> {
        check_number(text, value.is_float());
        self.item(Event::Number(text.to_vec(), value.is_float()));
        Ok(())
    }
    fn string(&mut self, text: &[u8], token: &StrToken, is_key: bool) -> Result<(), ()> {
        let cps = checked_chars(text);
        assert_eq!(cps.len(), token.chars, "token.chars");
        let widest = cps.iter().copied().max().unwrap_or(0);
        // max_char is a code point of the widest str kind the text needs.
        let kind = |c: u32| [0x7f, 0xff, 0xffff].iter().take_while(|&&top| c > top).count();
        assert_eq!(kind(widest), kind(token.max_char), "token.max_char");
        if let Some((is_object, n)) = self.open.last() {
            assert_eq!(is_key, *is_object && n % 2 == 0, "key where a value belongs or vice versa");
        }
        self.item(Event::Str(cps, is_key));
        Ok(())
    }
    fn begin_container(&mut self, is_object: bool) -> Result<(), ()> {
        assert!(self.open.len() < self.max_depth, "nesting beyond max_depth");
        self.events.push(Event::Begin(is_object));
        self.open.push((is_object, 0));
        Ok(())
    }
    fn end_array(&mut self, len: usize) -> Result<(), ()> {
        self.close(false, len);
        Ok(())
    }
    fn end_object(&mut self, len: usize) -> Result<(), ()> {
        self.close(true, len);
        Ok(())
    }
}

/// The code points of `text`, after checking that it is generalized UTF-8 (what
/// `utf8::chars` assumes): re-encoding them gives the same bytes.
pub fn checked_chars(text: &[u8]) -> Vec<u32> {
    for (k, &b) in text.iter().enumerate() {
        // A lead byte must be followed by its continuation bytes inside `text`.
        let width = match b {
            0x00..=0x7f => 1,
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => continue,
        };
        assert!(k + width <= text.len(), "truncated sequence in scanned text");
    }
    assert!(text.first().is_none_or(|&b| b & 0xC0 != 0x80), "text starts with a continuation byte");
    let cps: Vec<u32> = chars(text).collect();
    let mut again = Vec::with_capacity(text.len());
    cps.iter().for_each(|&cp| push_char(&mut again, cp));
    assert_eq!(again, text, "scanned text is not generalized UTF-8");
    assert!(cps.iter().all(|&cp| cp < 0x110000));
    cps
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`, floats exactly when there is a fraction
/// or an exponent; Rust's own float parser reads the same text.
fn check_number(text: &[u8], is_float: bool) {
    let s = std::str::from_utf8(text).expect("number text is ASCII");
    let digits = s.strip_prefix('-').unwrap_or(s);
    let int_len = digits.bytes().take_while(u8::is_ascii_digit).count();
    assert!(int_len > 0 && (int_len == 1 || !digits.starts_with('0')), "integer part of {s:?}");
    let mut rest = &digits[int_len..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        assert!(n > 0, "fraction of {s:?}");
        rest = &frac[n..];
    }
    if let Some(exp) = rest.strip_prefix(['e', 'E']) {
        let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        let n = exp.bytes().take_while(u8::is_ascii_digit).count();
        assert!(n > 0 && n == exp.len(), "exponent of {s:?}");
        rest = "";
    }
    assert!(rest.is_empty(), "junk after number {s:?}");
    assert_eq!(is_float, int_len + usize::from(s.starts_with('-')) != s.len(), "is_float of {s:?}");
    s.parse::<f64>().expect("Rust parses the number");
}

/// Scans `buf` as a document and checks what a syntax error says about the input.
pub fn scan(buf: &[u8], options: Options) -> Result<Vec<Event>, SyntaxError> {
    let mut rec = Recorder::new(options.max_depth);
    match parse_document(buf, &mut rec, options, &mut Scratch::default()) {
        Ok(()) => {
            assert!(rec.open.is_empty(), "document ended with open containers");
            Ok(rec.events)
        }
        Err(ParseError::Sink(())) => unreachable!("the recorder never fails"),
        Err(ParseError::Syntax(e)) => {
            check_error_position(buf, e);
            Err(e)
        }
    }
}

/// Where each kind of error points, the standard library's way.
pub fn check_error_position(buf: &[u8], e: SyntaxError) {
    assert!(e.pos <= buf.len(), "{e:?} past the end ({})", buf.len());
    let at = buf.get(e.pos).copied();
    let before = e.pos.checked_sub(1).and_then(|k| buf.get(k)).copied();
    let ok = match e.kind {
        ErrorKind::UnterminatedString => at == Some(b'"'),
        ErrorKind::InvalidEscape => at == Some(b'\\'),
        ErrorKind::InvalidUnicodeEscape
        | ErrorKind::LowSurrogateFirst
        | ErrorKind::UnpairedHighSurrogate
        | ErrorKind::InvalidLowSurrogateEscape
        | ErrorKind::InvalidLowSurrogate => at == Some(b'u'),
        ErrorKind::InvalidControlCharacter => at.is_some_and(|b| b < 0x20),
        ErrorKind::InvalidUtf8 => at.is_some_and(|b| b >= 0x80),
        ErrorKind::TooDeepArray => at == Some(b'['),
        ErrorKind::TooDeepObject => at == Some(b'{'),
        ErrorKind::InfiniteNumber => at.is_some_and(|b| b == b'-' || b.is_ascii_digit()),
        ErrorKind::NumberWithoutDigits => at.is_some_and(|b| b"-+.".contains(&b)),
        ErrorKind::LeadingZero => at == Some(b'0'),
        ErrorKind::NoFractionDigits => before == Some(b'.'),
        ErrorKind::NoExponentDigits => before.is_some_and(|b| b"eE+-".contains(&b)),
        ErrorKind::InvalidTrue => at == Some(b't'),
        ErrorKind::InvalidFalse => at == Some(b'f'),
        ErrorKind::InvalidNull => at == Some(b'n'),
        ErrorKind::TrailingCommaArray | ErrorKind::TrailingCommaObject => at == Some(b','),
        ErrorKind::ExtraData => at.is_some_and(|b| !b" \t\r\n".contains(&b)),
        // Fuzz inputs are small: no buffer fails to grow.
        ErrorKind::OutOfMemory => false,
        ErrorKind::ExpectingValue
        | ErrorKind::ExpectingArrayComma
        | ErrorKind::ExpectingObjectComma
        | ErrorKind::ExpectingColon
        | ErrorKind::ExpectingPropertyName => true,
    };
    assert!(ok, "{e:?} points at {at:?}");
}

/// `cps` as they read back from `\\uXXXX` escapes: a high surrogate followed by a low one
/// becomes the character they encode, as in the standard library (`ensure_ascii` escapes
/// both halves and the scanner joins escaped pairs).
pub fn join_surrogate_pairs(cps: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(cps.len());
    let mut k = 0;
    while k < cps.len() {
        let (c, next) = (cps[k], cps.get(k + 1).copied());
        match next {
            Some(low) if (0xD800..0xDC00).contains(&c) && (0xDC00..0xE000).contains(&low) => {
                out.push(0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00));
                k += 2;
            }
            _ => {
                out.push(c);
                k += 1;
            }
        }
    }
    out
}

/// The events as they scan back from their rendering with `ensure_ascii`.
pub fn escaped_events(events: &[Event]) -> Vec<Event> {
    let join = |e: &Event| match e {
        Event::Str(cps, is_key) => Event::Str(join_surrogate_pairs(cps), *is_key),
        other => other.clone(),
    };
    events.iter().map(join).collect()
}

/// Appends the JSON string of `cps` through rjson's escaper, as the narrowest `str` kind that
/// holds them (the kind the encoder would see).
pub fn write_string(out: &mut Vec<u8>, cps: &[u32], ensure_ascii: bool) {
    let widest = cps.iter().copied().max().unwrap_or(0);
    let mut text = OutBuf::default();
    if widest < 0x80 {
        let bytes: Vec<u8> = cps.iter().map(|&c| c as u8).collect();
        write_escaped(&mut text, StrData::Ascii(&bytes), ensure_ascii);
    } else if widest < 0x100 {
        let units: Vec<u8> = cps.iter().map(|&c| c as u8).collect();
        write_escaped(&mut text, StrData::Latin1(&units), ensure_ascii);
    } else if widest < 0x10000 {
        let units: Vec<u16> = cps.iter().map(|&c| c as u16).collect();
        write_escaped(&mut text, StrData::Ucs2(&units), ensure_ascii);
    } else {
        write_escaped(&mut text, StrData::Ucs4(cps), ensure_ascii);
    }
    out.extend_from_slice(text.as_slice());
}

/// The events written back as a JSON document, with `ws` after every token.
pub fn render(events: &[Event], ensure_ascii: bool, ws: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    // Whether the next item of each open container needs a comma before it.
    let mut need_comma: Vec<bool> = Vec::new();
    for event in events {
        let closing = matches!(event, Event::EndArray(_) | Event::EndObject(_));
        let after_key = matches!(out.last(), Some(b':'));
        if !closing && !after_key {
            if let Some(comma) = need_comma.last_mut() {
                if *comma {
                    out.push(b',');
                    out.extend_from_slice(ws);
                }
                *comma = true;
            }
        }
        match event {
            Event::Null => out.extend_from_slice(b"null"),
            Event::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Event::Constant(Constant::NaN) => out.extend_from_slice(b"NaN"),
            Event::Constant(Constant::Infinity) => out.extend_from_slice(b"Infinity"),
            Event::Constant(Constant::NegInfinity) => out.extend_from_slice(b"-Infinity"),
            Event::Number(text, _) => out.extend_from_slice(text),
            Event::Str(cps, is_key) => {
                write_string(&mut out, cps, ensure_ascii);
                if *is_key {
                    out.extend_from_slice(ws);
                    out.push(b':');
                    continue;
                }
            }
            Event::Begin(is_object) => {
                out.push(if *is_object { b'{' } else { b'[' });
                need_comma.push(false);
            }
            Event::EndArray(_) | Event::EndObject(_) => {
                need_comma.pop();
                out.extend_from_slice(ws);
                out.push(if matches!(event, Event::EndObject(_)) { b'}' } else { b']' });
            }
        }
        out.extend_from_slice(ws);
    }
    out
}

/// Scanner options from one fuzz byte: strictness, trailing-comma naming, orjson's RFC
/// grammar, a small depth limit (1 to 16).
pub fn options_from(byte: u8) -> Options {
    Options {
        strict: byte & 1 == 0,
        name_trailing_commas: byte & 2 != 0,
        rfc: byte & 4 != 0,
        max_depth: usize::from(byte >> 4) + 1,
    }
}

/// The options that accept the most: what any options accept, these accept alike.
pub fn most_lenient(options: Options) -> Options {
    Options { strict: false, rfc: false, ..options }
}

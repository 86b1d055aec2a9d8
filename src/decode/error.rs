//! Syntax errors found by the scanner: what it found and where. Each face words them: the
//! standard library's `json` (here) and orjson (`crate::orjson::loads`, which also moves
//! some positions as orjson reports them).

/// What went wrong, at a byte offset whose meaning each kind gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// No value starts at the offset (or the input ends there).
    ExpectingValue,
    /// A `t` there that does not spell `true` (and so on).
    InvalidTrue,
    InvalidFalse,
    InvalidNull,
    /// A number starting there (`-`, `+` or `.`) without a digit after its sign.
    NumberWithoutDigits,
    /// After an array's item, at the offset, neither `,` nor `]`.
    ExpectingArrayComma,
    /// After an object's value, at the offset, neither `,` nor `}`.
    ExpectingObjectComma,
    ExpectingColon,
    ExpectingPropertyName,
    /// Something other than whitespace after the document.
    ExtraData,
    /// The input ends inside the string whose quote is at the offset.
    UnterminatedString,
    InvalidControlCharacter,
    /// At the backslash.
    InvalidEscape,
    /// At the `u` of an escape without four hex digits.
    InvalidUnicodeEscape,
    /// The comma right before `]`/`}`, where the grammar names it (CPython 3.13+, orjson).
    TrailingCommaArray,
    TrailingCommaObject,
    /// Bytes that are not UTF-8 (surrogates allowed, as `surrogatepass` allows them).
    InvalidUtf8,
    /// At the bracket nesting deeper than the caller's limit.
    TooDeepArray,
    TooDeepObject,
    /// Not a syntax error: a buffer growing with the input (escaped string content, the
    /// stack of open containers) could not be allocated.
    OutOfMemory,
    // The rest only under the RFC grammar (orjson's; json reads these inputs otherwise).
    /// At the number's first character: it overflows a double.
    InfiniteNumber,
    /// At a `0` followed by a digit.
    LeadingZero,
    /// After a `.` without digits.
    NoFractionDigits,
    /// After an `e` (and its sign) without digits.
    NoExponentDigits,
    /// At the `u` of an escape of a low surrogate that no high one precedes.
    LowSurrogateFirst,
    /// At the `u` of an escape of a high surrogate that no `\u` escape follows.
    UnpairedHighSurrogate,
    /// At the `u` of an escape of a high surrogate whose next escape lacks hex digits.
    InvalidLowSurrogateEscape,
    /// At the `u` of an escape of a high surrogate whose next escape is no low surrogate.
    InvalidLowSurrogate,
}

impl ErrorKind {
    /// The message `json.JSONDecodeError` carries for this kind (orjson's words for the kinds
    /// only the RFC grammar reports).
    pub fn message(self) -> &'static str {
        match self {
            ErrorKind::ExpectingValue
            | ErrorKind::InvalidTrue
            | ErrorKind::InvalidFalse
            | ErrorKind::InvalidNull
            | ErrorKind::NumberWithoutDigits => "Expecting value",
            ErrorKind::ExpectingArrayComma | ErrorKind::ExpectingObjectComma => "Expecting ',' delimiter",
            ErrorKind::ExpectingColon => "Expecting ':' delimiter",
            ErrorKind::ExpectingPropertyName => "Expecting property name enclosed in double quotes",
            ErrorKind::ExtraData => "Extra data",
            ErrorKind::UnterminatedString => "Unterminated string starting at",
            ErrorKind::InvalidControlCharacter => "Invalid control character at",
            ErrorKind::InvalidEscape => "Invalid \\escape",
            ErrorKind::InvalidUnicodeEscape => "Invalid \\uXXXX escape",
            ErrorKind::TrailingCommaArray => "Illegal trailing comma before end of array",
            ErrorKind::TrailingCommaObject => "Illegal trailing comma before end of object",
            ErrorKind::InvalidUtf8 => "Invalid UTF-8",
            ErrorKind::TooDeepArray => {
                "maximum recursion depth exceeded while decoding a JSON array from a unicode string"
            }
            ErrorKind::TooDeepObject => {
                "maximum recursion depth exceeded while decoding a JSON object from a unicode string"
            }
            ErrorKind::OutOfMemory => "out of memory",
            ErrorKind::InfiniteNumber
            | ErrorKind::LeadingZero
            | ErrorKind::NoFractionDigits
            | ErrorKind::NoExponentDigits
            | ErrorKind::LowSurrogateFirst
            | ErrorKind::UnpairedHighSurrogate
            | ErrorKind::InvalidLowSurrogateEscape
            | ErrorKind::InvalidLowSurrogate => self.orjson_message(),
        }
    }

    /// Whether no value could be read where one had to start: `json`'s `scan_once` raises
    /// `StopIteration` there (which its callers turn into "Expecting value", and nothing else
    /// does).
    pub fn is_missing_value(self) -> bool {
        self.message() == ErrorKind::ExpectingValue.message()
    }

    /// The message orjson (its yyjson reader) has for this kind; an input ending where the
    /// error is found has its own ([`END_OF_DATA`]).
    pub fn orjson_message(self) -> &'static str {
        match self {
            ErrorKind::ExpectingValue => "unexpected character, expected a JSON value",
            ErrorKind::InvalidTrue => "invalid literal, expected 'true'",
            ErrorKind::InvalidFalse => "invalid literal, expected 'false'",
            ErrorKind::InvalidNull => "invalid literal, expected 'null'",
            ErrorKind::NumberWithoutDigits => "no digit after sign",
            ErrorKind::ExpectingArrayComma => "unexpected character, expected ',' or ']'",
            ErrorKind::ExpectingObjectComma => "unexpected character, expected ',' or '}'",
            ErrorKind::ExpectingColon => "unexpected character, expected ':' after key",
            ErrorKind::ExpectingPropertyName => "unexpected character, expected a string key",
            ErrorKind::ExtraData => "unexpected content after document",
            ErrorKind::UnterminatedString => END_OF_DATA,
            ErrorKind::InvalidControlCharacter => "unexpected control character in string",
            ErrorKind::InvalidEscape | ErrorKind::InvalidUnicodeEscape => "invalid escaped sequence in string",
            ErrorKind::TrailingCommaArray | ErrorKind::TrailingCommaObject => "trailing comma is not allowed",
            ErrorKind::InvalidUtf8 => "str is not valid UTF-8: surrogates not allowed",
            ErrorKind::TooDeepArray | ErrorKind::TooDeepObject => "depth limit exceeded",
            // (The face raises MemoryError instead.)
            ErrorKind::OutOfMemory => "failed to allocate memory",
            ErrorKind::InfiniteNumber => "number is infinity when parsed as double",
            ErrorKind::LeadingZero => "number with leading zero is not allowed",
            ErrorKind::NoFractionDigits => "no digit after decimal point",
            ErrorKind::NoExponentDigits => "no digit after exponent sign",
            ErrorKind::LowSurrogateFirst => "invalid high surrogate in string",
            ErrorKind::UnpairedHighSurrogate => "no low surrogate in string",
            ErrorKind::InvalidLowSurrogateEscape => "invalid escape in string",
            ErrorKind::InvalidLowSurrogate => "invalid low surrogate in string",
        }
    }
}

/// orjson's message for any error found where the input ends.
pub const END_OF_DATA: &str = "unexpected end of data";

/// A syntax error at a byte offset of the scanned input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub kind: ErrorKind,
    pub pos: usize,
}

/// Why a parse stopped: bad input, or the sink (the object builder) failed.
#[derive(Debug, PartialEq, Eq)]
pub enum ParseError<E> {
    Syntax(SyntaxError),
    Sink(E),
}

impl<E> From<SyntaxError> for ParseError<E> {
    fn from(e: SyntaxError) -> Self {
        ParseError::Syntax(e)
    }
}

pub(crate) fn syntax<T>(kind: ErrorKind, pos: usize) -> Result<T, SyntaxError> {
    Err(SyntaxError { kind, pos })
}

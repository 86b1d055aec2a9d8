//! Syntax errors found by the scanner, worded as the standard library words them.

/// What went wrong; each kind maps to one message of CPython's `json` decoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    ExpectingValue,
    ExpectingComma,
    ExpectingColon,
    ExpectingPropertyName,
    ExtraData,
    UnterminatedString,
    InvalidControlCharacter,
    InvalidEscape,
    InvalidUnicodeEscape,
    /// CPython 3.13+ reports a comma right before `]`/`}` by name.
    TrailingCommaArray,
    TrailingCommaObject,
    /// Bytes that are not UTF-8 (surrogates allowed, as `surrogatepass` allows them).
    InvalidUtf8,
    /// Nesting deeper than the caller's limit, inside an array or an object.
    TooDeepArray,
    TooDeepObject,
    /// orjson refuses numbers that overflow a double.
    InfiniteNumber,
    /// Not a syntax error: a buffer growing with the input (escaped string content, the
    /// stack of open containers) could not be allocated.
    OutOfMemory,
}

impl ErrorKind {
    /// The message `json.JSONDecodeError` carries for this kind.
    pub fn message(self) -> &'static str {
        match self {
            ErrorKind::ExpectingValue => "Expecting value",
            ErrorKind::ExpectingComma => "Expecting ',' delimiter",
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
            ErrorKind::InfiniteNumber => "number is infinity when parsed as double",
            ErrorKind::TooDeepObject => {
                "maximum recursion depth exceeded while decoding a JSON object from a unicode string"
            }
            ErrorKind::OutOfMemory => "out of memory",
        }
    }
}

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

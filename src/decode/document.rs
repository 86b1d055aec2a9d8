//! Decoding a whole document or one value of a `str`: dispatch on the input's type, the
//! parse with or without hooks, and the standard library's exceptions for bad input. The
//! orjson face (`crate::orjson::loads`) takes its input its own way and runs the same parse.

use super::builder::{Builder, Hooks, PyErrSet};
use super::error::{ErrorKind, ParseError, SyntaxError};
use super::input::{detect_encoding, first_char, str_data_from, Encoding};
use super::cache::Buffers;
use super::scanner::{parse_document, parse_value, Options, Scratch};
use crate::ffi::buffer::{PinnedView, ViewError};
use crate::ffi::bytearray::PinnedByteArray;
use crate::ffi::unicode::{str_data, StrData};
use crate::module::State;
use crate::py::{max_depth, raise, type_name, Owned};
use crate::utf8::{char_count, try_from_str_data};
use pyo3_ffi::*;
use std::ffi::CString;
use std::ptr::null_mut;

/// What a `JSONDecoder` decodes with: its hooks and `strict`; or (`orjson`) the orjson
/// face's rules.
#[derive(Clone, Copy)]
pub struct Config<'h> {
    pub hooks: &'h Hooks,
    pub strict: bool,
    pub orjson: bool,
}

impl Config<'static> {
    /// `json.loads(s)` without keywords.
    pub const DEFAULT: Config<'static> = Config { hooks: &Hooks::NONE, strict: true, orjson: false };
    /// `orjson.loads(s)`.
    pub const ORJSON: Config<'static> = Config { hooks: &Hooks::NONE, strict: true, orjson: true };
}

/// How deep `orjson.loads` nests.
const ORJSON_MAX_DEPTH: usize = 1024;

/// Decodes the document `doc` as `json.loads` does, whatever input type it is (`check_bom`:
/// refuse a str starting with U+FEFF, as `json.loads` does); NULL with an exception set on
/// failure.
///
/// # Safety
/// GIL held; `doc` live.
pub unsafe fn decode_document(state: &State, doc: *mut PyObject, config: Config, check_bom: bool) -> *mut PyObject {
    // SAFETY: `doc` is live; the str branch checked its type.
    unsafe {
        if PyUnicode_Check(doc) != 0 {
            return decode_str(state, doc, config, check_bom);
        }
        with_bytes(doc, |bytes| decode_bytes(state, config, bytes))
    }
}

/// The document as the `str` that `json.loads` hands to a decoder class: a str as is
/// (refusing a leading U+FEFF), bytes decoded as `json.loads` decodes them.
///
/// # Safety
/// GIL held; `doc` live.
pub unsafe fn document_text(state: &State, doc: *mut PyObject) -> Option<Owned> {
    // SAFETY: `doc` is live; new references are owned by `Owned`.
    unsafe {
        if PyUnicode_Check(doc) != 0 {
            if str_data(doc).and_then(first_char) == Some(0xFEFF) {
                raise_decode_error(state, BOM_MESSAGE, doc, 0);
                return None;
            }
            return Some(Owned::borrowed(doc));
        }
        Owned::new(with_bytes(doc, |bytes| {
            let (codec, bytes) = match detect_encoding(bytes) {
                Encoding::Utf8 => (c"utf-8", bytes),
                Encoding::Utf8Sig => (c"utf-8", &bytes[3..]),
                Encoding::Other(codec) => (codec, bytes),
            };
            decode_as(bytes, codec)
        }))
    }
}

/// `bytes.decode(codec, 'surrogatepass')`, as `json.loads` decodes bytes; a new str, or NULL
/// with the `UnicodeDecodeError` set.
///
/// # Safety
/// GIL held.
unsafe fn decode_as(bytes: &[u8], codec: &std::ffi::CStr) -> *mut PyObject {
    // SAFETY: the codec reads `bytes` (valid for their length) into a new str.
    unsafe { PyUnicode_Decode(bytes.as_ptr().cast(), bytes.len() as Py_ssize_t, codec.as_ptr(), c"surrogatepass".as_ptr()) }
}

const BOM_MESSAGE: &str = "Unexpected UTF-8 BOM (decode using utf-8-sig)";

/// Runs `read` on the bytes of a bytes-like `doc`, pinned while it runs; raises `json.loads`'
/// `TypeError` for other types.
///
/// # Safety
/// GIL held; `doc` live.
pub(crate) unsafe fn with_bytes(doc: *mut PyObject, read: impl FnOnce(&[u8]) -> *mut PyObject) -> *mut PyObject {
    // SAFETY: each branch reads `doc` through the view matching its checked type; pins keep
    // mutable buffers in place while `read` runs.
    unsafe {
        if PyBytes_Check(doc) != 0 {
            return read(crate::ffi::bytes::as_slice(doc));
        }
        if PyByteArray_Check(doc) != 0 {
            let pin = PinnedByteArray::new(doc);
            return read(pin.as_slice());
        }
        if PyMemoryView_Check(doc) != 0 {
            return match PinnedView::new(doc) {
                Ok(pin) => read(pin.as_slice()),
                Err(ViewError::Released) => {
                    raise(PyExc_ValueError, "operation forbidden on released memoryview object");
                    null_mut()
                }
                Err(ViewError::NotContiguous) => {
                    raise(PyExc_TypeError, "the JSON object must be a C-contiguous buffer; this memoryview is not");
                    null_mut()
                }
            };
        }
        // json.loads' own words (rjson also takes memoryviews, which json does not).
        let name = type_name(doc);
        raise(PyExc_TypeError, &format!("the JSON object must be str, bytes or bytearray, not {name}"));
        null_mut()
    }
}

/// A `str` document; `check_bom`: refuse a leading U+FEFF as `json.loads` does for str input.
unsafe fn decode_str(state: &State, doc: *mut PyObject, config: Config, check_bom: bool) -> *mut PyObject {
    // SAFETY: `doc` is a live str kept alive by the caller during the parse.
    unsafe {
        let Some(data) = str_data(doc) else {
            return null_mut();
        };
        if let StrData::Ascii(bytes) = data {
            return parse(state, bytes, Doc::Str(doc), config);
        }
        if check_bom && first_char(data) == Some(0xFEFF) {
            raise_decode_error(state, BOM_MESSAGE, doc, 0);
            return null_mut();
        }
        match transcoded(data) {
            Some(text) => parse(state, &text, Doc::Str(doc), config),
            None => null_mut(),
        }
    }
}

/// A non-ASCII `str`'s text as generalized UTF-8; `None` with `MemoryError` set if its
/// buffer cannot be allocated.
pub(crate) fn transcoded(data: StrData<'_>) -> Option<Vec<u8>> {
    let text = try_from_str_data(data).ok();
    if text.is_none() {
        // SAFETY: GIL held by every caller.
        unsafe { PyErr_NoMemory() };
    }
    text
}

/// A bytes-like document, decoded as `json.loads` decodes bytes (`detect_encoding`,
/// `surrogatepass`).
unsafe fn decode_bytes(state: &State, config: Config, bytes: &[u8]) -> *mut PyObject {
    match detect_encoding(bytes) {
        Encoding::Utf8 => decode_utf8(state, config, bytes),
        Encoding::Utf8Sig => decode_utf8(state, config, &bytes[3..]),
        // SAFETY: the codec reads `bytes` into a new str, which is parsed and then released.
        Encoding::Other(codec) => unsafe {
            let text = decode_as(bytes, codec);
            match Owned::new(text) {
                Some(text) => decode_str(state, text.as_ptr(), config, false),
                None => null_mut(),
            }
        },
    }
}

/// UTF-8 bytes, read in place. With hooks, invalid UTF-8 must fail before any hook runs (as
/// `json.loads` decodes first), so input that is not plain UTF-8 is decoded first then.
unsafe fn decode_utf8(state: &State, config: Config, bytes: &[u8]) -> *mut PyObject {
    if config.hooks.is_empty() || std::str::from_utf8(bytes).is_ok() {
        return parse(state, bytes, Doc::Utf8, config);
    }
    // SAFETY: the decoded str (surrogates allowed, as `surrogatepass`) is parsed, then released.
    unsafe {
        let text = decode_as(bytes, c"utf-8");
        match Owned::new(text) {
            Some(text) => decode_str(state, text.as_ptr(), config, false),
            None => null_mut(),
        }
    }
}

/// Where the parsed text came from, for error reporting: `json.JSONDecodeError.doc` is always
/// the decoded `str`.
#[derive(Clone, Copy)]
pub(crate) enum Doc {
    Str(*mut PyObject),
    Utf8,
}

fn parse(state: &State, text: &[u8], doc: Doc, config: Config) -> *mut PyObject {
    match run(state, text, config, false) {
        Ok((obj, _)) => obj,
        // SAFETY: GIL held; `text` and `doc` are the live input of this parse.
        Err(error) => unsafe { raise_parse_error(state, text, doc, 0, error, true) },
    }
}

/// What `scan_once` raises when there is no value at a position.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum NoValue {
    /// `StopIteration(idx)`, as the standard library's `scan_once` does.
    StopIteration,
    /// `JSONDecodeError("Expecting value")`, as `raw_decode` turns it.
    DecodeError,
}

/// `scan_once(s, idx)` / `raw_decode`: the value starting at character `idx` of the str `s`
/// (no whitespace skipped) and the index after it, as a new `(value, end)` tuple.
///
/// # Safety
/// GIL held; `s` a live str.
pub unsafe fn decode_value_at(state: &State, s: *mut PyObject, idx: usize, config: Config, no_value: NoValue) -> *mut PyObject {
    // SAFETY: `s` is a live str read in place (or transcoded from `idx` on).
    unsafe {
        let Some(data) = str_data(s) else {
            return null_mut();
        };
        let owned;
        let text: &[u8] = match str_data_from(data, idx) {
            None => return raise_no_value(state, s, idx, no_value),
            Some(StrData::Ascii(bytes)) => bytes,
            Some(rest) => match transcoded(rest) {
                Some(text) => {
                    owned = text;
                    &owned
                }
                None => return null_mut(),
            },
        };
        match run(state, text, config, true) {
            Ok((obj, end)) => {
                let end = idx + char_count(&text[..end]);
                Py_BuildValue(c"(Nn)".as_ptr(), obj, end as Py_ssize_t)
            }
            Err(ParseError::Syntax(SyntaxError { kind, pos })) if kind.is_missing_value() => {
                raise_no_value(state, s, idx + char_count(&text[..pos]), no_value)
            }
            Err(error) => raise_parse_error(state, text, Doc::Str(s), idx, error, no_value == NoValue::DecodeError),
        }
    }
}

unsafe fn raise_no_value(state: &State, s: *mut PyObject, pos: usize, no_value: NoValue) -> *mut PyObject {
    // SAFETY: GIL held.
    unsafe {
        match no_value {
            NoValue::StopIteration => {
                let value = PyLong_FromSize_t(pos);
                if let Some(value) = Owned::new(value) {
                    PyErr_SetObject(PyExc_StopIteration, value.as_ptr());
                }
            }
            NoValue::DecodeError => raise_decode_error(state, ErrorKind::ExpectingValue.message(), s, pos),
        }
    }
    null_mut()
}

/// Parses `text` (a whole document, or with `one_value` the value at its start) and returns
/// the value with the byte offset after it.
pub(crate) fn run(state: &State, text: &[u8], config: Config, one_value: bool) -> Result<(*mut PyObject, usize), ParseError<PyErrSet>> {
    // SAFETY: the module's decoder cache, touched under the GIL and only for these calls.
    let mut buffers = unsafe { (*state.decoder).take_buffers() };
    let Buffers { values, scratch } = &mut buffers;
    let result = if config.orjson {
        run_with(Builder::<false>::new(state, config.hooks, values).orjson(), text, config, one_value, scratch)
    } else if config.hooks.is_empty() {
        run_with(Builder::<false>::new(state, config.hooks, values), text, config, one_value, scratch)
    } else {
        run_with(Builder::<true>::new(state, config.hooks, values), text, config, one_value, scratch)
    };
    // SAFETY: as above; the builder is gone and left its values empty.
    unsafe { (*state.decoder).end_parse(buffers) };
    result
}

fn run_with<const HOOKED: bool>(
    mut builder: Builder<'_, HOOKED>,
    text: &[u8],
    config: Config,
    one_value: bool,
    scratch: &mut Scratch,
) -> Result<(*mut PyObject, usize), ParseError<PyErrSet>> {
    let options = Options {
        max_depth: if config.orjson { ORJSON_MAX_DEPTH } else { max_depth() },
        name_trailing_commas: cfg!(py_3_13) || config.orjson,
        strict: config.strict,
        rfc: config.orjson,
    };
    let _pause = GcPause::new();
    let end = if one_value {
        parse_value(text, 0, &mut builder, options, scratch)?
    } else {
        parse_document(text, &mut builder, options, scratch)?;
        text.len()
    };
    Ok((builder.finish(), end))
}

/// Raises what the standard library raises for a failed parse of `text` (which starts at
/// character `base` of the document), turning a hook's `StopIteration` as `raw_decode` does
/// if asked; returns NULL.
unsafe fn raise_parse_error(
    state: &State,
    text: &[u8],
    doc: Doc,
    base: usize,
    error: ParseError<PyErrSet>,
    stop_as_decode_error: bool,
) -> *mut PyObject {
    // SAFETY: GIL held; forwarded.
    unsafe {
        match error {
            ParseError::Sink(PyErrSet) => {
                if let Doc::Utf8 = doc {
                    prefer_decode_error(text);
                }
                if stop_as_decode_error && PyErr_ExceptionMatches(PyExc_StopIteration) != 0 {
                    stop_iteration_as_decode_error(state, text, doc);
                }
            }
            ParseError::Syntax(error) => raise_syntax_error(state, text, doc, base, error),
        }
    }
    null_mut()
}

/// Raises what the standard library raises for `error`. For bytes input it first decodes the
/// whole input as `json.loads` would, so invalid UTF-8 anywhere wins with its own
/// `UnicodeDecodeError`, and `JSONDecodeError.doc` is the decoded text.
unsafe fn raise_syntax_error(state: &State, text: &[u8], doc: Doc, base: usize, error: SyntaxError) {
    // SAFETY: GIL held; the decoded str is owned here and released on every path.
    unsafe {
        if error.kind == ErrorKind::OutOfMemory {
            PyErr_NoMemory();
            return;
        }
        let Some(doc) = doc_str(text, doc) else {
            return;
        };
        match error.kind {
            ErrorKind::TooDeepArray | ErrorKind::TooDeepObject => raise(PyExc_RecursionError, error.kind.message()),
            ErrorKind::InvalidUtf8 => raise(PyExc_ValueError, "invalid UTF-8 in a JSON string"),
            kind => raise_decode_error(state, kind.message(), doc.as_ptr(), base + char_count(&text[..error.pos])),
        }
    }
}

/// The document as a `str` (`JSONDecodeError.doc`): UTF-8 input is decoded.
///
/// # Safety
/// GIL held; `doc` live.
pub(crate) unsafe fn doc_str(text: &[u8], doc: Doc) -> Option<Owned> {
    // SAFETY: GIL held; `doc` live.
    unsafe {
        match doc {
            Doc::Str(obj) => Some(Owned::borrowed(obj)),
            Doc::Utf8 => Owned::new(decode_as(text, c"utf-8")),
        }
    }
}

/// `json`'s `raw_decode` catches `StopIteration` around its scanner, so one raised by a hook
/// becomes `JSONDecodeError("Expecting value", doc, stop.value)` (or whatever that raises).
unsafe fn stop_iteration_as_decode_error(state: &State, text: &[u8], doc: Doc) {
    // SAFETY: GIL held with a StopIteration set; the fetched exception is released here.
    unsafe {
        let (mut ty, mut value, mut tb) = (null_mut(), null_mut(), null_mut());
        PyErr_Fetch(&mut ty, &mut value, &mut tb);
        PyErr_NormalizeException(&mut ty, &mut value, &mut tb);
        let (ty, value, _tb) = (Owned::new(ty), Owned::new(value), Owned::new(tb));
        let (Some(_), Some(value)) = (ty, value) else {
            return;
        };
        let Some(pos) = Owned::new(PyObject_GetAttrString(value.as_ptr(), c"value".as_ptr())) else {
            return;
        };
        let Some(doc) = doc_str(text, doc) else {
            return;
        };
        let msg = c"Expecting value";
        let exc = PyObject_CallFunction(state.json_decode_error, c"sOO".as_ptr(), msg.as_ptr(), doc.as_ptr(), pos.as_ptr());
        if let Some(exc) = Owned::new(exc) {
            PyErr_SetObject(state.json_decode_error, exc.as_ptr());
        }
    }
}

/// Pauses automatic garbage collection while a document is built: every container created
/// counts toward a collection that would re-walk the half-built tree again and again, and
/// nothing it could free is garbage yet. The counts still grow, so collection resumes at the
/// next allocation after the parse. Nested pauses leave collection to the outermost one.
struct GcPause {
    #[cfg(py_3_10)]
    was_enabled: bool,
}

impl GcPause {
    fn new() -> GcPause {
        GcPause {
            // SAFETY: GIL held by every caller of `parse`.
            #[cfg(py_3_10)]
            was_enabled: unsafe { PyGC_Disable() } == 1,
        }
    }
}

impl Drop for GcPause {
    fn drop(&mut self) {
        #[cfg(py_3_10)]
        if self.was_enabled {
            // SAFETY: GIL held; re-enables only what `new` disabled.
            unsafe { PyGC_Enable() };
        }
    }
}

/// `json.loads` decodes bytes before parsing, so invalid UTF-8 anywhere in the input wins
/// over an error the parse raised (a `RecursionError`, a too-long int): replace the current
/// exception with the `UnicodeDecodeError` if there is one.
unsafe fn prefer_decode_error(text: &[u8]) {
    // SAFETY: GIL held with an exception set; the fetched exception is either restored or
    // released, and the decoded str is released.
    unsafe {
        let (mut ty, mut value, mut tb) = (null_mut(), null_mut(), null_mut());
        PyErr_Fetch(&mut ty, &mut value, &mut tb);
        let decoded = decode_as(text, c"utf-8");
        if decoded.is_null() {
            Py_XDECREF(ty);
            Py_XDECREF(value);
            Py_XDECREF(tb);
        } else {
            Py_DECREF(decoded);
            PyErr_Restore(ty, value, tb);
        }
    }
}

/// Raises `json.JSONDecodeError(msg, doc, pos)`.
unsafe fn raise_decode_error(state: &State, msg: &str, doc: *mut PyObject, pos: usize) {
    // SAFETY: forwarded.
    unsafe { raise_error_of(state.json_decode_error, msg, doc, pos) }
}

/// Raises `class(msg, doc, pos)`, a `JSONDecodeError` class.
///
/// # Safety
/// GIL held; `class` and `doc` live.
pub(crate) unsafe fn raise_error_of(class: *mut PyObject, msg: &str, doc: *mut PyObject, pos: usize) {
    let msg = CString::new(msg).unwrap_or_default();
    // SAFETY: GIL held; the exception instance is created, raised (PyErr_SetObject takes its
    // own reference) and released.
    unsafe {
        let exc = PyObject_CallFunction(class, c"sOn".as_ptr(), msg.as_ptr(), doc, pos as Py_ssize_t);
        if let Some(exc) = Owned::new(exc) {
            PyErr_SetObject(class, exc.as_ptr());
        }
    }
}

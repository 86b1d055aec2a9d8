//! `rjson.loads`: argument handling, dispatch on the input's type, and the standard library's
//! exceptions for bad input.

use super::builder::{Builder, PyErrSet};
use super::error::{ErrorKind, ParseError, SyntaxError};
use super::input::{detect_encoding, first_char, Encoding};
use super::scanner::{parse_document, Options};
use crate::args::Call;
use crate::ffi::buffer::{PinnedView, ViewError};
use crate::ffi::bytearray::PinnedByteArray;
use crate::ffi::unicode::{str_data, StrData};
use crate::module::{Name, State};
use crate::py::{max_depth, raise, type_name, Owned};
use crate::utf8::{char_count, from_str_data};
use pyo3_ffi::*;
use std::ffi::CString;
use std::ptr::null_mut;

/// Keywords of `json.loads`: the hooks (not implemented yet beyond their default, `None`),
/// then `s` itself.
const KEYWORDS: [Name; 7] =
    [Name::Cls, Name::ObjectHook, Name::ParseFloat, Name::ParseInt, Name::ParseConstant, Name::ObjectPairsHook, Name::S];

/// `loads(s)`, called by the interpreter (METH_FASTCALL | METH_KEYWORDS).
pub unsafe extern "C" fn loads(
    module: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: the interpreter passes a valid vectorcall argument array with the GIL held, and
    // `module` is this extension's module object.
    unsafe {
        let Some((state, call, kw)) = Call::read(module, args, nargs, kwnames, "loads", &KEYWORDS) else {
            return null_mut();
        };
        let Some(doc) = call.one_argument("loads", "s", kw[KEYWORDS.len() - 1]) else {
            return null_mut();
        };
        for (value, name) in kw.iter().zip(KEYWORDS).take(KEYWORDS.len() - 1) {
            if !value.is_null() && *value != Py_None() {
                let name = name.text().to_string_lossy();
                raise(PyExc_TypeError, &format!("rjson.loads() does not support {name}= yet"));
                return null_mut();
            }
        }
        loads_object(state, doc)
    }
}

/// Decodes `doc`, whatever input type it is; NULL with an exception set on failure.
///
/// # Safety
/// GIL held; `doc` live.
pub unsafe fn loads_object(state: &State, doc: *mut PyObject) -> *mut PyObject {
    // SAFETY: each branch reads `doc` through the view matching its checked type; pins keep
    // mutable buffers in place while the scanner reads them.
    unsafe {
        if PyUnicode_Check(doc) != 0 {
            return loads_str(state, doc, true);
        }
        if PyBytes_Check(doc) != 0 {
            return loads_bytes(state, crate::ffi::bytes::as_slice(doc));
        }
        if PyByteArray_Check(doc) != 0 {
            let pin = PinnedByteArray::new(doc);
            return loads_bytes(state, pin.as_slice());
        }
        if PyMemoryView_Check(doc) != 0 {
            return match PinnedView::new(doc) {
                Ok(pin) => loads_bytes(state, pin.as_slice()),
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
unsafe fn loads_str(state: &State, doc: *mut PyObject, check_bom: bool) -> *mut PyObject {
    // SAFETY: `doc` is a live str kept alive by the caller during the parse.
    unsafe {
        let Some(data) = str_data(doc) else {
            return null_mut();
        };
        if let StrData::Ascii(bytes) = data {
            return parse(state, bytes, Doc::Str(doc));
        }
        if check_bom && first_char(data) == Some(0xFEFF) {
            raise_decode_error(state, "Unexpected UTF-8 BOM (decode using utf-8-sig)", doc, 0);
            return null_mut();
        }
        parse(state, &from_str_data(data), Doc::Str(doc))
    }
}

/// A bytes-like document, decoded as `json.loads` decodes bytes (`detect_encoding`,
/// `surrogatepass`).
unsafe fn loads_bytes(state: &State, bytes: &[u8]) -> *mut PyObject {
    match detect_encoding(bytes) {
        Encoding::Utf8 => parse(state, bytes, Doc::Utf8),
        Encoding::Utf8Sig => parse(state, &bytes[3..], Doc::Utf8),
        // SAFETY: the codec reads `bytes` into a new str, which is parsed and then released.
        Encoding::Other(codec) => unsafe {
            let text = PyUnicode_Decode(bytes.as_ptr().cast(), bytes.len() as Py_ssize_t, codec.as_ptr(), c"surrogatepass".as_ptr());
            match Owned::new(text) {
                Some(text) => loads_str(state, text.as_ptr(), false),
                None => null_mut(),
            }
        },
    }
}

/// Where the parsed text came from, for error reporting: `json.JSONDecodeError.doc` is always
/// the decoded `str`.
enum Doc {
    Str(*mut PyObject),
    Utf8,
}

fn parse(state: &State, text: &[u8], doc: Doc) -> *mut PyObject {
    let options = Options { max_depth: max_depth(), name_trailing_commas: cfg!(py_3_13) };
    let mut builder = Builder::new(state);
    let mut scratch = Vec::new();
    let parsed = {
        let _pause = GcPause::new();
        parse_document(text, &mut builder, options, &mut scratch)
    };
    match parsed {
        Ok(()) => builder.finish(),
        Err(ParseError::Sink(PyErrSet)) => {
            drop(builder);
            if let Doc::Utf8 = doc {
                // SAFETY: GIL held, an exception is set; `text` is the input of this parse.
                unsafe { prefer_decode_error(text) };
            }
            null_mut()
        }
        Err(ParseError::Syntax(error)) => {
            drop(builder);
            // SAFETY: GIL held; `text` and `doc` are the live input of this parse.
            unsafe { raise_syntax_error(state, text, doc, error) };
            null_mut()
        }
    }
}

/// Raises what the standard library raises for `error`. For bytes input it first decodes the
/// whole input as `json.loads` would, so invalid UTF-8 anywhere wins with its own
/// `UnicodeDecodeError`, and `JSONDecodeError.doc` is the decoded text.
unsafe fn raise_syntax_error(state: &State, text: &[u8], doc: Doc, error: SyntaxError) {
    // SAFETY: GIL held; the decoded str is owned here and released on every path.
    unsafe {
        let decoded;
        let doc = match doc {
            Doc::Str(obj) => obj,
            Doc::Utf8 => {
                let obj = PyUnicode_DecodeUTF8(text.as_ptr().cast(), text.len() as Py_ssize_t, c"surrogatepass".as_ptr());
                match Owned::new(obj) {
                    Some(obj) => {
                        decoded = obj;
                        decoded.as_ptr()
                    }
                    None => return,
                }
            }
        };
        match error.kind {
            ErrorKind::TooDeepArray | ErrorKind::TooDeepObject => raise(PyExc_RecursionError, error.kind.message()),
            ErrorKind::InvalidUtf8 => raise(PyExc_ValueError, "invalid UTF-8 in a JSON string"),
            kind => raise_decode_error(state, kind.message(), doc, char_count(&text[..error.pos])),
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
        let decoded = PyUnicode_DecodeUTF8(text.as_ptr().cast(), text.len() as Py_ssize_t, c"surrogatepass".as_ptr());
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
    let msg = CString::new(msg).unwrap_or_default();
    // SAFETY: GIL held; the exception instance is created, raised (PyErr_SetObject takes its
    // own reference) and released.
    unsafe {
        let exc = PyObject_CallFunction(state.json_decode_error, c"sOn".as_ptr(), msg.as_ptr(), doc, pos as Py_ssize_t);
        if let Some(exc) = Owned::new(exc) {
            PyErr_SetObject(state.json_decode_error, exc.as_ptr());
        }
    }
}

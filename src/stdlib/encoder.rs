//! The methods of `rjson.JSONEncoder`: `encode` and `iterencode` run the engine with the
//! instance's attributes, read as `json.JSONEncoder.iterencode` reads them. A subclass that
//! overrides `iterencode` gets `json`'s `encode`, which calls the override.

use super::classes::is_method_of;
use super::delegate;
use crate::encode::{encode_str_value, encode_to_chunks, encode_to_str, Options, PyErrSet, RawOptions, Refused};
use crate::module::{state, Name, State};
use crate::py::Owned;
use pyo3_ffi::*;
use std::ptr::null_mut;

/// An encoding's settings, with the objects `options` borrows kept alive.
pub struct HeldOptions {
    pub options: Options,
    _held: Vec<Owned>,
}

impl HeldOptions {
    pub fn new(options: Options, held: Vec<Owned>) -> HeldOptions {
        HeldOptions { options, _held: held }
    }
}

/// Reads the encoder settings of `encoder` in the order `json.JSONEncoder.iterencode` reads
/// them (see [`Refused`]: an attribute missing, a bad value, ...).
///
/// # Safety
/// GIL held; `encoder` live.
pub unsafe fn instance_options(state: &State, encoder: *mut PyObject, one_shot: bool) -> Result<HeldOptions, Refused> {
    // SAFETY: every attribute read is an owned reference kept in `held`.
    unsafe {
        let mut held = Vec::with_capacity(9);
        let mut attr = |name: Name| -> Result<*mut PyObject, Refused> {
            let value = Owned::new(PyObject_GetAttr(encoder, state.name(name))).ok_or(Refused::Raised)?;
            let ptr = value.as_ptr();
            held.push(value);
            Ok(ptr)
        };
        let check_circular = attr(Name::CheckCircular)?;
        let ensure_ascii = attr(Name::EnsureAscii)?;
        let indent = attr(Name::Indent)?;
        let default = attr(Name::Default)?;
        let key_separator = attr(Name::KeySeparator)?;
        let item_separator = attr(Name::ItemSeparator)?;
        let sort_keys = attr(Name::SortKeys)?;
        let skipkeys = attr(Name::Skipkeys)?;
        let allow_nan = attr(Name::AllowNan)?;
        // `json.JSONEncoder.default` only raises the standard TypeError, which the engine
        // raises itself without the call.
        let default = if is_method_of(default, &[state.std_default]) { null_mut() } else { default };
        let raw = RawOptions {
            skipkeys,
            ensure_ascii,
            check_circular,
            allow_nan,
            sort_keys,
            indent,
            item_separator,
            key_separator,
            default,
        };
        let options = Options::from_raw(&raw, one_shot)?;
        Ok(HeldOptions::new(options, held))
    }
}

/// Whether `encoder`'s `iterencode` is rjson's or `json`'s own (not an override), so the
/// engine may encode with its attributes.
///
/// # Safety
/// GIL held; `encoder` live.
pub unsafe fn engine_encodes(state: &State, encoder: *mut PyObject) -> Option<bool> {
    // SAFETY: the attribute is owned here.
    unsafe {
        let iterencode = Owned::new(PyObject_GetAttr(encoder, state.name(Name::Iterencode)))?;
        Some(is_method_of(iterencode.as_ptr(), &[state.iterencode, state.std_iterencode]))
    }
}

/// `JSONEncoder.encode(self, o)`.
pub unsafe extern "C" fn encode(
    module: *mut PyObject,
    args: *const *mut PyObject,
    nargsf: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: the interpreter passes a valid vectorcall argument array with the GIL held;
    // `module` is the rjson module the method is bound to.
    unsafe {
        let state = state(module);
        let nargs = PyVectorcall_NARGS(nargsf as usize);
        if nargs != 2 || !kwnames.is_null() {
            return delegate(state.std_encode, args, nargs, kwnames);
        }
        let (encoder, obj) = (*args, *args.add(1));
        if PyUnicode_Check(obj) != 0 {
            let Some(ensure_ascii) = Owned::new(PyObject_GetAttr(encoder, state.name(Name::EnsureAscii))) else {
                return null_mut();
            };
            return match PyObject_IsTrue(ensure_ascii.as_ptr()) {
                -1 => null_mut(),
                flag => encode_str_value(obj, flag == 1),
            };
        }
        match engine_encodes(state, encoder) {
            None => null_mut(),
            Some(false) => delegate(state.std_encode, args, nargs, kwnames),
            Some(true) => match instance_options(state, encoder, true) {
                Ok(read) => encode_to_str(&read.options, obj, state.key_texts),
                Err(Refused::NeedsPythonEncoder) => delegate(state.std_encode, args, nargs, kwnames),
                Err(Refused::Raised) => null_mut(),
            },
        }
    }
}

/// `JSONEncoder.iterencode(self, o, _one_shot=False)`: one chunk when one-shot (as `json`'s
/// C encoder returns), else the chunks of the pure-Python encoder's output, joined into
/// fewer, larger pieces and computed at once.
pub unsafe extern "C" fn iterencode(
    module: *mut PyObject,
    args: *const *mut PyObject,
    nargsf: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: as for `encode`.
    unsafe {
        let state = state(module);
        let nargs = PyVectorcall_NARGS(nargsf as usize);
        let one_shot = match (nargs, kwnames.is_null()) {
            (2, true) => Py_False(),
            (3, true) => *args.add(2),
            (2, false) if PyTuple_GET_SIZE(kwnames) == 1 && PyTuple_GET_ITEM(kwnames, 0) == state.name(Name::OneShot) => *args.add(2),
            _ => return delegate(state.std_iterencode, args, nargs, kwnames),
        };
        let (encoder, obj) = (*args, *args.add(1));
        let one_shot = match PyObject_IsTrue(one_shot) {
            -1 => return null_mut(),
            flag => flag == 1,
        };
        let read = match instance_options(state, encoder, one_shot) {
            Ok(read) => read,
            Err(Refused::NeedsPythonEncoder) => return delegate(state.std_iterencode, args, nargs, kwnames),
            Err(Refused::Raised) => return null_mut(),
        };
        if one_shot {
            let Some(text) = Owned::new(encode_to_str(&read.options, obj, state.key_texts)) else {
                return null_mut();
            };
            // CPython's C encoder returns its one chunk in a tuple from 3.12, a list before.
            let format = if cfg!(py_3_12) { c"(N)" } else { c"[N]" };
            return Py_BuildValue(format.as_ptr(), text.into_raw());
        }
        let Some(chunks) = Owned::new(PyList_New(0)) else {
            return null_mut();
        };
        let mut append = |chunk: Owned| if PyList_Append(chunks.as_ptr(), chunk.as_ptr()) == 0 { Ok(()) } else { Err(PyErrSet) };
        if encode_to_chunks(&read.options, obj, &mut append).is_none() {
            return null_mut();
        }
        PyObject_GetIter(chunks.as_ptr())
    }
}

//! The one place where decoded JSON becomes Python objects: a [`Sink`] that keeps the values
//! of open containers on a stack of owned references and builds each list or dict when it
//! closes, at its exact size.

use super::key_cache::MAX_KEY_LEN;
use super::scanner::{Constant, Sink};
use super::strings::StrToken;
use crate::ffi::containers::PyListObject;
use crate::ffi::unicode::new_str;
use crate::module::State;
use pyo3_ffi::*;

/// A Python exception is set; the caller returns NULL.
#[derive(Debug, PartialEq, Eq)]
pub struct PyErrSet;

pub struct Builder<'s> {
    state: &'s State,
    /// Owned references: the values (and keys) of the containers still open, then the result.
    stack: Vec<*mut PyObject>,
    /// Containers open, each counted against the interpreter's recursion limit as the
    /// standard library's recursive scanner counts them (`Py_EnterRecursiveCall`).
    open: usize,
}

impl<'s> Builder<'s> {
    pub fn new(state: &'s State) -> Self {
        Builder { state, stack: Vec::new(), open: 0 }
    }

    /// The document's value, handed to the caller.
    pub fn finish(mut self) -> *mut PyObject {
        debug_assert_eq!(self.stack.len(), 1);
        self.stack.pop().unwrap_or(std::ptr::null_mut())
    }

    #[inline(always)]
    fn push(&mut self, obj: *mut PyObject) -> Result<(), PyErrSet> {
        if obj.is_null() {
            return Err(PyErrSet);
        }
        self.stack.push(obj);
        Ok(())
    }

    #[inline(always)]
    fn push_borrowed(&mut self, obj: *mut PyObject) -> Result<(), PyErrSet> {
        // SAFETY: `obj` is a live object held by the module state or the interpreter.
        unsafe { Py_INCREF(obj) };
        self.push(obj)
    }
}

impl Builder<'_> {
    fn leave_container(&mut self) {
        self.open -= 1;
        // SAFETY: matches the Py_EnterRecursiveCall of `begin_container`; GIL held.
        unsafe { Py_LeaveRecursiveCall() };
    }
}

impl Drop for Builder<'_> {
    fn drop(&mut self) {
        while self.open > 0 {
            self.leave_container();
        }
        for obj in self.stack.drain(..) {
            // SAFETY: every stacked pointer is an owned reference; the GIL is held.
            unsafe { Py_DECREF(obj) };
        }
    }
}

impl Sink for Builder<'_> {
    type Error = PyErrSet;

    fn null(&mut self) -> Result<(), PyErrSet> {
        // SAFETY: Py_None is a live singleton.
        self.push_borrowed(unsafe { Py_None() })
    }

    fn boolean(&mut self, value: bool) -> Result<(), PyErrSet> {
        // SAFETY: the bool singletons are live.
        self.push_borrowed(unsafe { if value { Py_True() } else { Py_False() } })
    }

    fn constant(&mut self, value: Constant) -> Result<(), PyErrSet> {
        let obj = match value {
            Constant::NaN => self.state.nan,
            Constant::Infinity => self.state.inf,
            Constant::NegInfinity => self.state.neg_inf,
        };
        self.push_borrowed(obj)
    }

    fn number(&mut self, text: &[u8], is_float: bool) -> Result<(), PyErrSet> {
        let obj = if is_float { new_float(text) } else { new_int(text) };
        self.push(obj)
    }

    fn string(&mut self, text: &[u8], token: &StrToken, is_key: bool) -> Result<(), PyErrSet> {
        // SAFETY: `text` is generalized UTF-8 described by `token`; the key cache is the
        // module's, used only under the GIL and only within this call (see KeyCache).
        let obj = unsafe {
            if is_key && token.max_char < 0x80 && text.len() <= MAX_KEY_LEN {
                (*self.state.key_cache).get_or_insert(text, || new_str(text, token.chars, token.max_char))
            } else {
                new_str(text, token.chars, token.max_char)
            }
        };
        self.push(obj)
    }

    fn begin_container(&mut self, is_object: bool) -> Result<(), PyErrSet> {
        let place = if is_object {
            c" while decoding a JSON object from a unicode string"
        } else {
            c" while decoding a JSON array from a unicode string"
        };
        // SAFETY: GIL held; on success the call is balanced by `leave_container`.
        if unsafe { Py_EnterRecursiveCall(place.as_ptr()) } != 0 {
            return Err(PyErrSet);
        }
        self.open += 1;
        Ok(())
    }

    fn end_array(&mut self, len: usize) -> Result<(), PyErrSet> {
        self.leave_container();
        // SAFETY: PyList_New(len) has room for `len` items; the top `len` stack entries are
        // owned references whose ownership moves into the list (and out of the stack).
        unsafe {
            let list = PyList_New(len as Py_ssize_t);
            if list.is_null() {
                return Err(PyErrSet);
            }
            let start = self.stack.len() - len;
            let items = (*list.cast::<PyListObject>()).ob_item;
            std::ptr::copy_nonoverlapping(self.stack.as_ptr().add(start), items, len);
            self.stack.set_len(start);
            self.stack.push(list);
        }
        Ok(())
    }

    fn end_object(&mut self, len: usize) -> Result<(), PyErrSet> {
        self.leave_container();
        let start = self.stack.len() - 2 * len;
        // SAFETY: the top 2*len stack entries are owned key/value references. They leave the
        // stack first, and each is released exactly once below whatever happens.
        unsafe {
            let dict = new_dict(len);
            let pairs: Vec<*mut PyObject> = self.stack.drain(start..).collect();
            let mut failed = dict.is_null();
            for pair in pairs.chunks_exact(2) {
                // Later duplicates overwrite the value but keep the first key's position, as
                // the standard library's dict building does.
                if !failed && PyDict_SetItem(dict, pair[0], pair[1]) != 0 {
                    failed = true;
                }
                Py_DECREF(pair[0]);
                Py_DECREF(pair[1]);
            }
            if failed {
                if !dict.is_null() {
                    Py_DECREF(dict);
                }
                return Err(PyErrSet);
            }
            self.stack.push(dict);
        }
        Ok(())
    }
}

/// An empty dict with room for `len` items (so building it never resizes).
#[cfg(not(py_3_14))]
unsafe fn new_dict(len: usize) -> *mut PyObject {
    extern "C" {
        // Exported by CPython 3.9-3.13 (declared in cpython/dictobject.h); pyo3-ffi skips it.
        fn _PyDict_NewPresized(minused: Py_ssize_t) -> *mut PyObject;
    }
    // SAFETY: plain constructor; the GIL is held.
    unsafe { _PyDict_NewPresized(len as Py_ssize_t) }
}

#[cfg(py_3_14)]
unsafe fn new_dict(_len: usize) -> *mut PyObject {
    // SAFETY: plain constructor; the GIL is held.
    unsafe { PyDict_New() }
}

/// An `int` from its JSON text: exact at any size, subject to CPython's digit limit.
fn new_int(text: &[u8]) -> *mut PyObject {
    if text.len() <= 18 {
        let (negative, digits) = match text.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, text),
        };
        let magnitude = digits.iter().fold(0i64, |acc, &d| acc * 10 + i64::from(d - b'0'));
        // SAFETY: plain constructor; the GIL is held.
        return unsafe { PyLong_FromLongLong(if negative { -magnitude } else { magnitude }) };
    }
    let mut owned = Vec::with_capacity(text.len() + 1);
    owned.extend_from_slice(text);
    owned.push(0);
    // SAFETY: `owned` is a NUL-terminated decimal literal; CPython applies its digit limit.
    unsafe { PyLong_FromString(owned.as_ptr().cast(), std::ptr::null_mut(), 10) }
}

/// A `float` from its JSON text, correctly rounded as CPython's `float()` rounds.
fn new_float(text: &[u8]) -> *mut PyObject {
    // The scanner only passes ASCII digits, signs, '.', 'e' and 'E'.
    let value: f64 = std::str::from_utf8(text).ok().and_then(|t| t.parse().ok()).unwrap_or(f64::NAN);
    // SAFETY: plain constructor; the GIL is held.
    unsafe { PyFloat_FromDouble(value) }
}

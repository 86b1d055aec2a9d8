//! The one place where decoded JSON becomes Python objects: a [`Sink`] that keeps the values
//! of open containers on a stack of owned references and builds each list or dict when it
//! closes, at its exact size.

use super::scanner::{Constant, Sink};
use super::strings::{chars, StrToken};
use crate::ffi::containers::PyListObject;
use crate::ffi::unicode::new_str_data;
use crate::module::State;
use pyo3_ffi::*;

/// A Python exception is set; the caller returns NULL.
#[derive(Debug, PartialEq, Eq)]
pub struct PyErrSet;

pub struct Builder<'s> {
    state: &'s State,
    /// Owned references: the values (and keys) of the containers still open, then the result.
    stack: Vec<*mut PyObject>,
}

impl<'s> Builder<'s> {
    pub fn new(state: &'s State) -> Self {
        Builder { state, stack: Vec::new() }
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

impl Drop for Builder<'_> {
    fn drop(&mut self) {
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

    fn string(&mut self, text: &[u8], token: &StrToken, _is_key: bool) -> Result<(), PyErrSet> {
        // SAFETY: `text` is generalized UTF-8 described by `token`.
        let obj = unsafe { new_str(text, token) };
        self.push(obj)
    }

    fn end_array(&mut self, len: usize) -> Result<(), PyErrSet> {
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
        let start = self.stack.len() - 2 * len;
        // SAFETY: the top 2*len stack entries are owned key/value references. They leave the
        // stack first, and each is released exactly once below whatever happens.
        unsafe {
            let dict = PyDict_New();
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

/// A `str` from generalized UTF-8, created once at its final kind and length.
///
/// # Safety
/// The GIL must be held; `text` must be what the scanner described in `token`.
unsafe fn new_str(text: &[u8], token: &StrToken) -> *mut PyObject {
    // SAFETY: PyUnicode_New(chars, max_char) allocates room for `chars` characters of the
    // kind that `max_char` needs; every character is written before anyone sees the str.
    unsafe {
        if token.max_char < 0x80 {
            let obj = PyUnicode_New(text.len() as Py_ssize_t, 0x7f);
            if !obj.is_null() {
                std::ptr::copy_nonoverlapping(text.as_ptr(), new_str_data(obj), text.len());
            }
            return obj;
        }
        let obj = PyUnicode_New(token.chars as Py_ssize_t, token.max_char);
        if obj.is_null() {
            return obj;
        }
        let data = new_str_data(obj);
        match token.max_char {
            0..=0xff => fill(data, text),
            0x100..=0xffff => fill(data.cast::<u16>(), text),
            _ => fill(data.cast::<u32>(), text),
        }
        obj
    }
}

/// Writes the code points of `text` as `T` units (each fits: the kind was chosen for them).
unsafe fn fill<T: TryFrom<u32>>(data: *mut T, text: &[u8]) {
    for (k, cp) in chars(text).enumerate() {
        // SAFETY: `data` has room for all characters of `text`; the kind fits each of them.
        unsafe { data.add(k).write(T::try_from(cp).unwrap_or_else(|_| unreachable!())) };
    }
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

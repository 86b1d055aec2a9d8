//! The one place where decoded JSON becomes Python objects: a [`Sink`] that keeps the values
//! of open containers on a stack of owned references and builds each list or dict when it
//! closes, at its exact size, or hands it to the decoder's hooks.

use super::key_cache::MAX_KEY_LEN;
use super::number::{parse_float_text, Value};
use super::scanner::{Constant, Sink};
use super::strings::StrToken;
use crate::ffi::containers::PyListObject;
use crate::ffi::unicode::new_str;
use crate::module::State;
use crate::py::Owned;
use pyo3_ffi::*;
use std::ptr::null_mut;

/// A Python exception is set; the caller returns NULL.
#[derive(Debug, PartialEq, Eq)]
pub struct PyErrSet;

/// The hooks of a `json.JSONDecoder` (borrowed; NULL where the standard behaviour applies),
/// called as CPython's C scanner calls them: each number or constant as it is read, each
/// object when it closes.
#[derive(Clone, Copy)]
pub struct Hooks {
    pub object_hook: *mut PyObject,
    /// Wins over `object_hook`: called with the list of `(key, value)` pairs.
    pub object_pairs_hook: *mut PyObject,
    /// Called with each list when it closes (CPython 3.15+).
    pub array_hook: *mut PyObject,
    /// Called with the number's text; NULL for `float` itself.
    pub parse_float: *mut PyObject,
    /// Called with the number's text; NULL for `int` itself.
    pub parse_int: *mut PyObject,
    /// Called with `'NaN'`, `'Infinity'` or `'-Infinity'`; NULL for `json`'s own constants.
    pub parse_constant: *mut PyObject,
}

impl Hooks {
    pub const NONE: Hooks = Hooks {
        object_hook: null_mut(),
        object_pairs_hook: null_mut(),
        array_hook: null_mut(),
        parse_float: null_mut(),
        parse_int: null_mut(),
        parse_constant: null_mut(),
    };

    pub fn is_empty(&self) -> bool {
        [self.object_hook, self.object_pairs_hook, self.array_hook, self.parse_float, self.parse_int, self.parse_constant]
            .iter()
            .all(|hook| hook.is_null())
    }
}

/// Builds the values of one parse. `HOOKED` is fixed per call, so a parse without hooks
/// never looks at them.
pub struct Builder<'s, const HOOKED: bool> {
    state: &'s State,
    hooks: &'s Hooks,
    /// Owned references: the values (and keys) of the containers still open, then the result
    /// (an empty buffer lent by the caller, left empty).
    stack: &'s mut Vec<*mut PyObject>,
    /// Containers open, each counted against the interpreter's recursion limit as the
    /// standard library's recursive scanner counts them (`Py_EnterRecursiveCall`).
    open: usize,
    /// The orjson face: containers do not count against the recursion limit (the scanner
    /// applies orjson's fixed one), and integers beyond 64 bits are read as floats.
    orjson: bool,
}

impl<'s, const HOOKED: bool> Builder<'s, HOOKED> {
    pub fn new(state: &'s State, hooks: &'s Hooks, stack: &'s mut Vec<*mut PyObject>) -> Self {
        debug_assert_eq!(HOOKED, !hooks.is_empty());
        debug_assert!(stack.is_empty());
        Builder { state, hooks, stack, open: 0, orjson: false }
    }

    /// A builder for the orjson face.
    pub fn orjson(mut self) -> Self {
        self.orjson = true;
        self
    }

    /// The document's value, handed to the caller.
    pub fn finish(self) -> *mut PyObject {
        debug_assert_eq!(self.stack.len(), 1);
        self.stack.pop().unwrap_or(std::ptr::null_mut())
    }

    #[inline(always)]
    fn push(&mut self, obj: *mut PyObject) -> Result<(), PyErrSet> {
        if obj.is_null() {
            return Err(PyErrSet);
        }
        let len = self.stack.len();
        if len == self.stack.capacity() {
            return self.push_growing(obj);
        }
        // SAFETY: `len` < capacity: the slot is allocated; the length then covers it, written.
        unsafe {
            self.stack.as_mut_ptr().add(len).write(obj);
            self.stack.set_len(len + 1);
        }
        Ok(())
    }

    /// [`Self::push`] when the stack is full: it grows as the input's nesting and container
    /// sizes require, so failing to grow raises `MemoryError` (releasing `obj`) rather than
    /// aborting.
    #[cold]
    fn push_growing(&mut self, obj: *mut PyObject) -> Result<(), PyErrSet> {
        if self.stack.try_reserve(1).is_err() {
            // SAFETY: `obj` is an owned reference, released once; the GIL is held.
            unsafe {
                Py_DECREF(obj);
                PyErr_NoMemory();
            }
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

impl<const HOOKED: bool> Builder<'_, HOOKED> {
    fn leave_container(&mut self) {
        self.open -= 1;
        if !self.orjson {
            // SAFETY: matches the Py_EnterRecursiveCall of `begin_container`; GIL held.
            unsafe { Py_LeaveRecursiveCall() };
        }
    }
}

impl<const HOOKED: bool> Drop for Builder<'_, HOOKED> {
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

impl<const HOOKED: bool> Sink for Builder<'_, HOOKED> {
    type Error = PyErrSet;

    #[inline(always)]
    fn null(&mut self) -> Result<(), PyErrSet> {
        // SAFETY: Py_None is a live singleton.
        self.push_borrowed(unsafe { Py_None() })
    }

    #[inline(always)]
    fn boolean(&mut self, value: bool) -> Result<(), PyErrSet> {
        // SAFETY: the bool singletons are live.
        self.push_borrowed(unsafe { if value { Py_True() } else { Py_False() } })
    }

    fn constant(&mut self, value: Constant) -> Result<(), PyErrSet> {
        if HOOKED && !self.hooks.parse_constant.is_null() {
            let text: &[u8] = match value {
                Constant::NaN => b"NaN",
                Constant::Infinity => b"Infinity",
                Constant::NegInfinity => b"-Infinity",
            };
            // SAFETY: GIL held; the hook is borrowed from the decoder for the whole parse.
            return self.push(unsafe { call_with_text(self.hooks.parse_constant, text) });
        }
        let obj = match value {
            Constant::NaN => self.state.nan,
            Constant::Infinity => self.state.inf,
            Constant::NegInfinity => self.state.neg_inf,
        };
        self.push_borrowed(obj)
    }

    #[inline(always)]
    fn number(&mut self, text: &[u8], value: Value) -> Result<(), PyErrSet> {
        if HOOKED {
            let hook = if value.is_float() { self.hooks.parse_float } else { self.hooks.parse_int };
            if !hook.is_null() {
                // SAFETY: GIL held; the hook is borrowed from the decoder for the whole parse.
                return self.push(unsafe { call_with_text(hook, text) });
            }
        }
        // SAFETY: plain constructors; the GIL is held.
        let obj = unsafe {
            match value {
                Value::Float(f) => PyFloat_FromDouble(f),
                Value::Int { negative: false, magnitude } => match i64::try_from(magnitude) {
                    Ok(v) => PyLong_FromLongLong(v),
                    Err(_) => PyLong_FromUnsignedLongLong(magnitude),
                },
                Value::Int { negative: true, magnitude } if magnitude <= 1 << 63 => {
                    PyLong_FromLongLong((magnitude as i64).wrapping_neg())
                }
                Value::Int { .. } | Value::BigInt if self.orjson => orjson_big_int(text),
                Value::Int { .. } | Value::BigInt => big_int(text),
            }
        };
        self.push(obj)
    }

    fn string(&mut self, text: &[u8], token: &StrToken, is_key: bool) -> Result<(), PyErrSet> {
        // SAFETY: `text` is generalized UTF-8 described by `token`; the key cache is the
        // module's, used only under the GIL and only within this call (see KeyCache).
        let obj = unsafe {
            if is_key && token.max_char < 0x80 && text.len() <= MAX_KEY_LEN {
                (*self.state.decoder).keys.get_or_insert(text, || new_str(text, token.chars, token.max_char))
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
        if !self.orjson && unsafe { Py_EnterRecursiveCall(place.as_ptr()) } != 0 {
            return Err(PyErrSet);
        }
        self.open += 1;
        Ok(())
    }

    fn end_array(&mut self, len: usize) -> Result<(), PyErrSet> {
        self.leave_container();
        // SAFETY: PyList_New(len) has room for `len` items; the top `len` stack entries are
        // owned references whose ownership moves into the list (and out of the stack).
        let list = unsafe {
            let list = PyList_New(len as Py_ssize_t);
            if list.is_null() {
                return Err(PyErrSet);
            }
            let start = self.stack.len() - len;
            let items = (*list.cast::<PyListObject>()).ob_item;
            std::ptr::copy_nonoverlapping(self.stack.as_ptr().add(start), items, len);
            self.stack.set_len(start);
            list
        };
        if HOOKED && !self.hooks.array_hook.is_null() {
            // SAFETY: GIL held; the list is owned here and the hook borrowed from the decoder.
            return self.push(unsafe { call_with(self.hooks.array_hook, list) });
        }
        self.push(list)
    }

    fn end_object(&mut self, len: usize) -> Result<(), PyErrSet> {
        self.leave_container();
        let start = self.stack.len() - 2 * len;
        // SAFETY: the top 2 * len entries are owned key/value references; their ownership
        // moves to `pairs_list` or `dict_of` and out of the stack.
        let pairs = unsafe {
            let pairs = std::slice::from_raw_parts(self.stack.as_ptr().add(start), 2 * len);
            self.stack.set_len(start);
            pairs
        };
        if HOOKED && !self.hooks.object_pairs_hook.is_null() {
            // SAFETY: `pairs` holds owned key/value references, handed to `pairs_list`.
            let list = unsafe { pairs_list(pairs) };
            // SAFETY: GIL held; the list is owned here and the hook borrowed from the decoder.
            return self.push(unsafe { call_with(self.hooks.object_pairs_hook, list) });
        }
        // SAFETY: `pairs` holds owned key/value references, handed to the shape cache or (if
        // it declines, leaving them untouched) to `dict_of`; the cache is the module's, used
        // under the GIL within this call.
        let dict = unsafe { (*self.state.decoder).shapes.dict_of(pairs).unwrap_or_else(|| dict_of(pairs)) };
        if HOOKED && !self.hooks.object_hook.is_null() {
            // SAFETY: as above.
            return self.push(unsafe { call_with(self.hooks.object_hook, dict) });
        }
        self.push(dict)
    }
}

/// A dict of the key/value pairs `pairs` (owned references, each released exactly once
/// whatever happens); NULL with an exception set on failure.
unsafe fn dict_of(pairs: &[*mut PyObject]) -> *mut PyObject {
    // SAFETY: GIL held; see above.
    unsafe {
        let mut dict = new_dict(pairs.len() / 2);
        for pair in pairs.chunks_exact(2) {
            // Later duplicates overwrite the value but keep the first key's position, as the
            // standard library's dict building does.
            if !dict.is_null() && PyDict_SetItem(dict, pair[0], pair[1]) != 0 {
                Py_DECREF(dict);
                dict = null_mut();
            }
            Py_DECREF(pair[0]);
            Py_DECREF(pair[1]);
        }
        dict
    }
}

/// The list of `(key, value)` tuples `object_pairs_hook` receives, from owned references
/// (moved into the tuples, or released on failure); NULL with an exception set on failure.
unsafe fn pairs_list(pairs: &[*mut PyObject]) -> *mut PyObject {
    // SAFETY: GIL held; PyList_New(n) has room for n items, each set once (a slot left NULL
    // after a failure is skipped by the list's deallocation); every reference in `pairs` is
    // moved into a tuple or released.
    unsafe {
        let list = PyList_New((pairs.len() / 2) as Py_ssize_t);
        let mut failed = list.is_null();
        for (i, pair) in pairs.chunks_exact(2).enumerate() {
            let tuple = if failed { null_mut() } else { PyTuple_New(2) };
            if tuple.is_null() {
                failed = true;
                Py_DECREF(pair[0]);
                Py_DECREF(pair[1]);
                continue;
            }
            PyTuple_SET_ITEM(tuple, 0, pair[0]);
            PyTuple_SET_ITEM(tuple, 1, pair[1]);
            PyList_SET_ITEM(list, i as Py_ssize_t, tuple);
        }
        if failed && !list.is_null() {
            Py_DECREF(list);
            return null_mut();
        }
        list
    }
}

/// `hook(arg)`, consuming the owned `arg` (NULL passes the failure on).
unsafe fn call_with(hook: *mut PyObject, arg: *mut PyObject) -> *mut PyObject {
    // SAFETY: GIL held; `arg` is owned here and released after the call.
    unsafe {
        let Some(arg) = Owned::new(arg) else {
            return null_mut();
        };
        PyObject_CallOneArg(hook, arg.as_ptr())
    }
}

/// `hook(text)` with the ASCII `text` as a new str.
unsafe fn call_with_text(hook: *mut PyObject, text: &[u8]) -> *mut PyObject {
    // SAFETY: GIL held; `text` is ASCII (numbers and constants).
    unsafe { call_with(hook, PyUnicode_FromStringAndSize(text.as_ptr().cast(), text.len() as Py_ssize_t)) }
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
#[cold]
fn big_int(text: &[u8]) -> *mut PyObject {
    // As long as the input's longest number: failing to allocate it is a MemoryError.
    let mut owned = Vec::new();
    if owned.try_reserve_exact(text.len() + 1).is_err() {
        // SAFETY: GIL held.
        return unsafe { PyErr_NoMemory() };
    }
    owned.extend_from_slice(text);
    owned.push(0);
    // SAFETY: `owned` is a NUL-terminated decimal literal; CPython applies its digit limit.
    unsafe { PyLong_FromString(owned.as_ptr().cast(), std::ptr::null_mut(), 10) }
}

/// orjson's integer beyond `i64`: a `u64` if it fits, else a float.
#[cold]
fn orjson_big_int(text: &[u8]) -> *mut PyObject {
    let unsigned = std::str::from_utf8(text).ok().and_then(|t| t.parse::<u64>().ok());
    // SAFETY: plain constructors; the GIL is held.
    unsafe {
        match unsigned {
            Some(v) => PyLong_FromUnsignedLongLong(v),
            None => PyFloat_FromDouble(parse_float_text(text)),
        }
    }
}

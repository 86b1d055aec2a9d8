//! The encoder: walks an object graph iteratively (an explicit stack of open containers, so
//! nesting depth never touches the C stack) and writes JSON text as `json.dumps` writes it.
//!
//! Every frame holds strong references to what it walks, and every item being encoded is
//! held too, so a `default` callback (or a finaliser) that mutates or frees containers
//! mid-walk cannot make the encoder read freed memory.

use super::escape::write_escaped;
use super::float::write_float_repr;
use super::options::Options;
use super::writer::Writer;
use crate::ffi::containers::{float_value, list_item, tuple_item, var_size};
use crate::ffi::unicode::str_data;
use crate::py::{raise, tp_name, type_name, Owned};
use pyo3_ffi::*;
use std::ptr::null_mut;

/// A Python exception is set.
pub struct PyErrSet;

type Result<T> = std::result::Result<T, PyErrSet>;

/// An open container (or a pending `default` result) and where its walk stands.
enum Frame {
    /// A list or tuple read from its storage (the C encoder's `PySequence_Fast` walk).
    Sequence { seq: Owned, next: usize },
    /// A list or tuple subclass walked with `iter()` (the pure-Python encoder's walk).
    Iterator { seq: Owned, iter: Owned, first: bool },
    /// An exact dict walked in place.
    Dict { dict: Owned, pos: Py_ssize_t, len: Py_ssize_t, first: bool },
    /// A dict's `items()` as a list: sorted keys, or dict subclasses.
    Items { dict: Owned, items: Owned, next: usize, first: bool },
    /// An object handed to `default`: marked for cycle detection until its replacement is done.
    Default { obj: Owned },
}

impl Frame {
    /// The object a cycle through this frame would revisit.
    fn marker(&self) -> *mut PyObject {
        match self {
            Frame::Sequence { seq, .. } | Frame::Iterator { seq, .. } => seq.as_ptr(),
            Frame::Dict { dict, .. } | Frame::Items { dict, .. } => dict.as_ptr(),
            Frame::Default { obj } => obj.as_ptr(),
        }
    }
}

pub struct Encoder<'o> {
    opts: &'o Options,
    pub out: Writer,
    stack: Vec<Frame>,
    /// Open containers (the indentation level).
    level: usize,
    max_depth: usize,
}

impl<'o> Encoder<'o> {
    pub fn new(opts: &'o Options, max_depth: usize) -> Self {
        Encoder { opts, out: Writer::default(), stack: Vec::new(), level: 0, max_depth }
    }

    /// Encodes `root` into `self.out`.
    ///
    /// # Safety
    /// GIL held; `root` live.
    pub unsafe fn encode(&mut self, root: *mut PyObject) -> Result<()> {
        // SAFETY: `root` is live; every object reached is held by a frame or by `next`.
        unsafe {
            let mut next = Some(Owned::borrowed(root));
            loop {
                if let Some(obj) = next.take() {
                    next = self.value(obj)?;
                    if next.is_some() {
                        continue;
                    }
                }
                if self.stack.is_empty() {
                    return Ok(());
                }
                next = self.advance()?;
            }
        }
    }

    /// Writes a scalar, or opens a container (pushing its frame), or calls `default` and
    /// returns its result, to be encoded next.
    unsafe fn value(&mut self, obj: Owned) -> Result<Option<Owned>> {
        let o = obj.as_ptr();
        // SAFETY: `o` is live (held by `obj`); each branch reads it as the type it checked.
        unsafe {
            if o == Py_None() {
                self.out.ascii(b"null");
            } else if o == Py_True() {
                self.out.ascii(b"true");
            } else if o == Py_False() {
                self.out.ascii(b"false");
            } else if PyUnicode_Check(o) != 0 {
                self.write_str(o)?;
            } else if PyLong_Check(o) != 0 {
                write_int(&mut self.out.buf, o)?;
            } else if PyFloat_Check(o) != 0 {
                self.write_float(o)?;
            } else if PyList_Check(o) != 0 || PyTuple_Check(o) != 0 {
                self.open_sequence(obj)?;
            } else if PyDict_Check(o) != 0 {
                self.open_dict(obj)?;
            } else {
                return self.call_default(obj).map(Some);
            }
        }
        Ok(None)
    }

    unsafe fn write_str(&mut self, o: *mut PyObject) -> Result<()> {
        // SAFETY: `o` is a live str.
        let data = unsafe { str_data(o) }.ok_or(PyErrSet)?;
        write_escaped(&mut self.out.buf, data, self.opts.ensure_ascii);
        if !self.opts.ensure_ascii {
            self.out.saw_kind(data);
        }
        Ok(())
    }

    unsafe fn write_float(&mut self, o: *mut PyObject) -> Result<()> {
        // SAFETY: `o` is a live float.
        let value = unsafe { float_value(o) };
        if value.is_finite() {
            write_float_repr(&mut self.out.buf, value);
            return Ok(());
        }
        if !self.opts.allow_nan {
            // SAFETY: `o` is live; GIL held.
            return Err(unsafe { out_of_range_float(o, self.opts.python_encoder) });
        }
        let text: &[u8] = if value.is_nan() {
            b"NaN"
        } else if value > 0.0 {
            b"Infinity"
        } else {
            b"-Infinity"
        };
        self.out.ascii(text);
        Ok(())
    }

    /// Raises `RecursionError` if one more frame would pass the depth limit, and
    /// `ValueError` if `obj` is already being encoded further up.
    unsafe fn enter(&self, obj: *mut PyObject) -> Result<()> {
        if self.stack.len() >= self.max_depth {
            // SAFETY: GIL held.
            unsafe { raise(PyExc_RecursionError, "maximum recursion depth exceeded while encoding a JSON object") };
            return Err(PyErrSet);
        }
        if self.opts.check_circular && self.stack.iter().any(|f| f.marker() == obj) {
            // SAFETY: GIL held.
            unsafe { raise(PyExc_ValueError, "Circular reference detected") };
            return Err(PyErrSet);
        }
        Ok(())
    }

    unsafe fn open_sequence(&mut self, seq: Owned) -> Result<()> {
        let o = seq.as_ptr();
        // SAFETY: `o` is a live list or tuple (or subclass instance).
        unsafe {
            let exact = PyList_CheckExact(o) != 0 || PyTuple_CheckExact(o) != 0;
            if self.opts.python_encoder && !exact {
                // `if not lst: yield '[]'`, then `for value in lst`.
                if !truth(o)? {
                    self.out.ascii(b"[]");
                    return Ok(());
                }
                self.enter(o)?;
                let iter = Owned::new(PyObject_GetIter(o)).ok_or(PyErrSet)?;
                self.open(b'[');
                self.stack.push(Frame::Iterator { seq, iter, first: true });
                return Ok(());
            }
            if var_size(o) == 0 {
                self.out.ascii(b"[]");
                return Ok(());
            }
            self.enter(o)?;
            self.open(b'[');
            self.stack.push(Frame::Sequence { seq, next: 0 });
        }
        Ok(())
    }

    unsafe fn open_dict(&mut self, dict: Owned) -> Result<()> {
        let o = dict.as_ptr();
        // SAFETY: `o` is a live dict (or subclass instance); the items list is owned by the frame.
        unsafe {
            let exact = PyDict_CheckExact(o) != 0;
            let empty = if self.opts.python_encoder && !exact { !truth(o)? } else { PyDict_Size(o) == 0 };
            if empty {
                self.out.ascii(b"{}");
                return Ok(());
            }
            self.enter(o)?;
            if self.opts.sort_keys || !exact {
                let items = Owned::new(if exact { PyDict_Items(o) } else { PyMapping_Items(o) }).ok_or(PyErrSet)?;
                if self.opts.sort_keys && PyList_Sort(items.as_ptr()) != 0 {
                    return Err(PyErrSet);
                }
                self.open(b'{');
                self.stack.push(Frame::Items { dict, items, next: 0, first: true });
            } else {
                let len = PyDict_Size(o);
                self.open(b'{');
                self.stack.push(Frame::Dict { dict, pos: 0, len, first: true });
            }
        }
        Ok(())
    }

    unsafe fn call_default(&mut self, obj: Owned) -> Result<Owned> {
        let o = obj.as_ptr();
        // SAFETY: `o` is live; the default callable is borrowed from the call's arguments.
        unsafe {
            if self.opts.default.is_null() {
                let name = type_name(o);
                raise(PyExc_TypeError, &format!("Object of type {name} is not JSON serializable"));
                return Err(PyErrSet);
            }
            self.enter(o)?;
            self.stack.push(Frame::Default { obj });
            Owned::new(PyObject_CallOneArg(self.opts.default, o)).ok_or(PyErrSet)
        }
    }

    /// Writes an opening bracket and the indentation of the first item.
    fn open(&mut self, bracket: u8) {
        self.out.ascii(&[bracket]);
        self.level += 1;
        self.newline_indent();
    }

    fn close(&mut self, bracket: u8) {
        self.level -= 1;
        self.newline_indent();
        self.out.ascii(&[bracket]);
        self.stack.pop();
    }

    fn newline_indent(&mut self) {
        if let Some(indent) = &self.opts.indent {
            self.out.ascii(b"\n");
            for _ in 0..self.level {
                self.out.text(indent);
            }
        }
    }

    fn item_separator(&mut self) {
        self.out.text(&self.opts.item_separator);
        self.newline_indent();
    }

    /// Moves the innermost frame to its next item, writing the separator (and key) before it;
    /// closes the frame when it has no more items.
    unsafe fn advance(&mut self) -> Result<Option<Owned>> {
        let top = self.stack.len() - 1;
        // SAFETY: forwarded: GIL held, frames own what they walk.
        unsafe {
            match &self.stack[top] {
                Frame::Default { .. } => {
                    self.stack.pop();
                    Ok(None)
                }
                Frame::Sequence { .. } => self.advance_sequence(top),
                Frame::Iterator { .. } => self.advance_iterator(top),
                Frame::Dict { .. } => self.advance_dict(top),
                Frame::Items { .. } => self.advance_items(top),
            }
        }
    }

    unsafe fn advance_sequence(&mut self, top: usize) -> Result<Option<Owned>> {
        let Frame::Sequence { seq, next } = &mut self.stack[top] else { unreachable!() };
        let (o, i) = (seq.as_ptr(), *next);
        // SAFETY: the frame owns the list or tuple; the item is taken as a strong reference
        // before any Python code can run. A list may have shrunk (from `default`), so its
        // size is read again for every item.
        unsafe {
            if i >= var_size(o) {
                self.close(b']');
                return Ok(None);
            }
            *next += 1;
            let item = Owned::borrowed(if PyList_Check(o) != 0 { list_item(o, i) } else { tuple_item(o, i) });
            if i > 0 {
                self.item_separator();
            }
            Ok(Some(item))
        }
    }

    unsafe fn advance_iterator(&mut self, top: usize) -> Result<Option<Owned>> {
        let Frame::Iterator { iter, first, .. } = &mut self.stack[top] else { unreachable!() };
        let was_first = std::mem::replace(first, false);
        // SAFETY: the frame owns the iterator; PyIter_Next returns a new reference or NULL.
        unsafe {
            match Owned::new(PyIter_Next(iter.as_ptr())) {
                Some(item) => {
                    if !was_first {
                        self.item_separator();
                    }
                    Ok(Some(item))
                }
                None if PyErr_Occurred().is_null() => {
                    self.close(b']');
                    Ok(None)
                }
                None => Err(PyErrSet),
            }
        }
    }

    unsafe fn advance_dict(&mut self, top: usize) -> Result<Option<Owned>> {
        // SAFETY: the frame owns the dict; key and value are taken as strong references before
        // any Python code runs, and a size change since the walk began stops it.
        unsafe {
            loop {
                let Frame::Dict { dict, pos, len, first } = &mut self.stack[top] else { unreachable!() };
                let d = dict.as_ptr();
                if PyDict_Size(d) != *len {
                    raise(PyExc_RuntimeError, "dictionary changed size during iteration");
                    return Err(PyErrSet);
                }
                let (mut key, mut value) = (null_mut(), null_mut());
                if PyDict_Next(d, pos, &mut key, &mut value) == 0 {
                    self.close(b'}');
                    return Ok(None);
                }
                let was_first = *first;
                let (key, value) = (Owned::borrowed(key), Owned::borrowed(value));
                if self.key(key.as_ptr(), was_first)? {
                    self.mark_not_first(top);
                    return Ok(Some(value));
                }
            }
        }
    }

    fn mark_not_first(&mut self, top: usize) {
        if let Frame::Dict { first, .. } | Frame::Items { first, .. } = &mut self.stack[top] {
            *first = false;
        }
    }

    unsafe fn advance_items(&mut self, top: usize) -> Result<Option<Owned>> {
        // SAFETY: the frame owns the items list; each item is taken as a strong reference.
        unsafe {
            loop {
                let Frame::Items { items, next, first, .. } = &mut self.stack[top] else { unreachable!() };
                let list = items.as_ptr();
                if *next >= var_size(list) {
                    self.close(b'}');
                    return Ok(None);
                }
                let item = Owned::borrowed(list_item(list, *next));
                *next += 1;
                let was_first = *first;
                let pair = item.as_ptr();
                if PyTuple_Check(pair) == 0 || var_size(pair) != 2 {
                    raise(PyExc_ValueError, "items must return 2-tuples");
                    return Err(PyErrSet);
                }
                let (key, value) = (tuple_item(pair, 0), Owned::borrowed(tuple_item(pair, 1)));
                if self.key(key, was_first)? {
                    self.mark_not_first(top);
                    return Ok(Some(value));
                }
            }
        }
    }

    /// Writes `key` coerced to a string as the standard library coerces it, preceded by the
    /// item separator unless it is the first, and followed by the key separator. Returns
    /// `false` for a key that `skipkeys` skips.
    unsafe fn key(&mut self, key: *mut PyObject, first: bool) -> Result<bool> {
        // SAFETY: `key` is live (held by the dict, the items list or the caller).
        unsafe {
            let is_str = PyUnicode_Check(key) != 0;
            let is_float = PyFloat_Check(key) != 0;
            let is_const = key == Py_True() || key == Py_False() || key == Py_None();
            let is_int = PyLong_Check(key) != 0;
            if !(is_str || is_float || is_const || is_int) {
                if self.opts.skipkeys {
                    return Ok(false);
                }
                let name = if self.opts.python_encoder { type_name(key) } else { tp_name(key) };
                raise(PyExc_TypeError, &format!("keys must be str, int, float, bool or None, not {name}"));
                return Err(PyErrSet);
            }
            if !first {
                self.item_separator();
            }
            if is_str {
                self.write_str(key)?;
            } else {
                self.out.ascii(b"\"");
                if is_float {
                    self.write_float(key)?;
                } else if key == Py_True() {
                    self.out.ascii(b"true");
                } else if key == Py_False() {
                    self.out.ascii(b"false");
                } else if key == Py_None() {
                    self.out.ascii(b"null");
                } else {
                    write_int(&mut self.out.buf, key)?;
                }
                self.out.ascii(b"\"");
            }
            self.out.text(&self.opts.key_separator);
            Ok(true)
        }
    }
}

/// The truth value of `o` (`if not lst` in the pure-Python encoder).
unsafe fn truth(o: *mut PyObject) -> Result<bool> {
    // SAFETY: `o` is live; `__bool__`/`__len__` may run and fail.
    match unsafe { PyObject_IsTrue(o) } {
        -1 => Err(PyErrSet),
        v => Ok(v == 1),
    }
}

/// `int.__repr__(o)`: machine-sized values directly, others through CPython (which applies
/// its digit limit).
unsafe fn write_int(out: &mut Vec<u8>, o: *mut PyObject) -> Result<()> {
    // SAFETY: `o` is a live int (or subclass instance); the repr is owned and released here.
    unsafe {
        let mut overflow = 0;
        let value = PyLong_AsLongLongAndOverflow(o, &mut overflow);
        if overflow == 0 {
            if value == -1 && !PyErr_Occurred().is_null() {
                return Err(PyErrSet);
            }
            out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
            return Ok(());
        }
        let repr = (*std::ptr::addr_of!(PyLong_Type)).tp_repr.ok_or(PyErrSet)?;
        let text = Owned::new(repr(o)).ok_or(PyErrSet)?;
        match str_data(text.as_ptr()) {
            Some(crate::ffi::unicode::StrData::Ascii(digits)) => {
                out.extend_from_slice(digits);
                Ok(())
            }
            _ => Err(PyErrSet),
        }
    }
}

/// The standard library's `ValueError` for NaN or infinity with `allow_nan=False`.
unsafe fn out_of_range_float(o: *mut PyObject, python_encoder: bool) -> PyErrSet {
    const MSG: &str = "Out of range float values are not JSON compliant";
    // SAFETY: GIL held; the repr is owned and released here.
    unsafe {
        if !python_encoder && !cfg!(py_3_12) {
            raise(PyExc_ValueError, MSG);
            return PyErrSet;
        }
        let Some(repr) = Owned::new(PyObject_Repr(o)) else {
            return PyErrSet;
        };
        let text = crate::py::str_to_string(repr.as_ptr()).unwrap_or_default();
        raise(PyExc_ValueError, &format!("{MSG}: {text}"));
    }
    PyErrSet
}

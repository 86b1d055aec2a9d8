//! The keyword arguments of `dumps`, read once per call into an encoder configuration.

use super::writer::Text;
use crate::ffi::unicode::str_data;
use crate::utf8::{chars, from_str_data};
use crate::py::{raise, raise_unpack_count, type_name, Owned};
use pyo3_ffi::*;
use std::ptr::null_mut;

/// How one `dumps` call encodes: the standard library's `JSONEncoder` settings.
pub struct Options {
    pub skipkeys: bool,
    pub ensure_ascii: bool,
    pub check_circular: bool,
    pub allow_nan: bool,
    pub sort_keys: bool,
    /// One level of indentation; `None` writes everything on one line.
    pub indent: Option<Text>,
    pub item_separator: Text,
    pub key_separator: Text,
    /// Called for objects of other types (borrowed from the call); NULL: raise `TypeError`.
    pub default: *mut PyObject,
    /// Behave as `json`'s pure-Python encoder where it differs from the C one: CPython before
    /// 3.13 encodes with it whenever `indent` is given. It iterates list subclasses, asks
    /// containers for their truth value, and names types by `__name__` in messages.
    pub python_encoder: bool,
}

/// The raw keyword values of a call (borrowed; NULL when not given).
pub struct RawOptions {
    pub skipkeys: *mut PyObject,
    pub ensure_ascii: *mut PyObject,
    pub check_circular: *mut PyObject,
    pub allow_nan: *mut PyObject,
    pub indent: *mut PyObject,
    pub separators: *mut PyObject,
    pub default: *mut PyObject,
    pub sort_keys: *mut PyObject,
}

impl Options {
    /// Reads the keywords as `json.dumps` reads them; `None` with a Python error set.
    ///
    /// # Safety
    /// GIL held; every non-NULL pointer is a live object.
    pub unsafe fn from_raw(raw: &RawOptions) -> Option<Options> {
        // SAFETY: forwarded from the caller.
        unsafe {
            let indent = read_indent(raw.indent)?;
            let (item_separator, key_separator) = if given(raw.separators) {
                read_separators(raw.separators)?
            } else if indent.is_some() {
                (Text::ascii(","), Text::ascii(": "))
            } else {
                (Text::ascii(", "), Text::ascii(": "))
            };
            let python_encoder = indent.is_some() && !cfg!(py_3_13);
            Some(Options {
                skipkeys: flag(raw.skipkeys, false)?,
                ensure_ascii: flag(raw.ensure_ascii, true)?,
                check_circular: flag(raw.check_circular, true)?,
                allow_nan: flag(raw.allow_nan, true)?,
                sort_keys: flag(raw.sort_keys, false)?,
                indent,
                item_separator,
                key_separator,
                default: if given(raw.default) { raw.default } else { null_mut() },
                python_encoder,
            })
        }
    }
}

/// Whether a keyword was given with a value other than `None`.
unsafe fn given(obj: *mut PyObject) -> bool {
    // SAFETY: comparing pointers with the None singleton.
    !obj.is_null() && obj != unsafe { Py_None() }
}

/// A flag keyword, by truth value as the standard library uses it.
unsafe fn flag(obj: *mut PyObject, default: bool) -> Option<bool> {
    if obj.is_null() {
        return Some(default);
    }
    // SAFETY: `obj` is live; PyObject_IsTrue may run `__bool__` and fail.
    match unsafe { PyObject_IsTrue(obj) } {
        -1 => None,
        v => Some(v == 1),
    }
}

/// `indent`: an int is that many spaces (none if negative), a str is used as is.
unsafe fn read_indent(obj: *mut PyObject) -> Option<Option<Text>> {
    // SAFETY: `obj` is NULL or live; the GIL is held.
    unsafe {
        if !given(obj) {
            return Some(None);
        }
        if PyLong_Check(obj) != 0 {
            let n = PyLong_AsSsize_t(obj);
            if n == -1 && !PyErr_Occurred().is_null() {
                return None;
            }
            return Some(Some(Text::ascii(&" ".repeat(n.max(0) as usize))));
        }
        if PyUnicode_Check(obj) != 0 {
            return Some(Some(raw_text(obj)?));
        }
        let name = type_name(obj);
        raise(PyExc_TypeError, &format!("indent must be None, an int or a str, not {name}"));
        None
    }
}

/// `separators`: any iterable of two str, `(item_separator, key_separator)`.
unsafe fn read_separators(obj: *mut PyObject) -> Option<(Text, Text)> {
    // SAFETY: `obj` is live; the tuple is owned here and released by `Owned`.
    unsafe {
        let tuple = Owned::new(PySequence_Tuple(obj))?;
        let n = PyTuple_GET_SIZE(tuple.as_ptr());
        if n != 2 {
            raise_unpack_count(n as usize);
            return None;
        }
        let mut parts = [PyTuple_GET_ITEM(tuple.as_ptr(), 0), PyTuple_GET_ITEM(tuple.as_ptr(), 1)].into_iter().map(|part| {
            if PyUnicode_Check(part) == 0 {
                let name = type_name(part);
                raise(PyExc_TypeError, &format!("separators must be str, not {name}"));
                return None;
            }
            raw_text(part)
        });
        Some((parts.next()??, parts.next()??))
    }
}

/// A `str` as raw output text (written unescaped, as the standard library writes it).
unsafe fn raw_text(obj: *mut PyObject) -> Option<Text> {
    // SAFETY: `obj` is a live str.
    let data = unsafe { str_data(obj) }?;
    Some(Text::new(chars(&from_str_data(data)).collect()))
}

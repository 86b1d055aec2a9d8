//! Small helpers over the C API: an owned-reference guard and exception setters.

use crate::ffi::containers::{list_item, tuple_item, var_size};
use pyo3_ffi::*;
use std::ffi::CStr;
use std::ptr::NonNull;

/// An owned (strong) reference: released exactly once, when dropped, unless handed on with
/// [`Owned::into_raw`]. Error paths therefore release it by simply returning.
pub struct Owned(NonNull<PyObject>);

impl Owned {
    /// Takes ownership of a new reference returned by the C API; `None` if it is NULL (a
    /// Python error is then set).
    ///
    /// # Safety
    /// `ptr` must be NULL or a strong reference the caller owns.
    #[inline(always)]
    pub unsafe fn new(ptr: *mut PyObject) -> Option<Owned> {
        NonNull::new(ptr).map(Owned)
    }

    /// Takes a new strong reference to a borrowed object.
    ///
    /// # Safety
    /// `ptr` must point to a live object; the GIL must be held.
    #[inline(always)]
    pub unsafe fn borrowed(ptr: *mut PyObject) -> Owned {
        // SAFETY: `ptr` is live, so taking a strong reference keeps it so.
        unsafe { Py_INCREF(ptr) };
        // SAFETY: the caller guarantees `ptr` is non-null (it points to a live object).
        Owned(unsafe { NonNull::new_unchecked(ptr) })
    }

    #[inline(always)]
    pub fn as_ptr(&self) -> *mut PyObject {
        self.0.as_ptr()
    }

    /// Hands the reference on to the caller, who then owns it.
    #[inline(always)]
    pub fn into_raw(self) -> *mut PyObject {
        let ptr = self.0.as_ptr();
        std::mem::forget(self);
        ptr
    }
}

impl Drop for Owned {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: we own one strong reference; the GIL is held wherever Owned values live.
        unsafe { Py_DECREF(self.0.as_ptr()) }
    }
}

/// Raises `exc` with a message.
///
/// # Safety
/// The GIL must be held; `exc` must be an exception type.
pub unsafe fn raise(exc: *mut PyObject, message: &str) {
    // SAFETY: the message is copied into a new str (NULL on failure, with MemoryError set).
    unsafe {
        let text = PyUnicode_FromStringAndSize(message.as_ptr().cast(), message.len() as Py_ssize_t);
        if let Some(text) = Owned::new(text) {
            PyErr_SetObject(exc, text.as_ptr());
        }
    }
}

/// The `ValueError` of `a, b = x` when `x` has `n` items.
///
/// # Safety
/// The GIL must be held.
pub unsafe fn raise_unpack_count(n: usize) {
    let msg = if n > 2 {
        "too many values to unpack (expected 2)".to_owned()
    } else {
        format!("not enough values to unpack (expected 2, got {n})")
    };
    // SAFETY: GIL held by the caller.
    unsafe { raise(PyExc_ValueError, &msg) };
}

/// `obj.__class__.__name__` as a Rust string; `None` with an exception set.
///
/// # Safety
/// The GIL must be held; `obj` must be live.
pub unsafe fn class_name(obj: *mut PyObject) -> Option<String> {
    // SAFETY: getattr on live objects; results released by `Owned`.
    unsafe {
        let class = Owned::new(PyObject_GetAttrString(obj, c"__class__".as_ptr()))?;
        let name = Owned::new(PyObject_GetAttrString(class.as_ptr(), c"__name__".as_ptr()))?;
        let Some(text) = Owned::new(PyObject_Str(name.as_ptr())) else {
            return None;
        };
        str_to_string(text.as_ptr())
    }
}

/// `key, value = item` with Python's unpacking rules and messages.
///
/// # Safety
/// GIL held; `item` live.
pub unsafe fn unpack_pair(item: *mut PyObject) -> Option<(Owned, Owned)> {
    // SAFETY: `item` is live; every reference taken here is owned by an `Owned`.
    unsafe {
        if PyTuple_CheckExact(item) != 0 || PyList_CheckExact(item) != 0 {
            let n = var_size(item);
            if n == 2 {
                let get = |i| if PyTuple_CheckExact(item) != 0 { tuple_item(item, i) } else { list_item(item, i) };
                return Some((Owned::borrowed(get(0)), Owned::borrowed(get(1))));
            }
            raise_unpack_count(n);
            return None;
        }
        let Some(iter) = Owned::new(PyObject_GetIter(item)) else {
            if PyErr_ExceptionMatches(PyExc_TypeError) != 0 {
                PyErr_Clear();
                let name = type_name(item);
                raise(PyExc_TypeError, &format!("cannot unpack non-iterable {name} object"));
            }
            return None;
        };
        let mut parts = Vec::with_capacity(2);
        while parts.len() < 3 {
            match Owned::new(PyIter_Next(iter.as_ptr())) {
                Some(part) => parts.push(part),
                None if PyErr_Occurred().is_null() => break,
                None => return None,
            }
        }
        if parts.len() != 2 {
            raise_unpack_count(parts.len());
            return None;
        }
        let value = parts.pop()?;
        let key = parts.pop()?;
        Some((key, value))
    }
}

/// `type(obj).__name__`, for error messages that name a type as Python code would.
///
/// # Safety
/// The GIL must be held; `obj` must be live.
pub unsafe fn type_name(obj: *mut PyObject) -> String {
    // SAFETY: getattr on a live type object; the result is released by `Owned`.
    unsafe {
        let ty = Py_TYPE(obj).cast::<PyObject>();
        if let Some(name) = Owned::new(PyObject_GetAttrString(ty, c"__name__".as_ptr())) {
            if let Some(text) = str_to_string(name.as_ptr()) {
                return text;
            }
        }
        PyErr_Clear();
        tp_name(obj)
    }
}

/// `Py_TYPE(obj)->tp_name`, as C code names a type in its messages (module-qualified for
/// static types such as `datetime.date`).
///
/// # Safety
/// `obj` must be live.
pub unsafe fn tp_name(obj: *mut PyObject) -> String {
    // SAFETY: tp_name is a NUL-terminated string owned by the live type object.
    unsafe { CStr::from_ptr((*Py_TYPE(obj)).tp_name).to_string_lossy().into_owned() }
}

/// A Python `str` as a Rust `String` (lone surrogates replaced); `None` if not a str.
///
/// # Safety
/// The GIL must be held; `obj` must be live.
pub unsafe fn str_to_string(obj: *mut PyObject) -> Option<String> {
    // SAFETY: `obj` is live; the ffi view reads a ready str in place.
    unsafe {
        if PyUnicode_Check(obj) == 0 {
            return None;
        }
        let data = crate::ffi::unicode::str_data(obj)?;
        Some(String::from_utf8_lossy(&crate::utf8::from_str_data(data)).into_owned())
    }
}

/// The deepest nesting rjson follows before raising `RecursionError`, in both directions.
///
/// The standard library counts nesting against the interpreter's recursion limit; rjson
/// never recurses on the C stack, so it uses at least that limit, and CPython's own C
/// recursion allowance where a version has one (3.12: 1500, 3.13: 10000). From 3.14 C code
/// is limited by the stack space left instead: json's C encoder and scanner get about 65,000
/// levels deep on a main thread's default 8 MiB stack, so rjson allows as many.
pub fn max_depth() -> usize {
    // SAFETY: reads an interpreter setting; the GIL is held by every caller.
    let limit = unsafe { Py_GetRecursionLimit() }.max(1) as usize;
    let c_limit: usize = if cfg!(py_3_14) {
        65_000
    } else if cfg!(py_3_13) {
        10_000
    } else if cfg!(py_3_12) {
        1_500
    } else {
        0
    };
    limit.max(c_limit)
}

/// Takes the raised exception (a new reference, normalised; NULL if none is set).
///
/// # Safety
/// The GIL must be held.
pub unsafe fn take_exception() -> *mut PyObject {
    // SAFETY: GIL held; the fetched references are owned here and handed to the caller.
    unsafe {
        #[cfg(py_3_12)]
        return PyErr_GetRaisedException();
        #[cfg(not(py_3_12))]
        {
            let (mut ty, mut value, mut tb) = (std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut());
            PyErr_Fetch(&mut ty, &mut value, &mut tb);
            PyErr_NormalizeException(&mut ty, &mut value, &mut tb);
            if !tb.is_null() && !value.is_null() {
                PyException_SetTraceback(value, tb);
            }
            Py_XDECREF(ty);
            Py_XDECREF(tb);
            value
        }
    }
}

/// Raises `exc` (an exception instance, taken by [`take_exception`]), stealing the reference.
///
/// # Safety
/// The GIL must be held; `exc` a new reference to an exception instance.
pub unsafe fn restore_exception(exc: *mut PyObject) {
    // SAFETY: GIL held; PyErr_Restore steals the three references made here.
    unsafe {
        #[cfg(py_3_12)]
        PyErr_SetRaisedException(exc);
        #[cfg(not(py_3_12))]
        {
            let ty = Py_TYPE(exc).cast::<PyObject>();
            Py_INCREF(ty);
            PyErr_Restore(ty, exc, PyException_GetTraceback(exc));
        }
    }
}

//! Small helpers over the C API: an owned-reference guard and exception setters.

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
/// recursion allowance where a version has one (3.12: 1500, 3.13+: 10000).
pub fn max_depth() -> usize {
    // SAFETY: reads an interpreter setting; the GIL is held by every caller.
    let limit = unsafe { Py_GetRecursionLimit() }.max(1) as usize;
    let c_limit: usize = if cfg!(py_3_13) {
        10_000
    } else if cfg!(py_3_12) {
        1_500
    } else {
        0
    };
    limit.max(c_limit)
}

//! `PyBytesObject`: pointer and length by direct struct access, as `PyBytes_AS_STRING` and
//! `PyBytes_GET_SIZE` do.

use pyo3_ffi::{PyObject, PyVarObject, Py_hash_t};
use std::os::raw::c_char;

/// Mirror of CPython's `PyBytesObject` (checked against the headers by `layout`).
#[repr(C)]
pub struct PyBytesObject {
    pub ob_base: PyVarObject,
    pub ob_shash: Py_hash_t,
    pub ob_sval: [c_char; 1],
}

/// Bytes before the data of a `bytes` object.
pub const BYTES_HEADER: usize = std::mem::offset_of!(PyBytesObject, ob_sval);

/// Makes the block at `base` a new `bytes` object of the `len` bytes after its header (as
/// `PyBytes_FromStringAndSize` would), and returns it.
///
/// # Safety
/// GIL held; `base` allocated by `PyObject_Malloc` with room for `BYTES_HEADER + len + 1`
/// bytes, the `len` after the header initialised; the block is the object's from now on.
pub unsafe fn init_bytes(base: *mut u8, len: usize) -> *mut PyObject {
    let obj = base.cast::<PyBytesObject>();
    // SAFETY: the header fields are inside the block; the NUL after the data too.
    unsafe {
        (*obj).ob_shash = -1;
        *base.add(BYTES_HEADER + len) = 0;
        pyo3_ffi::PyObject_InitVar(obj.cast(), &raw mut pyo3_ffi::PyBytes_Type, len as pyo3_ffi::Py_ssize_t).cast()
    }
}

/// The bytes of a `bytes` object, borrowed for as long as the caller keeps the object alive.
///
/// # Safety
/// `obj` must be a live object whose type is `bytes` or a subclass of it.
#[inline(always)]
pub unsafe fn as_slice<'a>(obj: *mut PyObject) -> &'a [u8] {
    let raw = obj.cast::<PyBytesObject>();
    // SAFETY: `obj` is a bytes object, so `ob_sval` holds `ob_size` initialised bytes (plus a
    // NUL), immutable for the object's lifetime.
    unsafe {
        let len = (*raw).ob_base.ob_size as usize;
        std::slice::from_raw_parts((*raw).ob_sval.as_ptr().cast::<u8>(), len)
    }
}

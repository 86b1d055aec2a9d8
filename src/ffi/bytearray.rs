//! `PyByteArrayObject`: data pointer and length by direct struct access, and an export pin
//! that keeps the buffer from being resized while rjson reads it in place.

use pyo3_ffi::{PyObject, PyVarObject, Py_ssize_t};
use std::os::raw::c_char;

/// Mirror of CPython's `PyByteArrayObject` (checked against the headers by `layout`).
#[repr(C)]
pub struct PyByteArrayObject {
    pub ob_base: PyVarObject,
    pub ob_alloc: Py_ssize_t,
    pub ob_bytes: *mut c_char,
    pub ob_start: *mut c_char,
    pub ob_exports: Py_ssize_t,
    /// 3.15: the `bytes` object that owns `ob_bytes` (for zero-copy `bytes(bytearray)`).
    #[cfg(py_3_15)]
    pub ob_bytes_object: *mut PyObject,
}

/// A bytearray's contents, pinned: while it lives the bytearray counts one more buffer
/// export, exactly as `bytearray.__buffer__` does, so a resize from Python code that runs
/// meanwhile (a finaliser during allocation) raises `BufferError` instead of freeing the data.
pub struct PinnedByteArray {
    raw: *mut PyByteArrayObject,
}

impl PinnedByteArray {
    /// # Safety
    /// `obj` must be a live `bytearray` (or subclass) that outlives the pin.
    pub unsafe fn new(obj: *mut PyObject) -> Self {
        let raw = obj.cast::<PyByteArrayObject>();
        // SAFETY: `obj` is a bytearray; the GIL is held, so the export count is ours to bump.
        unsafe { (*raw).ob_exports += 1 };
        PinnedByteArray { raw }
    }

    /// The pinned bytes.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: an exported bytearray cannot be resized or freed, so `ob_start` points to
        // `ob_size` initialised bytes for as long as the pin lives. An empty bytearray may have
        // a null `ob_start`, which `from_raw_parts` must not see.
        unsafe {
            let len = (*self.raw).ob_base.ob_size as usize;
            if len == 0 {
                return &[];
            }
            std::slice::from_raw_parts((*self.raw).ob_start.cast::<u8>(), len)
        }
    }
}

impl Drop for PinnedByteArray {
    fn drop(&mut self) {
        // SAFETY: `new` incremented the count on this still-live object; the GIL is held.
        unsafe { (*self.raw).ob_exports -= 1 };
    }
}

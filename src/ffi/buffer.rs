//! `Py_buffer` and `PyMemoryViewObject`: `PyMemoryView_GET_BUFFER`-style access to a
//! memoryview's view (`buf`, `len`, `format`, `ndim`, `shape`, `strides`) by direct struct
//! access, and a pin that keeps the view from being released while rjson reads it in place.

use pyo3_ffi::{PyObject, PyVarObject, Py_hash_t, Py_ssize_t};
use std::os::raw::{c_char, c_int, c_void};

/// Mirror of CPython's `Py_buffer` (checked against the headers by `layout`).
#[repr(C)]
pub struct Py_buffer {
    pub buf: *mut c_void,
    pub obj: *mut PyObject,
    pub len: Py_ssize_t,
    pub itemsize: Py_ssize_t,
    pub readonly: c_int,
    pub ndim: c_int,
    pub format: *mut c_char,
    pub shape: *mut Py_ssize_t,
    pub strides: *mut Py_ssize_t,
    pub suboffsets: *mut Py_ssize_t,
    pub internal: *mut c_void,
}

/// Mirror of the leading fields of CPython's `PyMemoryViewObject` (checked by `layout`).
#[repr(C)]
pub struct PyMemoryViewObject {
    pub ob_base: PyVarObject,
    pub mbuf: *mut PyObject,
    pub hash: Py_hash_t,
    pub flags: c_int,
    pub exports: Py_ssize_t,
    pub view: Py_buffer,
}

/// `_Py_MEMORYVIEW_RELEASED`: the view was released and must not be read.
pub const _PY_MEMORYVIEW_RELEASED: c_int = 0x001;
/// `_Py_MEMORYVIEW_C`: the view is C-contiguous.
pub const _PY_MEMORYVIEW_C: c_int = 0x002;

/// Why a memoryview cannot be read as one run of bytes.
pub enum ViewError {
    Released,
    NotContiguous,
}

/// The view of a memoryview (`PyMemoryView_GET_BUFFER`): `buf` and `len` give its bytes,
/// `format`, `ndim`, `shape` and `strides` its items.
///
/// # Safety
/// `obj` must be a live memoryview.
#[inline(always)]
pub unsafe fn memoryview_buffer<'a>(obj: *mut PyObject) -> &'a Py_buffer {
    // SAFETY: `obj` is a memoryview, whose `view` field is embedded in the object.
    unsafe { &(*obj.cast::<PyMemoryViewObject>()).view }
}

/// A C-contiguous memoryview's bytes, pinned: while it lives the memoryview counts one more
/// export, as `memoryview.__buffer__` does, so `release()` from Python code that runs meanwhile
/// raises `BufferError` instead of invalidating the memory.
pub struct PinnedView {
    raw: *mut PyMemoryViewObject,
}

impl PinnedView {
    /// # Safety
    /// `obj` must be a live memoryview that outlives the pin; the GIL must be held.
    pub unsafe fn new(obj: *mut PyObject) -> Result<Self, ViewError> {
        let raw = obj.cast::<PyMemoryViewObject>();
        // SAFETY: `obj` is a memoryview; `flags` and `exports` are plain fields guarded by the GIL.
        unsafe {
            if (*raw).flags & _PY_MEMORYVIEW_RELEASED != 0 {
                return Err(ViewError::Released);
            }
            if (*raw).flags & _PY_MEMORYVIEW_C == 0 {
                return Err(ViewError::NotContiguous);
            }
            (*raw).exports += 1;
        }
        Ok(PinnedView { raw })
    }

    /// The pinned bytes (`len` counts bytes, whatever the item format).
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: an unreleased C-contiguous view covers `len` readable bytes at `buf`, kept
        // alive by the exporter that the memoryview holds; the pin blocks `release()`.
        unsafe {
            let view = memoryview_buffer(self.raw.cast());
            if view.len == 0 {
                return &[];
            }
            std::slice::from_raw_parts(view.buf.cast::<u8>(), view.len as usize)
        }
    }
}

impl Drop for PinnedView {
    fn drop(&mut self) {
        // SAFETY: `new` incremented the count on this still-live object; the GIL is held.
        unsafe { (*self.raw).exports -= 1 };
    }
}

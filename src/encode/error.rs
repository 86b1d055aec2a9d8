//! How the encoder reports failure: a Python exception is set ([`PyErrSet`]), and the orjson
//! face's own errors (`JSONEncodeError`, which is `TypeError`).

use crate::py::{raise, tp_name};
use pyo3_ffi::*;

/// A Python exception is set.
pub struct PyErrSet;

pub type Result<T> = std::result::Result<T, PyErrSet>;

/// orjson's error for a str that UTF-8 cannot hold.
pub const SURROGATES: &str = "str is not valid UTF-8: surrogates not allowed";

/// orjson's error for an object of no type it knows (and no `default` for it).
pub unsafe fn unserializable(o: *mut PyObject) -> PyErrSet {
    // SAFETY: `o` is live.
    refuse(&format!("Type is not JSON serializable: {}", unsafe { tp_name(o) }))
}

/// `MemoryError`: the output could not grow (both faces, as `json` raises it).
pub fn no_memory() -> PyErrSet {
    // SAFETY: GIL held by every encoder.
    unsafe { PyErr_NoMemory() };
    PyErrSet
}

/// Raises the orjson face's `JSONEncodeError` (which is `TypeError`) with `msg`.
pub fn refuse(msg: &str) -> PyErrSet {
    // SAFETY: GIL held by every encoder.
    unsafe { raise(PyExc_TypeError, msg) };
    PyErrSet
}

/// As [`refuse`], with the exception set now as the new error's cause.
pub fn refuse_caused(msg: &str) -> PyErrSet {
    // SAFETY: GIL held with an exception set; the exceptions are owned and handed on.
    unsafe {
        let cause = crate::py::take_exception();
        refuse(msg);
        let exc = crate::py::take_exception();
        PyException_SetCause(exc, cause);
        crate::py::restore_exception(exc);
    }
    PyErrSet
}

//! The standard library's face: `dumps`, `dump`, `loads`, `load`, and the classes
//! `JSONEncoder` and `JSONDecoder` (subclasses of `json`'s own, so `isinstance` and every
//! attribute behave as there). All of them configure the one encoder and decoder; whatever
//! the engine does not cover (a user override, an unusual call) goes to the standard
//! library's own Python code, so the result is the same either way.

mod classes;
mod decoder;
mod dumps;
mod encoder;
mod last_options;
mod loads;

pub use classes::add_classes;
pub use dumps::{dump, dumps};
pub use last_options::LastOptions;
pub use loads::{load, loads};

use pyo3_ffi::*;

/// Calls `func` with the arguments a FASTCALL method received (its instance first): the
/// standard library's implementation of what rjson's method does not handle itself.
///
/// # Safety
/// GIL held; the arguments are those the interpreter passed to the calling function.
unsafe fn delegate(func: *mut PyObject, args: *const *mut PyObject, nargs: Py_ssize_t, kwnames: *mut PyObject) -> *mut PyObject {
    // SAFETY: forwarded; without PY_VECTORCALL_ARGUMENTS_OFFSET the callee leaves `args` alone.
    unsafe { PyObject_Vectorcall(func, args, nargs as usize, kwnames) }
}

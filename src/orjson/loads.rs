//! `rjson.orjson.loads(obj, /)`: the shared decoder configured as orjson: strict JSON (no
//! NaN or Infinity, no BOM, no lone surrogates), nesting up to 1024, orjson's error type.

use crate::decode::{decode_document, Config};
use crate::module::state;
use crate::py::raise;
use pyo3_ffi::*;
use std::ptr::null_mut;

pub unsafe extern "C" fn loads(
    module: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: the interpreter passes a valid vectorcall argument array with the GIL held, and
    // `module` is this extension's module object.
    unsafe {
        if !kwnames.is_null() && PyTuple_GET_SIZE(kwnames) != 0 {
            raise(PyExc_TypeError, "orjson.loads() takes no keyword arguments");
            return null_mut();
        }
        if nargs != 1 {
            raise(PyExc_TypeError, &format!("orjson.loads() takes exactly one argument ({nargs} given)"));
            return null_mut();
        }
        let config = Config::ORJSON;
        decode_document(state(module), *args, config, true)
    }
}

//! `rjson.dumps`: argument handling and the call of the encoder.

use super::encoder::Encoder;
use super::options::{Options, RawOptions};
use crate::args::Call;
use crate::module::Name;
use crate::py::{max_depth, raise};
use pyo3_ffi::*;
use std::ptr::null_mut;

/// Keywords of `json.dumps`, in the order of `RawOptions`' fields, then `cls` and `obj`.
const KEYWORDS: [Name; 10] = [
    Name::Skipkeys,
    Name::EnsureAscii,
    Name::CheckCircular,
    Name::AllowNan,
    Name::Indent,
    Name::Separators,
    Name::Default,
    Name::SortKeys,
    Name::Cls,
    Name::Obj,
];

/// `dumps(obj, **kw)`, called by the interpreter (METH_FASTCALL | METH_KEYWORDS).
pub unsafe extern "C" fn dumps(
    module: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: the interpreter passes a valid vectorcall argument array with the GIL held, and
    // `module` is this extension's module object. Keyword values are borrowed for the call.
    unsafe {
        let Some((_, call, kw)) = Call::read(module, args, nargs, kwnames, "dumps", &KEYWORDS) else {
            return null_mut();
        };
        let [skipkeys, ensure_ascii, check_circular, allow_nan, indent, separators, default, sort_keys, cls, obj] = kw;
        let Some(obj) = call.one_argument("dumps", "obj", obj) else {
            return null_mut();
        };
        if !cls.is_null() && cls != Py_None() {
            raise(PyExc_TypeError, "rjson.dumps() does not support cls= yet");
            return null_mut();
        }
        let raw = RawOptions { skipkeys, ensure_ascii, check_circular, allow_nan, indent, separators, default, sort_keys };
        let Some(options) = Options::from_raw(&raw) else {
            return null_mut();
        };
        let mut encoder = Encoder::new(&options, max_depth());
        if encoder.encode(obj).is_err() {
            return null_mut();
        }
        std::mem::take(&mut encoder.out).finish()
    }
}

//! Argument parsing for `METH_FASTCALL | METH_KEYWORDS` functions.
//!
//! Keyword names are matched by pointer against the module's interned names first (what the
//! interpreter passes for literal keywords) and by text as a fallback, so a keyword built at
//! run time still works. Unknown keywords raise `TypeError` as Python functions do.

use crate::module::{Name, State};
use crate::py::{raise, str_to_string};
use pyo3_ffi::*;

/// The arguments of one call: positional ones, then keyword values named by `kwnames`.
pub struct Call {
    pub args: *const *mut PyObject,
    pub nargs: usize,
    pub kwnames: *mut PyObject,
}

impl Call {
    /// Checks the positional count (`func` takes exactly `count`) and returns argument `0..count`.
    ///
    /// # Safety
    /// The fields must be those the interpreter passed to a FASTCALL function; GIL held.
    pub unsafe fn positional(&self, func: &str, count: usize) -> Option<&[*mut PyObject]> {
        if self.nargs != count {
            let plural = if count == 1 { "" } else { "s" };
            let msg = if self.nargs < count {
                format!("{func}() missing {} required positional argument{plural}", count - self.nargs)
            } else {
                format!("{func}() takes {count} positional argument{plural} but {} were given", self.nargs)
            };
            // SAFETY: GIL held by the caller.
            unsafe { raise(PyExc_TypeError, &msg) };
            return None;
        }
        // SAFETY: the interpreter passes `nargs` valid argument pointers.
        Some(unsafe { std::slice::from_raw_parts(self.args, count) })
    }

    /// Fills `out[k]` with the (borrowed) value of keyword `allowed[k]`, or leaves it NULL.
    ///
    /// # Safety
    /// As for [`Call::positional`]; `state` must be the called module's state.
    pub unsafe fn keywords(&self, state: &State, func: &str, allowed: &[Name], out: &mut [*mut PyObject]) -> Option<()> {
        if self.kwnames.is_null() {
            return Some(());
        }
        // SAFETY: kwnames is a tuple of str; the values follow the positional arguments.
        unsafe {
            let count = PyTuple_GET_SIZE(self.kwnames) as usize;
            for i in 0..count {
                let name = PyTuple_GET_ITEM(self.kwnames, i as Py_ssize_t);
                let value = *self.args.add(self.nargs + i);
                let found = allowed.iter().position(|&n| state.name(n) == name).or_else(|| {
                    allowed.iter().position(|&n| PyUnicode_CompareWithASCIIString(name, n.text().as_ptr()) == 0)
                });
                match found {
                    Some(k) => out[k] = value,
                    None => {
                        let shown = str_to_string(name).unwrap_or_default();
                        raise(PyExc_TypeError, &format!("{func}() got an unexpected keyword argument '{shown}'"));
                        return None;
                    }
                }
            }
        }
        Some(())
    }
}

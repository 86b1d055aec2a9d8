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
    /// Reads a call of `func` made by the interpreter: the module's state and the borrowed
    /// values of the keywords `allowed` (NULL where not given).
    ///
    /// # Safety
    /// The arguments must be those the interpreter passed to a FASTCALL|KEYWORDS function of
    /// the rjson module `module`; GIL held.
    pub unsafe fn read<'s, const N: usize>(
        module: *mut PyObject,
        args: *const *mut PyObject,
        nargs: Py_ssize_t,
        kwnames: *mut PyObject,
        func: &str,
        allowed: &[Name; N],
    ) -> Option<(&'s State, Call, [*mut PyObject; N])> {
        // SAFETY: forwarded from the caller.
        unsafe {
            let state = crate::module::state(module);
            let call = Call { args, nargs: nargs as usize, kwnames };
            let mut values = [std::ptr::null_mut(); N];
            call.keywords(state, func, allowed, &mut values)?;
            Some((state, call, values))
        }
    }

    /// The function's one argument, `name`, given by position or as keyword (`by_keyword`
    /// is the keyword's value or NULL), with Python's messages when it is missing or doubled.
    ///
    /// # Safety
    /// The fields must be those the interpreter passed to a FASTCALL function; GIL held.
    pub unsafe fn one_argument(&self, func: &str, name: &str, by_keyword: *mut PyObject) -> Option<*mut PyObject> {
        let msg = match (self.nargs, by_keyword.is_null()) {
            // SAFETY: the interpreter passes `nargs` valid argument pointers.
            (1, true) => return Some(unsafe { *self.args }),
            (0, false) => return Some(by_keyword),
            (0, true) => format!("{func}() missing 1 required positional argument: '{name}'"),
            (1, false) => format!("{func}() got multiple values for argument '{name}'"),
            (n, _) => format!("{func}() takes 1 positional argument but {n} were given"),
        };
        // SAFETY: GIL held by the caller.
        unsafe { raise(PyExc_TypeError, &msg) };
        None
    }

    /// Fills `out[k]` with the (borrowed) value of keyword `allowed[k]`, or leaves it NULL.
    ///
    /// # Safety
    /// As for [`Call::positional`]; `state` must be the called module's state.
    unsafe fn keywords(&self, state: &State, func: &str, allowed: &[Name], out: &mut [*mut PyObject]) -> Option<()> {
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

//! Argument parsing for `METH_FASTCALL | METH_KEYWORDS` functions.
//!
//! Keyword names are matched by pointer against the module's interned names first (what the
//! interpreter passes for literal keywords) and by text as a fallback, so a keyword built at
//! run time still works. Other keywords are collected for `**kw`.

use crate::module::{Name, State};
use crate::py::{raise, Owned};
use pyo3_ffi::*;

/// The arguments of one call: positional ones, then keyword values named by `kwnames`.
pub struct Call {
    pub args: *const *mut PyObject,
    pub nargs: usize,
    pub kwnames: *mut PyObject,
}

impl Call {
    /// Reads a call made by the interpreter of a function that takes `**kw`: the
    /// module's state, the borrowed values of the keywords `allowed` (NULL where not given),
    /// and the other keywords in a new dict (`None` when there are none).
    ///
    /// # Safety
    /// The arguments must be those the interpreter passed to a FASTCALL|KEYWORDS function of
    /// the rjson module `module`; GIL held.
    pub unsafe fn read_with_extra<'s, const N: usize>(
        module: *mut PyObject,
        args: *const *mut PyObject,
        nargs: Py_ssize_t,
        kwnames: *mut PyObject,
        allowed: &[Name; N],
    ) -> Option<(&'s State, Call, [*mut PyObject; N], Option<Owned>)> {
        // SAFETY: forwarded from the caller.
        unsafe {
            let state = crate::module::state(module);
            let call = Call { args, nargs: nargs as usize, kwnames };
            let mut values = [std::ptr::null_mut(); N];
            let mut extra = None;
            call.keywords(state, allowed, &mut values, &mut extra)?;
            Some((state, call, values, extra))
        }
    }

    /// The function's positional parameters `names`, given by position or as keywords
    /// (`by_keyword[k]` is the keyword's value or NULL), with Python's messages when some are
    /// missing, doubled or too many.
    ///
    /// # Safety
    /// The fields must be those the interpreter passed to a FASTCALL function; GIL held.
    pub unsafe fn positional<const P: usize>(
        &self,
        func: &str,
        names: [&str; P],
        by_keyword: [*mut PyObject; P],
    ) -> Option<[*mut PyObject; P]> {
        let msg = if self.nargs > P {
            let takes = if P == 1 { "1 positional argument".to_owned() } else { format!("{P} positional arguments") };
            format!("{func}() takes {takes} but {} were given", self.nargs)
        } else if let Some(k) = (0..self.nargs).find(|&k| !by_keyword[k].is_null()) {
            format!("{func}() got multiple values for argument '{}'", names[k])
        } else {
            let missing: Vec<String> =
                (self.nargs..P).filter(|&k| by_keyword[k].is_null()).map(|k| format!("'{}'", names[k])).collect();
            if missing.is_empty() {
                // SAFETY: the interpreter passes `nargs` valid argument pointers.
                return Some(std::array::from_fn(|k| if k < self.nargs { unsafe { *self.args.add(k) } } else { by_keyword[k] }));
            }
            let listed = match missing.as_slice() {
                [one] => one.clone(),
                [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
                [] => String::new(),
            };
            let plural = if missing.len() == 1 { "argument" } else { "arguments" };
            format!("{func}() missing {} required positional {plural}: {listed}", missing.len())
        };
        // SAFETY: GIL held by the caller.
        unsafe { raise(PyExc_TypeError, &msg) };
        None
    }

    /// Fills `out[k]` with the (borrowed) value of keyword `allowed[k]`, or leaves it NULL;
    /// other keywords go to `extra` (a new dict).
    ///
    /// # Safety
    /// As for [`Call::positional`]; `state` must be the called module's state.
    unsafe fn keywords(&self, state: &State, allowed: &[Name], out: &mut [*mut PyObject], extra: &mut Option<Owned>) -> Option<()> {
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
                        if extra.is_none() {
                            *extra = Some(Owned::new(PyDict_New())?);
                        }
                        let dict = extra.as_ref()?.as_ptr();
                        if PyDict_SetItem(dict, name, value) != 0 {
                            return None;
                        }
                    }
                }
            }
        }
        Some(())
    }
}

//! The options of the last `dumps` call that its keywords alone configured, kept for the next
//! call with the same keyword values. Reading them (truth values, separators unpacked and
//! copied) and moving them about was a fifth of the instructions of a 100-byte document's
//! `dumps`; a call site passes the same objects every time (`separators=(",", ":")` is one
//! constant tuple).
//!
//! Only values whose meaning cannot change are kept: the flags' singletons, an exact int or
//! str `indent`, an exact tuple of two exact strs as `separators`, no `default`. The kept
//! ones are held (strong references), so an address seen again is the same object; releasing
//! them runs no Python code.

use crate::encode::Options;
use crate::ffi::containers::tuple_item;
use pyo3_ffi::*;

/// `dumps`' settings in `Settings`' order: skipkeys, ensure_ascii, check_circular, allow_nan,
/// indent, separators, default, sort_keys (NULL where not given).
pub type Values = [*mut PyObject; 8];

const INDENT: usize = 4;
const SEPARATORS: usize = 5;
const DEFAULT: usize = 6;

/// The kept options (a `Box` owned by the module; emptied by `m_clear`, freed by `m_free`).
#[derive(Default)]
pub struct LastOptions {
    kept: Option<(Values, Options)>,
    /// An encoding with the kept options is running (a `default` or a list subclass's
    /// `__iter__` can call `dumps` again): other calls leave them alone meanwhile.
    in_use: bool,
}

impl LastOptions {
    /// Runs `encode` with the options `values` configure: the kept ones if they were read
    /// from the same values, else those `read` makes, which are kept if the values allow.
    /// `None` when they cannot be kept or are in use (the caller reads its own), `Some(Err)`
    /// when `read` refused.
    ///
    /// # Safety
    /// GIL held; `last` is the module's; the values are live for the call.
    pub unsafe fn with<R, E>(
        last: *mut LastOptions,
        values: &Values,
        read: impl FnOnce() -> Result<Options, E>,
        encode: impl FnOnce(&Options) -> R,
    ) -> Option<Result<R, E>> {
        // SAFETY: GIL held, so no other thread reaches `last`; a nested call (from `encode`)
        // sees `in_use` and touches nothing else. Borrows of `*last` end before `encode`
        // runs, except that of the options it reads, which nothing changes meanwhile.
        unsafe {
            if (*last).in_use || !values.iter().enumerate().all(|(k, &v)| keepable(k, v)) {
                return None;
            }
            if !(*last).kept.as_ref().is_some_and(|(kept, _)| kept == values) {
                let options = match read() {
                    Ok(options) => options,
                    Err(refused) => return Some(Err(refused)),
                };
                for &v in values.iter().filter(|v| !v.is_null()) {
                    Py_INCREF(v);
                }
                // The old values are ints, strs and tuples of strs: releasing them runs no
                // Python code.
                release((*last).kept.replace((*values, options)));
            }
            let (_, options) = (*last).kept.as_ref()?;
            (*last).in_use = true;
            let result = encode(options);
            (*last).in_use = false;
            Some(Ok(result))
        }
    }

    /// Drops the kept options and releases their values (`m_clear`).
    pub fn clear(&mut self) {
        if !self.in_use {
            // SAFETY: called with the GIL held by the module's clear.
            unsafe { release(self.kept.take()) };
        }
    }
}

/// Releases the values of kept options.
///
/// # Safety
/// GIL held; `kept` holds a reference to each of its non-NULL values.
unsafe fn release(kept: Option<(Values, Options)>) {
    for v in kept.into_iter().flat_map(|(values, _)| values) {
        // SAFETY: each non-NULL kept value holds a reference; GIL held.
        unsafe { Py_XDECREF(v) };
    }
}

/// Whether the `k`th setting's value always reads the same, so options read from it can be
/// kept: see the module's documentation.
///
/// # Safety
/// GIL held; `v` NULL or a live object.
unsafe fn keepable(k: usize, v: *mut PyObject) -> bool {
    // SAFETY: `v` is NULL or a live object; exact types are checked before their items are
    // read.
    unsafe {
        if v.is_null() || v == Py_None() {
            return true;
        }
        match k {
            INDENT => PyLong_CheckExact(v) != 0 || PyUnicode_CheckExact(v) != 0,
            SEPARATORS => {
                PyTuple_CheckExact(v) != 0
                    && PyTuple_GET_SIZE(v) == 2
                    && (0..2).all(|i| PyUnicode_CheckExact(tuple_item(v, i)) != 0)
            }
            DEFAULT => false,
            _ => v == Py_True() || v == Py_False(),
        }
    }
}

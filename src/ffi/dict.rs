//! `PyDictObject`, and the head of CPython 3.11+'s internal `PyDictKeysObject`: where a
//! combined table with str keys keeps its entries, so that the decoder can write the values
//! of a dict it has just copied from a template (src/decode/shapes.rs). Older tables differ:
//! there [`entries_work`] says no.
//!
//! `PyDictObject` is public and checked against the headers by `layout`; the keys object is
//! internal (its header cannot be included here), so [`entries_work`] checks at run time that
//! these mirrors find the entries of a real dict, and the decoder uses them only if so.

use pyo3_ffi::{PyObject, Py_ssize_t};
use std::os::raw::c_void;
use std::sync::atomic::{AtomicU8, Ordering};

/// Mirror of CPython's `PyDictObject` (checked against the headers by `layout`).
#[repr(C)]
pub struct PyDictObject {
    pub ob_base: PyObject,
    pub ma_used: Py_ssize_t,
    /// `ma_version_tag` before 3.14, `_ma_watcher_tag` since.
    pub ma_tag: u64,
    pub ma_keys: *mut PyDictKeysObject,
    pub ma_values: *mut c_void,
}

/// The head of CPython's internal `struct _dictkeysobject` (3.11 to 3.15, GIL builds); the
/// hash indices follow it (`1 << dk_log2_index_bytes` bytes), then the entries.
#[repr(C)]
pub struct PyDictKeysObject {
    pub dk_refcnt: Py_ssize_t,
    pub dk_log2_size: u8,
    pub dk_log2_index_bytes: u8,
    /// `DICT_KEYS_GENERAL` (0), `_UNICODE` (1) or `_SPLIT` (2).
    pub dk_kind: u8,
    pub dk_version: u32,
    pub dk_usable: Py_ssize_t,
    pub dk_nentries: Py_ssize_t,
}

/// An entry of a table whose keys are all str (`PyDictUnicodeEntry`).
#[repr(C)]
pub struct PyDictUnicodeEntry {
    pub me_key: *mut PyObject,
    pub me_value: *mut PyObject,
}

const DICT_KEYS_UNICODE: u8 = 1;

/// The entries of `dict` if it is a combined table of str keys (as a dict of str keys that no
/// one else has seen is), else `None`.
///
/// # Safety
/// `dict` must be a live exact dict; the mirrors must match (see [`entries_work`]).
#[inline(always)]
pub unsafe fn unicode_entries<'a>(dict: *mut PyObject) -> Option<&'a mut [PyDictUnicodeEntry]> {
    // SAFETY: a dict's keys object starts with the mirrored head; a combined unicode table's
    // `dk_nentries` entries follow its indices.
    unsafe {
        let dict = &*dict.cast::<PyDictObject>();
        let keys = dict.ma_keys;
        if !dict.ma_values.is_null() || (*keys).dk_kind != DICT_KEYS_UNICODE {
            return None;
        }
        let indices = keys.add(1).cast::<u8>();
        let entries = indices.add(1 << (*keys).dk_log2_index_bytes).cast::<PyDictUnicodeEntry>();
        Some(std::slice::from_raw_parts_mut(entries, (*keys).dk_nentries as usize))
    }
}

/// [`entries_work`]'s answer, found once per process (0: not yet, 1: yes, 2: no); the layout
/// is the interpreter binary's, the same in every subinterpreter.
static ENTRIES_WORK: AtomicU8 = AtomicU8::new(0);

/// Whether [`unicode_entries`] can be used: [`entries_work`], checked once.
///
/// # Safety
/// GIL held.
pub unsafe fn entries_usable() -> bool {
    match ENTRIES_WORK.load(Ordering::Relaxed) {
        1 => true,
        2 => false,
        _ => {
            // SAFETY: forwarded. Two interpreters racing here compute the same answer.
            let works = unsafe { entries_work() };
            ENTRIES_WORK.store(if works { 1 } else { 2 }, Ordering::Relaxed);
            works
        }
    }
}

/// Whether [`unicode_entries`] finds the keys and values of a real dict where they are: a
/// run-time check of the internal layout.
///
/// # Safety
/// GIL held.
unsafe fn entries_work() -> bool {
    use pyo3_ffi::*;
    if !cfg!(py_3_11) {
        return false;
    }
    // SAFETY: a fresh dict of new objects, released before returning; every reference taken
    // is owned by `Owned`.
    unsafe {
        let Some(dict) = crate::py::Owned::new(PyDict_New()) else {
            PyErr_Clear();
            return false;
        };
        let mut items = Vec::new();
        for k in 0..9 {
            let key = crate::py::Owned::new(PyUnicode_FromFormat(c"rjson-layout-%d".as_ptr(), k));
            let value = crate::py::Owned::new(PyLong_FromLong(1000 + k));
            let (Some(key), Some(value)) = (key, value) else {
                PyErr_Clear();
                return false;
            };
            if PyDict_SetItem(dict.as_ptr(), key.as_ptr(), value.as_ptr()) != 0 {
                PyErr_Clear();
                return false;
            }
            items.push((key, value));
        }
        match unicode_entries(dict.as_ptr()) {
            Some(entries) => {
                entries.len() == items.len()
                    && entries.iter().zip(&items).all(|(e, (k, v))| e.me_key == k.as_ptr() && e.me_value == v.as_ptr())
            }
            None => false,
        }
    }
}

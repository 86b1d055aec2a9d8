//! `PyDictObject`, and the internals of CPython 3.11+'s tables: where a combined table with str
//! keys keeps its entries, so that the decoder can write the values of a dict it has just
//! copied from a template (src/decode/shapes.rs), and how a split table (the class-shared keys
//! of instance attributes) keeps its values and their order. Older tables differ: there
//! [`entries_work`] says no.
//!
//! `PyDictObject` is public and checked against the headers by `layout`; the keys and values
//! objects are internal (their headers cannot be included here), so [`entries_work`] (and
//! `instance::attributes_work` for split tables) check at run time that these mirrors find
//! the entries of real dicts, and they are used only if so.

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
const DICT_KEYS_SPLIT: u8 = 2;

/// The head of CPython 3.13+'s internal `PyDictValues`; the values follow it, then the
/// insertion order (a byte per value, `capacity` of them).
#[cfg(py_3_13)]
#[repr(C)]
pub struct PyDictValues {
    pub capacity: u8,
    pub size: u8,
    pub embedded: u8,
    /// Whether inline values (in the object) hold its attributes, not a dict.
    pub valid: u8,
    pub values: [*mut PyObject; 0],
}

/// The members of a split table (shared str keys, values in a separate array) in insertion
/// order: 3.11 and 3.12 keep the order in bytes before the values (`[-2]` their count,
/// `[-3 - i]` the `i`th index), 3.13+ in `PyDictValues`, after the values.
#[derive(Clone, Copy)]
pub struct SplitTable {
    entries: *const PyDictUnicodeEntry,
    /// How many keys there are; every index in the order is below it.
    keys: usize,
    values: *const *mut PyObject,
    order: *const u8,
    len: usize,
}

impl SplitTable {
    /// The table of `values` (a values array of CPython's layout) over the split keys `keys`;
    /// `None` if `keys` is not a split table.
    ///
    /// # Safety
    /// GIL held; `keys` a live keys object and `values` live values of a table of those keys;
    /// the mirrors must match (see `instance::attributes_work`).
    pub unsafe fn new(keys: *mut PyDictKeysObject, values: *mut c_void) -> Option<SplitTable> {
        // SAFETY: a split table's keys object is the mirrored head, its indices, then its
        // unicode entries; its values (and their order) are laid out as the version keeps them.
        unsafe {
            if (*keys).dk_kind != DICT_KEYS_SPLIT {
                return None;
            }
            let indices = keys.add(1).cast::<u8>();
            let entries = indices.add(1 << (*keys).dk_log2_index_bytes).cast::<PyDictUnicodeEntry>();
            #[cfg(py_3_13)]
            let (values, order, len) = {
                let head = values.cast::<PyDictValues>();
                let values = (&raw const (*head).values).cast::<*mut PyObject>();
                (values, values.add((*head).capacity as usize).cast::<u8>(), (*head).size as usize)
            };
            #[cfg(not(py_3_13))]
            let (values, order, len) = {
                let bytes = values.cast::<u8>();
                (values.cast::<*mut PyObject>().cast_const(), bytes.sub(3).cast_const(), *bytes.sub(2) as usize)
            };
            Some(SplitTable { entries, keys: (*keys).dk_nentries as usize, values, order, len })
        }
    }

    /// How many members there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The `i`th member (`i < len`) in insertion order: its key (an exact str) and its value;
    /// `None` if the order names no key (a layout this does not know), or the value is gone.
    ///
    /// # Safety
    /// The table's objects live and unchanged since `new`; `i < len`.
    #[inline(always)]
    pub unsafe fn member(&self, i: usize) -> Option<(*mut PyObject, *mut PyObject)> {
        // SAFETY: forwarded; the index is below `keys`.
        unsafe { self.indexed_member(i).map(|(index, value)| (self.key(index), value)) }
    }

    /// The `i`th member's key index (below [`key_count`](Self::key_count)) and value, as
    /// [`member`](Self::member) finds them.
    ///
    /// # Safety
    /// As for `member`.
    #[inline(always)]
    pub unsafe fn indexed_member(&self, i: usize) -> Option<(usize, *mut PyObject)> {
        debug_assert!(i < self.len);
        // SAFETY: the order has `len` bytes (before the values and falling before 3.13, after
        // them and rising since), each an index into the keys and values, checked below.
        unsafe {
            #[cfg(py_3_13)]
            let index = *self.order.add(i) as usize;
            #[cfg(not(py_3_13))]
            let index = *self.order.sub(i) as usize;
            if index >= self.keys {
                return None;
            }
            let value = *self.values.add(index);
            (!value.is_null()).then_some((index, value))
        }
    }

    /// How many keys the keys object has.
    pub fn key_count(&self) -> usize {
        self.keys
    }

    /// The key at `index`, an exact str.
    ///
    /// # Safety
    /// The table's objects live and unchanged since `new`; `index < key_count()`.
    #[inline(always)]
    pub unsafe fn key(&self, index: usize) -> *mut PyObject {
        debug_assert!(index < self.keys);
        // SAFETY: a split keys object has `keys` entries.
        unsafe { (*self.entries.add(index)).me_key }
    }

    /// What tells the keys object apart (the address of its entries): the tables of one
    /// class's instances share it.
    pub fn keys_id(&self) -> *const PyDictUnicodeEntry {
        self.entries
    }
}

/// The split table of `dict` if it has one (an instance dict made of its attributes).
///
/// # Safety
/// `dict` must be a live exact dict; the mirrors must match (see `instance::attributes_work`).
#[inline(always)]
pub unsafe fn split_table(dict: *mut PyObject) -> Option<SplitTable> {
    // SAFETY: forwarded; a dict with values is split, with the keys it names.
    unsafe {
        let dict = &*dict.cast::<PyDictObject>();
        if dict.ma_values.is_null() {
            return None;
        }
        SplitTable::new(dict.ma_keys, dict.ma_values)
    }
}

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

/// A run-time check of an internal layout, made once per process: the layout is the
/// interpreter binary's, the same in every subinterpreter.
pub struct LayoutCheck {
    /// 0: not yet made, 1: the layout is as mirrored, 2: it is not.
    answer: AtomicU8,
    check: unsafe fn() -> bool,
}

impl LayoutCheck {
    pub const fn new(check: unsafe fn() -> bool) -> LayoutCheck {
        LayoutCheck { answer: AtomicU8::new(0), check }
    }

    /// Whether the layout is as mirrored, checked the first time it is asked.
    ///
    /// # Safety
    /// GIL held; no borrowed reference the check's Python objects could disturb (making them
    /// may run a garbage collection).
    pub unsafe fn passed(&self) -> bool {
        match self.answer.load(Ordering::Relaxed) {
            1 => true,
            2 => false,
            _ => {
                // SAFETY: forwarded. Two interpreters racing here compute the same answer.
                let works = unsafe { (self.check)() };
                self.answer.store(if works { 1 } else { 2 }, Ordering::Relaxed);
                works
            }
        }
    }
}

/// Whether [`unicode_entries`] can be used: [`entries_work`], checked once.
pub static ENTRIES: LayoutCheck = LayoutCheck::new(entries_work);

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

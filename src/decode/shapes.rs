//! Object shapes: documents repeat objects with the same keys in the same order (records),
//! so the second time a key sequence is seen in a document, a dict of those keys (values
//! None) becomes its template; later objects of that shape are copies of it (`PyDict_Copy`
//! clones the hash table in one piece) whose values are then written in place, instead of
//! dicts built by inserting (hashing, probing) every key.
//!
//! Keys are matched by identity, which the key cache makes stable across calls; a shape
//! holds references to its keys, so no other object can take their addresses. Shapes are
//! kept between calls, as the key cache is: a small document loaded again and again is a
//! copy from its second call on (building its dict by insertion was a quarter of a 100-byte
//! object's `loads`). At most [`SLOTS`] shapes of at most [`MAX_KEYS`] keys are held;
//! [`ShapeCache::reset`] lets go of them (`rjson._purge()`, module clear).
//!
//! Writing the values needs the internal layout of a dict's table (CPython 3.11+, checked
//! once at run time, see `crate::ffi::dict`); elsewhere, and whenever a copy is not what is
//! expected, objects are built by insertion.

use crate::ffi::dict::{unicode_entries, ENTRIES};
use crate::ffi::has_type_flag;
use pyo3_ffi::*;
use std::ptr::null_mut;

const SLOT_BITS: u32 = 8;
const SLOTS: usize = 1 << SLOT_BITS;
/// Longer key sequences are rare: not worth hashing every object's keys for.
const MAX_KEYS: usize = 64;

/// The shape last seen in a slot.
struct Shape {
    /// The hash of its key sequence (odd; 0 for none).
    hash: u64,
    /// Owned references to its keys, with `template` once it was seen twice (and empty
    /// `keys` before that).
    keys: Vec<*mut PyObject>,
    /// An owned dict of exactly `keys`, all values None; NULL if `keys` had duplicates (no
    /// template possible) or before the second sighting.
    template: *mut PyObject,
}

pub struct ShapeCache {
    /// Empty where the dict layout check failed: then no shape is ever used.
    slots: Box<[Shape]>,
}

impl ShapeCache {
    /// # Safety
    /// GIL held (the layout check makes a dict).
    pub unsafe fn new() -> ShapeCache {
        // SAFETY: forwarded.
        let usable = unsafe { ENTRIES.passed() };
        let slots = if usable { SLOTS } else { 0 };
        let slots = (0..slots).map(|_| Shape { hash: 0, keys: Vec::new(), template: null_mut() }).collect();
        ShapeCache { slots }
    }

    /// A new dict of `pairs` (key, value, key, value...: owned references, all moved into
    /// the dict or released) copied from the template of their keys; `None` (the pairs
    /// untouched) when there is none yet, with no exception set.
    ///
    /// # Safety
    /// GIL held; `pairs` are owned references, the keys exact `str`s.
    #[inline(always)]
    pub unsafe fn dict_of(&mut self, pairs: &[*mut PyObject]) -> Option<*mut PyObject> {
        let n = pairs.len() / 2;
        if !(2..=MAX_KEYS).contains(&n) || self.slots.is_empty() {
            return None;
        }
        const K: u64 = 0x9E37_79B9_7F4A_7C15;
        let hash = pairs.iter().step_by(2).fold(n as u64, |h, &key| (h ^ key as u64).wrapping_mul(K)) | 1;
        let index = (hash >> (64 - SLOT_BITS)) as usize;
        let shape = &mut self.slots[index];
        if shape.hash != hash {
            // First sighting (or another shape in this slot): only remember it.
            // SAFETY: the shape's references are ours; the GIL is held.
            unsafe { shape.release() };
            shape.hash = hash;
            return None;
        }
        // SAFETY: as above; `pairs` and the template are live.
        unsafe {
            if !shape.keys.iter().copied().eq(pairs.iter().step_by(2).copied()) {
                shape.remake(pairs);
            }
            if shape.template.is_null() {
                return None;
            }
            copy_with_values(shape.template, pairs)
        }
    }

    /// Forgets the shapes, releasing their keys and templates.
    pub fn reset(&mut self) {
        // Rare (`_purge`, module clear): every slot is looked at, none tracked meanwhile.
        for shape in self.slots.iter_mut() {
            // SAFETY: our references; the GIL is held (`_purge`, module clear/free).
            unsafe { shape.release() };
            shape.hash = 0;
        }
    }
}

impl Shape {
    unsafe fn release(&mut self) {
        // SAFETY: we own the keys and the template.
        unsafe {
            for key in self.keys.drain(..) {
                Py_DECREF(key);
            }
            if !self.template.is_null() {
                Py_DECREF(std::mem::replace(&mut self.template, null_mut()));
            }
        }
    }

    /// Takes the keys of `pairs` as this shape's, with their template (none if they have
    /// duplicates, or if making it fails: the error is cleared, this is an optimisation).
    #[cold]
    unsafe fn remake(&mut self, pairs: &[*mut PyObject]) {
        // SAFETY: GIL held; the keys are live str; references taken are owned by the shape.
        unsafe {
            self.release();
            for &key in pairs.iter().step_by(2) {
                Py_INCREF(key);
                self.keys.push(key);
            }
            let template = PyDict_New();
            if template.is_null() {
                PyErr_Clear();
                return;
            }
            for &key in &self.keys {
                if PyDict_SetItem(template, key, Py_None()) != 0 {
                    PyErr_Clear();
                    Py_DECREF(template);
                    return;
                }
            }
            if PyDict_Size(template) as usize != self.keys.len() {
                Py_DECREF(template);
                return;
            }
            self.template = template;
        }
    }
}

/// A copy of `template` with the values of `pairs` (whose keys are the template's, in its
/// order); `None` with the pairs untouched if the copy fails or is not the table expected.
unsafe fn copy_with_values(template: *mut PyObject, pairs: &[*mut PyObject]) -> Option<*mut PyObject> {
    // SAFETY: GIL held; the copy is ours alone until returned; its entries are those of the
    // template (same keys, same order, values None), each overwritten once with an owned
    // value, the None and the key reference released.
    unsafe {
        let dict = PyDict_Copy(template);
        if dict.is_null() {
            PyErr_Clear();
            return None;
        }
        let matches = |entries: &[crate::ffi::dict::PyDictUnicodeEntry]| {
            entries.len() * 2 == pairs.len() && entries.iter().zip(pairs.iter().step_by(2)).all(|(e, &key)| e.me_key == key)
        };
        let Some(entries) = unicode_entries(dict).filter(|entries| matches(entries)) else {
            Py_DECREF(dict);
            return None;
        };
        let mut track = false;
        for (entry, pair) in entries.iter_mut().zip(pairs.chunks_exact(2)) {
            let none = std::mem::replace(&mut entry.me_value, pair[1]);
            Py_DECREF(none);
            Py_DECREF(pair[0]);
            track |= has_type_flag(pair[1], Py_TPFLAGS_HAVE_GC);
        }
        // As CPython's dict tracks itself once it holds an object the collector may track.
        if track && PyObject_GC_IsTracked(dict) == 0 {
            PyObject_GC_Track(dict.cast());
        }
        Some(dict)
    }
}

//! Object keys as written, kept between `dumps` calls: documents repeat the same key objects
//! (interned names, attribute names, the keys `loads` shares), so the fast walk writes a key
//! it has seen as one copy of its quoted text instead of reading, scanning and quoting it
//! again.
//!
//! Direct-mapped on the key's address. A slot owns a reference to its key, so no other object
//! can take that address while the slot holds it, and a `str` never changes: a hit is always
//! right. Only exact ASCII keys that need no escape under any setting and fit a slot are kept:
//! their text is the same under both faces and either `ensure_ascii`. The kept keys (at most
//! 512 short strs) stay alive until they are replaced or the module is cleared. It lives in the module state, so each
//! interpreter has its own.

use crate::ffi::unicode::{PyASCIIObject, STATE_ASCII};
use pyo3_ffi::{PyObject, Py_DECREF, Py_INCREF};

const SLOT_BITS: u32 = 9;
const SLOTS: usize = 1 << SLOT_BITS;
/// Bytes of quoted text a slot holds: a key of up to 30 characters.
pub const TEXT: usize = 32;

struct Slot {
    /// `"key"`, then whatever was there before (copied whole, counted by `len`).
    text: [u8; TEXT],
    len: usize,
    /// An owned reference to the key, or NULL.
    key: *mut PyObject,
}

pub struct KeyTexts {
    slots: Box<[Slot; SLOTS]>,
}

impl Default for KeyTexts {
    fn default() -> Self {
        const EMPTY: Slot = Slot { text: [0; TEXT], len: 0, key: std::ptr::null_mut() };
        KeyTexts { slots: Box::new([EMPTY; SLOTS]) }
    }
}

/// The slot of an object at `key` (objects are 16-byte aligned: the low bits say nothing).
#[inline(always)]
fn slot_of(key: *mut PyObject) -> usize {
    let address = key as usize >> 4;
    (address ^ address >> SLOT_BITS) & (SLOTS - 1)
}

impl KeyTexts {
    /// `key`'s quoted text if it is kept: [`TEXT`] bytes to copy whole (a fixed-size copy),
    /// and how many of them are the text.
    #[inline(always)]
    pub fn find(&self, key: *mut PyObject) -> Option<(&[u8; TEXT], usize)> {
        let slot = &self.slots[slot_of(key)];
        (slot.key == key).then_some((&slot.text, slot.len))
    }

    /// Keeps `text`, the quoted text just written for `key`, if the key is ASCII and the
    /// text only its characters and quotes (nothing was escaped).
    ///
    /// # Safety
    /// GIL held; `key` a live exact str.
    #[inline(always)]
    pub unsafe fn keep(&mut self, key: *mut PyObject, text: &[u8]) {
        // SAFETY: `key` is a live str: its header is a PyASCIIObject's.
        let (state, chars) = unsafe { ((*key.cast::<PyASCIIObject>()).state, (*key.cast::<PyASCIIObject>()).length) };
        // DEL is the one character `ensure_ascii` alone escapes.
        if state & STATE_ASCII == 0 || text.len() != chars as usize + 2 || text.len() > TEXT || text.contains(&0x7f) {
            return;
        }
        let slot = &mut self.slots[slot_of(key)];
        slot.text[..text.len()].copy_from_slice(text);
        slot.len = text.len();
        // SAFETY: the slot takes a reference to `key` and gives up the one it held (a str:
        // freeing it runs no Python code).
        unsafe {
            Py_INCREF(key);
            let old = std::mem::replace(&mut slot.key, key);
            if !old.is_null() {
                Py_DECREF(old);
            }
        }
    }

    /// Releases every kept key (module clear).
    pub fn clear(&mut self) {
        for slot in self.slots.iter_mut() {
            let old = std::mem::replace(&mut slot.key, std::ptr::null_mut());
            if !old.is_null() {
                // SAFETY: the slot owned this reference; the GIL is held by module clear.
                unsafe { Py_DECREF(old) };
            }
        }
    }
}

//! Object keys as written, kept between `dumps` calls: documents repeat the same key objects
//! (interned names, attribute names, the keys `loads` shares), so the fast walk writes a key
//! it has seen as one copy of its quoted text instead of reading, scanning and quoting it
//! again.
//!
//! Two-way set-associative on the key's address. A slot owns a reference to its key, so no
//! other object can take that address while the slot holds it, and a `str` never changes: a
//! hit is always right. Only exact ASCII keys that need no escape under any setting and fit a
//! slot are kept: their text is the same under both faces and either `ensure_ascii`. The kept
//! keys (at most 512 short strs) stay alive until they are replaced or the module is cleared.
//! It lives in the module state, so each interpreter has its own.

use crate::ffi::unicode::{PyASCIIObject, STATE_ASCII};
use pyo3_ffi::{PyObject, Py_DECREF, Py_INCREF};

const SET_BITS: u32 = 8;
const SETS: usize = 1 << SET_BITS;
/// Bytes of quoted text a slot holds: a key of up to 30 characters.
pub const TEXT: usize = 32;

/// Two slots for the keys whose address maps here: the one kept last first. Two ways, not
/// one: with one slot per address, keys that shared it pushed each other out on every object
/// (13% of twitter.json's keys; none with two ways and the same memory).
#[repr(C)]
struct Set {
    /// Owned references to the keys, or NULL; looked at first, so side by side.
    keys: [*mut PyObject; 2],
    /// How many bytes of each text are the key's.
    lens: [usize; 2],
    /// `"key"`, then whatever was there before (copied whole, counted by `lens`).
    texts: [[u8; TEXT]; 2],
}

pub struct KeyTexts {
    sets: Box<[Set; SETS]>,
}

impl Default for KeyTexts {
    fn default() -> Self {
        const EMPTY: Set = Set { keys: [std::ptr::null_mut(); 2], lens: [0; 2], texts: [[0; TEXT]; 2] };
        KeyTexts { sets: Box::new([EMPTY; SETS]) }
    }
}

/// The set of an object at `key` (objects are 16-byte aligned: the low bits say nothing).
#[inline(always)]
fn set_of(key: *mut PyObject) -> usize {
    let address = key as usize >> 4;
    (address ^ address >> SET_BITS) & (SETS - 1)
}

impl KeyTexts {
    /// `key`'s quoted text if it is kept: [`TEXT`] bytes to copy whole (a fixed-size copy),
    /// and how many of them are the text.
    #[inline(always)]
    pub fn find(&self, key: *mut PyObject) -> Option<(&[u8; TEXT], usize)> {
        let set = &self.sets[set_of(key)];
        let way = usize::from(set.keys[1] == key);
        (set.keys[way] == key).then_some((&set.texts[way], set.lens[way]))
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
        let set = &mut self.sets[set_of(key)];
        // The first slot's key moves to the second, whose key is let go.
        let old = set.keys[1];
        set.keys[1] = set.keys[0];
        set.lens[1] = set.lens[0];
        set.texts[1] = set.texts[0];
        set.texts[0][..text.len()].copy_from_slice(text);
        set.lens[0] = text.len();
        // SAFETY: the set takes a reference to `key` and gives up the one it held on `old` (a
        // str: freeing it runs no Python code).
        unsafe {
            Py_INCREF(key);
            set.keys[0] = key;
            if !old.is_null() {
                Py_DECREF(old);
            }
        }
    }

    /// Releases every kept key (module clear).
    pub fn clear(&mut self) {
        for key in self.sets.iter_mut().flat_map(|set| set.keys.iter_mut()) {
            let old = std::mem::replace(key, std::ptr::null_mut());
            if !old.is_null() {
                // SAFETY: the set owned this reference; the GIL is held by module clear.
                unsafe { Py_DECREF(old) };
            }
        }
    }
}

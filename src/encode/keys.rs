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

use crate::ffi::unicode::PyASCIIObject;
use pyo3_ffi::{PyObject, Py_DECREF, Py_INCREF, Py_hash_t};

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
    /// The last two keys offered and not kept, and their hashes, latest first: compared,
    /// never dereferenced (no reference is held, so a new key can have the address of one;
    /// the hash tells most apart).
    offered: [(*mut PyObject, Py_hash_t); 2],
}

pub struct KeyTexts {
    sets: Box<[Set; SETS]>,
}

impl Default for KeyTexts {
    fn default() -> Self {
        const EMPTY: Set = Set { keys: [std::ptr::null_mut(); 2], lens: [0; 2], texts: [[0; TEXT]; 2], offered: [(std::ptr::null_mut(), 0); 2] };
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

    /// Offers `text`, the quoted text just written for `key` (ASCII with nothing escaped,
    /// DEL included, so the same under either `ensure_ascii`): kept if it fits a slot and the
    /// key is one of the last two offered in its set. A key seen once (the keys of one big
    /// dict) does not push out the ones that repeat, and costs no reference.
    ///
    /// # Safety
    /// GIL held; `key` a live exact str, whose quoted text `text` is.
    #[inline(always)]
    pub unsafe fn offer(&mut self, key: *mut PyObject, text: &[u8]) {
        debug_assert!(text.len() >= 2 && !text.contains(&0x7f));
        if text.len() > TEXT {
            return;
        }
        // SAFETY: `key` is a live str: its header is a PyASCIIObject's.
        let offered = (key, unsafe { (*key.cast::<PyASCIIObject>()).hash });
        let set = &mut self.sets[set_of(key)];
        if !set.offered.contains(&offered) {
            set.offered = [offered, set.offered[0]];
            return;
        }
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

//! A cache of object keys: JSON documents repeat the same short keys, so `loads` reuses one
//! `str` per key (whose hash CPython computes once and keeps) instead of creating, hashing
//! and freeing a new one each time.
//!
//! Direct-mapped, verified by length and bytes (never trusted on the hash alone), holding
//! ASCII keys only. It lives in the module state, so each interpreter has its own.

use crate::ffi::unicode::{str_data, StrData};
use pyo3_ffi::*;

const SLOTS: usize = 2048;
/// Longer keys are rare and cost more to compare than to create.
pub const MAX_KEY_LEN: usize = 64;

pub struct KeyCache {
    /// Owned references to ASCII `str` objects, or NULL.
    slots: Box<[*mut PyObject; SLOTS]>,
}

impl KeyCache {
    pub fn new() -> KeyCache {
        KeyCache { slots: Box::new([std::ptr::null_mut(); SLOTS]) }
    }

    /// A new reference to the cached `str` equal to `text` (ASCII, at most MAX_KEY_LEN
    /// bytes), creating and caching it if needed; NULL with a Python error set on failure.
    ///
    /// # Safety
    /// GIL held; `new` must return a new reference to an ASCII str equal to `text`, or NULL.
    pub unsafe fn get_or_insert(&mut self, text: &[u8], new: impl FnOnce() -> *mut PyObject) -> *mut PyObject {
        let slot = &mut self.slots[slot_of(text)];
        // SAFETY: a non-NULL slot holds a live ASCII str we own; comparing reads its data.
        unsafe {
            if !slot.is_null() && matches!(str_data(*slot), Some(StrData::Ascii(cached)) if cached == text) {
                Py_INCREF(*slot);
                return *slot;
            }
            let obj = new();
            if obj.is_null() {
                return obj;
            }
            let old = std::mem::replace(slot, obj);
            Py_INCREF(obj);
            if !old.is_null() {
                // A str's deallocation runs no Python code.
                Py_DECREF(old);
            }
            obj
        }
    }

    /// Releases every cached key (module clear).
    pub fn clear(&mut self) {
        for slot in self.slots.iter_mut() {
            let old = std::mem::replace(slot, std::ptr::null_mut());
            if !old.is_null() {
                // SAFETY: we owned this reference; the GIL is held by module clear/free.
                unsafe { Py_DECREF(old) };
            }
        }
    }
}

/// The slot of a key: a multiplicative hash of its length and up to 16 of its bytes.
#[inline(always)]
fn slot_of(text: &[u8]) -> usize {
    let mut h = (text.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for chunk in [text.get(..8), text.get(text.len().saturating_sub(8)..)] {
        let mut word = [0u8; 8];
        let part = chunk.unwrap_or(text);
        word[..part.len().min(8)].copy_from_slice(&part[..part.len().min(8)]);
        h = (h ^ u64::from_le_bytes(word)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    (h >> 53) as usize % SLOTS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_spread_and_stay_in_range() {
        let keys: Vec<String> = (0..1000).map(|i| format!("key_{i}")).collect();
        let slots: std::collections::HashSet<usize> = keys.iter().map(|k| slot_of(k.as_bytes())).collect();
        assert!(slots.len() > 600, "{} distinct slots for 1000 keys", slots.len());
        assert!(slots.iter().all(|&s| s < SLOTS));
        assert_eq!(slot_of(b""), slot_of(b""));
        assert_ne!(slot_of(b"id"), slot_of(b"di"));
    }
}

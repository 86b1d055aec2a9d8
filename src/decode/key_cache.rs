//! A cache of object keys: JSON documents repeat the same short keys, so `loads` reuses one
//! `str` per key (whose hash CPython computes once and keeps) instead of creating, hashing
//! and freeing a new one each time.
//!
//! Direct-mapped, verified by length and bytes (never trusted on the hash alone), holding
//! ASCII keys only. It lives in the module state, so each interpreter has its own.

use crate::ffi::unicode::PyASCIIObject;
use pyo3_ffi::*;

const SLOT_BITS: u32 = 11;
const SLOTS: usize = 1 << SLOT_BITS;
/// Longer keys are rare and cost more to compare than to create.
pub const MAX_KEY_LEN: usize = 64;

pub struct KeyCache {
    /// Owned references to compact ASCII `str` objects, or NULL.
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
    /// GIL held; `new` must return a new reference to a compact ASCII str equal to `text`
    /// (as `PyUnicode_New(len, 127)` makes), or NULL.
    #[inline(always)]
    pub unsafe fn get_or_insert(&mut self, text: &[u8], new: impl FnOnce() -> *mut PyObject) -> *mut PyObject {
        let words = Words::of(text);
        let slot = &mut self.slots[words.slot(text.len())];
        // SAFETY: a non-NULL slot holds a live compact ASCII str we own, whose characters
        // follow its header; reading them is in bounds for its length.
        unsafe {
            let cached = *slot;
            if !cached.is_null() && (*cached.cast::<PyASCIIObject>()).length as usize == text.len() {
                let data = std::slice::from_raw_parts(cached.cast::<PyASCIIObject>().add(1).cast::<u8>(), text.len());
                if words.equal(text, data) {
                    Py_INCREF(cached);
                    return cached;
                }
            }
            replace(slot, new())
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

/// Caches `obj` (a new reference, or NULL for a failure) in `slot`; returns it.
///
/// # Safety
/// GIL held; `slot` is a cache slot (owning what it holds) and `obj` a compact ASCII str.
unsafe fn replace(slot: &mut *mut PyObject, obj: *mut PyObject) -> *mut PyObject {
    if obj.is_null() {
        return obj;
    }
    // SAFETY: we own the reference the slot held and take one to `obj` for it.
    unsafe {
        let old = std::mem::replace(slot, obj);
        Py_INCREF(obj);
        if !old.is_null() {
            // A str's deallocation runs no Python code.
            Py_DECREF(old);
        }
    }
    obj
}

/// Two words that together hold every byte of a key of up to 16 bytes (overlapping when it
/// is shorter): its first and last 8 bytes, first and last 4, or first, middle and last.
/// They make the slot, and compare short keys without a loop.
struct Words(u64, u64);

impl Words {
    #[inline(always)]
    fn of(text: &[u8]) -> Words {
        let n = text.len();
        let word = |at: usize| u64::from_le_bytes(text[at..at + 8].try_into().unwrap_or_default());
        let half = |at: usize| u64::from(u32::from_le_bytes(text[at..at + 4].try_into().unwrap_or_default()));
        match n {
            8.. => Words(word(0), word(n - 8)),
            4..=7 => Words(half(0), half(n - 4)),
            1..=3 => Words(u64::from(text[0]) | u64::from(text[n / 2]) << 8 | u64::from(text[n - 1]) << 16, 0),
            0 => Words(0, 0),
        }
    }

    /// A multiplicative hash of the words and the length.
    #[inline(always)]
    fn slot(&self, len: usize) -> usize {
        const K: u64 = 0x9E37_79B9_7F4A_7C15;
        let h = (self.0.wrapping_mul(K) ^ self.1.rotate_left(29) ^ len as u64).wrapping_mul(K);
        (h >> (64 - SLOT_BITS)) as usize
    }

    /// Whether `other`, as long as `text`, has the same bytes.
    #[inline(always)]
    fn equal(&self, text: &[u8], other: &[u8]) -> bool {
        if text.len() > 16 {
            return text == other;
        }
        let theirs = Words::of(other);
        self.0 == theirs.0 && self.1 == theirs.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_spread_and_stay_in_range() {
        let keys: Vec<String> = (0..1000).map(|i| format!("key_{i}")).collect();
        let slots: std::collections::HashSet<usize> =
            keys.iter().map(|k| Words::of(k.as_bytes()).slot(k.len())).collect();
        assert!(slots.len() > 600, "{} distinct slots for 1000 keys", slots.len());
        assert!(slots.iter().all(|&s| s < SLOTS));
        assert_ne!(Words::of(b"id").slot(2), Words::of(b"di").slot(2));
    }

    #[test]
    fn words_compare_every_byte_of_short_keys() {
        // Keys of every length up to 17 that differ in exactly one byte never compare equal.
        for len in 0..=17 {
            let key: Vec<u8> = (0..len).map(|k| b'a' + k as u8).collect();
            assert!(Words::of(&key).equal(&key, &key.clone()));
            for at in 0..len {
                let mut other = key.clone();
                other[at] = b'Z';
                assert!(!Words::of(&key).equal(&key, &other), "len {len}, byte {at}");
            }
        }
    }
}

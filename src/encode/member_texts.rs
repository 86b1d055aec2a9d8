//! The keys of a split keys object (the attribute names all instances of a class share) as
//! the fast walk writes them as members, `"key":`, made once per walk for each such keys
//! object it meets: a dataclass record's members are then each one copy and its value,
//! instead of looking each key up, checking whether it is private and separating it.

use super::escape::{put_quoted_plain, SHORT_PLAIN};
use super::native::is_private;
use crate::ffi::dict::{PyDictUnicodeEntry, SplitTable};
use crate::ffi::unicode::compact_ascii;

/// Bytes of a member's text as kept (copied whole): a quoted key of up to 30 characters and
/// the key separator, with room to spare.
pub const MEMBER_TEXT: usize = 40;

/// A key's member text (48 bytes, aligned: indexed by a shift, read by aligned loads).
#[derive(Clone, Copy)]
#[repr(C, align(16))]
pub struct MemberText {
    /// `"key":`, then whatever follows (copied whole, counted by `len`).
    pub bytes: [u8; MEMBER_TEXT],
    /// How many of `bytes` are the text; 0 for a key not kept (not ASCII, to escape, or
    /// long): written the general way.
    pub len: u8,
    /// Whether the key starts with `_` (dataclasses leave those out).
    pub private: bool,
}

/// The member texts of one keys object, by key index.
pub struct KeysTexts {
    keys: *const PyDictUnicodeEntry,
    pub texts: Vec<MemberText>,
}

/// Finds the member texts of `table`'s keys in `known`, or makes them with `key_separator`
/// after each key; their index there. `None` where memory ran out.
///
/// # Safety
/// GIL held; the table's objects live and unchanged since it was read (no Python code runs
/// while `known` is used: a keys object's address and keys stay what they were).
#[inline(always)]
pub unsafe fn find_or_make(known: &mut Vec<KeysTexts>, table: &SplitTable, key_separator: u8) -> Option<usize> {
    let keys = table.keys_id();
    match known.iter().position(|k| k.keys == keys && k.texts.len() == table.key_count()) {
        Some(k) => Some(k),
        // SAFETY: forwarded.
        None => unsafe { make(known, table, key_separator) },
    }
}

/// The member texts of `table`'s keys, added to `known`; their index there.
///
/// # Safety
/// As for `find_or_make`.
#[inline(never)]
unsafe fn make(known: &mut Vec<KeysTexts>, table: &SplitTable, key_separator: u8) -> Option<usize> {
    let keys = table.keys_id();
    let mut texts = Vec::new();
    texts.try_reserve_exact(table.key_count()).ok()?;
    for index in 0..table.key_count() {
        // SAFETY: forwarded; `index` below the key count.
        texts.push(unsafe { member_text(table.key(index), key_separator) });
    }
    known.try_reserve(1).ok()?;
    known.push(KeysTexts { keys, texts });
    Some(known.len() - 1)
}

/// # Safety
/// GIL held; `key` a live exact str.
unsafe fn member_text(key: *mut pyo3_ffi::PyObject, key_separator: u8) -> MemberText {
    let mut text = MemberText { bytes: [0; MEMBER_TEXT], len: 0, private: false };
    // SAFETY: `key` is a live str; `bytes` has room for SHORT_PLAIN + 2 bytes and the
    // separator. DEL is stopped at, so that the text is right under either `ensure_ascii`.
    unsafe {
        text.private = is_private(key);
        if let Some(bytes) = compact_ascii(key).filter(|b| b.len() <= SHORT_PLAIN.min(MEMBER_TEXT - 3)) {
            if let Some(len) = put_quoted_plain::<false>(text.bytes.as_mut_ptr(), bytes, true) {
                text.bytes[len] = key_separator;
                text.len = (len + 1) as u8;
            }
        }
    }
    text
}

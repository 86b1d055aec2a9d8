//! The keys of a split keys object (the attribute names all instances of a class share) as
//! the fast walk writes them as members, `"key":`, made once per walk for a keys object met
//! in a run of records: a dataclass record's members are then each one copy and its value,
//! instead of looking each key up, checking whether it is private and separating it.

use super::escape::{put_quoted_plain, SHORT_PLAIN};
use super::native::is_private;
use crate::ffi::dict::{PyDictUnicodeEntry, SplitTable};
use crate::ffi::unicode::compact_ascii;

/// Bytes of a member's text as kept (copied whole): a quoted key of up to [`SHORT_PLAIN`]
/// characters and the key separator, with room to spare.
pub const MEMBER_TEXT: usize = 40;
const _: () = assert!(SHORT_PLAIN + 3 <= MEMBER_TEXT, "a kept key's quotes and separator fit");

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
struct KeysTexts {
    keys: *const PyDictUnicodeEntry,
    texts: Vec<MemberText>,
}

/// How many tables of one keys object in a row a walk writes through the key cache before it
/// makes their member texts: making them costs about as much as five records save, so a
/// lone record or a few are written without.
const MAKE_AFTER: usize = 4;

/// The member texts a walk made, and the last keys object it met without them (how many
/// times in a row).
pub struct MemberTexts {
    known: Vec<KeysTexts>,
    seen: (*const PyDictUnicodeEntry, usize),
}

impl Default for MemberTexts {
    fn default() -> Self {
        MemberTexts { known: Vec::new(), seen: (std::ptr::null(), 0) }
    }
}

impl MemberTexts {
    /// The member texts of `table`'s keys (by key index), with `key_separator` after each key,
    /// once its keys object was met [`MAKE_AFTER`] times in a row in this walk; `Err` where
    /// memory ran out.
    ///
    /// The texts stay where they are while the walk runs: entries are only ever added, and
    /// adding one moves no entry's texts.
    ///
    /// # Safety
    /// GIL held; the table's objects live and unchanged since it was read (no Python code runs
    /// while the walk uses these: a keys object's address and keys stay what they were).
    #[inline(always)]
    pub unsafe fn for_table(&mut self, table: &SplitTable, key_separator: u8) -> Result<Option<*const MemberText>, ()> {
        let keys = table.keys_id();
        if let Some(k) = self.known.iter().find(|k| k.keys == keys && k.texts.len() == table.key_count()) {
            return Ok(Some(k.texts.as_ptr()));
        }
        if self.seen.0 != keys {
            self.seen = (keys, 0);
        }
        self.seen.1 += 1;
        if self.seen.1 <= MAKE_AFTER {
            return Ok(None);
        }
        // SAFETY: forwarded.
        unsafe { self.make(table, key_separator) }.map(Some).ok_or(())
    }

    /// # Safety
    /// As for `for_table`.
    #[inline(never)]
    unsafe fn make(&mut self, table: &SplitTable, key_separator: u8) -> Option<*const MemberText> {
        let mut texts = Vec::new();
        texts.try_reserve_exact(table.key_count()).ok()?;
        for index in 0..table.key_count() {
            // SAFETY: forwarded; `index` below the key count.
            texts.push(unsafe { member_text(table.key(index), key_separator) });
        }
        let at = texts.as_ptr();
        self.known.try_reserve(1).ok()?;
        self.known.push(KeysTexts { keys: table.keys_id(), texts });
        Some(at)
    }
}

/// # Safety
/// GIL held; `key` a live exact str.
unsafe fn member_text(key: *mut pyo3_ffi::PyObject, key_separator: u8) -> MemberText {
    let mut text = MemberText { bytes: [0; MEMBER_TEXT], len: 0, private: false };
    // SAFETY: `key` is a live str; `bytes` has room for SHORT_PLAIN + 2 bytes and the
    // separator. DEL is stopped at, so that the text is right under either `ensure_ascii`.
    unsafe {
        text.private = is_private(key);
        if let Some(bytes) = compact_ascii(key).filter(|b| b.len() <= SHORT_PLAIN) {
            if let Some(len) = put_quoted_plain::<false>(text.bytes.as_mut_ptr(), bytes, true) {
                text.bytes[len] = key_separator;
                text.len = (len + 1) as u8;
            }
        }
    }
    text
}

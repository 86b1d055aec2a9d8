//! The output of `dumps`: generalized UTF-8 bytes plus the kind the final `str` needs.

use crate::utf8::char_count;
use crate::ffi::unicode::{new_str, StrData};
use pyo3_ffi::PyObject;

/// Text written raw into the output (separators, indentation), with its largest code point.
#[derive(Clone, Debug, Default)]
pub struct Text {
    pub bytes: Vec<u8>,
    pub max_char: u32,
}

impl Text {
    pub fn ascii(text: &str) -> Text {
        Text { bytes: text.as_bytes().to_vec(), max_char: 0 }
    }
}

#[derive(Default)]
pub struct Writer {
    pub buf: Vec<u8>,
    /// Largest non-ASCII code point written, or one of the same `str` kind (0: all ASCII).
    max_char: u32,
}

impl Writer {
    #[inline(always)]
    pub fn ascii(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    #[inline(always)]
    pub fn text(&mut self, text: &Text) {
        self.buf.extend_from_slice(&text.bytes);
        self.max_char = self.max_char.max(text.max_char);
    }

    /// Records that characters of `data` were written unescaped: the output needs its kind.
    #[inline(always)]
    pub fn saw_kind(&mut self, data: StrData<'_>) {
        self.max_char = self.max_char.max(data.kind_max_char());
    }

    /// The output as a new `str`.
    ///
    /// # Safety
    /// The GIL must be held.
    pub unsafe fn finish(self) -> *mut PyObject {
        let chars = if self.max_char < 0x80 { self.buf.len() } else { char_count(&self.buf) };
        // SAFETY: the buffer is generalized UTF-8 whose widest character has `max_char`'s kind.
        unsafe { new_str(&self.buf, chars, self.max_char) }
    }
}

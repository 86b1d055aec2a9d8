//! Where the encoder writes: the [`Output`] interface (implemented by `bytes_writer` and
//! `str_writer`) and the raw text of separators and indentation.

use super::buffer::OutBuf;
use super::escape::Out;
use pyo3_ffi::PyObject;
use std::borrow::Cow;

/// Text written raw into the output (separators, indentation).
#[derive(Clone, Debug)]
pub enum Text {
    /// ASCII, the usual case; the defaults are static (no allocation per call).
    Ascii(Cow<'static, [u8]>),
    /// Anything else, as characters.
    Wide(Vec<u32>),
}

impl Text {
    pub const fn ascii(text: &'static str) -> Text {
        Text::Ascii(Cow::Borrowed(text.as_bytes()))
    }

    /// ASCII `text`: the separators people pass without an allocation per call.
    pub fn ascii_copy(text: &[u8]) -> Text {
        const COMMON: [&str; 4] = [",", ":", ", ", ": "];
        match COMMON.iter().find(|common| common.as_bytes() == text) {
            Some(common) => Text::ascii(common),
            None => Text::Ascii(Cow::Owned(text.to_vec())),
        }
    }
}

/// What the encoder needs of its output, besides escaped text ([`Out`]).
pub trait Output: Out + Default {
    /// Whether the output is UTF-8, so that a str's cached UTF-8 is the cheapest form of its
    /// characters.
    const TAKES_UTF8: bool = true;
    /// Separators and indentation.
    #[inline(always)]
    fn text(&mut self, text: &Text) {
        match text {
            Text::Ascii(bytes) => self.ascii(bytes),
            Text::Wide(chars) => self.ucs4(chars),
        }
    }
    /// Runs `write` on a byte buffer for ASCII output (numbers).
    fn with_ascii<R>(&mut self, write: impl FnOnce(&mut OutBuf) -> R) -> R;
    /// Output units written so far.
    fn len(&self) -> usize;
    /// Whether memory ran out: what follows is dropped, the output is lost.
    fn failed(&self) -> bool;
    /// Whether a surrogate code point was written since the last call (and forget it): the
    /// UTF-8 output cannot hold one.
    fn take_surrogate(&mut self) -> bool {
        false
    }
    /// The output so far as a new Python object (a chunk), leaving the output empty; NULL
    /// with `MemoryError` set if memory ran out on the way.
    ///
    /// # Safety
    /// The GIL must be held.
    unsafe fn take(&mut self) -> *mut PyObject;
    /// The whole output as a new Python object (NULL with `MemoryError` set if memory ran
    /// out on the way).
    ///
    /// # Safety
    /// The GIL must be held.
    unsafe fn finish(self) -> *mut PyObject;
}

/// A newline and `level` indentations; nothing without an indent.
#[inline(always)]
pub fn newline_indent<W: Output>(out: &mut W, indent: &Option<Text>, level: usize) {
    if let Some(indent) = indent {
        out.ascii(b"\n");
        for _ in 0..level {
            out.text(indent);
        }
    }
}

//! Where the encoder writes: the [`Output`] interface (implemented by `utf8_writer`), the raw
//! text of separators and indentation, and short copies.

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
    pub fn new(chars: Vec<u32>) -> Text {
        if chars.iter().all(|&c| c < 0x80) {
            Text::Ascii(Cow::Owned(chars.iter().map(|&c| c as u8).collect()))
        } else {
            Text::Wide(chars)
        }
    }

    pub const fn ascii(text: &'static str) -> Text {
        Text::Ascii(Cow::Borrowed(text.as_bytes()))
    }
}

/// What the encoder needs of its output, besides escaped text ([`Out`]).
pub trait Output: Out + Default {
    /// Separators and indentation.
    #[inline(always)]
    fn text(&mut self, text: &Text) {
        match text {
            Text::Ascii(bytes) => self.ascii(bytes),
            Text::Wide(chars) => self.ucs4(chars),
        }
    }
    /// Runs `write` on a byte buffer for ASCII output (numbers).
    fn with_ascii<R>(&mut self, write: impl FnOnce(&mut Vec<u8>) -> R) -> R;
    /// Output units written so far.
    fn len(&self) -> usize;
    /// Whether a surrogate code point was written since the last call (and forget it): the
    /// UTF-8 output cannot hold one.
    fn take_surrogate(&mut self) -> bool {
        false
    }
    /// The output so far as a new Python object (a chunk), leaving the output empty.
    ///
    /// # Safety
    /// The GIL must be held.
    unsafe fn take(&mut self) -> *mut PyObject;
    /// The whole output as a new Python object.
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

/// Appends `bytes` to `buf`; short slices (separators, keys, numbers) without a call to
/// `memcpy` (see [`put_short`]).
#[inline(always)]
pub fn append(buf: &mut Vec<u8>, bytes: &[u8]) {
    let n = bytes.len();
    if n > 32 {
        buf.extend_from_slice(bytes);
        return;
    }
    buf.reserve(32);
    // SAFETY: 32 bytes of spare capacity are reserved, `n <= 32` of them written.
    unsafe {
        put_short(buf.as_mut_ptr().add(buf.len()), bytes);
        buf.set_len(buf.len() + n);
    }
}

/// Copies `bytes` (at most 32) to `dst` as two overlapping copies of a word (or of 16
/// bytes), writing exactly `bytes.len()` bytes.
///
/// # Safety
/// `bytes.len() <= 32`; `dst` writable for `bytes.len()` bytes and not overlapping `bytes`.
#[inline(always)]
pub unsafe fn put_short(dst: *mut u8, bytes: &[u8]) {
    let n = bytes.len();
    debug_assert!(n <= 32);
    // SAFETY: every read is inside `bytes` (the second copy of each pair ends at its end)
    // and every write inside `dst..dst + n`.
    unsafe {
        let src = bytes.as_ptr();
        macro_rules! pair {
            ($t:ty) => {{
                const W: usize = std::mem::size_of::<$t>();
                let head = src.cast::<$t>().read_unaligned();
                let tail = src.add(n - W).cast::<$t>().read_unaligned();
                dst.cast::<$t>().write_unaligned(head);
                dst.add(n - W).cast::<$t>().write_unaligned(tail);
            }};
        }
        match n {
            0 => {}
            1 => *dst = *src,
            2..=3 => pair!(u16),
            4..=7 => pair!(u32),
            8..=16 => pair!(u64),
            _ => pair!(u128),
        }
    }
}

//! The encoder's output for both faces: generalized UTF-8 bytes (a surrogate code point is a
//! 3-byte sequence of its own), ending as a `str` for the standard library face or as
//! `bytes` for the orjson face. `str` data arrives at its stored width and is transcoded
//! here a chunk of ASCII at a time. One byte buffer whatever the characters: separators and
//! numbers never pay for a wide output, and the `str` is decoded once, at its final kind.

use super::buffer::OutBuf;
use super::escape::Out;
use super::writer::Output;
use crate::ffi::unicode::new_str;
use crate::utf8::Unit;
use pyo3_ffi::{PyErr_NoMemory, PyObject};
use std::marker::PhantomData;

/// The Python object the output ends as.
pub trait Finish {
    /// Whether a surrogate code point is an error (UTF-8 proper cannot hold one).
    const REFUSES_SURROGATES: bool;

    /// An empty buffer for this output.
    fn buffer() -> OutBuf;

    /// The object for the generalized UTF-8 text in `buf` (not failed) of `chars` code
    /// points, the largest `max_char` (below 0x80: pure ASCII); `buf` may be left empty.
    ///
    /// # Safety
    /// GIL held; the text valid generalized UTF-8 with those properties.
    unsafe fn object(buf: &mut OutBuf, chars: usize, max_char: u32) -> *mut PyObject;
}

/// The standard library face: a `str`, written in place when it is ASCII (always with
/// `ensure_ascii`), decoded from the buffer otherwise.
pub struct AsStr;

impl Finish for AsStr {
    const REFUSES_SURROGATES: bool = false;

    fn buffer() -> OutBuf {
        OutBuf::for_ascii_str()
    }

    unsafe fn object(buf: &mut OutBuf, chars: usize, max_char: u32) -> *mut PyObject {
        // SAFETY: GIL held; the text is ASCII if `max_char` says so (the buffer then becomes
        // the str), valid generalized UTF-8 of `chars` code points otherwise.
        unsafe {
            if max_char < 0x80 {
                std::mem::replace(buf, OutBuf::for_ascii_str()).into_ascii_str()
            } else {
                new_str(buf.as_slice(), chars, max_char)
            }
        }
    }
}

/// The orjson face: `bytes` (surrogates were refused on the way), written in place.
pub struct AsBytes;

impl Finish for AsBytes {
    const REFUSES_SURROGATES: bool = true;

    fn buffer() -> OutBuf {
        OutBuf::for_bytes()
    }

    unsafe fn object(buf: &mut OutBuf, _chars: usize, _max_char: u32) -> *mut PyObject {
        // SAFETY: GIL held; the buffer becomes the bytes object.
        unsafe { std::mem::replace(buf, OutBuf::for_bytes()).into_bytes() }
    }
}

pub struct Utf8Writer<F> {
    buf: OutBuf,
    /// The largest code point written since the output was last taken (below 0x80: ASCII).
    max_char: u32,
    /// Bytes of `buf` beyond the first of each code point: its length in characters is
    /// `buf.len() - continuations`.
    continuations: usize,
    /// A surrogate was written since the encoder last asked.
    surrogate: bool,
    finish: PhantomData<F>,
}

pub type StrWriter = Utf8Writer<AsStr>;
pub type BytesWriter = Utf8Writer<AsBytes>;

impl<F: Finish> Default for Utf8Writer<F> {
    fn default() -> Self {
        Utf8Writer { buf: F::buffer(), max_char: 0, continuations: 0, surrogate: false, finish: PhantomData }
    }
}

impl<F> Utf8Writer<F> {
    #[inline(always)]
    fn transcode<T: Unit>(&mut self, units: &[T]) {
        let written = self.buf.push_transcoded(units);
        self.max_char = self.max_char.max(written.max_char);
        self.continuations += written.len - units.len();
        self.surrogate |= written.surrogate;
    }
}

impl<F: Finish> Utf8Writer<F> {
    /// The output as its object; NULL with `MemoryError` set if memory ran out.
    ///
    /// # Safety
    /// GIL held.
    unsafe fn object(&mut self) -> *mut PyObject {
        // SAFETY: GIL held; the buffer holds valid generalized UTF-8 (ASCII text and
        // transcoded characters), of the length and largest character counted.
        unsafe {
            if self.buf.failed() {
                return PyErr_NoMemory();
            }
            let chars = self.buf.len() - self.continuations;
            F::object(&mut self.buf, chars, self.max_char)
        }
    }
}

impl<F> Out for Utf8Writer<F> {
    #[inline(always)]
    fn buffer(&mut self) -> &mut OutBuf {
        &mut self.buf
    }

    #[inline(always)]
    fn ascii(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    #[inline(always)]
    fn utf8_written(&mut self, continuations: usize, max_char: u32) {
        self.continuations += continuations;
        self.max_char = self.max_char.max(max_char);
    }

    fn latin1(&mut self, units: &[u8]) {
        self.transcode(units);
    }

    fn ucs2(&mut self, units: &[u16]) {
        self.transcode(units);
    }

    fn ucs4(&mut self, units: &[u32]) {
        self.transcode(units);
    }
}

impl<F: Finish> Output for Utf8Writer<F> {
    #[inline(always)]
    fn with_ascii<R>(&mut self, write: impl FnOnce(&mut OutBuf) -> R) -> R {
        write(&mut self.buf)
    }

    fn len(&self) -> usize {
        self.buf.len()
    }

    #[inline(always)]
    fn failed(&self) -> bool {
        self.buf.failed()
    }

    #[inline(always)]
    fn take_surrogate(&mut self) -> bool {
        F::REFUSES_SURROGATES && std::mem::take(&mut self.surrogate)
    }

    unsafe fn take(&mut self) -> *mut PyObject {
        // SAFETY: forwarded.
        let chunk = unsafe { self.object() };
        self.buf.clear();
        self.max_char = 0;
        self.continuations = 0;
        chunk
    }

    unsafe fn finish(mut self) -> *mut PyObject {
        // SAFETY: forwarded.
        unsafe { self.object() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_every_width_and_flags_surrogates() {
        let mut w = BytesWriter::default();
        w.latin1(b"a\xe9");
        w.ucs2(&[0x20ac]);
        w.ucs4(&[0x1f600]);
        assert_eq!(w.buf.as_slice(), "aé€😀".as_bytes());
        assert_eq!(w.max_char, 0x1f600);
        assert!(!w.take_surrogate());
        w.ucs2(&[0xd800]);
        assert_eq!(w.buf.as_slice()[w.buf.len() - 3..], [0xed, 0xa0, 0x80]);
        assert!(w.take_surrogate());
        assert!(!w.take_surrogate());
    }

    #[test]
    fn str_output_keeps_surrogates() {
        let mut w = StrWriter::default();
        w.ucs2(&[0xd800]);
        assert!(!w.take_surrogate());
        assert_eq!(w.buf.as_slice(), [0xed, 0xa0, 0x80]);
    }
}

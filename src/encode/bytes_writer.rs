//! The orjson face's output: UTF-8 bytes, written into the block that becomes the `bytes`
//! object (no copy at the end). `str` data arrives at its stored width and is transcoded
//! here a chunk at a time (and escaped in the same pass); a surrogate code point is written
//! (as a 3-byte sequence of its own) and noted, for the encoder to refuse: UTF-8 proper
//! cannot hold one.

use super::buffer::OutBuf;
use super::escape::{push_escaped, Out, Units};
use super::writer::Output;
use crate::utf8::Unit;
use pyo3_ffi::PyObject;

pub struct BytesWriter {
    buf: OutBuf,
    /// A surrogate was written since the encoder last asked.
    surrogate: bool,
}

impl Default for BytesWriter {
    fn default() -> Self {
        BytesWriter { buf: OutBuf::for_bytes(), surrogate: false }
    }
}

impl BytesWriter {
    #[inline(always)]
    fn transcode<T: Unit>(&mut self, units: &[T]) {
        self.surrogate |= self.buf.push_transcoded(units).surrogate;
    }
}

impl Out for BytesWriter {
    #[inline(always)]
    fn buffer(&mut self) -> &mut OutBuf {
        &mut self.buf
    }

    #[inline(always)]
    fn ascii(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
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

    fn escaped<T: Units>(&mut self, units: &[T]) {
        self.surrogate |= push_escaped(&mut self.buf, units);
    }
}

impl Output for BytesWriter {
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
        std::mem::take(&mut self.surrogate)
    }

    unsafe fn take(&mut self) -> *mut PyObject {
        // SAFETY: GIL held (forwarded); the buffer becomes the bytes object.
        unsafe { std::mem::replace(&mut self.buf, OutBuf::for_bytes()).into_bytes() }
    }

    unsafe fn finish(mut self) -> *mut PyObject {
        // SAFETY: forwarded.
        unsafe { self.take() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_every_width_and_flags_surrogates() {
        let mut w = BytesWriter { buf: OutBuf::default(), surrogate: false };
        w.latin1(b"a\xe9");
        w.ucs2(&[0x20ac]);
        w.ucs4(&[0x1f600]);
        assert_eq!(w.buf.as_slice(), "aé€😀".as_bytes());
        assert!(!w.take_surrogate());
        w.ucs2(&[0xd800]);
        assert_eq!(w.buf.as_slice()[w.buf.len() - 3..], [0xed, 0xa0, 0x80]);
        assert!(w.take_surrogate());
        assert!(!w.take_surrogate());
    }
}

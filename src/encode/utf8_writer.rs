//! The orjson face's output: UTF-8 bytes, ending as a `bytes` object. `str` data arrives at
//! its stored width and is encoded here; a surrogate code point (which UTF-8 cannot hold) is
//! noted for the encoder to refuse.

use super::escape::Out;
use super::writer::{append, Output};
use pyo3_ffi::{PyBytes_FromStringAndSize, PyObject, Py_ssize_t};

#[derive(Default)]
pub struct Utf8Writer {
    buf: Vec<u8>,
    surrogate: bool,
}

impl Utf8Writer {
    #[inline(always)]
    fn char(&mut self, c: u32) {
        match c {
            0..=0x7f => self.buf.push(c as u8),
            0x80..=0x7ff => self.buf.extend_from_slice(&[0xc0 | (c >> 6) as u8, 0x80 | (c & 0x3f) as u8]),
            0xd800..=0xdfff => self.surrogate = true,
            0x800..=0xffff => self.buf.extend_from_slice(&[
                0xe0 | (c >> 12) as u8,
                0x80 | ((c >> 6) & 0x3f) as u8,
                0x80 | (c & 0x3f) as u8,
            ]),
            _ => self.buf.extend_from_slice(&[
                0xf0 | (c >> 18) as u8,
                0x80 | ((c >> 12) & 0x3f) as u8,
                0x80 | ((c >> 6) & 0x3f) as u8,
                0x80 | (c & 0x3f) as u8,
            ]),
        }
    }

    /// The output as a new `bytes`.
    ///
    /// # Safety
    /// The GIL must be held.
    unsafe fn to_bytes(&self) -> *mut PyObject {
        // SAFETY: copies `buf.len()` initialised bytes into a new bytes object.
        unsafe { PyBytes_FromStringAndSize(self.buf.as_ptr().cast(), self.buf.len() as Py_ssize_t) }
    }
}

impl Out for Utf8Writer {
    #[inline(always)]
    fn ascii_buffer(&mut self) -> Option<&mut Vec<u8>> {
        Some(&mut self.buf)
    }

    #[inline(always)]
    fn ascii(&mut self, bytes: &[u8]) {
        append(&mut self.buf, bytes);
    }

    fn latin1(&mut self, units: &[u8]) {
        self.buf.reserve(units.len() * 2);
        for &c in units {
            self.char(u32::from(c));
        }
    }

    fn ucs2(&mut self, units: &[u16]) {
        self.buf.reserve(units.len() * 3);
        for &c in units {
            self.char(u32::from(c));
        }
    }

    fn ucs4(&mut self, units: &[u32]) {
        self.buf.reserve(units.len() * 4);
        for &c in units {
            self.char(c);
        }
    }
}

impl Output for Utf8Writer {
    #[inline(always)]
    fn with_ascii<R>(&mut self, write: impl FnOnce(&mut Vec<u8>) -> R) -> R {
        write(&mut self.buf)
    }

    fn len(&self) -> usize {
        self.buf.len()
    }

    #[inline(always)]
    fn take_surrogate(&mut self) -> bool {
        std::mem::take(&mut self.surrogate)
    }

    unsafe fn take(&mut self) -> *mut PyObject {
        // SAFETY: forwarded.
        let chunk = unsafe { self.to_bytes() };
        self.buf.clear();
        chunk
    }

    unsafe fn finish(self) -> *mut PyObject {
        // SAFETY: forwarded.
        unsafe { self.to_bytes() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_every_width_and_flags_surrogates() {
        let mut w = Utf8Writer::default();
        w.latin1(b"a\xe9");
        w.ucs2(&[0x20ac]);
        w.ucs4(&[0x1f600]);
        assert_eq!(w.buf, "aé€😀".as_bytes());
        assert!(!w.take_surrogate());
        w.ucs2(&[0xd800]);
        assert!(w.take_surrogate());
        assert!(!w.take_surrogate());
    }
}

//! Where the encoder writes: the [`Output`] interface, and the standard library face's
//! output, a `str` kept at its final width (1, 2 or 4 bytes per character): it starts narrow
//! and widens at most twice, when a wider character arrives, so the result is one copy into a
//! new `str` of exactly that kind.

use super::escape::Out;
use crate::ffi::unicode::new_str_data;
use pyo3_ffi::{PyObject, PyUnicode_New, Py_ssize_t};
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

enum Units {
    /// ASCII or Latin-1 (`latin1` says which).
    One(Vec<u8>),
    Two(Vec<u16>),
    Four(Vec<u32>),
}

pub struct Writer {
    units: Units,
    /// A Latin-1 character >= 0x80 was written into `Units::One`.
    latin1: bool,
    /// Digits of numbers, when the output is already wider than one byte.
    scratch: Vec<u8>,
}

impl Default for Writer {
    fn default() -> Self {
        Writer { units: Units::One(Vec::new()), latin1: false, scratch: Vec::new() }
    }
}

impl Output for Writer {
    /// Without a copy while the output is one byte wide.
    #[inline(always)]
    fn with_ascii<R>(&mut self, write: impl FnOnce(&mut Vec<u8>) -> R) -> R {
        if let Units::One(buf) = &mut self.units {
            return write(buf);
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let result = write(&mut scratch);
        self.ascii(&scratch);
        self.scratch = scratch;
        result
    }

    fn len(&self) -> usize {
        match &self.units {
            Units::One(buf) => buf.len(),
            Units::Two(buf) => buf.len(),
            Units::Four(buf) => buf.len(),
        }
    }

    /// A `str`, after which the writer is narrow again.
    unsafe fn take(&mut self) -> *mut PyObject {
        // SAFETY: forwarded.
        let chunk = unsafe { self.to_str() };
        match &mut self.units {
            Units::One(buf) => buf.clear(),
            _ => self.units = Units::One(Vec::new()),
        }
        self.latin1 = false;
        chunk
    }

    unsafe fn finish(self) -> *mut PyObject {
        // SAFETY: forwarded.
        unsafe { self.to_str() }
    }
}

impl Writer {
    fn widen_to_two(&mut self) {
        if let Units::One(buf) = &self.units {
            self.units = Units::Two(buf.iter().map(|&b| u16::from(b)).collect());
        }
    }

    fn widen_to_four(&mut self) {
        match &self.units {
            Units::One(buf) => self.units = Units::Four(buf.iter().map(|&b| u32::from(b)).collect()),
            Units::Two(buf) => self.units = Units::Four(buf.iter().map(|&u| u32::from(u)).collect()),
            Units::Four(_) => {}
        }
    }

    unsafe fn to_str(&self) -> *mut PyObject {
        let (len, max_char, bytes): (usize, u32, &[u8]) = match &self.units {
            Units::One(buf) => (buf.len(), if self.latin1 { 0xff } else { 0x7f }, buf),
            // SAFETY: the bytes of `buf.len()` initialised u16 values.
            Units::Two(buf) => (buf.len(), 0xffff, unsafe { std::slice::from_raw_parts(buf.as_ptr().cast(), buf.len() * 2) }),
            // SAFETY: the bytes of `buf.len()` initialised u32 values.
            Units::Four(buf) => (buf.len(), 0x10ffff, unsafe { std::slice::from_raw_parts(buf.as_ptr().cast(), buf.len() * 4) }),
        };
        // SAFETY: PyUnicode_New(len, max_char) makes a compact str of the kind the units were
        // kept at (every wider kind was entered for a character that needs it, so the str is
        // canonical); its data area holds exactly `bytes.len()` bytes, all written here.
        unsafe {
            let obj = PyUnicode_New(len as Py_ssize_t, max_char);
            if !obj.is_null() {
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), new_str_data(obj), bytes.len());
            }
            obj
        }
    }
}

/// Appends `bytes` to `buf`; short slices (separators, keys, numbers) without a call to
/// `memcpy`, as two overlapping copies of a word (or of 16 bytes).
#[inline(always)]
pub fn append(buf: &mut Vec<u8>, bytes: &[u8]) {
    let n = bytes.len();
    if n > 32 {
        buf.extend_from_slice(bytes);
        return;
    }
    buf.reserve(32);
    // SAFETY: 32 bytes of spare capacity are reserved; every read is inside `bytes` (the
    // second copy of each pair ends at its end) and every write inside `len..len + n`.
    unsafe {
        let src = bytes.as_ptr();
        let dst = buf.as_mut_ptr().add(buf.len());
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
        buf.set_len(buf.len() + n);
    }
}

impl Out for Writer {
    #[inline(always)]
    fn ascii(&mut self, bytes: &[u8]) {
        match &mut self.units {
            Units::One(buf) => append(buf, bytes),
            Units::Two(buf) => buf.extend(bytes.iter().map(|&b| u16::from(b))),
            Units::Four(buf) => buf.extend(bytes.iter().map(|&b| u32::from(b))),
        }
    }

    fn latin1(&mut self, units: &[u8]) {
        self.latin1 |= units.iter().any(|&c| c >= 0x80);
        self.ascii(units);
    }

    fn ucs2(&mut self, units: &[u16]) {
        if let Units::Two(buf) = &mut self.units {
            buf.extend_from_slice(units);
            return;
        }
        let max = units.iter().copied().max().unwrap_or(0);
        if max > 0xff {
            self.widen_to_two();
        } else if max >= 0x80 {
            self.latin1 = true;
        }
        match &mut self.units {
            Units::One(buf) => buf.extend(units.iter().map(|&c| c as u8)),
            Units::Two(buf) => buf.extend_from_slice(units),
            Units::Four(buf) => buf.extend(units.iter().map(|&c| u32::from(c))),
        }
    }

    fn ucs4(&mut self, units: &[u32]) {
        let max = units.iter().copied().max().unwrap_or(0);
        if max > 0xffff {
            self.widen_to_four();
        } else if max > 0xff {
            self.widen_to_two();
        } else if max >= 0x80 {
            self.latin1 = true;
        }
        match &mut self.units {
            Units::One(buf) => buf.extend(units.iter().map(|&c| c as u8)),
            Units::Two(buf) => buf.extend(units.iter().map(|&c| c as u16)),
            Units::Four(buf) => buf.extend_from_slice(units),
        }
    }
}

//! `PyASCIIObject` / `PyCompactUnicodeObject` / `PyUnicodeObject`: a `str`'s length, kind
//! and character data by direct struct access, as `PyUnicode_GET_LENGTH`, `PyUnicode_KIND`
//! and `PyUnicode_DATA` do.

use pyo3_ffi::{PyObject, Py_hash_t, Py_ssize_t};
use std::os::raw::{c_char, c_void};

/// Mirror of CPython's `PyASCIIObject` (checked against the headers by `layout`).
#[repr(C)]
pub struct PyASCIIObject {
    pub ob_base: PyObject,
    pub length: Py_ssize_t,
    pub hash: Py_hash_t,
    pub state: u32,
    #[cfg(not(py_3_12))]
    pub wstr: *mut libc_wchar,
}

/// Mirror of CPython's `PyCompactUnicodeObject` (checked against the headers by `layout`).
#[repr(C)]
pub struct PyCompactUnicodeObject {
    pub _base: PyASCIIObject,
    pub utf8_length: Py_ssize_t,
    pub utf8: *mut c_char,
    #[cfg(not(py_3_12))]
    pub wstr_length: Py_ssize_t,
}

/// Mirror of CPython's `PyUnicodeObject`: a non-compact string (e.g. an instance of a `str`
/// subclass) keeps its characters behind `data`.
#[repr(C)]
pub struct PyUnicodeObject {
    pub _base: PyCompactUnicodeObject,
    pub data: *mut c_void,
}

#[cfg(not(py_3_12))]
#[allow(non_camel_case_types)]
pub type libc_wchar = i32;

// Bit masks of `PyASCIIObject.state` (interned:2, kind:3, compact:1, ascii:1, ...).
pub const STATE_KIND: u32 = 0b111 << 2;
pub const STATE_COMPACT: u32 = 1 << 5;
pub const STATE_ASCII: u32 = 1 << 6;
/// Ready (a bit of its own before 3.12, which dropped it).
const STATE_READY: u32 = if cfg!(py_3_12) { 0 } else { 1 << 7 };
/// The state of a new compact ASCII str, as `PyUnicode_New(n, 127)` sets it: kind 1,
/// compact, ASCII (and ready, before 3.12).
pub const STATE_NEW_ASCII: u32 = (1 << 2) | STATE_COMPACT | STATE_ASCII | STATE_READY;
/// The states of new compact non-ASCII strs of each kind, as `PyUnicode_New` sets them.
pub const STATE_NEW_LATIN1: u32 = (1 << 2) | STATE_COMPACT | STATE_READY;
pub const STATE_NEW_UCS2: u32 = (2 << 2) | STATE_COMPACT | STATE_READY;
pub const STATE_NEW_UCS4: u32 = (4 << 2) | STATE_COMPACT | STATE_READY;

/// Bytes before the characters of a compact ASCII str.
pub const ASCII_HEADER: usize = std::mem::size_of::<PyASCIIObject>();

/// Makes the block at `base` a new compact ASCII `str` of the `len` characters after its
/// header (as `PyUnicode_New(len, 127)` and a copy would), and returns it.
///
/// # Safety
/// GIL held; `base` allocated by `PyObject_Malloc` with room for `ASCII_HEADER + len + 1`
/// bytes, the `len` after the header ASCII; the block is the str's from now on.
pub unsafe fn init_ascii_str(base: *mut u8, len: usize) -> *mut PyObject {
    let obj = base.cast::<PyASCIIObject>();
    // SAFETY: the header fields are inside the block; the NUL after the characters too.
    unsafe {
        (*obj).length = len as Py_ssize_t;
        (*obj).hash = -1;
        (*obj).state = STATE_NEW_ASCII;
        #[cfg(not(py_3_12))]
        {
            (*obj).wstr = std::ptr::null_mut();
        }
        *base.add(ASCII_HEADER + len) = 0;
        pyo3_ffi::PyObject_Init(obj.cast(), &raw mut pyo3_ffi::PyUnicode_Type)
    }
}

/// Bytes before the characters of a compact non-ASCII str.
pub const COMPACT_HEADER: usize = std::mem::size_of::<PyCompactUnicodeObject>();

/// The width of a character of the compact str kind that `max_char` needs.
pub fn width_of(max_char: u32) -> usize {
    match max_char {
        0..=0xff => 1,
        0x100..=0xffff => 2,
        _ => 4,
    }
}

/// Makes the block at `base` a new compact `str` of the `len` characters after its header,
/// of the kind `max_char` needs (at least 0x80), and returns it: `PyUnicode_New(len,
/// max_char)` and a copy, in place.
///
/// # Safety
/// GIL held; `base` allocated by `PyObject_Malloc` with room for `COMPACT_HEADER` and `len + 1`
/// characters of that kind, the `len` after the header written, the largest `max_char` or in
/// the same kind; the block is the str's from now on.
pub unsafe fn init_compact_str(base: *mut u8, len: usize, max_char: u32) -> *mut PyObject {
    debug_assert!(max_char >= 0x80);
    let width = width_of(max_char);
    let state = match width {
        1 => STATE_NEW_LATIN1,
        2 => STATE_NEW_UCS2,
        _ => STATE_NEW_UCS4,
    };
    let obj = base.cast::<PyCompactUnicodeObject>();
    // SAFETY: the header fields are inside the block; the NUL after the characters too.
    unsafe {
        (*obj)._base.length = len as Py_ssize_t;
        (*obj)._base.hash = -1;
        (*obj)._base.state = state;
        (*obj).utf8_length = 0;
        (*obj).utf8 = std::ptr::null_mut();
        // Before 3.12 a str whose characters are `wchar_t`s shares them as its `wstr`.
        #[cfg(not(py_3_12))]
        {
            let shared = width == std::mem::size_of::<libc_wchar>();
            (*obj)._base.wstr = if shared { base.add(COMPACT_HEADER).cast() } else { std::ptr::null_mut() };
            (*obj).wstr_length = if shared { len as Py_ssize_t } else { 0 };
        }
        std::ptr::write_bytes(base.add(COMPACT_HEADER + len * width), 0, width);
        pyo3_ffi::PyObject_Init(obj.cast(), &raw mut pyo3_ffi::PyUnicode_Type)
    }
}

/// The characters of a `str`, at the width CPython stores them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrData<'a> {
    /// Pure ASCII: also valid UTF-8.
    Ascii(&'a [u8]),
    /// Latin-1 with at least one character >= 0x80.
    Latin1(&'a [u8]),
    Ucs2(&'a [u16]),
    Ucs4(&'a [u32]),
}

impl StrData<'_> {
    /// The number of characters.
    pub fn len(&self) -> usize {
        match self {
            StrData::Ascii(b) | StrData::Latin1(b) => b.len(),
            StrData::Ucs2(u) => u.len(),
            StrData::Ucs4(u) => u.len(),
        }
    }

    /// The character at `i` (< `len()`).
    #[inline(always)]
    fn char_at(&self, i: usize) -> u32 {
        match self {
            StrData::Ascii(b) | StrData::Latin1(b) => u32::from(b[i]),
            StrData::Ucs2(u) => u32::from(u[i]),
            StrData::Ucs4(u) => u[i],
        }
    }

    /// Code point order: Python's `<` on str (and the byte order of UTF-8).
    pub fn cmp_chars(&self, other: &StrData<'_>) -> std::cmp::Ordering {
        match (self, other) {
            (StrData::Ascii(a) | StrData::Latin1(a), StrData::Ascii(b) | StrData::Latin1(b)) => a.cmp(b),
            (StrData::Ucs2(a), StrData::Ucs2(b)) => a.cmp(b),
            (StrData::Ucs4(a), StrData::Ucs4(b)) => a.cmp(b),
            _ => (0..self.len().min(other.len()))
                .map(|i| self.char_at(i).cmp(&other.char_at(i)))
                .find(|o| o.is_ne())
                .unwrap_or_else(|| self.len().cmp(&other.len())),
        }
    }

    /// Whether a surrogate code point is among the characters (UTF-8 cannot hold one).
    pub fn has_surrogate(&self) -> bool {
        let surrogate = |c: u32| (0xD800..0xE000).contains(&c);
        match self {
            StrData::Ascii(_) | StrData::Latin1(_) => false,
            StrData::Ucs2(units) => units.iter().any(|&c| surrogate(c.into())),
            StrData::Ucs4(units) => units.iter().any(|&c| surrogate(c)),
        }
    }
}

/// The characters of `obj`, borrowed for as long as the caller keeps it alive.
///
/// # Safety
/// `obj` must be a live `str` (or subclass instance); the GIL must be held. Returns `None`
/// only where an old-style string could not be made ready (a Python error is then set).
#[inline(always)]
pub unsafe fn str_data<'a>(obj: *mut PyObject) -> Option<StrData<'a>> {
    #[cfg(not(py_3_12))]
    // SAFETY: `obj` is a str; PyUnicode_READY is a no-op on ready strings.
    unsafe {
        if pyo3_ffi::PyUnicode_READY(obj) != 0 {
            return None;
        }
    }
    let ascii = obj.cast::<PyASCIIObject>();
    // SAFETY: `obj` is a ready str, so its header fields are initialised; compact strings keep
    // their characters right after the header struct, others behind `data` (layout-checked).
    unsafe {
        let state = (*ascii).state;
        let len = (*ascii).length as usize;
        let data: *const u8 = if state & STATE_COMPACT != 0 {
            if state & STATE_ASCII != 0 {
                ascii.add(1).cast()
            } else {
                obj.cast::<PyCompactUnicodeObject>().add(1).cast()
            }
        } else {
            (*obj.cast::<PyUnicodeObject>()).data.cast()
        };
        if len == 0 {
            return Some(StrData::Ascii(&[]));
        }
        Some(match (state & STATE_KIND) >> 2 {
            1 if state & STATE_ASCII != 0 => StrData::Ascii(std::slice::from_raw_parts(data, len)),
            1 => StrData::Latin1(std::slice::from_raw_parts(data, len)),
            2 => StrData::Ucs2(std::slice::from_raw_parts(data.cast(), len)),
            _ => StrData::Ucs4(std::slice::from_raw_parts(data.cast(), len)),
        })
    }
}

/// The characters of `obj` if it is a compact ASCII str (most strs), in one test of its
/// state: such a str is always ready, its characters right after its header.
///
/// # Safety
/// `obj` must be a live `str` (or subclass instance); the GIL must be held.
#[inline(always)]
pub unsafe fn compact_ascii<'a>(obj: *mut PyObject) -> Option<&'a [u8]> {
    let ascii = obj.cast::<PyASCIIObject>();
    // SAFETY: `obj` is a str: its header's `state` and `length` are set when it is made (for a
    // compact one: all of it), and a compact ASCII str's `length` bytes follow the header.
    unsafe {
        ((*ascii).state & (STATE_COMPACT | STATE_ASCII) == STATE_COMPACT | STATE_ASCII)
            .then(|| std::slice::from_raw_parts(ascii.add(1).cast(), (*ascii).length as usize))
    }
}

/// The UTF-8 text CPython caches on a non-ASCII `str` once asked for it
/// (`PyUnicode_AsUTF8AndSize`), if it is there; never creates it. (Such a str holds no
/// surrogate: its UTF-8 could not have been made.)
///
/// # Safety
/// `obj` must be a live, ready, non-ASCII `str` (or subclass instance); the GIL must be held.
#[inline(always)]
pub unsafe fn cached_utf8<'a>(obj: *mut PyObject) -> Option<&'a [u8]> {
    // SAFETY: a ready str's header is initialised; a non-ASCII str has the compact header
    // (a subclass instance too, inside its PyUnicodeObject), whose `utf8` is NULL or its
    // `utf8_length` bytes, kept as long as the str lives.
    unsafe {
        let compact = obj.cast::<PyCompactUnicodeObject>();
        let utf8 = (*compact).utf8;
        (!utf8.is_null()).then(|| std::slice::from_raw_parts(utf8.cast::<u8>(), (*compact).utf8_length as usize))
    }
}

/// The writable character buffer of a `str` just created by `PyUnicode_New` (compact).
///
/// # Safety
/// `obj` must be a compact str that no one else has seen yet.
#[inline(always)]
unsafe fn new_str_data(obj: *mut PyObject) -> *mut u8 {
    let ascii = obj.cast::<PyASCIIObject>();
    // SAFETY: PyUnicode_New makes compact strings, whose data follows the header struct.
    unsafe {
        if (*ascii).state & STATE_ASCII != 0 {
            ascii.add(1).cast()
        } else {
            obj.cast::<PyCompactUnicodeObject>().add(1).cast()
        }
    }
}

/// A new `str` from generalized UTF-8 `text` holding `chars` code points, created once at its
/// final kind: `max_char` is the largest non-ASCII code point (below 0x80: pure ASCII) or at
/// least one of the same kind.
///
/// # Safety
/// The GIL must be held; `text` must be valid generalized UTF-8 with those properties.
pub unsafe fn new_str(text: &[u8], chars: usize, max_char: u32) -> *mut PyObject {
    // SAFETY: PyUnicode_New(chars, max_char) allocates room for `chars` characters of the kind
    // `max_char` needs; every character is written before anyone sees the str.
    unsafe {
        if chars == 1 && max_char < 0x100 {
            // CPython's shared one-character strs, as json's decoder returns them.
            let ch = match text {
                [ascii] => *ascii as i32,
                [lead, cont] => (((*lead & 0x1f) as i32) << 6) | (*cont & 0x3f) as i32,
                _ => unreachable!("one character below U+0100 is one or two UTF-8 bytes"),
            };
            return pyo3_ffi::PyUnicode_FromOrdinal(ch);
        }
        if max_char < 0x80 {
            let obj = pyo3_ffi::PyUnicode_New(text.len() as Py_ssize_t, 0x7f);
            if !obj.is_null() {
                std::ptr::copy_nonoverlapping(text.as_ptr(), new_str_data(obj), text.len());
            }
            return obj;
        }
        let obj = pyo3_ffi::PyUnicode_New(chars as Py_ssize_t, max_char);
        if obj.is_null() {
            return obj;
        }
        let data = new_str_data(obj);
        match max_char {
            0..=0xff => fill(data, text),
            0x100..=0xffff => fill(data.cast::<u16>(), text),
            _ => fill(data.cast::<u32>(), text),
        }
        obj
    }
}

/// A code unit of a `str` kind (the str writer's too: each narrower unit widens to it).
pub trait Unit: Copy {
    /// `cp` as a unit; the kind was chosen so that it fits.
    fn of(cp: u32) -> Self;

    /// Writes the 16 ASCII bytes at `src` as 16 units at `dst`.
    ///
    /// # Safety
    /// `src` readable and `dst` writable for 16 bytes and 16 units.
    #[inline(always)]
    unsafe fn widen_16(src: *const u8, dst: *mut Self) {
        // SAFETY: forwarded; each unit is the byte zero-extended.
        unsafe {
            for k in 0..16 {
                dst.add(k).write(Self::of(u32::from(*src.add(k))));
            }
        }
    }
}

impl Unit for u8 {
    #[inline(always)]
    fn of(cp: u32) -> u8 {
        cp as u8
    }

    #[inline(always)]
    unsafe fn widen_16(src: *const u8, dst: *mut u8) {
        // SAFETY: forwarded.
        unsafe { std::ptr::copy_nonoverlapping(src, dst, 16) }
    }
}

impl Unit for u16 {
    #[inline(always)]
    fn of(cp: u32) -> u16 {
        cp as u16
    }

    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn widen_16(src: *const u8, dst: *mut u16) {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is baseline on x86_64; `src` readable for 16 bytes, `dst` writable
        // for 16 units (32 bytes); bytes are zero-extended by interleaving with zeros.
        unsafe {
            let v = _mm_loadu_si128(src.cast());
            let zero = _mm_setzero_si128();
            _mm_storeu_si128(dst.cast(), _mm_unpacklo_epi8(v, zero));
            _mm_storeu_si128(dst.add(8).cast(), _mm_unpackhi_epi8(v, zero));
        }
    }
}

impl Unit for u32 {
    #[inline(always)]
    fn of(cp: u32) -> u32 {
        cp
    }

    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn widen_16(src: *const u8, dst: *mut u32) {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is baseline on x86_64; `src` readable for 16 bytes, `dst` writable
        // for 16 units (64 bytes); bytes are zero-extended by interleaving with zeros twice.
        unsafe {
            let v = _mm_loadu_si128(src.cast());
            let zero = _mm_setzero_si128();
            let (lo, hi) = (_mm_unpacklo_epi8(v, zero), _mm_unpackhi_epi8(v, zero));
            _mm_storeu_si128(dst.cast(), _mm_unpacklo_epi16(lo, zero));
            _mm_storeu_si128(dst.add(4).cast(), _mm_unpackhi_epi16(lo, zero));
            _mm_storeu_si128(dst.add(8).cast(), _mm_unpacklo_epi16(hi, zero));
            _mm_storeu_si128(dst.add(12).cast(), _mm_unpackhi_epi16(hi, zero));
        }
    }
}

/// Writes the code points of `text` as `T` units; runs of ASCII 16 bytes at a time.
///
/// # Safety
/// `text` is valid generalized UTF-8 (every sequence complete) whose code points all fit `T`,
/// and `data` has room for all of them.
#[inline(always)]
unsafe fn fill<T: Unit>(data: *mut T, text: &[u8]) {
    let cont = |b: u8| u32::from(b & 0x3f);
    // SAFETY: each lead byte is followed by its whole sequence inside `text`, and `out`
    // advances once per code point; 16 bytes are read only when 16 are left, and only their
    // ASCII prefix is written (one unit per byte).
    unsafe {
        let (mut p, end, mut out) = (text.as_ptr(), text.as_ptr().add(text.len()), data);
        while p < end {
            let b = *p;
            let cp = if b < 0x80 {
                if end.offset_from(p) >= 16 {
                    // The ASCII run here: all 16 bytes at once, or up to the next lead.
                    let run = crate::ascii::ascii_prefix_16(p);
                    if run == 16 {
                        T::widen_16(p, out);
                    } else {
                        for k in 0..run {
                            out.add(k).write(T::of(u32::from(*p.add(k))));
                        }
                    }
                    p = p.add(run);
                    out = out.add(run);
                    continue;
                }
                p = p.add(1);
                u32::from(b)
            } else if b < 0xE0 {
                let cp = u32::from(b & 0x1f) << 6 | cont(*p.add(1));
                p = p.add(2);
                cp
            } else if b < 0xF0 {
                let cp = u32::from(b & 0x0f) << 12 | cont(*p.add(1)) << 6 | cont(*p.add(2));
                p = p.add(3);
                cp
            } else {
                let cp = u32::from(b & 0x07) << 18 | cont(*p.add(1)) << 12 | cont(*p.add(2)) << 6 | cont(*p.add(3));
                p = p.add(4);
                cp
            };
            out.write(T::of(cp));
            out = out.add(1);
        }
    }
}

//! The standard library face's output: a `str`. Everything ASCII (brackets, separators,
//! numbers, keys, ASCII strs, escapes) goes to one byte buffer; runs of other characters are
//! kept in the tail of the same block at the narrowest width that holds them, each noting
//! where in the bytes it belongs. The `str` is then made once at its final kind: the bytes
//! widened around the runs, in the block itself when the tail is small. No character is
//! transcoded to UTF-8 and decoded back, and output without a non-ASCII character is the
//! byte buffer itself, which becomes the `str` in place.

use super::buffer::OutBuf;
use super::escape::Out;
use super::writer::Output;
use crate::ffi::unicode::Unit;
use pyo3_ffi::{PyErr_NoMemory, PyObject};
use std::ops::BitOr;

/// A kept run, in the tail of the byte buffer: this record (where the run goes: after how
/// many bytes of ASCII; its length and the width of its units), then its units. Each run is
/// pushed below the last, so the tail reads from the last run back.
#[repr(C)]
#[derive(Clone, Copy)]
struct Record {
    at: usize,
    /// `len << 3 | width`.
    len_width: usize,
}

const RECORD: usize = std::mem::size_of::<Record>();

pub struct StrWriter {
    /// The ASCII output, and in its tail the kept runs: one block, which grows in place
    /// where two allocations growing by turns would keep moving past each other (glibc's
    /// heap then grew to twice the output and was trimmed and faulted in again every call:
    /// gsoc-2018.json 405,000 page faults in 170 calls).
    ascii: OutBuf,
    /// Characters kept and their runs.
    kept_chars: usize,
    runs: usize,
    /// The largest character of the kinds kept, as `PyUnicode_New` takes it (below 0x80: the
    /// output is ASCII).
    max_char: u32,
}

impl Default for StrWriter {
    fn default() -> Self {
        StrWriter { ascii: OutBuf::for_ascii_str(), kept_chars: 0, runs: 0, max_char: 0 }
    }
}

impl StrWriter {
    /// Writes `units` (characters of a str, or of a separator): to the bytes if they are
    /// ASCII, else kept aside at the narrowest width that holds them all. The widths' bounds
    /// are powers of two, so the units OR-ed together say which holds them as their maximum
    /// would (and an OR vectorizes to one instruction a block, where an unsigned maximum of
    /// 16- or 32-bit lanes takes five without SSE4.1). They are OR-ed at their own width:
    /// widened first, a block held a quarter as many UCS-2 units.
    #[inline(always)]
    fn units<S: Copy + Into<u32> + Default + BitOr<Output = S>>(&mut self, units: &[S]) {
        match units.iter().fold(S::default(), |bits, &u| bits | u).into() {
            0..=0x7f => {
                let n = units.len();
                // SAFETY: writes the `n` bytes it says it wrote, into room for `n`.
                unsafe {
                    self.ascii.put(n, |dst| {
                        for (i, &u) in units.iter().enumerate() {
                            *dst.add(i) = u.into() as u8;
                        }
                        n
                    })
                }
            }
            0x80..=0xff => self.keep::<S, u8>(units, 0xff),
            0x100..=0xffff => self.keep::<S, u16>(units, 0xffff),
            _ => self.keep::<S, u32>(units, 0x10ffff),
        }
    }

    /// Keeps `units` in the tail as `T`s (each fits), to go at the current end of the bytes;
    /// `max_char` is the largest character `T` holds.
    #[inline(always)]
    fn keep<S: Copy + Into<u32>, T: Unit>(&mut self, units: &[S], max_char: u32) {
        let (len, width) = (units.len(), std::mem::size_of::<T>());
        let at = self.ascii.len();
        // No overflow: `T` is no wider than `S`, and `units` is in memory.
        let Some(dst) = self.ascii.push_tail(RECORD + len * width) else {
            return;
        };
        // SAFETY: the tail's new bytes at `dst` hold the record and `len` units of `T`
        // (unaligned: the tail starts at any byte).
        unsafe {
            dst.cast::<Record>().write_unaligned(Record { at, len_width: len << 3 | width });
            let kept = dst.add(RECORD).cast::<T>();
            for (i, &u) in units.iter().enumerate() {
                kept.add(i).write_unaligned(T::of(u.into()));
            }
        }
        self.runs += 1;
        self.kept_chars += len;
        self.max_char = self.max_char.max(max_char);
    }

    /// The output as a `str`, and the writer emptied; NULL with `MemoryError` set if memory
    /// ran out.
    ///
    /// # Safety
    /// GIL held.
    unsafe fn object(&mut self) -> *mut PyObject {
        let ascii = std::mem::replace(&mut self.ascii, OutBuf::for_ascii_str());
        let (runs, max_char) = (self.runs, self.max_char);
        let (bytes, chars) = (ascii.len(), ascii.len() + self.kept_chars);
        (self.runs, self.kept_chars, self.max_char) = (0, 0, 0);
        // SAFETY: GIL held; without kept characters the bytes are ASCII and become the str;
        // otherwise their block becomes a str of the kind `max_char` needs and gets every
        // character before the tail, the kept ones at a width no wider than its own.
        unsafe {
            if ascii.failed() {
                return PyErr_NoMemory();
            }
            if runs == 0 {
                return ascii.into_ascii_str();
            }
            ascii.into_compact_str(chars, max_char, |text, tail, dst| {
                match max_char {
                    0..=0xff => assemble(text, bytes, chars, tail, runs, dst),
                    0x100..=0xffff => assemble_wide(text, bytes, chars, tail, runs, dst.cast::<u16>()),
                    _ => assemble_wide(text, bytes, chars, tail, runs, dst.cast::<u32>()),
                }
            })
        }
    }
}

/// Writes the `chars` characters to `dst`: the `bytes` ASCII bytes at `text` widened, and
/// the `runs` kept in `tail` between them. Back to front (as the tail reads), so that `dst`
/// may also be further into `text`'s own block: each character goes at or after where its
/// byte was, and nothing is overwritten before it is read.
///
/// # Safety
/// `text` readable for `bytes` bytes; `tail` holds `runs` records and their units, as
/// [`StrWriter::keep`] wrote them; `dst` writable for every character, of a width that holds
/// each, not overlapping `tail`, and not overlapping `text` or at or after it.
unsafe fn assemble<T: Unit>(text: *const u8, bytes: usize, chars: usize, tail: &[u8], runs: usize, dst: *mut T) {
    // SAFETY: forwarded.
    unsafe { assemble_with(text, bytes, chars, tail, runs, dst, |src, n, dst| widen_back(src, n, dst)) }
}

/// [`assemble`] into UCS-2 or UCS-4, by [`assemble_avx512`] where the CPU has AVX-512.
///
/// # Safety
/// As for [`assemble`].
unsafe fn assemble_wide<T: Unit>(text: *const u8, bytes: usize, chars: usize, tail: &[u8], runs: usize, dst: *mut T) {
    // SAFETY: forwarded; `assemble_avx512` only where the CPU has its features.
    unsafe {
        #[cfg(target_arch = "x86_64")]
        if crate::cpu::has_avx512() {
            return assemble_avx512(text, bytes, chars, tail, runs, dst);
        }
        assemble(text, bytes, chars, tail, runs, dst)
    }
}

/// [`assemble`] with the bytes widened a vector at a time, the first fewer than a vector of
/// each stretch under a mask (the plain loop takes those one at a time, and the stretches
/// between runs are often short).
///
/// # Safety
/// As for [`assemble`]; the CPU has AVX-512 BW and VL.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
unsafe fn assemble_avx512<T: Unit>(text: *const u8, bytes: usize, chars: usize, tail: &[u8], runs: usize, dst: *mut T) {
    // SAFETY: forwarded; the CPU has the features `widen_back_avx512` needs.
    unsafe { assemble_with(text, bytes, chars, tail, runs, dst, |src, n, dst| widen_back_avx512(src, n, dst)) }
}

/// [`assemble`] with `widen_back` for the stretches of bytes.
///
/// # Safety
/// As for [`assemble`]; `widen_back` does what [`widen_back`] does.
#[inline(always)]
unsafe fn assemble_with<T: Unit>(
    text: *const u8,
    bytes: usize,
    chars: usize,
    tail: &[u8],
    runs: usize,
    dst: *mut T,
    widen_back: impl Fn(*const u8, usize, *mut T),
) {
    let (mut end, mut o) = (bytes, chars);
    let mut p = tail.as_ptr();
    // SAFETY: the records' `at` shrink and end inside the bytes; the characters written add
    // up to what `dst` holds; each record and its units are inside the tail.
    unsafe {
        for _ in 0..runs {
            let Record { at, len_width } = p.cast::<Record>().read_unaligned();
            let (len, width) = (len_width >> 3, len_width & 7);
            o -= end - at;
            widen_back(text.add(at), end - at, dst.add(o));
            end = at;
            o -= len;
            let units = p.add(RECORD);
            match width {
                1 => widen(units, len, dst.add(o)),
                2 => widen(units.cast::<u16>(), len, dst.add(o)),
                _ => widen(units.cast::<u32>(), len, dst.add(o)),
            }
            p = units.add(len * width);
        }
        debug_assert_eq!(o, end);
        widen_back(text, end, dst);
    }
}

/// Writes the `n` units at `src` (unaligned) at `dst`, each widened (a loop the compiler
/// vectorizes; a copy when the widths are equal).
///
/// # Safety
/// `src` readable for `n` units; `dst` writable for `n` units, not overlapping them; each
/// unit fits `T`.
#[inline(always)]
unsafe fn widen<S: Copy + Into<u32>, T: Unit>(src: *const S, n: usize, dst: *mut T) {
    // SAFETY: forwarded.
    unsafe {
        for i in 0..n {
            dst.add(i).write(T::of(src.add(i).read_unaligned().into()));
        }
    }
}

/// Writes the `n` bytes at `src` at `dst`, each widened, back to front: `dst` may overlap
/// them, at or after `src`. A block of 16 is read whole before it is written.
///
/// # Safety
/// `src` readable for `n` bytes; `dst` writable for `n` units, at or after `src` if they
/// overlap.
#[inline(always)]
unsafe fn widen_back<T: Unit>(src: *const u8, n: usize, dst: *mut T) {
    const BLOCK: usize = 16;
    // SAFETY: every read is below `src + n`, every write below `dst + n`; a write at unit
    // `i` starts at or after byte `i` of `src`, so it never reaches a byte not read yet
    // (those are below the block being written).
    unsafe {
        if std::mem::size_of::<T>() == 1 {
            return std::ptr::copy(src, dst.cast::<u8>(), n);
        }
        let mut i = n;
        while i >= BLOCK {
            i -= BLOCK;
            let block = src.add(i).cast::<[u8; BLOCK]>().read_unaligned();
            dst.add(i).cast::<[T; BLOCK]>().write_unaligned(block.map(|b| T::of(b.into())));
        }
        while i > 0 {
            i -= 1;
            dst.add(i).write(T::of((*src.add(i)).into()));
        }
    }
}

/// [`widen_back`] for UCS-2 and UCS-4: 32 or 16 bytes a vector, read whole before it is
/// written, and the first `n % 32` (or `% 16`) under a mask, read before any is written.
///
/// # Safety
/// As for [`widen_back`]; `T` two or four bytes wide; the CPU has AVX-512 BW and VL.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
#[inline]
unsafe fn widen_back_avx512<T: Unit>(src: *const u8, n: usize, dst: *mut T) {
    use std::arch::x86_64::*;
    // SAFETY: loads read bytes below `src + n` (masked-off bytes are not read), stores write
    // units below `dst + n`, and each vector is loaded before it is stored: as for
    // `widen_back`, no store reaches a byte not read yet.
    unsafe {
        let mut i = n;
        if std::mem::size_of::<T>() == 2 {
            while i >= 32 {
                i -= 32;
                let v = _mm512_cvtepu8_epi16(_mm256_loadu_si256(src.add(i).cast()));
                _mm512_storeu_si512(dst.add(i).cast(), v);
            }
            let mask = (1u32 << i) - 1;
            let v = _mm512_cvtepu8_epi16(_mm256_maskz_loadu_epi8(mask, src.cast()));
            _mm512_mask_storeu_epi16(dst.cast(), mask, v);
        } else {
            debug_assert_eq!(std::mem::size_of::<T>(), 4);
            while i >= 16 {
                i -= 16;
                let v = _mm512_cvtepu8_epi32(_mm_loadu_si128(src.add(i).cast()));
                _mm512_storeu_si512(dst.add(i).cast(), v);
            }
            let mask = ((1u32 << i) - 1) as u16;
            let v = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(mask, src.cast()));
            _mm512_mask_storeu_epi32(dst.cast(), mask, v);
        }
    }
}

impl Out for StrWriter {
    #[inline(always)]
    fn buffer(&mut self) -> &mut OutBuf {
        &mut self.ascii
    }

    #[inline(always)]
    fn ascii(&mut self, bytes: &[u8]) {
        self.ascii.extend_from_slice(bytes);
    }

    // Runs of a str's characters (between escapes) need not reach its kind's width: each is
    // kept at its own narrowest, so the result's kind is exactly what its characters need.
    fn latin1(&mut self, units: &[u8]) {
        if units.is_ascii() {
            return self.ascii.extend_from_slice(units);
        }
        self.keep::<u8, u8>(units, 0xff);
    }

    fn ucs2(&mut self, units: &[u16]) {
        self.units(units);
    }

    // Also separators and indentation with non-ASCII characters.
    fn ucs4(&mut self, units: &[u32]) {
        self.units(units);
    }
}

impl Output for StrWriter {
    const TAKES_UTF8: bool = false;

    #[inline(always)]
    fn with_ascii<R>(&mut self, write: impl FnOnce(&mut OutBuf) -> R) -> R {
        write(&mut self.ascii)
    }

    fn len(&self) -> usize {
        self.ascii.len() + self.kept_chars
    }

    #[inline(always)]
    fn failed(&self) -> bool {
        self.ascii.failed()
    }

    unsafe fn take(&mut self) -> *mut PyObject {
        // SAFETY: forwarded.
        unsafe { self.object() }
    }

    unsafe fn finish(mut self) -> *mut PyObject {
        // SAFETY: forwarded.
        unsafe { self.object() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes pieces of every width, escaped-looking ASCII between them, and assembles them
    /// at UCS-4 both into separate memory and further into the text's own memory.
    #[test]
    fn assembles_apart_and_in_place() {
        let mut w = StrWriter { ascii: OutBuf::default(), kept_chars: 0, runs: 0, max_char: 0 };
        let mut want: Vec<u32> = Vec::new();
        for i in 0..40u32 {
            let ascii: Vec<u8> = (0..i % 19).map(|j| b'a' + (j % 26) as u8).collect();
            w.ascii(&ascii);
            want.extend(ascii.iter().map(|&b| u32::from(b)));
            match i % 4 {
                0 => w.latin1(&[0xe9, b'x', 0xff]),
                1 => w.ucs2(&[0x100, 0xe9, 0x20ac]),
                2 => w.ucs4(&[0x1f600, 0x41]),
                _ => w.ucs2(&[b'q'.into(), b'r'.into()]),
            }
            want.extend(match i % 4 {
                0 => vec![0xe9, u32::from(b'x'), 0xff],
                1 => vec![0x100, 0xe9, 0x20ac],
                2 => vec![0x1f600, 0x41],
                _ => vec![u32::from(b'q'), u32::from(b'r')],
            });
        }
        assert_eq!(w.max_char, 0x10ffff);
        assert_eq!(w.runs, 30);
        let (bytes, chars) = (w.ascii.len(), w.ascii.len() + w.kept_chars);
        assert_eq!(chars, want.len());
        let text = w.ascii.as_slice().to_vec();
        let tail = w.ascii.tail().to_vec();
        type Assemble = unsafe fn(*const u8, usize, usize, &[u8], usize, *mut u32);
        let mut ways: Vec<Assemble> = vec![assemble];
        #[cfg(target_arch = "x86_64")]
        if crate::cpu::has_avx512() {
            // SAFETY: the CPU has AVX-512 BW and VL; the rest as for `assemble`.
            ways.push(|text, bytes, chars, tail, runs, dst| unsafe { assemble_avx512(text, bytes, chars, tail, runs, dst) });
        }
        for way in ways {
            let mut apart = vec![0u32; chars];
            // SAFETY: `apart` holds `chars` units; the tail is the writer's.
            unsafe { way(text.as_ptr(), bytes, chars, &tail, w.runs, apart.as_mut_ptr()) };
            assert_eq!(apart, want);
            // In place: the text at the start of the memory, the characters 24 bytes in.
            let mut memory = vec![0u32; chars + 6];
            let base = memory.as_mut_ptr().cast::<u8>();
            // SAFETY: the memory holds the text and, 24 bytes in, every character.
            unsafe {
                std::ptr::copy_nonoverlapping(text.as_ptr(), base, bytes);
                way(base, bytes, chars, &tail, w.runs, base.add(24).cast::<u32>());
            }
            assert_eq!(memory[6..], want[..]);
        }
    }

    /// Both ways of widening stretches of every length from 0 to 100 to UCS-2 and UCS-4, in
    /// place (as far in as the str's header puts them, and not at all) and apart.
    #[test]
    fn widens_back_every_length() {
        fn check<T: Unit + PartialEq + std::fmt::Debug>(widen: unsafe fn(*const u8, usize, *mut T)) {
            let width = std::mem::size_of::<T>();
            for n in 0..100 {
                let text: Vec<u8> = (0..n).map(|k| (k * 37 % 128) as u8).collect();
                let want: Vec<T> = text.iter().map(|&b| T::of(b.into())).collect();
                for shift in [0, 8, 24] {
                    let mut memory = vec![0u8; shift + n * width + 8];
                    memory[..n].copy_from_slice(&text);
                    let base = memory.as_mut_ptr();
                    // SAFETY: the memory holds the text at its start and `n` units `shift`
                    // bytes in (at or after the text).
                    let got = unsafe {
                        widen(base, n, base.add(shift).cast::<T>());
                        std::slice::from_raw_parts(base.add(shift).cast::<T>().cast_const(), n).to_vec()
                    };
                    assert_eq!(got, want, "{n} bytes to width {width}, {shift} bytes in");
                    assert!(memory[shift + n * width..].iter().all(|&b| b == 0), "nothing written past the units");
                }
            }
        }
        // SAFETY (each): `check` passes a text of `n` bytes and room for `n` units at or
        // after it; the AVX-512 ones only where the CPU has it.
        check::<u16>(|src, n, dst| unsafe { widen_back(src, n, dst) });
        check::<u32>(|src, n, dst| unsafe { widen_back(src, n, dst) });
        #[cfg(target_arch = "x86_64")]
        if crate::cpu::has_avx512() {
            // SAFETY: as above, and the CPU has AVX-512 BW and VL.
            check::<u16>(|src, n, dst| unsafe { widen_back_avx512(src, n, dst) });
            check::<u32>(|src, n, dst| unsafe { widen_back_avx512(src, n, dst) });
        }
    }
}

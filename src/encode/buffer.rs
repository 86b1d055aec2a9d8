//! The encoder's byte buffer: a `Vec<u8>` whose growth cannot abort the process.
//!
//! A `Vec` aborts when an allocation fails; `json.dumps` raises `MemoryError` and the
//! interpreter goes on. So the buffer grows through `try_reserve` only. When that fails the
//! buffer lets its memory go and is marked failed: every later write is dropped, and the
//! encoder raises `MemoryError` where it next looks (before it runs Python code again, and
//! when the output is taken). Writers never test for failure themselves: room they ask for
//! is either there or the write does not happen.

use crate::utf8::{transcode_into, Transcoded, Unit};

/// Growing output bytes, with writes that are dropped once memory ran out.
#[derive(Default)]
pub struct OutBuf {
    bytes: Vec<u8>,
    failed: bool,
}

impl OutBuf {
    /// Bytes written (none once failed).
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    #[inline(always)]
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes
    }

    /// Whether an allocation failed: what was written is gone and the output is lost.
    #[inline(always)]
    pub fn failed(&self) -> bool {
        self.failed
    }

    /// Forgets what was written (keeping the memory).
    pub fn clear(&mut self) {
        self.bytes.clear();
    }

    /// Makes room for `n` more bytes; `false` when memory ran out (now or before).
    #[inline(always)]
    pub fn reserve(&mut self, n: usize) -> bool {
        self.bytes.capacity() - self.bytes.len() >= n || self.grow(n)
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self, n: usize) -> bool {
        // `try_reserve` grows as `reserve` does (at least doubling), so appends stay amortized.
        if !self.failed && self.bytes.try_reserve(n).is_ok() {
            return true;
        }
        self.bytes = Vec::new();
        self.failed = true;
        false
    }

    /// Writes at most `most` bytes in place: `write` gets a pointer to room for `most` bytes
    /// and returns how many it wrote. Not called once memory ran out.
    ///
    /// # Safety
    /// `write` must initialise exactly the first bytes it says it wrote, at most `most`.
    #[inline(always)]
    pub unsafe fn put(&mut self, most: usize, write: impl FnOnce(*mut u8) -> usize) {
        if !self.reserve(most) {
            return;
        }
        // SAFETY: `most` bytes of spare capacity are reserved; the caller vouches that
        // `write` initialised the `len <= most` bytes counted.
        unsafe {
            let len = self.bytes.len();
            let written = write(self.bytes.as_mut_ptr().add(len));
            debug_assert!(written <= most);
            self.bytes.set_len(len + written);
        }
    }

    #[inline(always)]
    pub fn push(&mut self, byte: u8) {
        // SAFETY: one byte written.
        unsafe {
            self.put(1, |at| {
                *at = byte;
                1
            })
        }
    }

    /// Appends `bytes`; short slices (separators, keys, numbers) without a call to `memcpy`
    /// (see [`put_short`]).
    #[inline(always)]
    pub fn extend_from_slice(&mut self, bytes: &[u8]) {
        let n = bytes.len();
        // SAFETY: `n` bytes written (`put_short` takes at most 32, given room for 32 so
        // that every short write needs the same, constant, check).
        unsafe {
            if n <= 32 {
                self.put(32, |at| {
                    put_short(at, bytes);
                    n
                });
            } else {
                self.put(n, |at| {
                    std::ptr::copy_nonoverlapping(bytes.as_ptr(), at, n);
                    n
                });
            }
        }
    }

    /// Appends `byte` `n` times.
    pub fn extend_repeated(&mut self, byte: u8, n: usize) {
        // SAFETY: `n` bytes written.
        unsafe {
            self.put(n, |at| {
                std::ptr::write_bytes(at, byte, n);
                n
            })
        }
    }

    /// Appends `units` as generalized UTF-8 (room for the widest form asked first); what
    /// was written (nothing once memory ran out).
    #[inline(always)]
    pub fn push_transcoded<T: Unit>(&mut self, units: &[T]) -> Transcoded {
        let mut written = Transcoded::default();
        // SAFETY: `transcode_into` writes the UTF-8 form of `units`, at most
        // `units.len() * T::MAX_WIDTH` bytes, and says how many.
        unsafe {
            self.put(units.len() * T::MAX_WIDTH, |at| {
                written = transcode_into(units, at);
                written.len
            });
        }
        written
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_every_short_length_and_long_ones() {
        let text: Vec<u8> = (0..100u8).collect();
        for n in 0..=100 {
            let mut out = OutBuf::default();
            out.push(b'<');
            out.extend_from_slice(&text[..n]);
            out.extend_repeated(b'>', 2);
            assert_eq!(out.as_slice(), [&b"<"[..], &text[..n], b">>"].concat());
            assert!(!out.failed());
        }
    }

    #[test]
    fn a_failed_allocation_drops_what_follows() {
        let mut out = OutBuf::default();
        out.extend_from_slice(b"kept until the failure");
        // More than any allocator gives (and than `isize::MAX`): `try_reserve` refuses it.
        assert!(!out.reserve(usize::MAX / 2));
        assert!(out.failed());
        assert_eq!(out.len(), 0);
        out.push(b'x');
        out.extend_from_slice(b"dropped");
        // SAFETY: never called once failed.
        unsafe { out.put(4, |_| unreachable!("no room is handed out after a failure")) };
        assert!(out.as_slice().is_empty() && out.failed());
    }
}

//! The encoder's byte buffer: growing bytes whose growth cannot abort the process, and that
//! can become a `bytes` object without a copy.
//!
//! A `Vec` aborts when an allocation fails; `json.dumps` raises `MemoryError` and the
//! interpreter goes on. So the buffer grows only through allocations that may fail. When one
//! does, the buffer lets its memory go and is marked failed: every later write is dropped,
//! and the encoder raises `MemoryError` where it next looks (before it runs Python code again,
//! and when the output is taken). Writers never test for failure themselves: room they ask
//! for is either there or the write does not happen.
//!
//! [`OutBuf::for_bytes`] and [`OutBuf::for_ascii_str`] make a buffer in Python's object
//! memory with room for an object header before the text and its NUL after it:
//! [`OutBuf::into_bytes`] / [`OutBuf::into_ascii_str`] turn it into the `bytes` or compact
//! ASCII `str` in place, as orjson's writer does (no copy of the output, no second allocation
//! as large). Other buffers use Rust's allocator and need no interpreter.

use super::integer::Decimal;
use crate::ffi::bytes::{init_bytes, BYTES_HEADER};
use crate::ffi::unicode::{init_ascii_str, init_compact_str, new_str, width_of, ASCII_HEADER, COMPACT_HEADER};
use crate::utf8::{transcode_into, Transcoded, Unit, SLACK};
use pyo3_ffi::{PyBytes_FromStringAndSize, PyErr_NoMemory, PyObject, PyObject_Free, PyObject_Malloc, PyObject_Realloc, Py_ssize_t};
use std::alloc::{alloc, dealloc, realloc, Layout};
use std::cell::Cell;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Where a buffer's memory comes from.
#[derive(Clone, Copy, PartialEq)]
enum Heap {
    /// Rust's allocator, exactly `cap` bytes.
    Rust,
    /// Python's object allocator: a `PyBytesObject` header, `cap` bytes, a NUL.
    Bytes,
    /// Python's object allocator: a `PyASCIIObject` header, `cap` bytes, a NUL.
    AsciiStr,
}

impl Heap {
    /// Bytes before the text: the object header.
    fn header(self) -> usize {
        match self {
            Heap::Rust => 0,
            Heap::Bytes => BYTES_HEADER,
            Heap::AsciiStr => ASCII_HEADER,
        }
    }

    /// The first capacity: for an object, the size the last two outputs of this heap on this
    /// thread both reached (see [`RECENT`]) and the [`spare_kept`] past it; before there are
    /// two, the rest of pymalloc's largest block, so that a small output never reaches
    /// malloc.
    fn first_capacity(self) -> usize {
        match self {
            Heap::Rust => 64,
            object => {
                let [last, before] = RECENT.with(|recent| recent[object.recent()].get());
                match last.min(before) {
                    0 => 512 - object.header() - 1,
                    expected => expected + spare_kept(expected),
                }
            }
        }
    }

    /// Which of [`RECENT`]'s entries is this object heap's.
    fn recent(self) -> usize {
        usize::from(self == Heap::AsciiStr)
    }

    /// Notes the size an output of this heap reached (text and tail; for a str made in the
    /// text's block, the room the str took and the tail), for the next
    /// [`Heap::first_capacity`].
    fn record(self, size: usize) {
        if self != Heap::Rust {
            RECENT.with(|recent| {
                let recent = &recent[self.recent()];
                recent.set([size, recent.get()[0]]);
            });
        }
    }
}

thread_local! {
    /// The sizes the last two outputs reached on this thread, for `bytes` and for `str`: the
    /// next one starts at the smaller, so that a steady workload writes into one block of
    /// the right size instead of doubling into it (the copies were 7% of apache_builds'
    /// instructions), and one large output among small ones does not make the next small
    /// one take a large block.
    static RECENT: [Cell<[usize; 2]>; 2] = const { [Cell::new([0; 2]), Cell::new([0; 2])] };
}

/// Room past a text of `len` bytes that a finished object keeps rather than be cut to its
/// text, and that an output starts with over the last ones: more than any one write asks
/// for (the fast walk's most is 34 bytes) and a sixteenth, so that an output as large as
/// the last ones neither grows nor is copied into a smaller block when cut. The 100-byte
/// object started in a 512-byte block and was cut to size, which pymalloc does by a copy
/// (a malloc, a copy and a free a call).
fn spare_kept(len: usize) -> usize {
    64 + len / 16
}

/// glibc's default mmap threshold: a finished object below it is shrunk to its text (see
/// `take_block`); a block growing past it may first show glibc a mapped block
/// ([`show_heap`]).
const MMAP_THRESHOLD: usize = 128 * 1024;

/// The largest block size [`show_heap`] has shown glibc, in any interpreter (its thresholds
/// are the process's).
static LARGEST_SHOWN: AtomicUsize = AtomicUsize::new(0);

/// Before a buffer grows to a `size` larger than any before (past [`MMAP_THRESHOLD`]):
/// shows glibc a block of twice the size, mapped and unmapped again untouched (no page is
/// faulted in). Freeing a mapped block raises glibc's mmap threshold to its size and its
/// trim threshold to twice that, which is what lets outputs of this size come and go on the
/// heap. Without it, a large output grew in place at the heap's top, was never mapped, and
/// its freeing trimmed the heap, which the next call grew and faulted in again (outputs of
/// 113-199 KB: two `brk` calls a call, a fifth of the time in the kernel; a block the size
/// of the output raised the trim threshold only to the output plus glibc's 128 KiB pad).
/// glibc stops adjusting its thresholds at 32 MiB; nothing is shown past that.
fn show_heap(size: usize) {
    const MAX_SHOWN: usize = 32 << 20;
    if !(MMAP_THRESHOLD..=MAX_SHOWN / 2).contains(&size) || LARGEST_SHOWN.fetch_max(size, Relaxed) >= size {
        return;
    }
    let Ok(layout) = Layout::from_size_align(2 * size, 16) else { return };
    // SAFETY: a non-zero size; the block is freed with the layout it was made with.
    unsafe {
        let block = std::hint::black_box(alloc(layout));
        if !block.is_null() {
            dealloc(block, layout);
        }
    }
}

/// A write position in an [`OutBuf`] and the end of its room, passed by value through the
/// fast walk so that both stay in registers: writing through the buffer's own length field
/// made every write wait on the previous one's store of it (perf: a fifth of a compact
/// dumps' samples on citm_catalog), and reading its capacity there made every room check
/// load it again (the writes may alias it).
#[derive(Clone, Copy)]
pub struct Cursor {
    /// Non-null (a dangling pointer while nothing is allocated), so that a `Result` of a
    /// cursor is two registers.
    at: NonNull<u8>,
    end: *mut u8,
}

impl Cursor {
    /// The position `n` bytes on.
    ///
    /// # Safety
    /// `n` bytes from here were written (within the room asked for).
    #[inline(always)]
    pub unsafe fn advance(self, n: usize) -> Cursor {
        // SAFETY: forwarded: inside the buffer's capacity.
        Cursor { at: unsafe { self.at.add(n) }, end: self.end }
    }

    /// Where the next byte goes.
    #[inline(always)]
    pub fn ptr(self) -> *mut u8 {
        self.at.as_ptr()
    }

    /// Bytes of room from here.
    #[inline(always)]
    fn room(self) -> usize {
        self.end as usize - self.at.as_ptr() as usize
    }
}

/// Growing output bytes, with writes that are dropped once memory ran out.
///
/// The block may also hold a tail: bytes at its end, below which the text grows, for a
/// writer's own records ([`OutBuf::push_tail`]). One block for both grows in place where
/// two would take turns moving past each other on the heap.
pub struct OutBuf {
    /// The text's first byte (dangling while nothing is allocated).
    data: NonNull<u8>,
    len: usize,
    /// Room for text; the tail follows it.
    cap: usize,
    tail: usize,
    heap: Heap,
    failed: bool,
}

impl Default for OutBuf {
    fn default() -> Self {
        OutBuf::new(Heap::Rust)
    }
}

impl Drop for OutBuf {
    fn drop(&mut self) {
        self.release();
    }
}

impl OutBuf {
    fn new(heap: Heap) -> Self {
        OutBuf { data: NonNull::dangling(), len: 0, cap: 0, tail: 0, heap, failed: false }
    }

    /// A buffer that [`OutBuf::into_bytes`] turns into a `bytes` object; it must be dropped
    /// with the GIL held.
    pub fn for_bytes() -> Self {
        OutBuf::new(Heap::Bytes)
    }

    /// A buffer that [`OutBuf::into_ascii_str`] turns into a `str` if its text is ASCII; it
    /// must be dropped with the GIL held.
    pub fn for_ascii_str() -> Self {
        OutBuf::new(Heap::AsciiStr)
    }

    /// Bytes written (none once failed).
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline(always)]
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: the first `len` bytes at `data` are initialised (dangling only when empty).
        unsafe { std::slice::from_raw_parts(self.data.as_ptr(), self.len) }
    }

    /// Whether an allocation failed: what was written is gone and the output is lost.
    #[inline(always)]
    pub fn failed(&self) -> bool {
        self.failed
    }

    /// Where the next byte goes: for writers that keep the position themselves (see
    /// [`Cursor`]) and [`OutBuf::settle`] it before the buffer is used otherwise.
    #[inline(always)]
    pub fn cursor(&self) -> Cursor {
        // SAFETY: `len <= cap`, both inside the block (or 0 on the dangling pointer).
        unsafe { Cursor { at: self.data.add(self.len), end: self.data.as_ptr().add(self.cap) } }
    }

    /// Takes `at`, a cursor of this buffer, as the end of what was written.
    #[inline(always)]
    pub fn settle(&mut self, at: Cursor) {
        self.len = at.ptr() as usize - self.data.as_ptr() as usize;
    }

    /// `at` (or where it moved, if the buffer grew) with room for `n > 0` bytes after it;
    /// `None` when memory ran out. `at` must be this buffer's latest cursor: the buffer is
    /// not read unless it grows.
    #[inline(always)]
    pub fn room(&mut self, at: Cursor, n: usize) -> Option<Cursor> {
        if at.room() >= n {
            return Some(at);
        }
        self.grow_at(at, n)
    }

    #[cold]
    #[inline(never)]
    fn grow_at(&mut self, at: Cursor, n: usize) -> Option<Cursor> {
        self.settle(at);
        self.grow(n).then(|| self.cursor())
    }

    /// Makes room for `n` more bytes; `false` when memory ran out (now or before).
    #[inline(always)]
    pub fn reserve(&mut self, n: usize) -> bool {
        self.cap - self.len >= n || self.grow(n)
    }

    /// Grows to room for at least `len + n` bytes of text, the block at least doubling (so
    /// appends stay amortized); the tail moves to the new end.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, n: usize) -> bool {
        if self.failed {
            return false;
        }
        let first = if self.allocated() == 0 { self.heap.first_capacity() } else { 0 };
        let doubled = (self.cap + self.tail).saturating_mul(2) - self.tail;
        let Some(cap) = self.len.checked_add(n).map(|need| need.max(doubled).max(first)) else {
            return self.fail();
        };
        show_heap(self.heap.header() + cap + self.tail);
        // SAFETY: `cap >= len + n >= len`; GIL held for a buffer in Python's memory (its
        // writers run under the GIL).
        match unsafe { self.reallocate(cap) } {
            Some(data) => {
                // SAFETY: the resized block kept the old one's bytes, the tail among them,
                // which moves up to the new end (the ranges may overlap).
                unsafe { std::ptr::copy(data.as_ptr().add(self.cap), data.as_ptr().add(cap), self.tail) };
                self.data = data;
                self.cap = cap;
                true
            }
            None => self.fail(),
        }
    }

    /// Takes `n` bytes of room at the end for the tail, below what it holds: returns where
    /// they start (`None` once memory ran out). The text's room shrinks by as much.
    pub fn push_tail(&mut self, n: usize) -> Option<*mut u8> {
        if !self.reserve(n) {
            return None;
        }
        self.cap -= n;
        self.tail += n;
        // SAFETY: the tail's new bytes are inside the block.
        Some(unsafe { self.data.as_ptr().add(self.cap) })
    }

    /// The tail's bytes, the last pushed first.
    pub fn tail(&self) -> &[u8] {
        // SAFETY: the tail is the block's last `tail` bytes after the text's room (dangling
        // and empty while nothing is allocated).
        unsafe { std::slice::from_raw_parts(self.data.as_ptr().wrapping_add(self.cap), self.tail) }
    }

    /// Memory ran out: what was written is let go and later writes are dropped.
    fn fail(&mut self) -> bool {
        self.release();
        self.failed = true;
        false
    }

    /// The allocation resized to hold `cap` bytes of text and the tail after them (its first
    /// bytes kept), or `None` if that failed (the old allocation is then untouched).
    ///
    /// # Safety
    /// `cap >= self.len`; for Python's heap, the GIL held.
    unsafe fn reallocate(&self, cap: usize) -> Option<NonNull<u8>> {
        // SAFETY: `data` and `cap` describe the current allocation (none while `cap == 0`),
        // made by the same allocator as here; sizes are checked against overflow.
        unsafe {
            match self.heap {
                Heap::Rust => {
                    let layout = Layout::array::<u8>(cap.checked_add(self.tail)?).ok()?;
                    let ptr = if self.allocated() == 0 {
                        alloc(layout)
                    } else {
                        realloc(self.data.as_ptr(), Layout::array::<u8>(self.allocated()).ok()?, layout.size())
                    };
                    NonNull::new(ptr)
                }
                object => {
                    let header = object.header();
                    let size = cap.checked_add(self.tail + header + 1).filter(|&s| s <= isize::MAX as usize)?;
                    let ptr = if self.allocated() == 0 {
                        PyObject_Malloc(size)
                    } else {
                        PyObject_Realloc(self.data.as_ptr().sub(header).cast(), size)
                    };
                    NonNull::new(ptr.cast::<u8>()).map(|base| base.add(header))
                }
            }
        }
    }

    /// Bytes of the block after the header: text room and tail.
    fn allocated(&self) -> usize {
        self.cap + self.tail
    }

    /// Frees the allocation, leaving the buffer empty.
    fn release(&mut self) {
        if self.allocated() == 0 {
            return;
        }
        // SAFETY: `data` and `cap` describe the allocation, made by this heap's allocator;
        // a buffer in Python's memory is dropped with the GIL held (see `for_bytes`).
        unsafe {
            match self.heap {
                Heap::Rust => dealloc(self.data.as_ptr(), Layout::array::<u8>(self.allocated()).unwrap_unchecked()),
                object => PyObject_Free(self.data.as_ptr().sub(object.header()).cast()),
            }
        }
        self.data = NonNull::dangling();
        self.len = 0;
        self.cap = 0;
        self.tail = 0;
    }

    /// The text as a new `bytes` object, made in place from a [`OutBuf::for_bytes`] buffer
    /// (a copy from any other); NULL with `MemoryError` set if memory ran out.
    ///
    /// # Safety
    /// GIL held.
    pub unsafe fn into_bytes(self) -> *mut PyObject {
        // SAFETY: GIL held; `init_bytes` gets a block with room for the header, the text and
        // its NUL.
        unsafe { self.into_object(Heap::Bytes, init_bytes, |text| PyBytes_FromStringAndSize(text.as_ptr().cast(), text.len() as Py_ssize_t)) }
    }

    /// The text as a new `str`, made in place from a [`OutBuf::for_ascii_str`] buffer (a
    /// copy from any other); NULL with `MemoryError` set if memory ran out.
    ///
    /// # Safety
    /// GIL held; the text ASCII.
    pub unsafe fn into_ascii_str(self) -> *mut PyObject {
        // SAFETY: GIL held; `init_ascii_str` gets a block with room for the header, the text
        // (ASCII, as the caller vouches) and its NUL.
        unsafe { self.into_object(Heap::AsciiStr, init_ascii_str, |text| new_str(text, text.len(), 0)) }
    }

    /// A new compact `str` of `chars` characters, the largest `max_char` (at least 0x80), from
    /// a [`OutBuf::for_ascii_str`] buffer: `fill` gets the text, the tail and where the
    /// characters go, and writes them. That is in the text's own block, further in, when the
    /// block holds the str and the tail is small beside it: where the str would reach the
    /// tail, the tail is copied out first. Otherwise a new block: the str and a tail of about
    /// its size would take twice the str, and a block grown to the str would copy the text
    /// only to widen it again (gsoc-2018.json: that copy was 7% of the time). NULL with
    /// `MemoryError` set if memory ran out.
    ///
    /// The copy, not a block grown (doubled) to hold both the str and the tail: that one,
    /// then cut to the str, made glibc trim its heap and fault it in again every call
    /// (random.json: 275 page faults a call, 2.6x the time).
    ///
    /// # Safety
    /// GIL held; a `for_ascii_str` buffer; `fill` writes exactly the `chars` characters, in
    /// the kind `max_char` needs.
    pub unsafe fn into_compact_str(mut self, chars: usize, max_char: u32, fill: impl FnOnce(*const u8, &[u8], *mut u8)) -> *mut PyObject {
        debug_assert!(self.heap == Heap::AsciiStr && max_char >= 0x80);
        let Some(size) = chars.checked_add(1).and_then(|n| n.checked_mul(width_of(max_char))).and_then(|n| n.checked_add(COMPACT_HEADER)) else {
            // SAFETY: GIL held.
            return unsafe { PyErr_NoMemory() };
        };
        // The text's room the str needs, counted from the text (the block's first
        // `ASCII_HEADER` bytes are the str's too).
        let room = size - ASCII_HEADER;
        // The next output like this one starts with room for the str and this tail, so that
        // its str is made in its own block (gsoc-2018.json: a new 6 MB block a call, written
        // while the text went cold, was a quarter of the time).
        let in_place = self.tail <= size / 4;
        self.heap.record(if in_place { room + self.tail } else { self.len + self.tail });
        let mut aside = Vec::new();
        // SAFETY: GIL held; a new block has room for the str's header, characters and NUL; so
        // has this one once the text's room reaches `room`, and the tail (in the block after
        // that room, or aside) is not where they go. A block cut to `size` keeps the str's
        // bytes (if the cut fails the whole block serves).
        unsafe {
            if !in_place || self.allocated() < room {
                let block = PyObject_Malloc(size).cast::<u8>();
                if block.is_null() {
                    return PyErr_NoMemory();
                }
                fill(self.data.as_ptr(), self.tail(), block.add(COMPACT_HEADER));
                return init_compact_str(block, chars, max_char);
            }
            if self.cap < room {
                if aside.try_reserve_exact(self.tail).is_err() {
                    return PyErr_NoMemory();
                }
                aside.extend_from_slice(self.tail());
                (self.cap, self.tail) = (self.allocated(), 0);
            }
            let tail = if self.tail > 0 { self.tail() } else { &aside[..] };
            let base = self.data.as_ptr().sub(ASCII_HEADER);
            fill(self.data.as_ptr(), tail, base.add(COMPACT_HEADER));
            // Small blocks are cut to the str, large ones keep their spare room (see
            // `take_block`) unless it is more than the str.
            let spare = ASCII_HEADER + self.allocated() + 1 - size;
            let base = if spare > 0 && (size < MMAP_THRESHOLD || spare > size) {
                let cut = PyObject_Realloc(base.cast(), size).cast::<u8>();
                if cut.is_null() { base } else { cut }
            } else {
                base
            };
            self.data = NonNull::dangling();
            (self.len, self.cap, self.tail) = (0, 0, 0);
            init_compact_str(base, chars, max_char)
        }
    }

    /// The text as the object `in_place` makes of a block taken from a `heap` buffer, or
    /// `copy` makes of the text from any other buffer.
    ///
    /// # Safety
    /// GIL held; `in_place` and `copy` safe to call on such a block and text.
    unsafe fn into_object(
        mut self,
        heap: Heap,
        in_place: unsafe fn(*mut u8, usize) -> *mut PyObject,
        copy: unsafe fn(&[u8]) -> *mut PyObject,
    ) -> *mut PyObject {
        if self.failed {
            // SAFETY: GIL held.
            return unsafe { PyErr_NoMemory() };
        }
        // SAFETY: forwarded.
        unsafe {
            match self.take_block(heap) {
                Some(base) => in_place(base, self.len),
                None => copy(self.as_slice()),
            }
        }
    }

    /// The allocation, from its first byte (the header's room), if this buffer has one in
    /// `heap`; the buffer forgets it (`len` stays). A block with more room than
    /// [`spare_kept`] is first shrunk to the text (a large one only if half of it is room).
    ///
    /// # Safety
    /// GIL held.
    unsafe fn take_block(&mut self, heap: Heap) -> Option<*mut u8> {
        debug_assert_eq!(self.tail, 0);
        if self.heap != heap || self.cap == 0 {
            return None;
        }
        heap.record(self.len);
        // Large blocks keep their spare room, as orjson's do, unless it is more than the text
        // (a small output started at the size of large ones before it, see `RECENT`): glibc
        // serves blocks above its mmap threshold with fresh pages (a page fault per 4 KiB
        // written, most of a large dumps' time) and raises the threshold to a block's size
        // when it is freed. A large block shrunk before it is freed set it below the next
        // call's last growth step, so that every call got fresh pages again (100k strs: 477
        // faults a call; canada.json 510; now ~0).
        if self.cap - self.len > spare_kept(self.len) && (self.cap < MMAP_THRESHOLD || self.len < self.cap / 2) {
            // Shrinking keeps the block where it is or copies only what is kept; if it fails
            // the larger block serves.
            // SAFETY: `len <= cap`; GIL held.
            if let Some(data) = unsafe { self.reallocate(self.len) } {
                self.data = data;
                self.cap = self.len;
            }
        }
        // SAFETY: the text is `header` bytes into the block.
        let base = unsafe { self.data.as_ptr().sub(heap.header()) };
        self.data = NonNull::dangling();
        self.cap = 0;
        Some(base)
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
            let written = write(self.data.as_ptr().add(self.len));
            debug_assert!(written <= most);
            self.len += written;
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

    /// Appends the decimal text of `value`.
    #[inline(always)]
    pub fn push_decimal<T: Decimal>(&mut self, value: T) {
        // SAFETY: `put` writes its text, at most MAX_LEN bytes, and says how long it is.
        unsafe { self.put(T::MAX_LEN, |at| value.put(at)) }
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
        // `units.len() * T::MAX_WIDTH` bytes (and its slack, not counted), and says how many.
        unsafe {
            self.put(units.len() * T::MAX_WIDTH + SLACK, |at| {
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

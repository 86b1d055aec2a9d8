//! What the decoder keeps between calls, per module: the key cache, the buffers of the last
//! parse (so that small documents do not pay for allocating them each time), and the shape
//! cache.

use super::key_cache::KeyCache;
use super::scanner::Scratch;
use super::shapes::ShapeCache;
use pyo3_ffi::PyObject;

/// Buffers bigger than this (bytes) are freed after the parse rather than kept.
const KEEP_MAX: usize = 1 << 20;

pub struct DecoderCache {
    pub keys: KeyCache,
    pub shapes: ShapeCache,
    /// `None` while a parse uses them (a parse nested in a hook of another then allocates
    /// its own).
    buffers: Option<Buffers>,
}

/// The buffers of one parse: the builder's stack of values, the scanner's scratch.
#[derive(Default)]
pub struct Buffers {
    pub values: Vec<*mut PyObject>,
    pub scratch: Scratch,
}

impl DecoderCache {
    /// # Safety
    /// GIL held.
    pub unsafe fn new() -> DecoderCache {
        // SAFETY: forwarded.
        DecoderCache { keys: KeyCache::new(), shapes: unsafe { ShapeCache::new() }, buffers: Some(Buffers::default()) }
    }

    /// The kept buffers, or new ones if a parse is using them.
    pub fn take_buffers(&mut self) -> Buffers {
        self.buffers.take().unwrap_or_default()
    }

    /// Ends a parse: keeps `buffers` (whose values were all handed on) for the next parse,
    /// unless big.
    pub fn end_parse(&mut self, buffers: Buffers) {
        debug_assert!(buffers.values.is_empty());
        let size = buffers.values.capacity() * std::mem::size_of::<*mut PyObject>() + buffers.scratch.capacity();
        if size <= KEEP_MAX {
            self.buffers = Some(buffers);
        }
    }

    /// Releases the cached keys and shapes (`_purge`; a parse in progress holds neither
    /// between two objects).
    pub fn release_kept(&mut self) {
        self.keys.clear();
        self.shapes.reset();
    }

    /// Releases what [`Self::release_kept`] does and frees the buffers (module clear).
    pub fn clear(&mut self) {
        self.release_kept();
        self.buffers = None;
    }
}

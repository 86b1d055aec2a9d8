//! The encoder engine: the pure text pieces (`escape`, `float`), the output (`writer`), the
//! settings (`options`) and the object walk (`encoder`). Both faces configure it.

mod encoder;
pub mod escape;
pub mod float;
mod options;
mod writer;

pub use encoder::{ChunkSink, PyErrSet};
pub use options::{flag, Options, RawOptions, Refused};

use crate::py::{max_depth, Owned};
use encoder::Encoder;
use pyo3_ffi::PyObject;
use std::ptr::null_mut;

/// `obj` as one JSON `str`; NULL with an exception set on failure.
///
/// # Safety
/// GIL held; `obj` and everything `options` borrows live.
pub unsafe fn encode_to_str(options: &Options, obj: *mut PyObject) -> *mut PyObject {
    let mut encoder = Encoder::new(options, max_depth());
    // SAFETY: forwarded.
    unsafe {
        if encoder.encode(obj, None).is_err() {
            return null_mut();
        }
        std::mem::take(&mut encoder.out).finish()
    }
}

/// `obj` as JSON text handed to `sink` in chunks (none of them empty); `None` with an
/// exception set on failure, after the chunks written before it.
///
/// # Safety
/// As for [`encode_to_str`].
pub unsafe fn encode_to_chunks(options: &Options, obj: *mut PyObject, sink: ChunkSink<'_>) -> Option<()> {
    let mut encoder = Encoder::new(options, max_depth());
    // SAFETY: forwarded.
    unsafe {
        encoder.encode(obj, Some(&mut *sink)).ok()?;
        if encoder.out.len() > 0 {
            sink(Owned::new(encoder.out.take())?).ok()?;
        }
    }
    Some(())
}

/// A `str` as a JSON string (`JSONEncoder.encode` of a str never reaches the encoder).
///
/// # Safety
/// GIL held; `s` a live str.
pub unsafe fn encode_str_value(s: *mut PyObject, ensure_ascii: bool) -> *mut PyObject {
    let mut out = writer::Writer::default();
    // SAFETY: `s` is a live str.
    unsafe {
        let Some(data) = crate::ffi::unicode::str_data(s) else {
            return null_mut();
        };
        escape::write_escaped(&mut out, data, ensure_ascii);
        out.finish()
    }
}

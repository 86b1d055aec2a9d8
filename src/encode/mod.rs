//! The encoder engine: the pure text pieces (`escape`, `float`), the output (`writer`), the
//! settings (`options`) and the object walk (`encoder`). Both faces configure it.

pub mod buffer;
mod bytes_writer;
mod encoder;
mod error;
mod fast;
pub mod escape;
pub mod float;
mod integer;
mod member_texts;
pub mod keys;
pub mod native;
pub mod numpy;
mod options;
mod scalars;
mod sorted_orders;
mod str_writer;
pub mod time_text;
mod writer;

pub use encoder::ChunkSink;
pub use error::PyErrSet;
pub use options::{flag, opt, Options, Orjson, RawOptions, Refused};
pub use writer::Text;

use crate::py::{max_depth, Owned};
use encoder::Encoder;
use keys::KeyTexts;
use pyo3_ffi::PyObject;
use str_writer::StrWriter;
use bytes_writer::BytesWriter;
use writer::Output;
use std::ptr::null_mut;

/// `obj` as one JSON `str`; NULL with an exception set on failure. `keys`: the module's key
/// texts.
///
/// # Safety
/// GIL held; `obj` and everything `options` borrows live; `keys` valid (it is used only
/// while no Python code runs).
pub unsafe fn encode_to_str(options: &Options, obj: *mut PyObject, keys: *mut KeyTexts) -> *mut PyObject {
    // SAFETY: forwarded.
    unsafe { encode_whole::<StrWriter>(options, obj, keys) }
}

/// `obj` encoded whole into a new `W` and finished: by the fast walk, or if it gives up by
/// the general one. NULL with an exception set on failure.
///
/// # Safety
/// As for [`encode_to_str`].
unsafe fn encode_whole<W: Output>(options: &Options, obj: *mut PyObject, keys: *mut KeyTexts) -> *mut PyObject {
    let max_depth = max_depth();
    // SAFETY: forwarded.
    unsafe {
        if fast::applies(options) {
            let mut out = W::default();
            if fast::encode(&mut out, options, obj, max_depth, keys).is_ok() {
                return finish(out, options);
            }
        }
        let mut encoder = Encoder::<W>::new(options, max_depth);
        if encoder.encode(obj, None).is_err() {
            return null_mut();
        }
        finish(std::mem::take(&mut encoder.out), options)
    }
}

/// The output as its Python object, with a newline after it for `OPT_APPEND_NEWLINE`.
///
/// # Safety
/// GIL held.
unsafe fn finish<W: Output>(mut out: W, options: &Options) -> *mut PyObject {
    if options.orjson.is_some_and(|oj| oj.has(opt::APPEND_NEWLINE)) {
        out.ascii(b"\n");
    }
    // SAFETY: forwarded.
    unsafe { out.finish() }
}

/// `obj` as JSON text handed to `sink` in chunks (none of them empty); `None` with an
/// exception set on failure, after the chunks written before it.
///
/// # Safety
/// As for [`encode_to_str`].
pub unsafe fn encode_to_chunks(options: &Options, obj: *mut PyObject, sink: ChunkSink<'_>) -> Option<()> {
    let mut encoder = Encoder::<StrWriter>::new(options, max_depth());
    // SAFETY: forwarded.
    unsafe {
        encoder.encode(obj, Some(&mut *sink)).ok()?;
        if encoder.out.len() > 0 {
            sink(Owned::new(encoder.out.take())?).ok()?;
        }
    }
    Some(())
}

/// `obj` as UTF-8 JSON in a new `bytes` (the orjson face: `options.orjson` is set), with a
/// newline after it for `OPT_APPEND_NEWLINE`; NULL with an exception set on failure.
///
/// # Safety
/// As for [`encode_to_str`].
pub unsafe fn encode_to_bytes(options: &Options, obj: *mut PyObject, keys: *mut KeyTexts) -> *mut PyObject {
    // SAFETY: forwarded.
    unsafe { encode_whole::<BytesWriter>(options, obj, keys) }
}

/// A `str` as a JSON string (`JSONEncoder.encode` of a str never reaches the encoder).
///
/// # Safety
/// GIL held; `s` a live str.
pub unsafe fn encode_str_value(s: *mut PyObject, ensure_ascii: bool) -> *mut PyObject {
    let mut out = StrWriter::default();
    // SAFETY: `s` is a live str.
    unsafe {
        let Some(data) = crate::ffi::unicode::str_data(s) else {
            return null_mut();
        };
        escape::write_escaped(&mut out, data, ensure_ascii);
        out.finish()
    }
}

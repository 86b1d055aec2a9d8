//! The decoder engine: the pure scanner (`scanner`, `strings`, `number`, `error`), the one
//! place that turns what it finds into Python objects (`builder`), fed by `input` and driven
//! by `document`. Both faces configure it.

pub mod builder;
pub mod cache;
mod document;
pub mod error;
pub mod input;
pub mod key_cache;
pub mod number;
pub mod scanner;
pub mod shapes;
pub mod strings;

pub use builder::Hooks;
pub use document::{decode_document, decode_value_at, document_text, Config, NoValue};
pub(crate) use document::{doc_str, raise_error_of, run, transcoded, with_bytes, Doc};

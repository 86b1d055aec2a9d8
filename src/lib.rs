//! rjson: a JSON library for CPython written against the raw C ABI.
//!
//! `module` defines the extension module; `stdlib` is its face (the `json` API); `decode` and
//! `encode` are the engine behind it, `ffi` the typed views over CPython structs the engine
//! reads directly.

mod args;
pub mod ascii;
mod cpu;
pub mod decode;
pub mod encode;
pub mod ffi;
mod module;
mod orjson;
mod py;
mod stack;
mod stdlib;
pub mod utf8;
#[cfg(test)]
mod test_random;

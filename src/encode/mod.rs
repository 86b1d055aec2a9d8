//! `dumps`: the pure text pieces (`escape`, `float`), the output (`writer`), the keyword
//! configuration (`options`) and the object walk (`encoder`), behind the entry in `dumps`.

mod dumps;
mod encoder;
pub mod escape;
pub mod float;
mod options;
mod writer;

pub use dumps::dumps;

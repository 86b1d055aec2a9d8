//! `loads`: the pure scanner (`scanner`, `strings`, `number`, `error`) and the one place that
//! turns what it finds into Python objects (`builder`), fed by `input`.

pub mod builder;
pub mod error;
pub mod input;
pub mod key_cache;
mod loads;
pub mod number;
pub mod scanner;
pub mod strings;

pub use loads::loads;

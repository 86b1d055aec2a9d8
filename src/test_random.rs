//! Deterministic pseudo-random numbers for the unit tests (xorshift64): the same cases on
//! every run, and no dependency.

/// A generator of pseudo-random `u64`s from a non-zero `state`.
pub fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

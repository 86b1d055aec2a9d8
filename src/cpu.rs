//! CPU features beyond the x86_64 baseline, found once at run time: code paths that use them
//! are chosen per call by [`has_avx512`], a load of one cached byte.

use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

static AVX512: AtomicU8 = AtomicU8::new(UNKNOWN);
const UNKNOWN: u8 = 0;
const ABSENT: u8 = 1;
const PRESENT: u8 = 2;

/// Whether the CPU has AVX-512 BW and VL (byte-granular masked loads and compares on 256-bit
/// vectors) and the environment does not set `RJSON_NO_AVX512` (so that the baseline paths
/// can be tested on machines that have it). The module says it as `rjson._avx512`.
#[inline(always)]
pub fn has_avx512() -> bool {
    match AVX512.load(Relaxed) {
        PRESENT => true,
        ABSENT => false,
        _ => detect_avx512(),
    }
}

#[cold]
fn detect_avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    let present = is_x86_feature_detected!("avx512bw")
        && is_x86_feature_detected!("avx512vl")
        && std::env::var_os("RJSON_NO_AVX512").is_none_or(|v| v.is_empty());
    #[cfg(not(target_arch = "x86_64"))]
    let present = false;
    AVX512.store(if present { PRESENT } else { ABSENT }, Relaxed);
    present
}

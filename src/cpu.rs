//! CPU features beyond the x86_64 baseline, found once at run time: code paths that use them
//! are chosen per call by [`has_ssse3`], [`has_avx512`] or [`has_avx512_vbmi2`], a load of one
//! cached byte.

use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

/// Bits of the features found; [`UNKNOWN`] before the first look.
static FEATURES: AtomicU8 = AtomicU8::new(UNKNOWN);
const UNKNOWN: u8 = 0;
const LOOKED: u8 = 1;
const AVX512: u8 = 2;
const VBMI2: u8 = 4;
const SSSE3: u8 = 8;

/// Whether the CPU has SSSE3 (`pshufb`: bytes placed by a table, in a register). Every x86_64
/// CPU since 2006 has it, but the baseline does not promise it.
#[inline(always)]
pub fn has_ssse3() -> bool {
    features() & SSSE3 != 0
}

/// Whether the CPU has AVX-512 BW and VL (byte-granular masked loads and compares on 256-bit
/// vectors) and the environment does not set `RJSON_NO_AVX512` (so that the baseline paths
/// can be tested on machines that have it). The module says it as `rjson._avx512`.
#[inline(always)]
pub fn has_avx512() -> bool {
    features() & AVX512 != 0
}

/// Whether [`has_avx512`] holds and the CPU also has AVX-512 VBMI2 (`vpcompressb`: bytes
/// packed under a mask, in a register), with POPCNT, BMI1 and BMI2 (every such CPU has them).
#[inline(always)]
pub fn has_avx512_vbmi2() -> bool {
    features() & VBMI2 != 0
}

#[inline(always)]
fn features() -> u8 {
    match FEATURES.load(Relaxed) {
        UNKNOWN => detect(),
        found => found,
    }
}

#[cold]
fn detect() -> u8 {
    let mut found = LOOKED;
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("ssse3") {
        found |= SSSE3;
    }
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx512bw")
        && is_x86_feature_detected!("avx512vl")
        && std::env::var_os("RJSON_NO_AVX512").is_none_or(|v| v.is_empty())
    {
        found |= AVX512;
        if is_x86_feature_detected!("avx512vbmi2")
            && is_x86_feature_detected!("popcnt")
            && is_x86_feature_detected!("bmi1")
            && is_x86_feature_detected!("bmi2")
        {
            found |= VBMI2;
        }
    }
    FEATURES.store(found, Relaxed);
    found
}

//! The SSE2 run searches against their one-byte definitions, from every start offset near the
//! front and the back of the input (so every 16-byte window position and every tail length).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rjson::ascii::{is_plain, needs_escape, plain_run_end, unescaped_run_end_ucs2};

fuzz_target!(|data: &[u8]| {
    let starts = |len: usize| (0..len.min(40)).chain(len.saturating_sub(40)..=len);
    for i in starts(data.len()) {
        for del in [false, true] {
            let want = (i..data.len()).find(|&k| !is_plain(data[k], del)).unwrap_or(data.len());
            assert_eq!(plain_run_end(data, i, del), want, "plain_run_end from {i}, del {del}");
        }
    }
    let units: Vec<u16> = data.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    for i in starts(units.len()) {
        let want = (i..units.len()).find(|&k| needs_escape(u32::from(units[k]))).unwrap_or(units.len());
        assert_eq!(unescaped_run_end_ucs2(&units, i), want, "unescaped_run_end_ucs2 from {i}");
    }
});

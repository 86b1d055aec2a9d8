//! The escaper on code points of every `str` kind: each kind gives the same text for the
//! same characters (the SIMD paths of the narrower kinds against UCS-4's unit-at-a-time
//! one), the text is as long as the standard library's escaping makes it, ASCII when
//! `ensure_ascii`, and the scanner reads it back to the same characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rjson::decode::strings::scan_string;
use rjson::encode::buffer::OutBuf;
use rjson::encode::escape::write_escaped;
use rjson::ffi::unicode::StrData;
use rjson_fuzz::{checked_chars, join_surrogate_pairs, write_string};

/// Length of one character in `json.dumps` output.
fn escaped_len(cp: u32, ensure_ascii: bool) -> usize {
    match cp {
        0x22 | 0x5c | 0x0a | 0x0d | 0x09 | 0x08 | 0x0c => 2,
        0..=0x1f => 6,
        0x7f if ensure_ascii => 6,
        0x20..=0x7f => 1,
        0x10000.. if ensure_ascii => 12,
        _ if ensure_ascii => 6,
        0x80..=0x7ff => 2,
        0x800..=0xffff => 3,
        _ => 4,
    }
}

/// `data` escaped as `json.dumps` escapes it.
fn escaped(data: StrData<'_>, ensure_ascii: bool) -> Vec<u8> {
    let mut out = OutBuf::default();
    write_escaped(&mut out, data, ensure_ascii);
    out.as_slice().to_vec()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    // The first byte picks how the rest becomes code points, so each kind gets inputs whose
    // characters mostly fit it.
    let cps: Vec<u32> = match mode % 4 {
        0 => rest.iter().map(|&b| u32::from(b & 0x7f)).collect(),
        1 => rest.iter().map(|&b| u32::from(b)).collect(),
        2 => rest.chunks_exact(2).map(|c| u32::from(u16::from_le_bytes([c[0], c[1]]))).collect(),
        _ => rest.chunks_exact(3).map(|c| u32::from_le_bytes([c[0], c[1], c[2], 0]) % 0x110000).collect(),
    };
    for ensure_ascii in [true, false] {
        let want = escaped(StrData::Ucs4(&cps), ensure_ascii);
        let mut narrow = Vec::new();
        write_string(&mut narrow, &cps, ensure_ascii);
        assert_eq!(narrow, want, "narrowest kind differs from UCS-4");
        if cps.iter().all(|&c| c < 0x10000) {
            let units: Vec<u16> = cps.iter().map(|&c| c as u16).collect();
            assert_eq!(escaped(StrData::Ucs2(&units), ensure_ascii), want, "UCS-2 differs from UCS-4");
        }
        if cps.iter().all(|&c| c < 0x100) {
            let units: Vec<u8> = cps.iter().map(|&c| c as u8).collect();
            assert_eq!(escaped(StrData::Latin1(&units), ensure_ascii), want, "Latin-1 differs from UCS-4");
        }
        let len: usize = cps.iter().map(|&c| escaped_len(c, ensure_ascii)).sum();
        assert_eq!(want.len(), len + 2, "escaped length");
        if ensure_ascii {
            assert!(want.iter().all(|&b| (0x20..0x7f).contains(&b)), "ensure_ascii output not printable ASCII");
        }
        let mut scratch = Vec::new();
        let tok = scan_string(&want, 0, &mut scratch, true, false).expect("escaped text scans");
        assert_eq!(tok.end, want.len());
        let chars = if ensure_ascii { join_surrogate_pairs(&cps) } else { cps.clone() };
        assert_eq!(checked_chars(tok.text(&want, &scratch)), chars, "round trip");
    }
});

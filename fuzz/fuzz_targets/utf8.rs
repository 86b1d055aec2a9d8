//! Generalized UTF-8: encoding any code points (surrogates included) decodes back to them,
//! agrees with Rust's UTF-8 where that is defined, counts characters right, and a `str` of
//! each kind transcodes to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rjson::ffi::unicode::StrData;
use rjson::utf8::{char_count, chars, decode_at, from_str_data, push_char};

fuzz_target!(|data: &[u8]| {
    let cps: Vec<u32> = data.chunks_exact(3).map(|c| u32::from_le_bytes([c[0], c[1], c[2], 0]) % 0x110000).collect();
    let mut text = Vec::new();
    let mut starts = Vec::new();
    for &cp in &cps {
        starts.push(text.len());
        push_char(&mut text, cp);
        if let Some(c) = char::from_u32(cp) {
            let mut std = [0u8; 4];
            assert_eq!(&text[*starts.last().unwrap()..], c.encode_utf8(&mut std).as_bytes(), "{cp:#x}");
        }
    }
    assert_eq!(chars(&text).collect::<Vec<_>>(), cps);
    assert_eq!(char_count(&text), cps.len());
    for (k, &s) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(text.len());
        assert_eq!(decode_at(&text, s), (cps[k], end - s));
        // Every prefix would make the target quadratic; the first ones and every 61st.
        if k < 16 || k % 61 == 0 {
            assert_eq!(char_count(&text[..s]), k);
        }
    }
    assert_eq!(from_str_data(StrData::Ucs4(&cps)), text);
    if cps.iter().all(|&c| c < 0x10000) {
        let units: Vec<u16> = cps.iter().map(|&c| c as u16).collect();
        assert_eq!(from_str_data(StrData::Ucs2(&units)), text);
    }
    if cps.iter().all(|&c| c < 0x100) {
        let units: Vec<u8> = cps.iter().map(|&c| c as u8).collect();
        let data = if cps.iter().all(|&c| c < 0x80) { StrData::Ascii(&units) } else { StrData::Latin1(&units) };
        assert_eq!(from_str_data(data), text);
    }
});

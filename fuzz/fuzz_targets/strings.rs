//! The string scanner on `"` + arbitrary bytes: the same result wherever the string sits in
//! the buffer (the SIMD runs see other alignments and other tails), strict (and the RFC
//! grammar, which refuses escaped lone surrogates) accepts less than lax and alike, accepted text is generalized UTF-8 as the token describes it, a string
//! without escapes or control characters is accepted exactly when it is UTF-8 (surrogates
//! allowed: Rust's validator refuses them), and escaping the result scans back to it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rjson::decode::strings::{scan_string, StrToken};
use rjson::decode::error::SyntaxError;
use rjson_fuzz::{check_error_position, checked_chars, join_surrogate_pairs, write_string};

fn scan_at(data: &[u8], pad: usize, strict: bool, rfc: bool) -> (Result<StrToken, SyntaxError>, Vec<u8>) {
    let mut buf = vec![b' '; pad];
    buf.push(b'"');
    buf.extend_from_slice(data);
    let mut scratch = Vec::new();
    let mut result = scan_string(&buf, pad, &mut scratch, strict, rfc);
    match &mut result {
        Ok(tok) => {
            assert!(tok.end <= buf.len() && buf[tok.end - 1] == b'"', "token end");
            let text = tok.text(&buf, &scratch).to_vec();
            tok.end -= pad;
            tok.raw_start = tok.raw_start.map(|s| s - pad);
            return (result, text);
        }
        Err(e) => {
            check_error_position(&buf, *e);
            assert!(e.pos >= pad);
            e.pos -= pad;
        }
    }
    (result, Vec::new())
}

fuzz_target!(|data: &[u8]| {
    for (strict, rfc) in [(true, false), (false, false), (true, true)] {
        let (first, text) = scan_at(data, 0, strict, rfc);
        for pad in [1, 7, 15, 16, 17, 31, 63] {
            assert_eq!(scan_at(data, pad, strict, rfc), (first, text.clone()), "pad {pad} {strict} {rfc}");
        }
        let Ok(tok) = first else { continue };
        if strict || rfc {
            assert_eq!(scan_at(data, 0, false, false).0, first, "lax scans an accepted string differently");
        }
        let cps = checked_chars(&text);
        assert_eq!(cps.len(), tok.chars);
        let content = &data[..tok.end - 2];
        if !content.iter().any(|&b| b == b'\\' || b < 0x20) && !content.windows(2).any(|w| w[0] == 0xED && w[1] >= 0xA0) {
            assert!(std::str::from_utf8(content).is_ok(), "accepted non-UTF-8");
            assert_eq!(tok.raw_start, Some(1));
        }
        for ensure_ascii in [true, false] {
            let mut json = Vec::new();
            write_string(&mut json, &cps, ensure_ascii);
            let mut scratch = Vec::new();
            let back = scan_string(&json, 0, &mut scratch, true, false).expect("escaped string scans");
            assert_eq!(back.end, json.len());
            let want = if ensure_ascii { join_surrogate_pairs(&cps) } else { cps.clone() };
            assert_eq!(checked_chars(back.text(&json, &scratch)), want, "escape round trip");
        }
    }
    // The converse: valid UTF-8 without quotes, backslashes or control characters is accepted.
    if let Ok(s) = std::str::from_utf8(data) {
        if !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
            let mut buf = vec![b'"'];
            buf.extend_from_slice(data);
            buf.push(b'"');
            let tok = scan_string(&buf, 0, &mut Vec::new(), true, true).expect("valid UTF-8 refused");
            assert_eq!((tok.end, tok.raw_start, tok.chars), (buf.len(), Some(1), s.chars().count()));
        }
    }
});

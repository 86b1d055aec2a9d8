//! The document scanner on arbitrary bytes: never panics; what it accepts satisfies the
//! `Recorder`'s checks, is accepted alike by the most lenient options, keeps orjson's
//! refusals when asked, and, written back through the escaper (either `ensure_ascii`, with or
//! without whitespace), scans to the same events (escaped surrogate halves joined); errors
//! point where their kind says.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rjson_fuzz::{escaped_events, most_lenient, options_from, render, scan, Event};

fuzz_target!(|data: &[u8]| {
    let Some((&opts, doc)) = data.split_first() else { return };
    let options = options_from(opts);
    let Ok(events) = scan(doc, options) else { return };
    // Each option only ever refuses more.
    let lenient = most_lenient(options);
    assert_eq!(scan(doc, lenient).as_ref(), Ok(&events), "the most lenient options scan differently");
    if options.rfc {
        // orjson's refusals: no constants, no number beyond 64 bits that is infinite as a double.
        for event in &events {
            assert!(!matches!(event, Event::Constant(_)), "constant accepted");
            if let Event::Number(text, is_float) = event {
                let big = *is_float || text.len() > 19;
                assert!(!big || std::str::from_utf8(text).unwrap().parse::<f64>().unwrap().is_finite(), "infinite number");
            }
        }
    }
    for (ensure_ascii, ws) in [(true, &b""[..]), (false, &b" \n\t\r"[..])] {
        let text = render(&events, ensure_ascii, ws);
        if ensure_ascii {
            assert!(text.is_ascii(), "ensure_ascii output is not ASCII");
        }
        // The escaper escapes control characters, and lone surrogates with ensure_ascii.
        let strict = rjson::decode::scanner::Options { strict: true, ..lenient };
        let want = if ensure_ascii { escaped_events(&events) } else { events.clone() };
        assert_eq!(scan(&text, strict), Ok(want), "re-scan of {:?}", String::from_utf8_lossy(&text));
    }
});

//! The document scanner on arbitrary bytes: never panics; what it accepts satisfies the
//! `Recorder`'s checks and, written back through the escaper (either `ensure_ascii`, with or
//! without whitespace), scans to the same events (escaped surrogate halves joined); errors
//! point where their kind says.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rjson_fuzz::{escaped_events, options_from, render, scan};

fuzz_target!(|data: &[u8]| {
    let Some((&opts, doc)) = data.split_first() else { return };
    let options = options_from(opts);
    let Ok(events) = scan(doc, options) else { return };
    // Strictness only ever refuses more.
    if options.strict {
        let lax = rjson::decode::scanner::Options { strict: false, ..options };
        assert_eq!(scan(doc, lax).as_ref(), Ok(&events), "strict=False scans differently");
    }
    for (ensure_ascii, ws) in [(true, &b""[..]), (false, &b" \n\t\r"[..])] {
        let text = render(&events, ensure_ascii, ws);
        if ensure_ascii {
            assert!(text.is_ascii(), "ensure_ascii output is not ASCII");
        }
        let strict = rjson::decode::scanner::Options { strict: true, ..options };
        let want = if ensure_ascii { escaped_events(&events) } else { events.clone() };
        assert_eq!(scan(&text, strict), Ok(want), "re-scan of {:?}", String::from_utf8_lossy(&text));
    }
});

//! Any input either parses or yields diagnostics that render; never a panic, never a stack
//! overflow, never a hang. Whatever parses must print to KQL that parses to the same tree.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match shrike_kql::parse(text) {
        Ok(query) => {
            assert!(query.span.end <= text.len());
            let printed = shrike_kql::print(&query);
            match shrike_kql::parse(&printed) {
                Ok(again) => assert_eq!(
                    again.without_spans(),
                    query.without_spans(),
                    "round trip changed the tree: {text:?} printed as {printed:?}"
                ),
                Err(d) => panic!("printed form {printed:?} of {text:?} fails: {}", d[0]),
            }
            let _ = shrike_kql::dump::dump(&query);
        }
        Err(diags) => {
            assert!(!diags.is_empty());
            let _ = shrike_diag::render_all(&diags, "fuzz", text);
        }
    }
    // The other parse mode must not panic either.
    let strict = shrike_kql::ParseOptions {
        allow_leading_wildcards: false,
        ..shrike_kql::ParseOptions::default()
    };
    let _ = shrike_kql::parse_with(text, &strict);
});

//! Any input either parses or yields diagnostics that render; never a panic, never a stack
//! overflow, never a hang. Whatever parses must print to EQL that parses (and verifies) to
//! the same tree, and every span must lie within the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shrike_eql::ast::Query;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match shrike_eql::parse(text) {
        Ok(query) => {
            assert!(query.span.end <= text.len());
            round_trip(text, &query, shrike_eql::parse);
            let _ = shrike_eql::debug::tree(&query);
        }
        Err(diags) => {
            assert!(!diags.is_empty());
            for d in &diags {
                assert!(d.span.start <= d.span.end && d.span.end <= text.len(), "{d:?}");
            }
            let _ = shrike_diag::render_all(&diags, "fuzz", text);
        }
    }
    // The grammar-only mode must hold the same promises.
    if let Ok(query) = shrike_eql::parse_syntax(text) {
        round_trip(text, &query, shrike_eql::parse_syntax);
        let _ = shrike_eql::verify(&query);
    }
});

fn round_trip(
    text: &str,
    query: &Query,
    parse: fn(&str) -> Result<Query, Vec<shrike_diag::Diagnostic>>,
) {
    let printed = shrike_eql::print(query);
    match parse(&printed) {
        Ok(again) => assert_eq!(
            again.without_spans(),
            query.without_spans(),
            "round trip changed the tree: {text:?} printed as {printed:?}"
        ),
        Err(d) => panic!("printed form {printed:?} of {text:?} fails: {}", d[0]),
    }
}

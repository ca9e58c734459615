//! Unit tests: trees for Kibana's own parser test cases, error positions and expectation
//! sets for Kibana's syntax-error test cases, and printer round trips.

use crate::ast::*;
use crate::parser::syntax_error_of;
use crate::{parse, parse_with, print, ParseOptions};
use shrike_diag::Span;

// ---- tiny builders for hand-written trees (spans cleared) ----------------------------

fn v(kind: ValueKind) -> Value {
    Value::new(kind, Span::default())
}
fn text(s: &str) -> Value {
    v(ValueKind::Text(s.to_string()))
}
fn phrase(s: &str) -> Value {
    v(ValueKind::Phrase(s.to_string()))
}
fn pattern(parts: &[&str]) -> Value {
    let parts = parts
        .iter()
        .map(|p| match *p {
            "*" => PatternPart::Star,
            s => PatternPart::Text(s.to_string()),
        })
        .collect();
    v(ValueKind::Pattern(Pattern { parts }))
}
fn e(kind: ExprKind) -> Expr {
    Expr::new(kind, Span::default())
}
fn term(val: Value) -> Expr {
    e(ExprKind::Term(val))
}
fn is(field: Value, val: Value) -> Expr {
    e(ExprKind::Field(FieldMatch {
        field,
        value: ValueExpr::new(ValueExprKind::Value(val), Span::default()),
    }))
}
fn field_list(field: Value, list: ValueExpr) -> Expr {
    e(ExprKind::Field(FieldMatch { field, value: list }))
}
fn vl(kind: ValueExprKind) -> ValueExpr {
    ValueExpr::new(kind, Span::default())
}
fn vv(val: Value) -> ValueExpr {
    vl(ValueExprKind::Value(val))
}
fn and(items: Vec<Expr>) -> Expr {
    e(ExprKind::And(items))
}
fn or(items: Vec<Expr>) -> Expr {
    e(ExprKind::Or(items))
}
fn not(inner: Expr) -> Expr {
    e(ExprKind::Not(Box::new(inner)))
}
fn range(field: Value, op: RangeOp, val: Value) -> Expr {
    e(ExprKind::Range(RangeQuery {
        field,
        op,
        value: val,
    }))
}
fn nested(path: Value, q: Expr) -> Expr {
    e(ExprKind::Nested(NestedQuery {
        path,
        query: Box::new(q),
    }))
}

#[track_caller]
fn tree(src: &str) -> Option<Expr> {
    match parse(src) {
        Ok(q) => q.without_spans().expr,
        Err(d) => panic!("{src:?} should parse: {}", d[0]),
    }
}

#[track_caller]
fn assert_tree(src: &str, expected: Expr) {
    assert_eq!(tree(src), Some(expected), "{src:?}");
    assert_round_trip(src);
}

#[track_caller]
fn assert_round_trip(src: &str) {
    let q = parse(src).expect("parses").without_spans();
    let printed = print(&q);
    let again = parse(&printed)
        .unwrap_or_else(|d| panic!("{printed:?} (printed from {src:?}) fails: {}", d[0]))
        .without_spans();
    assert_eq!(again, q, "{src:?} printed as {printed:?}");
}

// ---- Kibana's fromKueryExpression test cases -----------------------------------------

#[test]
fn whitespace_only_is_the_empty_query() {
    assert_eq!(tree("  "), None);
    assert_eq!(tree(""), None);
}

#[test]
fn free_text() {
    assert_tree("foo", term(text("foo")));
    assert_tree("  foo ", term(text("foo")));
    assert_tree("foo bar", term(text("foo bar")));
}

#[test]
fn boolean_operators_and_precedence() {
    assert_tree(
        "foo and bar",
        and(vec![term(text("foo")), term(text("bar"))]),
    );
    assert_tree(
        "foo and\u{a0}bar",
        and(vec![term(text("foo")), term(text("bar"))]),
    );
    assert_tree("foo or bar", or(vec![term(text("foo")), term(text("bar"))]));
    assert_tree(
        "foo and bar and baz",
        and(vec![
            term(text("foo")),
            term(text("bar")),
            term(text("baz")),
        ]),
    );
    assert_tree(
        "not (foo or bar)",
        not(or(vec![term(text("foo")), term(text("bar"))])),
    );
    assert_tree(
        "foo or bar and baz or qux",
        or(vec![
            term(text("foo")),
            and(vec![term(text("bar")), term(text("baz"))]),
            term(text("qux")),
        ]),
    );
    assert_tree(
        "(foo or bar) and baz",
        and(vec![
            or(vec![term(text("foo")), term(text("bar"))]),
            term(text("baz")),
        ]),
    );
    // Keywords are case-insensitive.
    assert_tree(
        "a OR b AnD NOT c",
        or(vec![
            term(text("a")),
            and(vec![term(text("b")), not(term(text("c")))]),
        ]),
    );
}

#[test]
fn explicit_groups_of_the_same_operator_stay_nested() {
    assert_tree(
        "a and (b and c)",
        and(vec![
            term(text("a")),
            and(vec![term(text("b")), term(text("c"))]),
        ]),
    );
    assert_tree("((a))", term(text("a")));
}

#[test]
fn field_values() {
    assert_tree("foo:bar", is(text("foo"), text("bar")));
    assert_tree("foo:bar baz", is(text("foo"), text("bar baz")));
    assert_tree("foo:\"bar baz\"", is(text("foo"), phrase("bar baz")));
    assert_tree(
        "foo:(bar or baz)",
        field_list(
            text("foo"),
            vl(ValueExprKind::Or(vec![vv(text("bar")), vv(text("baz"))])),
        ),
    );
    assert_tree(
        "foo:((bar or baz) and not qux)",
        field_list(
            text("foo"),
            vl(ValueExprKind::And(vec![
                vl(ValueExprKind::Or(vec![vv(text("bar")), vv(text("baz"))])),
                vl(ValueExprKind::Not(Box::new(vv(text("qux"))))),
            ])),
        ),
    );
}

#[test]
fn ranges() {
    assert_tree(
        "bytes > 1000 and bytes < 8000",
        and(vec![
            range(text("bytes"), RangeOp::Gt, text("1000")),
            range(text("bytes"), RangeOp::Lt, text("8000")),
        ]),
    );
    assert_tree(
        "bytes >= 1000 and bytes <= 8000",
        and(vec![
            range(text("bytes"), RangeOp::Gte, text("1000")),
            range(text("bytes"), RangeOp::Lte, text("8000")),
        ]),
    );
    assert_tree(
        "@timestamp<\"2020-01-01\"",
        range(text("@timestamp"), RangeOp::Lt, phrase("2020-01-01")),
    );
}

#[test]
fn wildcards() {
    assert_tree("machine*:osx", is(pattern(&["machine", "*"]), text("osx")));
    assert_tree("foo:ba*", is(text("foo"), pattern(&["ba", "*"])));
    assert_tree("foo:*", is(text("foo"), pattern(&["*"])));
    assert_tree("*:*", is(pattern(&["*"]), pattern(&["*"])));
    assert_tree("foo: * ", is(text("foo"), pattern(&["*"])));
    assert_tree(r"foo: a\*b", is(text("foo"), text("a*b")));
    assert_tree("foo: * x *", is(text("foo"), pattern(&["*", " x ", "*"])));
}

#[test]
fn nested_queries() {
    assert_tree(
        "nestedField:{ childOfNested: foo }",
        nested(text("nestedField"), is(text("childOfNested"), text("foo"))),
    );
    assert_tree(
        "response:200 and nestedField:{ childOfNested:foo or childOfNested:bar }",
        and(vec![
            is(text("response"), text("200")),
            nested(
                text("nestedField"),
                or(vec![
                    is(text("childOfNested"), text("foo")),
                    is(text("childOfNested"), text("bar")),
                ]),
            ),
        ]),
    );
    assert_tree(
        "nestedField:{ nestedChild:{ doublyNestedChild:foo } }",
        nested(
            text("nestedField"),
            nested(
                text("nestedChild"),
                is(text("doublyNestedChild"), text("foo")),
            ),
        ),
    );
}

#[test]
fn literal_typing_and_escapes() {
    assert_tree("f: true", is(text("f"), v(ValueKind::Bool(true))));
    assert_tree("f: false", is(text("f"), v(ValueKind::Bool(false))));
    assert_tree("f: null", is(text("f"), v(ValueKind::Null)));
    assert_tree("f: \"true\"", is(text("f"), phrase("true")));
    assert_tree("f: True", is(text("f"), text("True")));
    assert_tree("f: -4", is(text("f"), text("-4")));
    assert_tree(r#"f: \\\(\)\:\<\>\"\*"#, is(text("f"), text(r#"\():<>"*"#)));
    assert_tree(r"f: \\u00A0", is(text("f"), text(r"\u00A0")));
    assert_tree(r#"f: "\():<>\"*""#, is(text("f"), phrase(r#"\():<>"*"#)));
    assert_tree(r#"f: "\\""#, is(text("f"), phrase("\\")));
    assert_tree(
        r#"f: "C:\Windows\x""#,
        is(text("f"), phrase(r"C:\Windows\x")),
    );
    assert_tree(r#"f: "\u0041\t""#, is(text("f"), phrase("A\t")));
    assert_tree(r"f: a\u0020b", is(text("f"), text("a b")));
    assert_tree(r"f: \ud83d\ude00", is(text("f"), text("😀")));
    assert_tree(r"f: \ud83d", is(text("f"), text("\u{FFFD}")));
    // Escaped keywords keep their spelling; `\not` is a newline then `ot`.
    assert_tree(r"f: a \or b", is(text("f"), text("a or b")));
    assert_tree(r"f: \NOT b", is(text("f"), text("NOT b")));
    assert_tree(r"f: x\not", is(text("f"), text("x\not")));
    // Trimming removes escaped whitespace too, down to nothing.
    assert_tree(r"f: \t", is(text("f"), text("")));
    assert_tree(r"f: a\t", is(text("f"), text("a")));
    // The quoted field name is verbatim: no wildcard.
    assert_tree(r#""a*b": x"#, is(phrase("a*b"), text("x")));
    assert_tree("null: x", is(v(ValueKind::Null), text("x")));
}

#[test]
fn keywords_inside_values() {
    // `or` needs whitespace on both sides to be a keyword.
    assert_tree("f: 1 or", is(text("f"), text("1 or")));
    assert_tree("f: a orb", is(text("f"), text("a orb")));
    assert_tree("f: do not", is(text("f"), text("do not")));
    // `not ` is a keyword anywhere, even inside a word.
    assert!(parse("f: cannot be").is_err());
    assert!(parse("f: not a").is_err());
    assert!(parse("not not a").is_err());
    assert_tree(
        "f: (not a)",
        field_list(text("f"), vl(ValueExprKind::Not(Box::new(vv(text("a")))))),
    );
    assert_tree("not (not a)", not(not(term(text("a")))));
}

#[test]
fn spans_point_at_the_source() {
    let src = "process.name : ( \"a b\" or c* ) and not x";
    let q = parse(src).expect("parses");
    let Some(Expr {
        kind: ExprKind::And(items),
        span,
    }) = &q.expr
    else {
        panic!("and expected");
    };
    assert_eq!(span.slice(src), src);
    let ExprKind::Field(m) = &items[0].kind else {
        panic!()
    };
    assert_eq!(m.field.span.slice(src), "process.name");
    assert_eq!(m.value.span.slice(src), "( \"a b\" or c* )");
    let ValueExprKind::Or(vals) = &m.value.kind else {
        panic!()
    };
    assert_eq!(vals[0].span.slice(src), "\"a b\"");
    assert_eq!(vals[1].span.slice(src), "c*");
    assert_eq!(items[1].span.slice(src), "not x");
}

// ---- Kibana's syntax-error test cases: same position, same expectations --------------

#[track_caller]
fn assert_kibana_error(src: &str, kibana_message: &str, kibana_pos: usize) {
    let err = syntax_error_of(src).unwrap_or_else(|| panic!("{src:?} should fail"));
    assert_eq!(err.pos, kibana_pos, "{src:?}");
    assert_eq!(err.kibana_message(src), kibana_message, "{src:?}");
}

#[test]
fn syntax_errors_match_kibana() {
    assert_kibana_error(
        "response:",
        r#"Expected "(", "{", value, whitespace but end of input found."#,
        9,
    );
    assert_kibana_error(
        "response:200 or ",
        r#"Expected "(", NOT, field name, value but end of input found."#,
        16,
    );
    assert_kibana_error(
        "response:(200 or )",
        r#"Expected "(", NOT, value but ")" found."#,
        17,
    );
    assert_kibana_error(
        "response:200 and not ",
        r#"Expected "(", field name, value but end of input found."#,
        21,
    );
    assert_kibana_error(
        "response:(200 and not )",
        r#"Expected "(", value but ")" found."#,
        22,
    );
    assert_kibana_error(
        "foo:\"ba ",
        r#"Expected "(", "{", value, whitespace but """ found."#,
        4,
    );
    assert_kibana_error(
        "foo:\"ba \"r\"",
        r#"Expected AND, OR, end of input but "r" found."#,
        9,
    );
    assert_kibana_error(
        "foo:ba:r",
        r#"Expected AND, OR, end of input but ":" found."#,
        6,
    );
    assert_kibana_error(
        "foo > ",
        "Expected literal, whitespace but end of input found.",
        6,
    );
    assert_kibana_error(
        "< 1000",
        r#"Expected "(", NOT, end of input, field name, value, whitespace but "<" found."#,
        0,
    );
}

#[test]
fn diagnostics_have_code_caret_and_help() {
    let src = "foo:ba:r";
    let d = &parse(src).unwrap_err()[0];
    assert_eq!(d.code, "K0001");
    assert_eq!(d.span, Span::new(6, 7));
    assert_eq!(
        d.message,
        "expected `and`, `or` or the end of the query, found `:`"
    );
    assert!(
        d.help.as_deref().is_some_and(|h| h.contains("\\:")),
        "{d:?}"
    );
    let rendered = shrike_diag::render(d, "query", src);
    assert!(rendered.contains("query:1:7"), "{rendered}");
}

#[test]
fn nesting_limit_is_an_error_not_a_crash() {
    let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
    let d = &parse(&deep).unwrap_err()[0];
    assert_eq!(d.code, "K0002");
    let list = format!("f: {}a{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(parse(&list).unwrap_err()[0].code, "K0002");
    let braces = "a:{".repeat(10_000);
    assert_eq!(parse(&braces).unwrap_err()[0].code, "K0002");
    // Just under the limit is fine.
    let ok = format!("{}a{}", "(".repeat(100), ")".repeat(100));
    assert!(parse(&ok).is_ok());
    let opts = ParseOptions {
        max_depth: 3,
        ..ParseOptions::default()
    };
    assert!(parse_with("(((a)))", &opts).is_ok());
    assert_eq!(parse_with("((((a))))", &opts).unwrap_err()[0].code, "K0002");
}

#[test]
fn leading_wildcards_can_be_disabled() {
    let opts = ParseOptions {
        allow_leading_wildcards: false,
        ..ParseOptions::default()
    };
    let d = &parse_with("f: *foo", &opts).unwrap_err()[0];
    assert_eq!(d.code, "K0003");
    assert_eq!(d.span, Span::new(3, 7));
    assert!(parse_with("f: *", &opts).is_ok());
    assert!(parse_with("f: foo*", &opts).is_ok());
    assert!(parse_with("*: foo", &opts).is_ok());
    assert!(parse("f: *foo").is_ok());
}

// ---- printer ----------------------------------------------------------------------------

#[test]
fn printer_is_canonical() {
    let cases = [
        ("a:b", "a: b"),
        ("A  OR  b", "A or b"),
        ("(a or b) and c", "(a or b) and c"),
        ("a and (b and c)", "a and (b and c)"),
        ("not (not a)", "not (not a)"),
        ("not a:b", "not a: b"),
        ("f:(a or b and not c)", "f: (a or b and not c)"),
        ("f:(not (a or b))", "f: (not (a or b))"),
        ("f:((a))", "f: a"),
        ("p:{ a:b or c:d }", "p: { a: b or c: d }"),
        ("x>=1", "x >= 1"),
        (r#"f: "a\"b\\c""#, r#"f: "a\"b\\c""#),
        (r"f: a \or b", r"f: a \or b"),
        (r"f: a\:b\(\)", r"f: a\:b\(\)"),
        (r"f: \t", r"f: \t"),
        ("f: do not", r"f: do \u006Eot"),
        (r"f: x\NOT\u0020y", r"f: x\u004EOT y"),
        ("", ""),
    ];
    for (src, want) in cases {
        let q = parse(src).unwrap_or_else(|d| panic!("{src:?}: {}", d[0]));
        assert_eq!(print(&q), want, "{src:?}");
        assert_round_trip(src);
    }
}

//! Property: printing any tree the parser can produce and parsing the text back gives the
//! same tree (spans aside). Trees are generated within the parser's invariants: integer
//! literals and durations are never negative, floats are finite, function names are
//! identifiers, `and`/`or` have at least two operands, patterns are constants.

use proptest::prelude::*;
use shrike_diag::Span;
use shrike_eql::ast::*;

fn sp() -> Span {
    Span::default()
}

fn e(kind: ExprKind) -> Expr {
    Expr::new(kind, sp())
}

fn any_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{0,6}",
        r#"[ -~]{0,8}"#,
        r#"(\\|"|C:|\*|\?| |x|\n|\t|\u{1}|é|☃|`|\.){0,6}"#,
        any::<String>(),
    ]
}

fn identifier() -> impl Strategy<Value = String> {
    "[A-Za-z_@][A-Za-z0-9_]{0,8}"
        .prop_filter("not a keyword", |s| !shrike_eql::lexer::is_keyword(s))
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        Just(Literal::Null),
        any::<bool>().prop_map(Literal::Bool),
        (0..=i64::MAX).prop_map(Literal::Int),
        prop_oneof![0.0..1e6, 0.0..f64::MAX, Just(1e-7), Just(5e-324)].prop_map(Literal::Float),
        any_string().prop_map(Literal::String),
    ]
}

fn field() -> impl Strategy<Value = FieldRef> {
    (
        prop_oneof![
            prop::collection::vec(identifier(), 1..4).prop_map(|v| v.join(".")),
            any_string(),
        ],
        any::<bool>(),
    )
        .prop_map(|(path, optional)| FieldRef { path, optional })
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        literal().prop_map(|l| e(ExprKind::Literal(l))),
        field().prop_map(|f| e(ExprKind::Field(f))),
    ]
}

fn cmp_op() -> impl Strategy<Value = CmpOp> {
    prop_oneof![
        Just(CmpOp::Eq),
        Just(CmpOp::NotEq),
        Just(CmpOp::Lt),
        Just(CmpOp::LtEq),
        Just(CmpOp::Gt),
        Just(CmpOp::GtEq)
    ]
}

fn arith_op() -> impl Strategy<Value = ArithOp> {
    prop_oneof![
        Just(ArithOp::Add),
        Just(ArithOp::Sub),
        Just(ArithOp::Mul),
        Just(ArithOp::Div),
        Just(ArithOp::Mod)
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(6, 64, 4, |inner| {
        let b = || inner.clone().prop_map(Box::new);
        let items = || prop::collection::vec(inner.clone(), 2..4);
        let patterns = prop::collection::vec(literal().prop_map(|l| e(ExprKind::Literal(l))), 1..3);
        prop_oneof![
            b().prop_map(|x| e(ExprKind::Not(x))),
            b().prop_map(|x| e(ExprKind::Neg(x))),
            items().prop_map(|xs| e(ExprKind::And(xs))),
            items().prop_map(|xs| e(ExprKind::Or(xs))),
            (cmp_op(), b(), b()).prop_map(|(op, a, c)| e(ExprKind::Compare(op, a, c))),
            (arith_op(), b(), b()).prop_map(|(op, a, c)| e(ExprKind::Arith(op, a, c))),
            (
                prop_oneof![
                    Just((MatchKind::Colon, false)),
                    Just((MatchKind::Like, false)),
                    Just((MatchKind::Like, true)),
                    Just((MatchKind::Regex, false)),
                    Just((MatchKind::Regex, true))
                ],
                b(),
                patterns,
                any::<bool>()
            )
                .prop_map(|((kind, case_insensitive), lhs, mut patterns, list)| {
                    if !list {
                        patterns.truncate(1);
                    }
                    e(ExprKind::Match(MatchExpr {
                        kind,
                        case_insensitive,
                        lhs,
                        patterns,
                        list,
                    }))
                }),
            (
                b(),
                prop::collection::vec(inner.clone(), 1..3),
                any::<bool>(),
                any::<bool>()
            )
                .prop_map(|(lhs, values, negated, case_insensitive)| {
                    e(ExprKind::In(InExpr {
                        lhs,
                        values,
                        negated,
                        case_insensitive,
                    }))
                }),
            (
                identifier(),
                any::<bool>(),
                prop::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(name, case_insensitive, args)| {
                    e(ExprKind::Call(Call {
                        name,
                        case_insensitive,
                        args,
                        name_span: sp(),
                    }))
                }),
        ]
    })
}

fn category() -> impl Strategy<Value = Category> {
    prop_oneof![
        Just(Category::Any(sp())),
        identifier().prop_map(|n| Category::Named(n, sp())),
        any_string().prop_map(|n| Category::Named(n, sp())),
    ]
}

fn event_query() -> impl Strategy<Value = EventQuery> {
    (category(), expr()).prop_map(|(category, condition)| EventQuery {
        category,
        condition,
        span: sp(),
    })
}

fn keys() -> impl Strategy<Value = Vec<Expr>> {
    prop::collection::vec(expr(), 0..3)
}

fn clause(runs_allowed: bool) -> impl Strategy<Value = SequenceClause> {
    (
        event_query(),
        keys(),
        prop::option::of(0..=i64::MAX),
        any::<bool>(),
    )
        .prop_map(move |(query, by, runs, missing)| SequenceClause {
            query,
            by,
            runs: runs
                .filter(|_| runs_allowed)
                .map(|count| Runs { count, span: sp() }),
            missing,
            span: sp(),
        })
}

fn time_unit() -> impl Strategy<Value = TimeUnit> {
    prop_oneof![
        Just(TimeUnit::Millis),
        Just(TimeUnit::Seconds),
        Just(TimeUnit::Minutes),
        Just(TimeUnit::Hours),
        Just(TimeUnit::Days)
    ]
}

fn body() -> impl Strategy<Value = QueryBody> {
    prop_oneof![
        event_query().prop_map(QueryBody::Event),
        (
            keys(),
            prop::option::of((0..=i64::MAX, time_unit())),
            prop::collection::vec(clause(true), 1..4),
            prop::option::of(clause(true)),
        )
            .prop_map(|(by, maxspan, clauses, until)| {
                QueryBody::Sequence(Sequence {
                    by,
                    maxspan: maxspan.map(|(value, unit)| TimeSpan {
                        value,
                        unit,
                        span: sp(),
                    }),
                    clauses,
                    until,
                    span: sp(),
                })
            }),
        (keys(), prop::collection::vec(clause(false), 1..4)).prop_map(|(by, clauses)| {
            QueryBody::Sample(Sample {
                by,
                clauses,
                span: sp(),
            })
        }),
    ]
}

fn query() -> impl Strategy<Value = Query> {
    let pipe = (
        prop_oneof![Just(PipeKind::Head), Just(PipeKind::Tail)],
        -i64::MAX..=i64::MAX,
    )
        .prop_map(|(kind, count)| Pipe {
            kind,
            count,
            span: sp(),
        });
    (body(), prop::collection::vec(pipe, 0..3)).prop_map(|(body, pipes)| Query {
        body,
        pipes,
        span: sp(),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn print_then_parse_is_identity(q in query()) {
        let printed = shrike_eql::print(&q);
        match shrike_eql::parse_syntax(&printed) {
            Ok(back) => prop_assert_eq!(back.without_spans(), q, "printed:\n{}", printed),
            Err(diags) => prop_assert!(
                false,
                "printed form does not parse:\n{}\n{}",
                printed,
                shrike_diag::render_all(&diags, "printed", &printed)
            ),
        }
    }
}

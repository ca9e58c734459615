//! Stable diagnostic codes of the EQL front end (`E0001`–`E0999`).
//!
//! A code never changes meaning once published; new problems get new codes. The ranges:
//! `E00xx` lexical, `E01xx` syntax, `E02xx` semantic checks (what Elasticsearch's parser
//! builder and verifier reject after the grammar accepted the text).

// Lexical.
/// A character that cannot start any EQL token.
pub const UNEXPECTED_CHAR: &str = "E0001";
/// A string or raw string without its closing quote.
pub const UNTERMINATED_STRING: &str = "E0002";
/// `'single quoted'` strings.
pub const SINGLE_QUOTED_STRING: &str = "E0003";
/// `?"old raw"` strings.
pub const OLD_RAW_STRING: &str = "E0004";
/// An unknown backslash escape such as `\d`.
pub const BAD_ESCAPE: &str = "E0005";
/// A malformed or invalid `\u{…}` escape.
pub const BAD_UNICODE_ESCAPE: &str = "E0006";
/// `/*` without `*/`.
pub const UNTERMINATED_COMMENT: &str = "E0007";
/// `` ` `` without its closing back-quote.
pub const UNTERMINATED_QUOTED_NAME: &str = "E0008";
/// A number too large to represent.
pub const NUMBER_TOO_LARGE: &str = "E0009";

// Syntax.
/// A token where the grammar expects something else.
pub const UNEXPECTED_TOKEN: &str = "E0100";
/// `=` used as a comparison.
pub const SINGLE_EQUALS: &str = "E0101";
/// `a < b < c`.
pub const CHAINED_COMPARISON: &str = "E0102";
/// `field[0]`.
pub const ARRAY_INDEX: &str = "E0103";
/// `join …`.
pub const JOIN_UNSUPPORTED: &str = "E0104";
/// `descendant of [...]`, `child of`, `event of`.
pub const PROCESS_RELATIONSHIP: &str = "E0105";
/// `| count`, `| unique`, `| filter`, `| sort`, `| unique_count`.
pub const PIPE_UNSUPPORTED: &str = "E0106";
/// A pipe name EQL does not know.
pub const PIPE_UNKNOWN: &str = "E0107";
/// `fork=true` on a sequence clause.
pub const FORK_UNSUPPORTED: &str = "E0108";
/// `AND`, `Or`, `WHERE`…: keywords are lower-case.
pub const KEYWORD_CASE: &str = "E0109";
/// A keyword used as a field name segment (`event.sequence`).
pub const KEYWORD_AS_NAME: &str = "E0110";
/// Nesting deeper than [`crate::MAX_DEPTH`].
pub const TOO_DEEP: &str = "E0111";
/// `a not like "x"`: only `in` can be negated in place.
pub const NEGATED_PATTERN_OPERATOR: &str = "E0112";
/// `a.0`: a field segment starting with a digit.
pub const NUMERIC_NAME_SEGMENT: &str = "E0113";
/// `sequence with maxspan=… by …`: `by` must come first.
pub const BY_AFTER_WITH: &str = "E0114";
/// A back-quoted event category.
pub const QUOTED_CATEGORY: &str = "E0115";
/// Text after a complete query.
pub const TRAILING_INPUT: &str = "E0116";
/// `!`, `&&`, `||` instead of `not`, `and`, `or`.
pub const C_STYLE_OPERATOR: &str = "E0117";
/// Something a sample cannot have: `with maxspan`, `with runs`, `until`.
pub const SAMPLE_OPTION: &str = "E0118";
/// A non-constant pattern after `:`, `like` or `regex`.
pub const PATTERN_NOT_CONSTANT: &str = "E0119";
/// An empty query.
pub const EMPTY_QUERY: &str = "E0120";
/// A clause option other than `runs` (`with foo=1`).
pub const UNKNOWN_CLAUSE_OPTION: &str = "E0121";
/// `with maxspan` without a unit, with an unknown unit, or a decimal value.
pub const BAD_MAXSPAN: &str = "E0122";
/// `with runs=` without an integer.
pub const BAD_RUNS_VALUE: &str = "E0123";
/// `| head` / `| tail` without exactly one integer argument.
pub const BAD_PIPE_ARGUMENT: &str = "E0124";

// Semantic checks.
/// A function Elasticsearch does not know.
pub const UNKNOWN_FUNCTION: &str = "E0200";
/// Too few or too many arguments.
pub const FUNCTION_ARITY: &str = "E0201";
/// An argument whose type the function does not accept.
pub const ARGUMENT_TYPE: &str = "E0202";
/// `name~(…)` on a function without a case-insensitive form.
pub const NO_CASE_INSENSITIVE_FORM: &str = "E0203";
/// An argument that must be a constant.
pub const ARGUMENT_NOT_CONSTANT: &str = "E0204";
/// `field == other_field`.
pub const FIELD_COMPARISON: &str = "E0205";
/// `x in (other_field, …)`.
pub const FIELD_IN_LIST: &str = "E0206";
/// `like`/`regex` with a non-string pattern.
pub const PATTERN_TYPE: &str = "E0207";
/// A sequence or sample with fewer than two clauses.
pub const TOO_FEW_CLAUSES: &str = "E0208";
/// `with runs=N` outside 1..=100.
pub const RUNS_OUT_OF_RANGE: &str = "E0209";
/// Missing-event clauses without `with maxspan`.
pub const MISSING_NEEDS_MAXSPAN: &str = "E0210";
/// A sequence made only of missing-event clauses.
pub const MISSING_ONLY: &str = "E0211";
/// `![…]` in a sample or as the `until` clause.
pub const MISSING_NOT_ALLOWED: &str = "E0212";
/// A sample without any join key.
pub const SAMPLE_WITHOUT_KEYS: &str = "E0213";
/// Clauses with different numbers of join keys.
pub const JOIN_KEY_COUNT: &str = "E0214";
/// A join key that is not a field.
pub const JOIN_KEY_NOT_FIELD: &str = "E0215";
/// `with maxspan=0…`.
pub const MAXSPAN_NOT_POSITIVE: &str = "E0216";
/// `| head -1`, or a count too large.
pub const PIPE_COUNT_RANGE: &str = "E0217";
/// `until […] with runs=N`.
pub const UNTIL_RUNS: &str = "E0218";
/// A condition that is not boolean (`process where 5`), or a non-boolean operand of
/// `and`/`or`/`not`.
pub const NOT_BOOLEAN: &str = "E0219";
/// A non-numeric operand of arithmetic.
pub const NOT_NUMERIC: &str = "E0220";

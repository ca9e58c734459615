//! Turning a syntax error (position + expectations, as peggy computes them) into a
//! diagnostic in our words, with a hint for the mistakes people actually make.

use crate::parser::{codes, Expected, SyntaxError};
use crate::scan;
use shrike_diag::{Diagnostic, Span};

/// The diagnostic for a syntax error in `text`.
pub(crate) fn syntax_diagnostic(text: &str, err: &SyntaxError) -> Diagnostic {
    let (found, mut span) = found_at(text, err.pos);
    if err.pos >= text.len() {
        // "Expected … but end of input found": point just after the last thing written,
        // not at a line of trailing whitespace.
        span = Span::point(text.trim_end_matches(crate::ast::is_js_whitespace).len());
    }
    let message = format!("expected {}, found {found}", expected_list(&err.expected));
    let mut diag = Diagnostic::error(codes::SYNTAX, message).with_span(span);
    if let Some(help) = help_for(text, err.pos) {
        diag = diag.with_help(help);
    }
    diag.with_note(format!("Kibana reports: {}", err.kibana_message(text)))
}

/// The offending token (a word, or one character) and its span; an empty span at the end.
fn found_at(text: &str, pos: usize) -> (String, Span) {
    let rest = text.get(pos..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return ("the end of the query".to_string(), Span::point(pos));
    };
    if is_word_char(first) {
        let len: usize = rest
            .char_indices()
            .take_while(|(i, c)| *i < 40 && is_word_char(*c))
            .map(|(_, c)| c.len_utf8())
            .sum();
        let word = &rest[..len];
        (format!("`{word}`"), Span::new(pos, pos + len))
    } else {
        (
            format!("`{}`", show_char(first)),
            Span::new(pos, pos + first.len_utf8()),
        )
    }
}

/// A character as shown in a message: itself, unless invisible or a line break.
pub(crate) fn show_char(c: char) -> String {
    if c.is_control() || (c.is_whitespace() && c != ' ') {
        c.escape_debug().to_string()
    } else {
        c.to_string()
    }
}

fn is_word_char(c: char) -> bool {
    !scan::is_special(c) && !scan::is_space(c) && !c.is_whitespace() && !c.is_control()
}

/// "a value, `(` or `{`", with the four range operators folded into one phrase.
fn expected_list(expected: &[Expected]) -> String {
    let mut items: Vec<Expected> = expected.to_vec();
    items.sort_by_key(|e| (e.rank(), e.peggy_description()));
    let ops = ["<", "<=", ">", ">="];
    let all_ops = ops.iter().all(|op| items.contains(&Expected::Token(op)));
    let mut words: Vec<String> = Vec::new();
    for e in items {
        match e {
            Expected::Token(t) if all_ops && ops.contains(&t) => {
                if t == "<" {
                    words.push("a range operator (`<`, `<=`, `>`, `>=`)".to_string());
                }
            }
            e => words.push(e.describe()),
        }
    }
    match words.len() {
        0 => "something else".to_string(),
        1 => words.remove(0),
        n => {
            let last = words.remove(n - 1);
            format!("{} or {last}", words.join(", "))
        }
    }
}

/// A hint for common mistakes, judged from the text around the error.
fn help_for(text: &str, pos: usize) -> Option<String> {
    let rest = text.get(pos..)?;
    let before = text.get(..pos)?;
    let first = rest.chars().next()?;
    let prev = before.chars().next_back();

    let value_start = prev.is_none_or(|p| scan::is_space(p) || "(:{<>".contains(p));
    if first == '"' && value_start && unterminated_quote(rest) {
        return Some(
            "this quoted string is never closed; inside quotes, write `\\\"` for a literal `\"`"
                .to_string(),
        );
    }
    if scan::starts_with_ignore_ascii_case(rest, "not")
        && rest[3..].chars().next().is_some_and(scan::is_space)
    {
        let before_trimmed = before.trim_end_matches(scan::is_space);
        let after_not = before_trimmed
            .len()
            .checked_sub(3)
            .and_then(|i| before_trimmed.get(i..))
            .is_some_and(|w| w.eq_ignore_ascii_case("not"))
            && before_trimmed.len() < before.len();
        if after_not {
            return Some("`not` cannot follow `not`; write `not (not …)`".to_string());
        }
        if before_trimmed.ends_with(':') {
            return Some(
                "to negate a value write `not field: value`, or put it in parentheses: \
                 `field: (not value)`"
                    .to_string(),
            );
        }
        return Some(
            "`not` followed by whitespace is always the keyword `not`, even at the end of a \
             word; to search for it, quote the value or write its `n` as `\\u006E`"
                .to_string(),
        );
    }
    if prev == Some('"') && !scan::is_special(first) && !scan::is_space(first) {
        return Some(
            "a quoted value ends at the next unescaped `\"`; write `\\\"` for a `\"` inside it"
                .to_string(),
        );
    }
    if scan::is_special(first) && prev.is_some_and(|p| !scan::is_space(p) && !"(:{".contains(p)) {
        let shown = if first == '\\' { "\\\\" } else { "" };
        return Some(if first == '\\' {
            format!("outside quotes a backslash must be escaped as `{shown}`, or the value quoted")
        } else {
            format!(
                "`{first}` is special in KQL; in a value, escape it as `\\{first}` or quote the value"
            )
        });
    }
    None
}

/// Whether a quoted string starting at the beginning of `rest` has no closing quote.
fn unterminated_quote(rest: &str) -> bool {
    let mut i = 1;
    while let Some((_, len)) = rest.get(i..).and_then(scan::quoted_char) {
        i += len;
    }
    !rest.get(i..).is_some_and(|r| r.starts_with('"'))
}

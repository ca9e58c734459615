//! `shrike check`'s verdict on one rule file: load it, decide whether shrike can run its
//! rule type and language, and parse its query, with every problem located in the file.

use crate::codes;
use crate::model::{Rule, RuleFile};
use crate::toml_string::StringMap;
use shrike_diag::{Diagnostic, LineIndex, Span};
use std::path::{Path, PathBuf};

/// The outcome for one rule file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// The rule loads and its query is valid.
    Ok,
    /// The file or its query has errors.
    Error,
    /// A rule type or language shrike does not run (yet); not an error in the rule.
    Unsupported,
}

impl Status {
    /// `ok`, `error`, `unsupported`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Error => "error",
            Status::Unsupported => "unsupported",
        }
    }
}

/// The verdict on one rule file, with what is needed to report it.
#[derive(Clone, Debug)]
pub struct RuleCheck {
    /// The file, as given or found.
    pub path: PathBuf,
    /// `rule.rule_id`, when the file got that far.
    pub rule_id: Option<String>,
    /// `rule.name`.
    pub name: Option<String>,
    /// `rule.type`.
    pub rule_type: Option<String>,
    /// `rule.language`.
    pub language: Option<String>,
    /// The verdict.
    pub status: Status,
    /// Why the rule is unsupported; for errors, one `line:col: error[code]: message` line
    /// per diagnostic. `None` when the rule is fine.
    pub message: Option<String>,
    /// Every problem, with spans into [`RuleCheck::text`].
    pub diagnostics: Vec<Diagnostic>,
    /// The file's text (empty if it could not be read).
    pub text: String,
}

impl RuleCheck {
    /// Every diagnostic rendered against the file, with its path, line, column and caret.
    pub fn render(&self) -> String {
        shrike_diag::render_all(
            &self.diagnostics,
            &self.path.display().to_string(),
            &self.text,
        )
    }

    fn new(path: &Path, text: String) -> Self {
        RuleCheck {
            path: path.to_path_buf(),
            rule_id: None,
            name: None,
            rule_type: None,
            language: None,
            status: Status::Ok,
            message: None,
            diagnostics: Vec::new(),
            text,
        }
    }

    /// Marks the check failed with `diags`, and writes the one-line-each summary.
    fn fail(mut self, diags: Vec<Diagnostic>) -> Self {
        let index = LineIndex::new(&self.text);
        let lines: Vec<String> = diags
            .iter()
            .map(|d| {
                if self.text.is_empty() {
                    // Nothing was read: there is no line to point at.
                    return d.to_string();
                }
                let pos = index.position(&self.text, d.span.start);
                format!("{}:{}: {d}", pos.line, pos.column)
            })
            .collect();
        self.status = Status::Error;
        self.message = Some(lines.join("\n"));
        self.diagnostics = diags;
        self
    }

    fn unsupported(mut self, reason: impl Into<String>) -> Self {
        self.status = Status::Unsupported;
        self.message = Some(reason.into());
        self
    }
}

/// The verdict for a path that could not even be listed or opened (met while walking
/// directories).
pub fn unreadable(path: &Path, error: &std::io::Error) -> RuleCheck {
    RuleCheck::new(path, String::new()).fail(vec![Diagnostic::error(
        codes::UNREADABLE,
        format!("cannot read: {error}"),
    )])
}

/// Reads and checks the rule file at `path`. Never fails: an unreadable file is a
/// [`Status::Error`] with an `R0005` diagnostic.
pub fn check_file(path: &Path) -> RuleCheck {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => check_text(path, text),
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                RuleCheck::new(path, String::new()).fail(vec![Diagnostic::error(
                    codes::UNREADABLE,
                    format!("the file is not UTF-8 text (invalid byte at offset {offset})"),
                )])
            }
        },
        Err(e) => RuleCheck::new(path, String::new()).fail(vec![Diagnostic::error(
            codes::UNREADABLE,
            format!("cannot read the file: {e}"),
        )]),
    }
}

/// Checks a rule file already read into `text`.
pub fn check_text(path: &Path, text: String) -> RuleCheck {
    let check = RuleCheck::new(path, text);
    let file = match parse_rule_file(&check.text) {
        Ok(file) => file,
        Err(diags) => return check.fail(diags),
    };
    let Some(rule) = file.rule else {
        return check.fail(vec![Diagnostic::error(
            codes::NO_RULE_TABLE,
            "the file has no `[rule]` table",
        )
        .with_span(Span::point(0))
        .with_help("a detection rule file has `[metadata]` and `[rule]` tables")]);
    };
    let mut check = check;
    check.rule_id = rule.rule_id.clone();
    check.name = rule.name.clone();
    check.rule_type = rule.rule_type.clone();
    check.language = rule.language.clone();
    let rule_span = table_header(&check.text, "rule");

    let mut diags = Vec::new();
    for (field, present) in [
        ("rule_id", rule.rule_id.is_some()),
        ("name", rule.name.is_some()),
        ("type", rule.rule_type.is_some()),
    ] {
        if !present {
            diags.push(
                Diagnostic::error(
                    codes::MISSING_FIELD,
                    format!("the `[rule]` table has no `{field}`"),
                )
                .with_span(rule_span),
            );
        }
    }
    if !diags.is_empty() {
        return check.fail(diags);
    }
    let language = match language_support(&rule) {
        Support::Eql => Language::Eql,
        Support::Kql => Language::Kql,
        Support::Unsupported(reason) => return check.unsupported(reason),
        Support::Mismatch(message) => {
            return check.fail(vec![Diagnostic::error(
                codes::TYPE_LANGUAGE_MISMATCH,
                message,
            )
            .with_span(rule_span)])
        }
    };
    let Some(query) = &rule.query else {
        let what = match language {
            Language::Eql => "EQL",
            Language::Kql => "KQL",
        };
        return check.fail(vec![Diagnostic::error(
            codes::MISSING_QUERY,
            format!("this {what} rule has no `query`"),
        )
        .with_span(rule_span)]);
    };
    let mut diags = match language {
        Language::Eql => shrike_eql::parse(query.get_ref()).err(),
        Language::Kql => shrike_kql::parse(query.get_ref()).err(),
    }
    .map(|d| in_file(&check.text, query, d))
    .unwrap_or_default();
    // An indicator-match rule's second query, over the indicator index, is KQL too.
    if let (Some(threat), Some("kuery")) = (&rule.threat_query, rule.threat_language.as_deref()) {
        if let Err(errs) = shrike_kql::parse(threat.get_ref()) {
            let errs = errs
                .into_iter()
                .map(|d| d.with_note("in the rule's `threat_query`"))
                .collect();
            diags.extend(in_file(&check.text, threat, errs));
        }
    }
    if diags.is_empty() {
        check
    } else {
        check.fail(diags)
    }
}

/// Moves diagnostics about a query string's value to their place in the rule file.
fn in_file(text: &str, query: &toml::Spanned<String>, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let map = StringMap::new(text, query.span(), query.get_ref());
    diags
        .into_iter()
        .map(|d| d.map_spans(|o| map.file_offset(o)))
        .collect()
}

/// Parses a rule file's TOML into the model; syntax and type errors carry their span.
pub fn parse_rule_file(text: &str) -> Result<RuleFile, Vec<Diagnostic>> {
    // Syntax first, so a broken file is reported as such rather than as a schema error.
    if let Err(e) = text.parse::<toml::Table>() {
        return Err(vec![toml_error(codes::TOML_SYNTAX, "invalid TOML", &e)]);
    }
    toml::from_str::<RuleFile>(text)
        .map_err(|e| vec![toml_error(codes::FIELD_TYPE, "invalid rule file", &e)])
}

fn toml_error(code: &'static str, what: &str, e: &toml::de::Error) -> Diagnostic {
    let span = e.span().map_or(Span::point(0), Span::from);
    let message = e.message().trim().trim_end_matches('.').to_string();
    Diagnostic::error(code, format!("{what}: {message}")).with_span(span)
}

/// The span of the `[name]` header line, or the start of the file.
fn table_header(text: &str, name: &str) -> Span {
    let header = format!("[{name}]");
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed == header {
            let start = offset + (line.len() - line.trim_start().len());
            return Span::new(start, start + header.len());
        }
        offset += line.len();
    }
    Span::point(0)
}

enum Support {
    Eql,
    Kql,
    Unsupported(String),
    Mismatch(String),
}

/// The query language of a rule shrike checks.
#[derive(Clone, Copy)]
enum Language {
    Eql,
    Kql,
}

/// Rule types whose `query` may be KQL (Kibana's rule schema).
const KQL_RULE_TYPES: [&str; 5] = [
    "query",
    "saved_query",
    "threshold",
    "threat_match",
    "new_terms",
];

/// Whether shrike can check this rule's query now. Rule types and languages follow
/// Kibana's schema; EQL and KQL queries are checked.
fn language_support(rule: &Rule) -> Support {
    let rule_type = rule.rule_type.as_deref().unwrap_or_default();
    let language = rule.language.as_deref();
    match (rule_type, language) {
        ("eql", Some("eql")) => Support::Eql,
        ("eql", other) | (_, other @ Some("eql")) => Support::Mismatch(format!(
            "rule type `{rule_type}` cannot use language `{}`; EQL rules have `type = \"eql\"` \
             and `language = \"eql\"`",
            other.unwrap_or("(none)")
        )),
        ("machine_learning", _) => Support::Unsupported(
            "machine learning rules need Elastic's anomaly detection jobs; shrike cannot run them"
                .into(),
        ),
        (t, Some("kuery")) if KQL_RULE_TYPES.contains(&t) => Support::Kql,
        (_, Some("kuery")) => Support::Mismatch(format!(
            "rule type `{rule_type}` cannot use language `kuery`; KQL is the language of \
             `query`, `saved_query`, `threshold`, `threat_match` and `new_terms` rules"
        )),
        (_, Some("lucene")) => Support::Unsupported("Lucene query syntax is not supported".into()),
        (_, Some("esql")) => Support::Unsupported("ES|QL queries are not supported".into()),
        (_, Some(other)) => {
            Support::Unsupported(format!("query language `{other}` is not supported"))
        }
        (_, None) => Support::Unsupported(format!("rule type `{rule_type}` is not supported")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> RuleCheck {
        check_text(Path::new("rules/x.toml"), text.to_string())
    }

    const HEADER: &str =
        "[metadata]\nmaturity = \"production\"\n\n[rule]\nrule_id = \"1\"\nname = \"n\"\n";

    #[test]
    fn valid_eql_rule_is_ok() {
        let c = check(&format!(
            "{HEADER}type = \"eql\"\nlanguage = \"eql\"\nquery = '''\nprocess where true\n'''\n"
        ));
        assert_eq!(c.status, Status::Ok, "{:?}", c.message);
        assert_eq!(c.rule_id.as_deref(), Some("1"));
        assert!(c.message.is_none());
    }

    #[test]
    fn query_errors_point_into_the_rule_file() {
        let text = format!(
            "{HEADER}type = \"eql\"\nlanguage = \"eql\"\nquery = '''\nprocess where\n  process.name = \"x\"\n'''\n"
        );
        let c = check(&text);
        assert_eq!(c.status, Status::Error);
        let rendered = c.render();
        assert!(rendered.contains("--> rules/x.toml:11:16"), "{rendered}");
        assert!(
            rendered.contains("11 |   process.name = \"x\""),
            "{rendered}"
        );
        assert_eq!(
            c.message.as_deref(),
            Some("11:16: error[E0101]: `=` is not a comparison operator in EQL")
        );
    }

    #[test]
    fn escapes_in_basic_strings_are_accounted_for() {
        // TOML `\"C:\\\\x\"` is the EQL string "C:\\x": the offsets drift by 4 bytes.
        let text = format!(
            "{HEADER}type = \"eql\"\nlanguage = \"eql\"\n{}\n",
            r#"query = "file where file.path == \"C:\\\\x\" and a = 1""#
        );
        let c = check(&text);
        assert_eq!(c.status, Status::Error);
        let d = &c.diagnostics[0];
        assert_eq!(&text[d.span.start..d.span.end], "=");
        assert_eq!(&text[d.span.start - 2..d.span.start], "a ");
    }

    #[test]
    fn toml_errors_are_located() {
        let c = check("[rule]\nname = \"x\nquery = 1\n");
        assert_eq!(c.status, Status::Error);
        assert_eq!(c.diagnostics[0].code, codes::TOML_SYNTAX);
        assert!(
            c.message.as_deref().unwrap_or_default().starts_with("2:"),
            "{:?}",
            c.message
        );

        let c = check("[rule]\nname = \"x\"\nindex = \"logs-*\"\n");
        assert_eq!(c.diagnostics[0].code, codes::FIELD_TYPE);
        assert!(
            c.message.as_deref().unwrap_or_default().starts_with("3:"),
            "{:?}",
            c.message
        );
    }

    #[test]
    fn kql_rules_are_parsed() {
        for rule_type in KQL_RULE_TYPES {
            let c = check(&format!(
                "{HEADER}type = \"{rule_type}\"\nlanguage = \"kuery\"\nquery = \"a:b\"\n"
            ));
            assert_eq!(c.status, Status::Ok, "{rule_type}: {:?}", c.message);
        }
        let text = format!(
            "{HEADER}type = \"query\"\nlanguage = \"kuery\"\nquery = '''\nevent.category: process and\n  process.name: cannot be\n'''\n"
        );
        let c = check(&text);
        assert_eq!(c.status, Status::Error);
        assert_eq!(c.diagnostics[0].code, "K0001");
        let rendered = c.render();
        assert!(rendered.contains("--> rules/x.toml:11:20"), "{rendered}");
        assert!(
            rendered.contains("11 |   process.name: cannot be"),
            "{rendered}"
        );
        let c = check(&format!(
            "{HEADER}type = \"esql\"\nlanguage = \"kuery\"\nquery = \"a\"\n"
        ));
        assert_eq!(c.diagnostics[0].code, codes::TYPE_LANGUAGE_MISMATCH);
    }

    #[test]
    fn threat_queries_are_parsed_too() {
        let rule = format!(
            "{HEADER}type = \"threat_match\"\nlanguage = \"kuery\"\nquery = \"a:b\"\n\
             threat_language = \"kuery\"\nthreat_query = \"@timestamp >= \\\"now-30d\\\" and x:\"\n"
        );
        let c = check(&rule);
        assert_eq!(c.status, Status::Error, "{:?}", c.message);
        assert!(c.diagnostics[0]
            .notes
            .iter()
            .any(|n| n.contains("threat_query")));
        let d = &c.diagnostics[0];
        assert_eq!(d.span.start, rule.rfind('"').unwrap_or_default());
        let ok = rule.replace(" and x:", " and x: y");
        assert_eq!(check(&ok).status, Status::Ok);
    }

    #[test]
    fn other_languages_are_unsupported_with_a_reason() {
        let c = check(&format!(
            "{HEADER}type = \"query\"\nlanguage = \"lucene\"\nquery = \"a:b\"\n"
        ));
        assert_eq!(c.status, Status::Unsupported);
        assert!(c.message.as_deref().unwrap_or_default().contains("Lucene"));
        let c = check(&format!("{HEADER}type = \"machine_learning\"\n"));
        assert_eq!(c.status, Status::Unsupported);
        let c = check(&format!(
            "{HEADER}type = \"esql\"\nlanguage = \"esql\"\nquery = \"from x\"\n"
        ));
        assert_eq!(c.status, Status::Unsupported);
    }

    #[test]
    fn missing_pieces_are_errors() {
        let c = check("[metadata]\nmaturity = \"production\"\n");
        assert_eq!(c.diagnostics[0].code, codes::NO_RULE_TABLE);
        let c = check("[rule]\ntype = \"eql\"\nlanguage = \"eql\"\n");
        let codes: Vec<_> = c.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec![codes::MISSING_FIELD, codes::MISSING_FIELD]);
        let c = check(&format!("{HEADER}type = \"eql\"\nlanguage = \"eql\"\n"));
        assert_eq!(c.diagnostics[0].code, codes::MISSING_QUERY);
        let c = check(&format!(
            "{HEADER}type = \"eql\"\nlanguage = \"kuery\"\nquery = \"a\"\n"
        ));
        assert_eq!(c.diagnostics[0].code, codes::TYPE_LANGUAGE_MISMATCH);
    }

    #[test]
    fn unreadable_files_are_errors_not_panics() {
        let c = check_file(Path::new("/nonexistent/shrike/rule.toml"));
        assert_eq!(c.status, Status::Error);
        assert_eq!(c.diagnostics[0].code, codes::UNREADABLE);
    }
}

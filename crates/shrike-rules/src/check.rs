//! `shrike check`'s verdict on one rule file: load it, decide whether shrike can run its
//! rule type and language, and parse its query, with every problem located in the file.

use crate::codes;
use crate::load::load;
use crate::model::{LStr, Language, Rule, RuleFile, RuleType};
use crate::toml_string::StringMap;
use crate::validate::validate;
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
    /// Every problem (errors and warnings), with spans into [`RuleCheck::text`].
    pub diagnostics: Vec<Diagnostic>,
    /// The loaded model (empty when the file could not be parsed).
    pub file: RuleFile,
    /// The file's text (empty if it could not be read).
    pub text: String,
}

impl RuleCheck {
    /// The warnings (problems that do not stop the rule from running).
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| !d.is_error())
    }

    /// Every diagnostic rendered against the file, with its path, line, column and caret.
    pub fn render(&self) -> String {
        shrike_diag::render_all(
            &self.diagnostics,
            &self.path.display().to_string(),
            &self.text,
        )
    }

    /// Marks the check failed with problems found in the rule's `query` after checking
    /// (lowering it against a hunt's field types, say): `diags` have offsets into the
    /// query's value and are moved to their place in the rule file, like the check's own.
    pub fn fail_in_query(self, diags: Vec<Diagnostic>) -> Self {
        let located = match self.file.rule.as_ref().and_then(|r| r.value.query.as_ref()) {
            Some(query) => in_file(&self.text, query, diags),
            None => diags,
        };
        let mut all = self.diagnostics.clone();
        all.extend(located);
        all.sort_by_key(|d| (d.span.start, d.span.end));
        self.fail(all)
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
            file: RuleFile::default(),
            text,
        }
    }

    /// Marks the check failed with `diags`, and writes the one-line-each summary.
    fn fail(mut self, diags: Vec<Diagnostic>) -> Self {
        let index = LineIndex::new(&self.text);
        let lines: Vec<String> = diags
            .iter()
            .filter(|d| d.is_error())
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

/// What a check knows beyond the rule file.
#[derive(Clone, Copy, Debug, Default)]
pub struct CheckOptions<'a> {
    /// Field types to lower KQL queries with (a hunt's schema): lowering problems are
    /// reported like parse errors (values a field's type rejects are errors, unknown
    /// fields warnings). `None`: KQL is only parsed.
    pub schema: Option<&'a shrike_ir::Schema>,
}

/// Reads and checks the rule file at `path`. Never fails: an unreadable file is a
/// [`Status::Error`] with an `R0005` diagnostic.
pub fn check_file(path: &Path) -> RuleCheck {
    check_file_with(path, &CheckOptions::default())
}

/// [`check_file`] with options.
pub fn check_file_with(path: &Path, options: &CheckOptions<'_>) -> RuleCheck {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => check_text_with(path, text, options),
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

/// Checks a rule file already read into `text`: loads it ([`crate::load`]), checks it
/// against the schema ([`crate::validate`]), decides whether shrike runs its type, and
/// parses an EQL query. Warnings do not fail a rule; they are kept in
/// [`RuleCheck::diagnostics`].
pub fn check_text(path: &Path, text: String) -> RuleCheck {
    check_text_with(path, text, &CheckOptions::default())
}

/// [`check_text`] with options.
pub fn check_text_with(path: &Path, text: String, options: &CheckOptions<'_>) -> RuleCheck {
    let mut check = RuleCheck::new(path, text);
    let loaded = match load(&check.text) {
        Ok(loaded) => loaded,
        Err(diags) => return check.fail(diags),
    };
    let Some(rule) = &loaded.file.rule else {
        let mut diags = loaded.diagnostics;
        diags.push(
            Diagnostic::error(codes::NO_RULE_TABLE, "the file has no `[rule]` table")
                .with_span(Span::point(0))
                .with_help("a detection rule file has `[metadata]` and `[rule]` tables"),
        );
        return check.fail(diags);
    };
    let rule_value = &rule.value;
    check.rule_id = rule_value.rule_id.as_ref().map(|s| s.value.clone());
    check.name = rule_value.name.as_ref().map(|s| s.value.clone());
    check.rule_type = rule_value.rule_type().map(|t| t.as_str().to_string());
    check.language = rule_value.language().map(|l| l.as_str().to_string());

    let mut diags = loaded.diagnostics.clone();
    diags.extend(validate(&loaded.file));
    diags.sort_by_key(|d| (d.span.start, d.span.end));
    if shrike_diag::has_errors(&diags) {
        check.file = loaded.file;
        return check.fail(diags);
    }
    let language = match language_support(rule_value) {
        Support::Check(language) => language,
        Support::Unsupported(reason) => {
            check.diagnostics = diags;
            check.file = loaded.file;
            return check.unsupported(reason);
        }
    };
    let Some(query) = &rule_value.query else {
        // validate() requires a query for EQL rules; a KQL `query` rule without one
        // matches every event, as Kibana's default empty query does.
        check.diagnostics = diags;
        check.file = loaded.file;
        return check;
    };
    let lower_options = shrike_kql::lower::LowerOptions::default();
    // Parse errors, or (KQL with a schema) lowering errors and warnings.
    let parse = |text: &str| -> Option<Vec<Diagnostic>> {
        match (language, options.schema) {
            (Language::Eql, _) => shrike_eql::parse(text).err(),
            (_, None) => shrike_kql::parse(text).err(),
            (_, Some(schema)) => {
                match shrike_kql::lower::parse_and_lower(text, schema, &lower_options) {
                    Ok(l) if l.warnings.is_empty() => None,
                    Ok(l) => Some(l.warnings),
                    Err(d) => Some(d),
                }
            }
        }
    };
    if let Some(errors) = parse(&query.value) {
        diags.extend(in_file(&check.text, query, errors));
    }
    // An indicator-match rule's second query, over the indicator index, is KQL too.
    if let (Some(threat), Some(Language::Kuery)) = (
        &rule_value.threat_query,
        rule_value.threat_language.as_ref().map(|l| l.value),
    ) {
        let problems = match options.schema {
            None => shrike_kql::parse(&threat.value).err(),
            Some(schema) => {
                match shrike_kql::lower::parse_and_lower(&threat.value, schema, &lower_options) {
                    Ok(l) if l.warnings.is_empty() => None,
                    Ok(l) => Some(l.warnings),
                    Err(d) => Some(d),
                }
            }
        };
        if let Some(errors) = problems {
            let errors = errors
                .into_iter()
                .map(|d| d.with_note("in the rule's `threat_query`"))
                .collect();
            diags.extend(in_file(&check.text, threat, errors));
        }
    }
    diags.sort_by_key(|d| (d.span.start, d.span.end));
    let failed = shrike_diag::has_errors(&diags);
    check.file = loaded.file;
    if failed {
        return check.fail(diags);
    }
    check.diagnostics = diags;
    check
}

/// Moves diagnostics about a query string's value to their place in the rule file.
fn in_file(text: &str, query: &LStr, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let map = StringMap::new(text, query.span.start..query.span.end, &query.value);
    diags
        .into_iter()
        .map(|d| d.map_spans(|o| map.file_offset(o)))
        .collect()
}

enum Support {
    /// The query is checked in this language.
    Check(Language),
    Unsupported(String),
}

/// Whether shrike can check this rule's query now: EQL, and KQL (the default language of
/// the query-based types). A type/language mismatch was already reported by [`validate`].
fn language_support(rule: &Rule) -> Support {
    let Some(rule_type) = rule.rule_type() else {
        return Support::Unsupported("the rule has no valid `type`".into());
    };
    match (rule_type, rule.language()) {
        (RuleType::Eql, _) => Support::Check(Language::Eql),
        (RuleType::MachineLearning, _) => Support::Unsupported(
            "machine learning rules need Elastic's anomaly detection jobs; shrike cannot run them"
                .into(),
        ),
        (RuleType::Esql, _) => Support::Unsupported("ES|QL queries are not supported".into()),
        (_, Some(Language::Lucene)) => {
            Support::Unsupported("Lucene query syntax is not supported".into())
        }
        _ => Support::Check(Language::Kuery),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> RuleCheck {
        check_text(Path::new("rules/x.toml"), text.to_string())
    }

    const HEADER: &str =
        "[metadata]\nmaturity = \"production\"\n\n[rule]\nrule_id = \"1\"\nname = \"n\"\n\
         description = \"d\"\nrisk_score = 21\nseverity = \"low\"\n";

    #[test]
    fn valid_eql_rule_is_ok() {
        let c = check(&format!(
            "{HEADER}type = \"eql\"\nlanguage = \"eql\"\nquery = '''\nprocess where true\n'''\n"
        ));
        assert_eq!(c.status, Status::Ok, "{:?}", c.message);
        assert_eq!(c.rule_id.as_deref(), Some("1"));
        assert!(c.message.is_none());
        // A rule id that is not a UUID is only a warning.
        let warnings: Vec<_> = c.warnings().map(|d| d.code).collect();
        assert_eq!(warnings, vec![codes::RULE_ID_NOT_UUID]);
    }

    #[test]
    fn kql_is_lowered_with_a_schema() {
        let mapping = shrike_ir::Mapping::from_json_str(
            r#"{"properties": {"process": {"properties": {"pid": {"type": "long"}}}}}"#,
        )
        .unwrap();
        let schema = shrike_ir::Schema::single("logs", mapping);
        let options = CheckOptions {
            schema: Some(&schema),
        };
        let rule = |q: &str| {
            format!("{HEADER}type = \"query\"\nlanguage = \"kuery\"\nquery = '''\n{q}\n'''\n")
        };
        // A value the field's type rejects is an error, located in the file.
        let text = rule("process.pid: abc");
        let c = check_text_with(Path::new("rules/x.toml"), text.clone(), &options);
        assert_eq!(c.status, Status::Error);
        let d = c.diagnostics.iter().find(|d| d.is_error()).unwrap();
        assert_eq!(d.code, "K0502");
        assert_eq!(&text[d.span.start..d.span.end], "abc");
        // An unknown field is a warning: Kibana does not reject it.
        let c = check_text_with(Path::new("x.toml"), rule("nope: 1"), &options);
        assert_eq!(c.status, Status::Ok);
        assert!(c.warnings().any(|d| d.code == "K0501"));
        // Without a schema KQL is only parsed.
        assert_eq!(check(&rule("process.pid: abc")).status, Status::Ok);
    }

    #[test]
    fn query_errors_point_into_the_rule_file() {
        let text = format!(
            "{HEADER}type = \"eql\"\nlanguage = \"eql\"\nquery = '''\nprocess where\n  process.name = \"x\"\n'''\n"
        );
        let c = check(&text);
        assert_eq!(c.status, Status::Error);
        let rendered = c.render();
        assert!(rendered.contains("--> rules/x.toml:14:16"), "{rendered}");
        assert!(
            rendered.contains("14 |   process.name = \"x\""),
            "{rendered}"
        );
        assert_eq!(
            c.message.as_deref(),
            Some("14:16: error[E0101]: `=` is not a comparison operator in EQL")
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
        let d = c
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .expect("an error");
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

        let c = check(&format!(
            "{HEADER}type = \"eql\"\nlanguage = \"eql\"\nquery = \"any where true\"\nindex = \"logs-*\"\n"
        ));
        let first = c
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .expect("an error");
        assert_eq!(first.code, codes::FIELD_TYPE);
        assert!(
            c.message.as_deref().unwrap_or_default().starts_with("13:"),
            "{:?}",
            c.message
        );
    }

    /// The required fields of each KQL rule type, beyond the query.
    fn kql_extras(rule_type: &str) -> &'static str {
        match rule_type {
            "saved_query" => "saved_id = \"s\"\n",
            "threshold" => "[rule.threshold]\nfield = []\nvalue = 1\n",
            "threat_match" => {
                "threat_query = \"x:y\"\nthreat_index = [\"i\"]\n[[rule.threat_mapping]]\n\
                 [[rule.threat_mapping.entries]]\nfield = \"a\"\ntype = \"mapping\"\nvalue = \"b\"\n"
            }
            "new_terms" => {
                "[rule.new_terms]\nfield = \"new_terms_fields\"\nvalue = [\"a\"]\n\
                 [[rule.new_terms.history_window_start]]\nfield = \"history_window_start\"\nvalue = \"now-7d\"\n"
            }
            _ => "",
        }
    }

    #[test]
    fn kql_rules_are_parsed() {
        for rule_type in [
            "query",
            "saved_query",
            "threshold",
            "threat_match",
            "new_terms",
        ] {
            let c = check(&format!(
                "{HEADER}type = \"{rule_type}\"\nlanguage = \"kuery\"\nquery = \"a:b\"\n{}",
                kql_extras(rule_type)
            ));
            assert_eq!(c.status, Status::Ok, "{rule_type}: {:?}", c.message);
        }
        let text = format!(
            "{HEADER}type = \"query\"\nlanguage = \"kuery\"\nquery = '''\nevent.category: process and\n  process.name: cannot be\n'''\n"
        );
        let c = check(&text);
        assert_eq!(c.status, Status::Error);
        let first = c
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .expect("an error");
        assert_eq!(first.code, "K0001");
        let rendered = c.render();
        assert!(rendered.contains("--> rules/x.toml:14:20"), "{rendered}");
        assert!(
            rendered.contains("14 |   process.name: cannot be"),
            "{rendered}"
        );
        let c = check(&format!(
            "{HEADER}type = \"esql\"\nlanguage = \"kuery\"\nquery = \"a\"\n"
        ));
        let first = c
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .expect("an error");
        assert_eq!(first.code, codes::TYPE_LANGUAGE_MISMATCH);
    }

    #[test]
    fn threat_queries_are_parsed_too() {
        let rule = format!(
            "{HEADER}type = \"threat_match\"\nlanguage = \"kuery\"\nquery = \"a:b\"\n\
             threat_language = \"kuery\"\nthreat_query = \"@timestamp >= \\\"now-30d\\\" and x:\"\n\
             threat_index = [\"i\"]\n[[rule.threat_mapping]]\n[[rule.threat_mapping.entries]]\n\
             field = \"a\"\ntype = \"mapping\"\nvalue = \"b\"\n"
        );
        let c = check(&rule);
        assert_eq!(c.status, Status::Error, "{:?}", c.message);
        let d = c
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .expect("an error");
        assert!(d.notes.iter().any(|n| n.contains("threat_query")));
        let end = rule.find(" and x:\"").expect("query") + " and x:".len();
        assert_eq!(d.span.start, end);
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
        let c = check(&format!(
            "{HEADER}type = \"machine_learning\"\nanomaly_threshold = 50\nmachine_learning_job_id = \"j\"\n"
        ));
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
        // rule_id, name, description, risk_score, severity, then the query.
        assert_eq!(
            codes,
            vec![
                codes::MISSING_FIELD,
                codes::MISSING_FIELD,
                codes::MISSING_FIELD,
                codes::MISSING_FIELD,
                codes::MISSING_FIELD,
                codes::MISSING_QUERY
            ]
        );
        let errors = |c: &RuleCheck| -> Vec<&str> {
            c.diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.code)
                .collect()
        };
        let c = check(&format!("{HEADER}type = \"eql\"\nlanguage = \"eql\"\n"));
        assert_eq!(errors(&c), vec![codes::MISSING_QUERY]);
        let c = check(&format!(
            "{HEADER}type = \"eql\"\nlanguage = \"kuery\"\nquery = \"a\"\n"
        ));
        assert_eq!(errors(&c), vec![codes::TYPE_LANGUAGE_MISMATCH]);
    }

    #[test]
    fn unreadable_files_are_errors_not_panics() {
        let c = check_file(Path::new("/nonexistent/shrike/rule.toml"));
        assert_eq!(c.status, Status::Error);
        assert_eq!(c.diagnostics[0].code, codes::UNREADABLE);
    }
}

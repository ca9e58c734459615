//! The analyzers that index `text` and `match_only_text` fields: Elasticsearch's
//! `standard` analyzer (the default), and the `pattern` analyzer Elastic's Windows
//! integration and Winlogbeat give PowerShell script blocks ([`Analyzer`]).
//!
//! A `match` or `match_phrase` query on such a field compares the *tokens* of the query
//! text with the tokens of each value, not the strings: `message: "Failed Login"` matches
//! `"user login failed, login aborted"` only as a phrase of the tokens `failed` `login`.
//! Both sides go through the same analysis, so query lowering and event evaluation call the
//! functions here.
//!
//! The standard analyzer is the standard tokenizer (Unicode text segmentation, UAX #29
//! word boundaries, keeping only segments that hold a letter or digit) followed by a
//! lower-case filter, with no stop words (Elasticsearch's default `stopwords: _none_`) and
//! tokens longer than 255 characters split into pieces of 255 (`max_token_length`).
//!
//! Known differences from Lucene's tokenizer: it follows a newer Unicode version, and
//! emoji-only segments produce no token here (Lucene makes them tokens of type `<EMOJI>`).
//!
//! ```
//! use shrike_ir::analysis::standard_tokens;
//! assert_eq!(standard_tokens("Hello, World! wi-fi example.com x_y 1.5"),
//!            ["hello", "world", "wi", "fi", "example.com", "x_y", "1.5"]);
//! ```

use unicode_segmentation::UnicodeSegmentation;

/// Lucene's standard tokenizer's default `max_token_length`.
pub const MAX_TOKEN_LENGTH: usize = 255;

/// Lower-cases the way Lucene's `LowerCaseFilter` does: code point by code point
/// (`Character.toLowerCase`), so no context-dependent rules (a final `Σ` becomes `σ`,
/// not `ς`) and `İ` becomes `i`.
pub fn lowercase(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '\u{130}' {
            out.push('i');
            continue;
        }
        let mut lower = c.to_lowercase();
        match (lower.next(), lower.next()) {
            (Some(l), None) => out.push(l),
            // Only U+0130 lower-cases to two characters (handled above); keep any future
            // multi-character mapping whole rather than guess.
            (Some(l), Some(m)) => {
                out.push(l);
                out.push(m);
                out.extend(lower);
            }
            (None, _) => out.push(c),
        }
    }
    out
}

/// An analyzer a `text` field is indexed with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Analyzer {
    /// `standard` ([`standard_tokens`]).
    #[default]
    Standard,
    /// The `pattern` analyzer of `powershell.file.script_block_text` in the Windows
    /// integration (`powershell_script_analyzer`) and Winlogbeat
    /// (`winlogbeat_powershell_script_analyzer`): split on `[\W&&[^-]]+` — runs of
    /// characters that are neither ASCII word characters (Java's `\W` without the Unicode
    /// flag) nor `-` — then lower-cased. So `Get-Process` stays one token and
    /// `System.Management.Automation` makes three.
    PowershellScript,
}

impl Analyzer {
    /// The analyzer a mapping names, when shrike knows it (`None` for other names: their
    /// definitions live in index settings shrike does not read).
    pub fn from_name(name: &str) -> Option<Analyzer> {
        match name {
            "standard" | "default" => Some(Analyzer::Standard),
            "powershell_script_analyzer" | "winlogbeat_powershell_script_analyzer" => {
                Some(Analyzer::PowershellScript)
            }
            _ => None,
        }
    }

    /// The tokens of `text`, in order.
    pub fn tokens(self, text: &str) -> Vec<String> {
        match self {
            Analyzer::Standard => standard_tokens(text),
            Analyzer::PowershellScript => text
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .filter(|t| !t.is_empty())
                .map(lowercase)
                .collect(),
        }
    }

    /// The name Elasticsearch knows it by.
    pub fn name(self) -> &'static str {
        match self {
            Analyzer::Standard => "standard",
            Analyzer::PowershellScript => "powershell_script_analyzer",
        }
    }
}

/// The tokens the standard analyzer produces for `text`, in order.
pub fn standard_tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in text.unicode_words() {
        let lower = lowercase(word);
        if lower.chars().count() <= MAX_TOKEN_LENGTH {
            out.push(lower);
            continue;
        }
        let chars: Vec<char> = lower.chars().collect();
        for piece in chars.chunks(MAX_TOKEN_LENGTH) {
            out.push(piece.iter().collect());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_follow_uax29() {
        assert_eq!(
            standard_tokens("The QUICK brown-fox's 2nd jump: 3.14 & don't"),
            ["the", "quick", "brown", "fox's", "2nd", "jump", "3.14", "don't"]
        );
        // Paths and command lines break at separators other than `.` between letters.
        assert_eq!(
            standard_tokens(r"C:\Windows\System32\cmd.exe /c whoami"),
            ["c", "windows", "system32", "cmd.exe", "c", "whoami"]
        );
        assert!(standard_tokens(" -- ** ").is_empty());
        // Each ideograph is a token of its own.
        assert_eq!(standard_tokens("中文"), ["中", "文"]);
    }

    #[test]
    fn the_powershell_analyzer_splits_on_non_word_characters_but_dashes() {
        let t = Analyzer::PowershellScript;
        assert_eq!(
            t.tokens("[System.Management.Automation.AmsiUtils]::GetField('amsiInitFailed')"),
            [
                "system",
                "management",
                "automation",
                "amsiutils",
                "getfield",
                "amsiinitfailed"
            ]
        );
        assert_eq!(
            t.tokens("Get-Process | Out-File $env:TEMP\\x_y.txt"),
            ["get-process", "out-file", "env", "temp", "x_y", "txt"]
        );
        // Java's `\W` is ASCII-only: other letters separate tokens.
        assert_eq!(t.tokens("Café-Straße"), ["caf", "-stra", "e"]);
        assert!(t.tokens(" ;; ").is_empty());
        assert_eq!(Analyzer::from_name("powershell_script_analyzer"), Some(t));
        assert_eq!(Analyzer::from_name("custom_thing"), None);
    }

    #[test]
    fn lowercase_is_per_code_point() {
        assert_eq!(lowercase("ΟΔΟΣ"), "οδοσ");
        assert_eq!(lowercase("İstanbul"), "istanbul");
        assert_eq!(lowercase("ÉCOLE"), "école");
    }

    #[test]
    fn long_tokens_are_split() {
        let long = "a".repeat(600);
        let t = standard_tokens(&long);
        assert_eq!(
            t.iter().map(|s| s.len()).collect::<Vec<_>>(),
            [255, 255, 90]
        );
    }
}

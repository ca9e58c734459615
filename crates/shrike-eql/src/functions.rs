//! The functions Elasticsearch EQL provides, with their signatures.
//!
//! Names are case-insensitive (`CONCAT` is `concat`); the canonical spelling below is the one
//! Elasticsearch documents. The verifier uses this table for arity, literal argument types
//! and the `~` (case-insensitive) form; the lowering uses [`lookup`] to map a call to its
//! meaning.

/// The type an argument must have, as far as it can be told without field mappings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArgType {
    /// A string (keyword-like) value.
    String,
    /// An integer or a float.
    Number,
    /// An integer.
    Integer,
    /// `true` / `false`.
    Boolean,
    /// An IP address (a field of type `ip`).
    Ip,
    /// Anything.
    Any,
}

impl ArgType {
    /// The name used in messages.
    pub fn describe(self) -> &'static str {
        match self {
            ArgType::String => "a string",
            ArgType::Number => "a number",
            ArgType::Integer => "an integer",
            ArgType::Boolean => "a boolean",
            ArgType::Ip => "an IP address field",
            ArgType::Any => "any value",
        }
    }
}

/// One parameter of a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    /// Its name in the documentation.
    pub name: &'static str,
    /// Its type.
    pub ty: ArgType,
    /// Whether Elasticsearch requires a constant here (no fields).
    pub constant: bool,
}

const fn p(name: &'static str, ty: ArgType) -> Param {
    Param {
        name,
        ty,
        constant: false,
    }
}

const fn c(name: &'static str, ty: ArgType) -> Param {
    Param {
        name,
        ty,
        constant: true,
    }
}

/// The value a function returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReturnType {
    /// A string.
    String,
    /// An integer or float, depending on the arguments.
    Number,
    /// An integer.
    Integer,
    /// A boolean.
    Boolean,
}

/// A function's signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Function {
    /// The documented spelling (`startsWith`).
    pub name: &'static str,
    /// Parameters in order; the first `required` are mandatory.
    pub params: &'static [Param],
    /// How many parameters are mandatory.
    pub required: usize,
    /// Whether the last parameter repeats (`concat`, `cidrMatch`).
    pub variadic: bool,
    /// Whether `name~(…)` (case-insensitive) exists.
    pub case_insensitive: bool,
    /// What it returns.
    pub returns: ReturnType,
}

impl Function {
    /// `startsWith(source, prefix)`-style usage line.
    pub fn usage(&self) -> String {
        let mut out = format!("{}(", self.name);
        for (i, param) in self.params.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            if i >= self.required {
                out.push('[');
            }
            out.push_str(param.name);
            if self.variadic && i + 1 == self.params.len() {
                out.push_str(", …");
            }
            if i >= self.required {
                out.push(']');
            }
        }
        out.push(')');
        out
    }

    /// The parameter that argument `index` binds to.
    pub fn param(&self, index: usize) -> Option<&Param> {
        match self.params.get(index) {
            Some(p) => Some(p),
            None if self.variadic => self.params.last(),
            None => None,
        }
    }

    /// The most arguments accepted (`None`: unbounded).
    pub fn max_args(&self) -> Option<usize> {
        (!self.variadic).then_some(self.params.len())
    }
}

use ArgType::{Any, Boolean, Integer, Ip, Number, String as Str};

/// Every function Elasticsearch EQL supports.
pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "add",
        params: &[p("addend", Number), p("addend", Number)],
        required: 2,
        variadic: false,
        case_insensitive: false,
        returns: ReturnType::Number,
    },
    Function {
        name: "between",
        params: &[
            p("source", Str),
            p("left", Str),
            p("right", Str),
            c("greedy", Boolean),
        ],
        required: 3,
        variadic: false,
        case_insensitive: true,
        returns: ReturnType::String,
    },
    Function {
        name: "cidrMatch",
        params: &[p("ip", Ip), c("cidr", Str)],
        required: 2,
        variadic: true,
        case_insensitive: false,
        returns: ReturnType::Boolean,
    },
    Function {
        name: "concat",
        params: &[p("value", Any)],
        required: 1,
        variadic: true,
        case_insensitive: false,
        returns: ReturnType::String,
    },
    Function {
        name: "divide",
        params: &[p("dividend", Number), p("divisor", Number)],
        required: 2,
        variadic: false,
        case_insensitive: false,
        returns: ReturnType::Number,
    },
    Function {
        name: "endsWith",
        params: &[p("source", Str), p("substring", Str)],
        required: 2,
        variadic: false,
        case_insensitive: true,
        returns: ReturnType::Boolean,
    },
    Function {
        name: "indexOf",
        params: &[p("source", Str), p("substring", Str), p("start", Integer)],
        required: 2,
        variadic: false,
        case_insensitive: true,
        returns: ReturnType::Integer,
    },
    Function {
        name: "length",
        params: &[p("source", Str)],
        required: 1,
        variadic: false,
        case_insensitive: false,
        returns: ReturnType::Integer,
    },
    Function {
        name: "modulo",
        params: &[p("dividend", Number), p("divisor", Number)],
        required: 2,
        variadic: false,
        case_insensitive: false,
        returns: ReturnType::Number,
    },
    Function {
        name: "multiply",
        params: &[p("factor", Number), p("factor", Number)],
        required: 2,
        variadic: false,
        case_insensitive: false,
        returns: ReturnType::Number,
    },
    Function {
        name: "number",
        params: &[p("string", Any), p("base", Integer)],
        required: 1,
        variadic: false,
        case_insensitive: false,
        returns: ReturnType::Number,
    },
    Function {
        name: "startsWith",
        params: &[p("source", Str), p("prefix", Str)],
        required: 2,
        variadic: false,
        case_insensitive: true,
        returns: ReturnType::Boolean,
    },
    Function {
        name: "string",
        params: &[p("value", Any)],
        required: 1,
        variadic: false,
        case_insensitive: false,
        returns: ReturnType::String,
    },
    Function {
        name: "stringContains",
        params: &[p("source", Str), p("substring", Str)],
        required: 2,
        variadic: false,
        case_insensitive: true,
        returns: ReturnType::Boolean,
    },
    Function {
        name: "substring",
        params: &[p("source", Str), p("start", Integer), p("end", Integer)],
        required: 2,
        variadic: false,
        case_insensitive: false,
        returns: ReturnType::String,
    },
    Function {
        name: "subtract",
        params: &[p("minuend", Number), p("subtrahend", Number)],
        required: 2,
        variadic: false,
        case_insensitive: false,
        returns: ReturnType::Number,
    },
];

/// The function called `name` (case-insensitively).
pub fn lookup(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

/// Functions of the original (Python) EQL that Elasticsearch does not implement, with what
/// to write instead.
pub const NOT_IN_ELASTICSEARCH: &[(&str, &str)] = &[
    (
        "arrayContains",
        "fields with several values match when any value matches: write `field == \"value\"` or `field : (\"a\", \"b\")`",
    ),
    (
        "arraySearch",
        "fields with several values match when any value matches: compare the field directly",
    ),
    (
        "arrayCount",
        "Elasticsearch EQL cannot count array elements; compare the field directly",
    ),
    ("match", "use `field regex \"pattern\"` (or `regex~`)"),
    ("matchLite", "use `field regex \"pattern\"` (or `regex~`)"),
    ("wildcard", "use `field : \"pattern*\"` or `field like \"pattern*\"`"),
    ("safe", "Elasticsearch EQL evaluates without `safe`: drop the wrapper"),
];

/// Known functions whose name is close to `name`, closest first.
pub fn similar(name: &str) -> Vec<&'static str> {
    let lower = name.to_ascii_lowercase();
    let mut scored: Vec<(usize, &'static str)> = FUNCTIONS
        .iter()
        .filter_map(|f| {
            let candidate = f.name.to_ascii_lowercase();
            let d = edit_distance(&lower, &candidate);
            let close =
                d <= 2.max(lower.len() / 4) || (lower.len() >= 4 && candidate.contains(&lower));
            close.then_some((d, f.name))
        })
        .collect();
    scored.sort();
    scored.into_iter().map(|(_, n)| n).take(3).collect()
}

/// Levenshtein distance over bytes (names are ASCII).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a = a.as_bytes();
    let b = b.as_bytes();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_ignores_case() {
        assert_eq!(lookup("CONCAT").map(|f| f.name), Some("concat"));
        assert_eq!(lookup("startswith").map(|f| f.name), Some("startsWith"));
        assert!(lookup("nope").is_none());
    }

    #[test]
    fn usage_lines() {
        assert_eq!(
            lookup("between").map(Function::usage).as_deref(),
            Some("between(source, left, right, [greedy])")
        );
        assert_eq!(
            lookup("cidrMatch").map(Function::usage).as_deref(),
            Some("cidrMatch(ip, cidr, …)")
        );
    }

    #[test]
    fn suggestions() {
        assert_eq!(similar("startWith"), vec!["startsWith"]);
        assert_eq!(similar("stringcontain"), vec!["stringContains"]);
        assert_eq!(similar("contains").first(), Some(&"stringContains"));
        assert!(similar("frobnicate").is_empty());
    }
}

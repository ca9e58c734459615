//! What the user named on the command line (`FILE`, `DIR`, `-`, `INDEX=FILE`) and the list
//! of inputs it expands to.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::report::{codes, InputReport};

/// Where an input's bytes come from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum InputPath {
    /// Standard input (`-`).
    Stdin,
    /// A file or directory.
    Path(PathBuf),
    /// Bytes in memory (tests, fuzzing, data received by a library user).
    Memory(Arc<[u8]>),
}

/// One command-line input: a path or `-`, optionally with the index its events belong to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputSpec {
    /// What to read.
    pub path: InputPath,
    /// `INDEX` from `INDEX=FILE`.
    pub index: Option<String>,
}

/// A malformed `INDEX=FILE` argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError(pub String);

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SpecError {}

impl InputSpec {
    /// Parses `FILE`, `DIR`, `-`, `INDEX=FILE` or `INDEX=-`.
    ///
    /// An argument that names an existing path is a path even if it contains `=`; otherwise
    /// the text before the first `=` is the index name when it looks like one (no path
    /// separator, no whitespace, not empty).
    pub fn parse(arg: &str) -> Result<InputSpec, SpecError> {
        if arg.is_empty() {
            return Err(SpecError("empty input argument".into()));
        }
        if arg == "-" {
            return Ok(InputSpec {
                path: InputPath::Stdin,
                index: None,
            });
        }
        if let Some((index, rest)) = arg.split_once('=') {
            let looks_like_index = !index.is_empty()
                && !index.contains(['/', '\\', ' ', '\t'])
                && !Path::new(arg).exists();
            if looks_like_index {
                if rest.is_empty() {
                    return Err(SpecError(format!("`{arg}`: no file after `{index}=`")));
                }
                let path = if rest == "-" {
                    InputPath::Stdin
                } else {
                    InputPath::Path(PathBuf::from(rest))
                };
                return Ok(InputSpec {
                    path,
                    index: Some(index.to_string()),
                });
            }
        }
        Ok(InputSpec {
            path: InputPath::Path(PathBuf::from(arg)),
            index: None,
        })
    }
}

/// The index given to the events of an input named without `INDEX=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DefaultIndex {
    /// No index: the record's own (`_index` of a hit or `_bulk` action) or none
    /// (`shrike hunt`: such events are checked by every rule).
    #[default]
    None,
    /// The file's name without directory and without its format/compression extensions
    /// (`logs/winlog.ndjson.gz` → `winlog`; stdin → `stdin`), as `shrike query` uses.
    FileStem,
}

/// One input to read, after directories were expanded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// Display name: the path as the user wrote it (joined with the walked part), or
    /// `<stdin>`.
    pub name: Arc<str>,
    /// What to open.
    pub path: InputPath,
    /// The index given on the command line (or by [`DefaultIndex::FileStem`]). It overrides
    /// the index a record carries itself.
    pub index: Option<Arc<str>>,
    /// Whether the input was found by walking a directory (not named explicitly). Such an
    /// input that is not a log format is a warning, not an error.
    pub walked: bool,
}

impl Source {
    /// A source for one file, as if named on the command line without an index.
    pub fn file(path: impl Into<PathBuf>) -> Source {
        let path = path.into();
        Source {
            name: Arc::from(path.display().to_string()),
            path: InputPath::Path(path),
            index: None,
            walked: false,
        }
    }

    /// Bytes in memory, shown as `name` in locations.
    pub fn memory(name: &str, bytes: impl Into<Arc<[u8]>>) -> Source {
        Source {
            name: Arc::from(name),
            path: InputPath::Memory(bytes.into()),
            index: None,
            walked: false,
        }
    }

    /// Standard input.
    pub fn stdin() -> Source {
        Source {
            name: Arc::from("<stdin>"),
            path: InputPath::Stdin,
            index: None,
            walked: false,
        }
    }
}

/// The stem of a file name without format and compression extensions.
pub fn file_stem(path: &Path) -> String {
    let mut name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for _ in 0..2 {
        let lower = name.to_ascii_lowercase();
        let cut = [
            ".gz", ".gzip", ".zst", ".zstd", ".ndjson", ".jsonl", ".json", ".evtx", ".log", ".data",
        ]
        .iter()
        .find(|ext| lower.ends_with(*ext) && lower.len() > ext.len());
        match cut {
            Some(ext) => name.truncate(name.len() - ext.len()),
            None => break,
        }
    }
    name
}

/// Expands command-line inputs into the files to read, in a deterministic order: inputs in
/// the order given; a directory's files recursively, sorted by name, hidden entries
/// (names starting with `.`) skipped. Problems walking directories go to `report`; a
/// missing path is kept (opening it reports it, in order).
pub fn expand(
    specs: &[InputSpec],
    default_index: DefaultIndex,
    report: &mut InputReport,
) -> Vec<Source> {
    let mut out = Vec::new();
    for spec in specs {
        let index_for = |path: Option<&Path>| -> Option<Arc<str>> {
            if let Some(i) = &spec.index {
                return Some(Arc::from(i.as_str()));
            }
            match default_index {
                DefaultIndex::None => None,
                DefaultIndex::FileStem => Some(Arc::from(match path {
                    Some(p) => file_stem(p),
                    None => "stdin".to_string(),
                })),
            }
        };
        match &spec.path {
            InputPath::Memory(bytes) => out.push(Source {
                index: index_for(None),
                ..Source::memory("<memory>", bytes.clone())
            }),
            InputPath::Stdin => out.push(Source {
                index: index_for(None),
                ..Source::stdin()
            }),
            InputPath::Path(p) if p.is_dir() => {
                let walker = walkdir::WalkDir::new(p)
                    .follow_links(true)
                    .sort_by_file_name()
                    .into_iter()
                    .filter_entry(|e| {
                        e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                    });
                for entry in walker {
                    match entry {
                        Ok(e) if e.file_type().is_file() => {
                            let path = e.path().to_path_buf();
                            out.push(Source {
                                name: Arc::from(path.display().to_string()),
                                index: index_for(Some(&path)),
                                path: InputPath::Path(path),
                                walked: true,
                            });
                        }
                        Ok(_) => {}
                        Err(err) => {
                            let at = err.path().map_or_else(
                                || p.display().to_string(),
                                |q| q.display().to_string(),
                            );
                            report.file_problem(
                                codes::WALK,
                                &Arc::from(at),
                                true,
                                format!("cannot walk directory: {err}"),
                            );
                        }
                    }
                }
            }
            InputPath::Path(p) => out.push(Source {
                name: Arc::from(p.display().to_string()),
                index: index_for(Some(p)),
                path: InputPath::Path(p.clone()),
                walked: false,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        assert_eq!(InputSpec::parse("-").unwrap().path, InputPath::Stdin);
        let s = InputSpec::parse("logs-endpoint=data/x.ndjson").unwrap();
        assert_eq!(s.index.as_deref(), Some("logs-endpoint"));
        assert_eq!(s.path, InputPath::Path(PathBuf::from("data/x.ndjson")));
        let s = InputSpec::parse("winlog=-").unwrap();
        assert_eq!(
            (s.index.as_deref(), s.path),
            (Some("winlog"), InputPath::Stdin)
        );
        // A path separator before `=` means it is a path.
        let s = InputSpec::parse("dir/a=b.json").unwrap();
        assert_eq!(
            (s.index, s.path),
            (None, InputPath::Path(PathBuf::from("dir/a=b.json")))
        );
        assert!(InputSpec::parse("idx=").is_err());
        assert!(InputSpec::parse("").is_err());
    }

    #[test]
    fn stems() {
        assert_eq!(file_stem(Path::new("a/winlog.ndjson.gz")), "winlog");
        assert_eq!(file_stem(Path::new("sample1.data")), "sample1");
        assert_eq!(file_stem(Path::new("x.tar")), "x.tar");
        assert_eq!(file_stem(Path::new(".json")), ".json");
    }

    #[test]
    fn walks_directories_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("b/c")).unwrap();
        std::fs::create_dir_all(d.join(".hidden")).unwrap();
        for f in [
            "z.json",
            "a.json",
            "b/c/x.ndjson",
            "b/y.ndjson",
            ".hidden/h.json",
            ".dot.json",
        ] {
            std::fs::write(d.join(f), "{}\n").unwrap();
        }
        let mut report = InputReport::default();
        let specs = vec![
            InputSpec {
                path: InputPath::Path(d.to_path_buf()),
                index: None,
            },
            InputSpec::parse("-").unwrap(),
        ];
        let got = expand(&specs, DefaultIndex::FileStem, &mut report);
        let rel: Vec<String> = got
            .iter()
            .map(|s| match &s.path {
                InputPath::Path(p) => p.strip_prefix(d).unwrap().display().to_string(),
                InputPath::Stdin => "-".into(),
                InputPath::Memory(_) => "memory".into(),
            })
            .collect();
        assert_eq!(rel, ["a.json", "b/c/x.ndjson", "b/y.ndjson", "z.json", "-"]);
        let idx: Vec<_> = got
            .iter()
            .map(|s| s.index.as_deref().unwrap().to_string())
            .collect();
        assert_eq!(idx, ["a", "x", "y", "z", "stdin"]);
        assert!(got[0].walked && !got[4].walked);
        assert!(report.is_clean());
    }
}

//! Finding rule files: paths given on the command line, directories walked recursively.

use std::path::{Path, PathBuf};

/// Directories nested deeper than this are not walked (a guard against odd mounts).
const MAX_DIR_DEPTH: usize = 64;

/// One entry of a walk: a rule file to check, or a path that could not be read.
#[derive(Debug)]
pub enum Found {
    /// A file to check.
    File(PathBuf),
    /// A path (given, or met while walking) that could not be read.
    Unreadable(PathBuf, std::io::Error),
}

/// The rule files under `paths`, in order: a file is taken as is (whatever its
/// extension); a directory contributes its `*.toml` files, recursively, sorted by path.
/// Symbolic links to directories are not followed, so a link cycle cannot loop.
pub fn rule_files(paths: &[PathBuf]) -> Vec<Found> {
    let mut out = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, 0, &mut out),
            Ok(_) => out.push(Found::File(path.clone())),
            Err(e) => out.push(Found::Unreadable(path.clone(), e)),
        }
    }
    out
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<Found>) {
    if depth > MAX_DIR_DEPTH {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            out.push(Found::Unreadable(dir.to_path_buf(), e));
            return;
        }
    };
    let mut paths: Vec<(PathBuf, bool)> = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => {
                let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
                paths.push((entry.path(), is_dir));
            }
            Err(e) => out.push(Found::Unreadable(dir.to_path_buf(), e)),
        }
    }
    paths.sort();
    for (path, is_dir) in paths {
        if is_dir {
            walk(&path, depth + 1, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(Found::File(path));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_sorted_and_reports_missing_paths() {
        let dir = std::env::temp_dir().join(format!("shrike-discover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("b/c")).expect("temp dir");
        for f in ["a.toml", "b/c/d.toml", "b/readme.md", "b/a.toml"] {
            std::fs::write(dir.join(f), "").expect("temp file");
        }
        let missing = dir.join("missing.toml");
        let found = rule_files(&[dir.clone(), missing.clone()]);
        let names: Vec<String> = found
            .iter()
            .map(|f| match f {
                Found::File(p) => p.strip_prefix(&dir).unwrap_or(p).display().to_string(),
                Found::Unreadable(p, _) => format!("!{}", p.display()),
            })
            .collect();
        assert_eq!(
            names,
            vec![
                "a.toml".to_string(),
                "b/a.toml".to_string(),
                "b/c/d.toml".to_string(),
                format!("!{}", missing.display())
            ]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

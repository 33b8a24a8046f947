//! The golden directory on disk: where each scenario's golden lives, reading goldens and the
//! rules (bounded and located errors), writing them canonically and atomically, pending
//! `<golden>.new` files for review, and promoting them (`accept`).

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::canonical::{golden_path, to_canonical_json};
use super::rules::Rules;
use crate::atomic::write_atomically;
use crate::scenario::Diagnostic;

/// The name of the rules file in a golden directory.
pub const RULES_FILE: &str = "rules.yaml";
/// The suffix of pending files awaiting review.
pub const PENDING_SUFFIX: &str = ".new";
/// Goldens larger than this are refused rather than read: a golden is a reviewed text file.
pub const MAX_GOLDEN_BYTES: u64 = 64 * 1024 * 1024;

/// A problem with a golden directory or file.
#[derive(Debug, thiserror::Error)]
pub enum GoldenError {
    /// A file could not be read or written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done (`read`, `write`, ...).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A golden is not valid JSON.
    #[error("{path}:{line}:{column}: the golden is not valid JSON: {reason}")]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        reason: String,
    },
    /// A golden is larger than [`MAX_GOLDEN_BYTES`].
    #[error("{path} is {size} bytes, more than a golden may be ({MAX_GOLDEN_BYTES} bytes)")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
    /// The rules file has problems.
    #[error("{} problem(s) in {}", .problems.len(), .path.display())]
    Rules {
        /// The file.
        path: PathBuf,
        /// Each problem, located.
        problems: Vec<Diagnostic>,
    },
}

/// A golden directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldenStore {
    /// The directory.
    pub dir: PathBuf,
}

impl GoldenStore {
    /// The store at `dir` (which need not exist yet).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        GoldenStore { dir: dir.into() }
    }

    /// The golden of the scenario in `scenario_file`.
    pub fn path_for(&self, scenario_file: &Path) -> PathBuf {
        golden_path(&self.dir, scenario_file)
    }

    /// The rules file.
    pub fn rules_path(&self) -> PathBuf {
        self.dir.join(RULES_FILE)
    }

    /// Reads the golden at `path`; `Ok(None)` when there is none.
    pub fn load(&self, path: &Path) -> Result<Option<Value>, GoldenError> {
        let Some(text) = read_bounded(path)? else {
            return Ok(None);
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| GoldenError::Json {
                path: path.to_path_buf(),
                line: e.line(),
                column: e.column(),
                reason: e.to_string(),
            })
    }

    /// Reads the reviewed rules (none when the file does not exist).
    pub fn load_rules(&self) -> Result<Rules, GoldenError> {
        let path = self.rules_path();
        match read_bounded(&path)? {
            None => Ok(Rules::default()),
            Some(text) => {
                Rules::parse(&path, &text).map_err(|problems| GoldenError::Rules { path, problems })
            }
        }
    }

    /// Writes `golden` canonically to `path`, atomically, creating directories as needed.
    /// Returns the text written.
    pub fn write(&self, path: &Path, golden: &Value) -> Result<String, GoldenError> {
        let text = to_canonical_json(golden);
        write_file(path, text.as_bytes())?;
        Ok(text)
    }

    /// Writes `golden` as the pending file of `path`, for review.
    pub fn write_pending(&self, path: &Path, golden: &Value) -> Result<PathBuf, GoldenError> {
        let pending = pending_path(path);
        write_file(&pending, to_canonical_json(golden).as_bytes())?;
        Ok(pending)
    }

    /// Writes proposed rules as the pending rules file.
    pub fn write_pending_rules(&self, rules: &Rules) -> Result<PathBuf, GoldenError> {
        let pending = pending_path(&self.rules_path());
        write_file(&pending, rules.to_yaml().as_bytes())?;
        Ok(pending)
    }

    /// Writes the rules file.
    pub fn write_rules(&self, rules: &Rules) -> Result<(), GoldenError> {
        write_file(&self.rules_path(), rules.to_yaml().as_bytes())
    }

    /// Every golden file below the directory (pending files and the rules excluded), sorted.
    pub fn goldens(&self) -> Result<Vec<PathBuf>, GoldenError> {
        let mut found = Vec::new();
        walk(&self.dir, &mut |path| {
            if path.extension().is_some_and(|e| e == "json") {
                found.push(path.to_path_buf());
            }
        })?;
        found.sort();
        Ok(found)
    }
}

/// `<path>.new`.
pub fn pending_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(PENDING_SUFFIX);
    PathBuf::from(name)
}

/// Promotes the pending file of `path` (if there is one) over it. Returns whether it did.
pub fn accept_pending(path: &Path) -> Result<bool, GoldenError> {
    let pending = pending_path(path);
    if !pending.is_file() {
        return Ok(false);
    }
    std::fs::rename(&pending, path).map_err(|source| GoldenError::Io {
        action: "accept",
        path: pending,
        source,
    })?;
    Ok(true)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), GoldenError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| GoldenError::Io {
            action: "create directory",
            path: parent.to_path_buf(),
            source,
        })?;
    }
    write_atomically(path, bytes).map_err(|source| GoldenError::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    })
}

fn read_bounded(path: &Path) -> Result<Option<String>, GoldenError> {
    let io = |source| GoldenError::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    };
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    if metadata.len() > MAX_GOLDEN_BYTES {
        return Err(GoldenError::TooLarge {
            path: path.to_path_buf(),
            size: metadata.len(),
        });
    }
    std::fs::read_to_string(path).map(Some).map_err(io)
}

fn walk(dir: &Path, visit: &mut dyn FnMut(&Path)) -> Result<(), GoldenError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(GoldenError::Io {
                action: "list",
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, visit)?;
        } else {
            visit(&path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn pending_files_are_accepted_exactly() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = GoldenStore::new(dir.path());
        let a = store.path_for(Path::new("scenarios/x/a.yaml"));
        let b = store.path_for(Path::new("scenarios/x/b.yaml"));
        store.write(&a, &json!({"v": 1})).expect("written");
        store
            .write_pending(&a, &json!({"v": 2}))
            .expect("pending written");
        assert_eq!(
            store.goldens().expect("listed"),
            std::slice::from_ref(&a),
            "pending files are not goldens"
        );
        assert!(accept_pending(&a).expect("accepted"));
        assert!(!accept_pending(&b).expect("nothing pending"));
        assert_eq!(store.load(&a).expect("reads"), Some(json!({"v": 2})));
        assert!(!pending_path(&a).exists());
    }

    #[test]
    fn a_broken_golden_is_located() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("g.json");
        std::fs::write(&path, "{\n  \"a\": 1,\n  oops\n}\n").expect("seed");
        let err = GoldenStore::new(dir.path()).load(&path).unwrap_err();
        assert!(matches!(err, GoldenError::Json { line: 3, .. }), "{err}");
    }
}

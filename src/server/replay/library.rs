//! The goldens a playback serves: every `*.json` below the directory (pending `.new` files
//! and the rules left out), in path order, each read and checked once at start.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::golden::{GOLDEN_FORMAT, GoldenError, GoldenStore};

/// Why the goldens cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// A golden could not be read or parsed.
    #[error(transparent)]
    Golden(#[from] GoldenError),
    /// A JSON file that is not a golden this version writes.
    #[error("{path} is not a golden: {reason}")]
    NotAGolden {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The directory holds none.
    #[error("{} holds no goldens (*.json files written by `record` or `proxy`)", .dir.display())]
    Empty {
        /// The directory.
        dir: PathBuf,
    },
}

/// One golden, ready to replay.
#[derive(Debug)]
pub(crate) struct Recorded {
    /// Its path below the golden directory, with `/` separators.
    pub file: String,
    /// The scenario it recorded.
    pub scenario: String,
    /// Its `given` entries.
    pub given: Vec<Value>,
    /// Its steps.
    pub steps: Vec<Value>,
}

impl Recorded {
    /// Entry `index` of the whole sequence (givens, then steps), with its label.
    pub fn entry(&self, index: usize) -> Option<(String, &Value)> {
        if index < self.given.len() {
            return Some((format!("given {}", index + 1), &self.given[index]));
        }
        let step = index - self.given.len();
        self.steps.get(step).map(|s| (format!("step {}", step + 1), s))
    }

    /// How many entries it has (givens and steps).
    pub fn len(&self) -> usize {
        self.given.len() + self.steps.len()
    }
}

/// Every golden of a directory.
#[derive(Debug, Clone)]
pub struct Library {
    pub(crate) recordings: Vec<Arc<Recorded>>,
}

impl Library {
    /// Reads every golden below `dir`.
    pub fn load(dir: &Path) -> Result<Self, LibraryError> {
        let store = GoldenStore::new(dir);
        let mut recordings = Vec::new();
        for path in store.goldens()? {
            let Some(golden) = store.load(&path)? else {
                continue;
            };
            let file = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            recordings.push(Arc::new(recorded(&path, file, &golden)?));
        }
        if recordings.is_empty() {
            return Err(LibraryError::Empty {
                dir: dir.to_path_buf(),
            });
        }
        Ok(Library { recordings })
    }

    /// The scenarios it can replay, in path order.
    pub fn scenarios(&self) -> Vec<&str> {
        self.recordings.iter().map(|r| r.scenario.as_str()).collect()
    }
}

fn recorded(path: &Path, file: String, golden: &Value) -> Result<Recorded, LibraryError> {
    let bad = |reason: &str| LibraryError::NotAGolden {
        path: path.to_path_buf(),
        reason: reason.to_owned(),
    };
    if golden.get("format").and_then(Value::as_u64) != Some(GOLDEN_FORMAT) {
        return Err(bad(&format!("`format` is not {GOLDEN_FORMAT}")));
    }
    let list = |key: &str| -> Result<Vec<Value>, LibraryError> {
        match golden.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) if items.iter().all(Value::is_object) => Ok(items.clone()),
            Some(_) => Err(bad(&format!("`{key}` is not a list of objects"))),
        }
    };
    Ok(Recorded {
        scenario: golden
            .get("scenario")
            .and_then(Value::as_str)
            .unwrap_or(&file)
            .to_owned(),
        given: list("given")?,
        steps: list("steps")?,
        file,
    })
}

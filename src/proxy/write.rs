//! Writing a recording: the golden first (through the golden module: the same document,
//! symbols and rules as `record`), then the scenario whose expectations are taken from it,
//! each atomically. The golden goes where `verify --golden DIR` will look for it.

use std::path::{Path, PathBuf};

use super::document::scenario_text;
use super::recording::{Notes, Recording};
use super::transcript::transcript;
use crate::atomic::write_atomically;
use crate::golden::{self, GoldenError, GoldenStore, Rules};

/// Why a recording could not be written.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The golden directory's rules or the golden itself.
    #[error(transparent)]
    Golden(#[from] GoldenError),
    /// The scenario file.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// What was written.
#[derive(Debug, Clone)]
pub struct Written {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Its golden.
    pub golden: PathBuf,
    /// Actors, in order.
    pub actors: Vec<String>,
    /// Steps written.
    pub steps: usize,
    /// What was and was not recorded.
    pub notes: Notes,
    /// The rules file used, if the golden directory has one (without one, nothing is
    /// symbolised as an id or volatile value).
    pub rules: Option<PathBuf>,
}

/// The rules of `golden_dir` (none when it has no rules file).
pub fn load_rules(golden_dir: &Path) -> Result<Rules, RecordError> {
    Ok(GoldenStore::new(golden_dir).load_rules()?)
}

/// Writes `recording` as the scenario `out` and its golden below `golden_dir`, symbolised
/// with `rules`.
pub fn write_recording(
    recording: &Recording,
    out: &Path,
    golden_dir: &Path,
    rules: &Rules,
) -> Result<Written, RecordError> {
    let store = GoldenStore::new(golden_dir);
    let golden_file = store.path_for(out);
    let golden = golden::record(&transcript(recording, out), rules);
    store.write(&golden_file, &golden)?;
    let text = scenario_text(
        recording,
        &golden,
        &golden_file.display().to_string(),
        &store.rules_path().display().to_string(),
    );
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| RecordError::Write {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    write_atomically(out, text.as_bytes()).map_err(|source| RecordError::Write {
        path: out.to_path_buf(),
        source,
    })?;
    Ok(Written {
        scenario: out.to_path_buf(),
        golden: golden_file,
        actors: recording.actors.clone(),
        steps: recording.steps(),
        notes: recording.notes.clone(),
        rules: Some(store.rules_path()).filter(|p| p.is_file()),
    })
}

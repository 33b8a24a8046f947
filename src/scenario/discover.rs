//! Turning command-line PATH|GLOB arguments into a sorted, de-duplicated list of files.

use std::path::{Path, PathBuf};

/// Expands `args` (files, directories, globs) into scenario files, sorted and unique.
/// A directory means every `*.yaml`/`*.yml` below it. Returns a message naming the argument
/// that matched nothing.
pub fn discover(args: &[String]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for arg in args {
        let path = Path::new(arg);
        if path.is_dir() {
            let before = files.len();
            collect_dir(path, &mut files).map_err(|e| format!("cannot read directory {arg}: {e}"))?;
            if files.len() == before {
                return Err(format!("no *.yaml scenario files below {arg}"));
            }
        } else if path.is_file() {
            files.push(path.to_path_buf());
        } else {
            let matches = glob::glob(arg).map_err(|e| format!("invalid glob {arg:?}: {e}"))?;
            let before = files.len();
            for entry in matches {
                let entry = entry.map_err(|e| format!("cannot read {}: {e}", e.path().display()))?;
                if entry.is_file() {
                    files.push(entry);
                }
            }
            if files.len() == before {
                return Err(format!("no scenario file matches {arg}"));
            }
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn collect_dir(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_dir(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    Ok(())
}

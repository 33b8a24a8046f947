//! Writing files so that a reader never sees half of one: a temporary file in the same
//! directory, then a rename. A failed or interrupted write leaves the old file intact.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::File::create(&temp)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.json");
        std::fs::write(&path, "old").expect("seed");
        write_atomically(&path, b"new").expect("written");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("missing-dir").join("a.json");
        assert!(write_atomically(&path, b"new").is_err());
        assert!(!path.exists());
    }
}

/// Where an output file goes, decided before anything runs. Whatever is at the path stays
/// what it is: a symbolic link keeps pointing where it pointed (the file it names is replaced
/// atomically), and a FIFO, a device or `/proc/self/fd/N` is written in place, never replaced
/// by a regular file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A regular file, or none yet: written atomically at this (link-resolved) path.
    File(PathBuf),
    /// Not a regular file (a FIFO, a device, an open descriptor): written in place.
    InPlace(PathBuf),
    /// `-`: standard output.
    Stdout,
}

impl Destination {
    /// Where `path` leads. `-` is standard output.
    pub fn resolve(path: &Path) -> std::io::Result<Destination> {
        if path.as_os_str() == "-" {
            return Ok(Destination::Stdout);
        }
        // An open descriptor: its target may be a regular file a shell redirected to, which
        // must be appended to, not replaced under the shell's feet.
        if path.starts_with("/proc/self/fd") || path.starts_with("/dev/fd") || path.starts_with("/dev/std") {
            return Ok(Destination::InPlace(path.to_path_buf()));
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => Err(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "it is a directory",
            )),
            Ok(meta) if !meta.is_file() => Ok(Destination::InPlace(path.to_path_buf())),
            Ok(_) if is_symlink(path) => Ok(Destination::File(std::fs::canonicalize(path)?)),
            Ok(_) => Ok(Destination::File(path.to_path_buf())),
            // Nothing there yet (a missing or impossible directory is the caller's to report).
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                Ok(Destination::File(dangling_target(path)))
            }
            Err(e) => Err(e),
        }
    }

    /// Writes `bytes`: atomically for files, in place otherwise, to `stdout` for `-`.
    pub fn write(&self, bytes: &[u8], stdout: &mut dyn Write) -> std::io::Result<()> {
        match self {
            Destination::File(path) => write_atomically(path, bytes),
            Destination::InPlace(path) => {
                let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
                file.write_all(bytes)?;
                file.flush()
            }
            Destination::Stdout => {
                stdout.write_all(bytes)?;
                stdout.flush()
            }
        }
    }
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// The file a dangling symbolic link names (links followed as far as they go), or `path`
/// itself when it is no link.
fn dangling_target(path: &Path) -> PathBuf {
    let mut current = path.to_path_buf();
    // A bounded walk: a link cycle must not loop for ever.
    for _ in 0..40 {
        let Ok(target) = std::fs::read_link(&current) else {
            return current;
        };
        current = match current.parent() {
            Some(dir) if target.is_relative() => dir.join(target),
            _ => target,
        };
    }
    current
}

#[cfg(test)]
mod destination_tests {
    use super::*;

    #[test]
    fn links_are_followed_and_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let real = dir.path().join("real.json");
        std::fs::write(&real, "old").expect("seed");
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&real, &link).expect("link");
        let dest = Destination::resolve(&link).expect("resolves");
        assert_eq!(
            dest,
            Destination::File(std::fs::canonicalize(&real).expect("real"))
        );
        dest.write(b"new", &mut Vec::new()).expect("written");
        assert!(
            std::fs::symlink_metadata(&link)
                .expect("link")
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&link).expect("through the link"), "new");
        // A dangling link: the file it names is created, the link stays.
        let dangling = dir.path().join("dangling.json");
        std::os::unix::fs::symlink(dir.path().join("later.json"), &dangling).expect("link");
        let dest = Destination::resolve(&dangling).expect("resolves");
        dest.write(b"x", &mut Vec::new()).expect("written");
        assert!(
            std::fs::symlink_metadata(&dangling)
                .expect("link")
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("later.json")).expect("made"),
            "x"
        );
    }

    #[test]
    fn devices_are_written_in_place_and_dash_is_stdout() {
        assert_eq!(
            Destination::resolve(Path::new("/dev/null")).expect("resolves"),
            Destination::InPlace(PathBuf::from("/dev/null"))
        );
        Destination::resolve(Path::new("/dev/null"))
            .expect("resolves")
            .write(b"x", &mut Vec::new())
            .expect("written");
        assert!(!std::fs::metadata("/dev/null").expect("still there").is_file());
        let err = Destination::resolve(Path::new("/dev/full"))
            .expect("resolves")
            .write(b"x", &mut Vec::new());
        assert!(err.is_err(), "a full device is an error, not a replaced file");
        assert!(!std::fs::metadata("/dev/full").expect("still there").is_file());
        let mut out = Vec::new();
        Destination::resolve(Path::new("-"))
            .expect("resolves")
            .write(b"hi", &mut out)
            .expect("written");
        assert_eq!(out, b"hi");
        assert!(Destination::resolve(Path::new("/tmp")).is_err());
    }
}

//! Saving exported files, for the `export` subcommand and the Export
//! screen alike: names made safe to use as a path, and writes that never
//! leave half a file behind. The default name of an export is
//! `vitae_common::export::file_name`, the one rule the server uses too.

use std::io::Write;
use std::path::{Path, PathBuf};

use vitae_common::export::clean_file_name;

/// A file name someone else suggested (a server's `Content-Disposition`),
/// reduced to one safe path component: no directories, no `..`, no control
/// characters. `None` when nothing usable is left.
pub fn safe_file_name(suggested: &str) -> Option<String> {
    let last = suggested.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean = clean_file_name(last);
    let clean = clean.trim_start_matches('.').to_string();
    (!clean.is_empty()).then_some(clean)
}

/// Why a file was not written.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The file is there and replacing it was not asked for.
    #[error("{} already exists", .0.display())]
    Exists(PathBuf),
    #[error("cannot write {}: {cause}", .path.display())]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
}

/// Write `bytes` to `path` through a temporary file in the same directory
/// renamed into place, so a reader never sees half a file and a failed
/// write leaves the old one alone. Without `overwrite` an existing file is
/// [`SaveError::Exists`]. Answers the absolute path written.
pub fn write_atomic(path: &Path, bytes: &[u8], overwrite: bool) -> Result<PathBuf, SaveError> {
    let io = |cause: std::io::Error| SaveError::Io {
        path: path.to_path_buf(),
        cause,
    };
    if !overwrite && path.exists() {
        return Err(SaveError::Exists(path.to_path_buf()));
    }
    if path.is_dir() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "it is a directory",
        )));
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".to_string());
    let temp = dir.join(format!(".{name}.{}.part", std::process::id()));
    let written = std::fs::File::create(&temp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&temp, path)) {
        let _ = std::fs::remove_file(&temp);
        return Err(io(e));
    }
    Ok(std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggested_names_lose_their_directories() {
        assert_eq!(
            safe_file_name("../../etc/passwd").as_deref(),
            Some("passwd")
        );
        assert_eq!(safe_file_name("..\\x\\cv.pdf").as_deref(), Some("cv.pdf"));
        assert_eq!(safe_file_name(".hidden").as_deref(), Some("hidden"));
        assert_eq!(safe_file_name("..").as_deref(), None);
        assert_eq!(
            safe_file_name("a\u{1b}[31mb.pdf").as_deref(),
            Some("a[31mb.pdf")
        );
    }

    #[test]
    fn writes_are_whole_and_do_not_clobber_unless_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cv.pdf");
        let written = write_atomic(&path, b"%PDF-1", false).unwrap();
        assert!(written.is_absolute());
        assert_eq!(std::fs::read(&path).unwrap(), b"%PDF-1");
        assert!(matches!(
            write_atomic(&path, b"other", false),
            Err(SaveError::Exists(_))
        ));
        assert_eq!(std::fs::read(&path).unwrap(), b"%PDF-1");
        write_atomic(&path, b"%PDF-2", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"%PDF-2");
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["cv.pdf"]);
        // A missing directory is an error naming the path.
        let err = write_atomic(&dir.path().join("no/cv.pdf"), b"x", false).unwrap_err();
        assert!(err.to_string().contains("no/cv.pdf"), "{err}");
        assert!(write_atomic(dir.path(), b"x", true).is_err());
    }
}

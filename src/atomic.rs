//! Replacing a file atomically.
//!
//! The new contents go to a temporary file in the target's folder, created
//! with `create_new` under a random name (so an existing file is never
//! opened, and two writers never share one), flushed to disk, and renamed
//! over the target; on Unix the folder is then flushed too, so that the
//! rename itself survives a crash. Any failure removes the temporary file
//! and leaves the target as it was.
//!
//! A symbolic link at the target is replaced by the rename, not followed:
//! callers decide what a link means (`vblint fix` writes to the file it
//! points to; the language server refuses to write through one).
//!
//! Used by `vblint fix --write` and by the language server (`vblint.toml`,
//! `.vblint-ignore`).

use std::fs::{File, OpenOptions, Permissions};
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a replacement did not happen.
#[derive(Debug)]
pub enum Error<E> {
    /// Creating, writing, flushing or renaming failed.
    Io(io::Error),
    /// The caller's check, made just before the rename, refused.
    Refused(E),
}

impl<E> From<io::Error> for Error<E> {
    fn from(e: io::Error) -> Error<E> {
        Error::Io(e)
    }
}

/// Replaces (or creates) `path` with `contents`.
///
/// An existing file keeps its permissions; a new one gets the default
/// permissions of new files.
///
/// # Errors
///
/// If the temporary file cannot be created, written, flushed or renamed;
/// `path` is then unchanged and no temporary file is left behind.
pub fn write(path: &Path, contents: &[u8]) -> io::Result<()> {
    match write_checked(path, contents, None, || Ok::<(), io::Error>(())) {
        Ok(()) => Ok(()),
        Err(Error::Io(e) | Error::Refused(e)) => Err(e),
    }
}

/// Replaces (or creates) `path` with `contents`, with `permissions` (or, if
/// `None`, those of the existing file, or the default for a new one), if
/// `check` agrees once the new contents are safely on disk.
///
/// `check` runs just before the rename: the place to make sure the target
/// has not changed since it was read.
///
/// # Errors
///
/// [`Error::Io`] if a step fails, [`Error::Refused`] if `check` refuses;
/// either way `path` is unchanged and no temporary file is left behind.
pub fn write_checked<E>(
    path: &Path,
    contents: &[u8],
    permissions: Option<Permissions>,
    check: impl FnOnce() -> Result<(), E>,
) -> Result<(), Error<E>> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?
        .to_string_lossy()
        .into_owned();
    let permissions = match permissions {
        Some(p) => Some(p),
        None => match std::fs::metadata(path) {
            Ok(meta) => Some(meta.permissions()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::Io(e)),
        },
    };
    let (temp, mut file) = create_temp(dir, &name, permissions.is_some())?;
    let remove = |e: Error<E>| {
        let _ = std::fs::remove_file(&temp);
        e
    };
    let written = (|| -> io::Result<()> {
        file.write_all(contents)?;
        if let Some(p) = permissions {
            file.set_permissions(p)?;
        }
        file.sync_all()
    })();
    drop(file);
    written.map_err(|e| remove(Error::Io(e)))?;
    check().map_err(|e| remove(Error::Refused(e)))?;
    std::fs::rename(&temp, path).map_err(|e| remove(Error::Io(e)))?;
    sync_dir(dir);
    Ok(())
}

/// Flushes a folder, which makes a rename in it durable (Unix only; other
/// systems cannot open a folder as a file). The file is in place whatever
/// this returns, so a failure is not an error of the write.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Creates a new, empty temporary file in `dir`, named after the target
/// and a random number. With `private`, it is readable by its owner only
/// until its final permissions are set.
fn create_temp(dir: &Path, name: &str, private: bool) -> io::Result<(PathBuf, File)> {
    let mut last = None;
    for _ in 0..16 {
        let temp = dir.join(format!(".{name}.{:016x}.vblint-tmp", random()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if private {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        #[cfg(not(unix))]
        let _ = private;
        match options.open(&temp) {
            Ok(f) => return Ok((temp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no temporary file name was free")))
}

/// A random number: the standard library's randomly keyed hasher over a
/// counter, the process id and the time.
pub(crate) fn random() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    h.write_u128(nanos);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn creates_and_replaces_leaving_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vblint.toml");
        write(&path, b"a = 1\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 1\n");
        write(&path, b"a = 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 2\n");
        assert_eq!(names(dir.path()), ["vblint.toml"]);
    }

    #[test]
    fn a_refused_check_leaves_the_file_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("note.txt");
        std::fs::write(&path, "old").unwrap();
        let r = write_checked(&path, b"new", None, || Err("changed"));
        assert!(matches!(r, Err(Error::Refused("changed"))));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(names(dir.path()), ["note.txt"]);
    }

    #[test]
    fn a_failed_rename_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // A folder in the target's place: the rename fails.
        let path = dir.path().join("taken");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("inside"), "x").unwrap();
        assert!(write(&path, b"new").is_err());
        assert_eq!(names(dir.path()), ["taken"]);
    }

    #[test]
    fn a_missing_folder_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no").join("such.txt");
        let e = write(&path, b"x").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
    }

    #[cfg(unix)]
    #[test]
    fn permissions_are_kept_or_given() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("note.txt");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, Permissions::from_mode(0o640)).unwrap();
        write(&path, b"new").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        write_checked(&path, b"newer", Some(Permissions::from_mode(0o600)), || {
            Ok::<(), ()>(())
        })
        .unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn temporary_names_differ() {
        let a = random();
        let b = random();
        assert_ne!(a, b);
    }
}

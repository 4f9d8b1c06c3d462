//! Replacing a file atomically.
//!
//! The new contents go to a temporary file in the target's folder, are
//! flushed to disk and replace the target by a rename; on Unix the folder
//! is then flushed too, so that the rename itself survives a crash. Any
//! failure removes the temporary file and leaves the target as it was.
//!
//! The temporary file has a short random name, `.vblint-<16 hex digits>.tmp`
//! (28 bytes, whatever the target's name), created with `create_new` (an
//! existing file, or a link planted at that name, is never opened). On
//! Linux it is first created without any name (`O_TMPFILE`) and given its
//! name only once written and flushed, so a crash (even `kill -9`) while
//! writing leaves nothing behind; elsewhere, and on file systems without
//! `O_TMPFILE`, it is named from the start. [`remove_stale`] removes the
//! temporary files such a crash can leave.
//!
//! The caller's `check` (has the target changed since it was read?) runs
//! just before the replacement. On Linux the replacement is an exchange
//! (`renameat2` with `RENAME_EXCHANGE`): the old file is then at the
//! temporary name, `check` runs again on it, and if a write reached it in
//! between the two are exchanged back, so the write is kept. Elsewhere it
//! is a plain rename after the check. What no check can see is a program
//! that keeps the file open and writes to it after the last check: its
//! writes go to the old file, which is gone (SECURITY.md, known limits).
//!
//! A symbolic link at the target is replaced, not followed: callers decide
//! what a link means (`vblint fix` writes to the file it points to; the
//! language server refuses to write through one).
//!
//! Used by `vblint fix --write` and by the language server (`vblint.toml`,
//! `.vblint-ignore`).

use std::fs::{File, OpenOptions, Permissions};
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Why a replacement did not happen.
#[derive(Debug)]
pub enum Error<E> {
    /// Creating, writing, flushing or renaming failed.
    Io(io::Error),
    /// The caller's check refused, before the replacement or just after
    /// it (which was then undone).
    Refused(E),
    /// The check refused just after the replacement, and undoing it found
    /// that the new file had been written to as well: the target holds the
    /// old file (with what was written to it), and the new file (with what
    /// was written to it) is kept at this path.
    Kept(E, PathBuf),
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
    match write_checked(path, contents, None, |_| Ok::<(), io::Error>(())) {
        Ok(()) => Ok(()),
        Err(Error::Io(e) | Error::Refused(e) | Error::Kept(e, _)) => Err(e),
    }
}

/// Replaces (or creates) `path` with `contents`, with `permissions` (or, if
/// `None`, those of the existing file, or the default for a new one), if
/// `check` agrees once the new contents are safely on disk.
///
/// `check(file)` says whether `file` still holds what the caller read from
/// `path`. It runs on `path` just before the replacement, and (where the
/// replacement is an exchange) again on the old file just after it.
///
/// # Errors
///
/// [`Error::Io`] if a step fails, [`Error::Refused`] if `check` refuses;
/// either way `path` holds the old file and no temporary file is left
/// behind. [`Error::Kept`] in the one case where both files were written
/// to while they were being exchanged.
pub fn write_checked<E>(
    path: &Path,
    contents: &[u8],
    permissions: Option<Permissions>,
    check: impl Fn(&Path) -> Result<(), E>,
) -> Result<(), Error<E>> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if path.file_name().is_none() {
        return Err(Error::Io(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path names no file",
        )));
    }
    let permissions = match permissions {
        Some(p) => Some(p),
        None => match std::fs::metadata(path) {
            Ok(meta) => Some(meta.permissions()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::Io(e)),
        },
    };
    let temp = write_temp(dir, contents, permissions)?;
    let remove = |e: Error<E>| {
        let _ = std::fs::remove_file(&temp);
        e
    };
    check(path).map_err(|e| remove(Error::Refused(e)))?;
    // An exchange would swap a folder too, where a rename refuses.
    let is_dir = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
    if is_dir(path) {
        return Err(remove(Error::Io(io::Error::new(
            io::ErrorKind::IsADirectory,
            "a folder is in the file's place",
        ))));
    }
    match exchange(&temp, path) {
        Exchanged::Yes if is_dir(&temp) => {
            // A folder was put in the file's place just before: put it back.
            let _ = exchange(&temp, path);
            return Err(remove(Error::Io(io::Error::new(
                io::ErrorKind::IsADirectory,
                "a folder is in the file's place",
            ))));
        }
        Exchanged::Yes => {}
        Exchanged::Unsupported => {
            std::fs::rename(&temp, path).map_err(|e| remove(Error::Io(e)))?;
            sync_dir(dir);
            return Ok(());
        }
        Exchanged::Failed(e) => return Err(remove(Error::Io(e))),
    }
    // The old file is now at `temp`: did anything reach it before it left?
    if let Err(e) = check(&temp) {
        return Err(undo(&temp, path, contents, e));
    }
    // The file is in place; an old copy that cannot be removed now is a
    // stale temporary file that `remove_stale` removes later.
    let _ = std::fs::remove_file(&temp);
    sync_dir(dir);
    Ok(())
}

/// Puts the old file (at `temp`) back at `path` after a refused check; the
/// new file, now at `temp`, is removed unless it was written to meanwhile.
fn undo<E>(temp: &Path, path: &Path, contents: &[u8], reason: E) -> Error<E> {
    match exchange(temp, path) {
        Exchanged::Yes => {}
        Exchanged::Unsupported | Exchanged::Failed(_) => {
            // The old file cannot go back in place: keep it by its
            // temporary name rather than lose what was written to it.
            return Error::Kept(reason, temp.to_path_buf());
        }
    }
    match std::fs::read(temp) {
        Ok(now) if now == contents => {
            let _ = std::fs::remove_file(temp);
            Error::Refused(reason)
        }
        _ => Error::Kept(reason, temp.to_path_buf()),
    }
}

/// Whether `renameat2(RENAME_EXCHANGE)` swapped two paths.
enum Exchanged {
    Yes,
    /// Not on this system or file system, or `to` does not exist: rename.
    Unsupported,
    Failed(io::Error),
}

#[cfg(target_os = "linux")]
fn exchange(from: &Path, to: &Path) -> Exchanged {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, from, CWD, to, RenameFlags::EXCHANGE) {
        Ok(()) => Exchanged::Yes,
        Err(
            rustix::io::Errno::NOENT
            | rustix::io::Errno::INVAL
            | rustix::io::Errno::NOSYS
            | rustix::io::Errno::OPNOTSUPP,
        ) => Exchanged::Unsupported,
        Err(e) => Exchanged::Failed(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_from: &Path, _to: &Path) -> Exchanged {
    Exchanged::Unsupported
}

/// Writes `contents` to a new temporary file in `dir`, flushed to disk and
/// with `permissions` (readable by its owner only until they are set), and
/// returns its name.
fn write_temp(
    dir: &Path,
    contents: &[u8],
    permissions: Option<Permissions>,
) -> io::Result<PathBuf> {
    let fill = |file: &mut File| -> io::Result<()> {
        file.write_all(contents)?;
        if let Some(p) = &permissions {
            file.set_permissions(p.clone())?;
        }
        file.sync_all()
    };
    #[cfg(target_os = "linux")]
    if let Some(mut file) = unnamed_temp(dir)? {
        fill(&mut file)?;
        if let Some(temp) = name_temp(dir, &file)? {
            return Ok(temp);
        }
    }
    let (temp, mut file) = create_temp(dir)?;
    match fill(&mut file) {
        Ok(()) => Ok(temp),
        Err(e) => {
            drop(file);
            let _ = std::fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// A new file in `dir` with no name (`O_TMPFILE`), readable by its owner
/// only; `None` where the file system cannot make one.
#[cfg(target_os = "linux")]
fn unnamed_temp(dir: &Path) -> io::Result<Option<File>> {
    use std::os::unix::fs::OpenOptionsExt;
    match OpenOptions::new()
        .write(true)
        .mode(0o600)
        .custom_flags(libc::O_TMPFILE)
        .open(dir)
    {
        Ok(f) => Ok(Some(f)),
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::EOPNOTSUPP | libc::EISDIR | libc::EINVAL | libc::ENOENT)
            ) && dir.is_dir() =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Gives the unnamed `file` a temporary name in `dir` (through
/// `/proc/self/fd`, which needs no privilege); `None` where that cannot be
/// done (no `/proc`).
#[cfg(target_os = "linux")]
fn name_temp(dir: &Path, file: &File) -> io::Result<Option<PathBuf>> {
    use std::os::fd::AsRawFd;
    let fd = PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
    for _ in 0..16 {
        let temp = dir.join(temp_name());
        match rustix::fs::linkat(
            rustix::fs::CWD,
            &fd,
            rustix::fs::CWD,
            &temp,
            rustix::fs::AtFlags::SYMLINK_FOLLOW,
        ) {
            Ok(()) => return Ok(Some(temp)),
            Err(rustix::io::Errno::EXIST) => {}
            Err(rustix::io::Errno::NOENT) if !Path::new("/proc/self/fd").exists() => {
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(io::Error::other("no temporary file name was free"))
}

/// A temporary file's name: short, random, not derived from the target's
/// name (which may already be as long as a name can be).
fn temp_name() -> String {
    format!(".vblint-{:016x}.tmp", random())
}

/// Whether `name` is the name of one of vblint's temporary files (also as
/// earlier versions named them: `.<name>.<16 hex digits>.vblint-tmp`).
fn is_temp_name(name: &str) -> bool {
    let hex16 = |s: &str| s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(mid) = name
        .strip_prefix(".vblint-")
        .and_then(|n| n.strip_suffix(".tmp"))
    {
        return hex16(mid);
    }
    name.starts_with('.')
        && name
            .strip_suffix(".vblint-tmp")
            .and_then(|n| n.rsplit_once('.'))
            .is_some_and(|(_, hex)| hex16(hex))
}

/// How old a temporary file must be before [`remove_stale`] takes it for
/// the leftover of a crash rather than another vblint's work in progress.
pub const STALE_AFTER: Duration = Duration::from_secs(15 * 60);

/// Removes vblint's temporary files in `dir` that a crash left behind:
/// regular files named as [`temp_name`] makes them (or as earlier versions
/// did), owned by this user, last modified more than [`STALE_AFTER`] ago.
/// Returns how many were removed; problems are ignored (the write that
/// follows reports its own).
pub fn remove_stale(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_str().is_some_and(is_temp_name) {
            continue;
        }
        // Not followed: a link or anything else by that name is left.
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // SAFETY: getuid has no preconditions and cannot fail.
            if meta.uid() != unsafe { libc::getuid() } {
                continue;
            }
        }
        let old = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if meta.is_file() && old && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
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

/// Creates a new, empty temporary file in `dir` under a random name,
/// readable by its owner only until its final permissions are set.
fn create_temp(dir: &Path) -> io::Result<(PathBuf, File)> {
    let mut last = None;
    for _ in 0..16 {
        let temp = dir.join(temp_name());
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
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
        let r = write_checked(&path, b"new", None, |_| Err("changed"));
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
        write_checked(&path, b"newer", Some(Permissions::from_mode(0o600)), |_| {
            Ok::<(), ()>(())
        })
        .unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    /// A write that reaches the old file after the check but before the
    /// exchange (here made by the check itself, after it has looked) is
    /// seen on the old file once exchanged, and the exchange is undone:
    /// nothing written is lost.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_write_reaching_the_old_file_during_the_exchange_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("note.txt");
        std::fs::write(&path, "old\n").unwrap();
        let calls = std::cell::Cell::new(0);
        let r = write_checked(&path, b"new\n", None, |file| {
            calls.set(calls.get() + 1);
            let same = std::fs::read(file).unwrap() == b"old\n";
            if calls.get() == 1 {
                // An editor appends just after the check.
                let mut f = OpenOptions::new().append(true).open(&path).unwrap();
                f.write_all(b"appended\n").unwrap();
            }
            if same { Ok(()) } else { Err("changed") }
        });
        assert!(matches!(r, Err(Error::Refused("changed"))), "{r:?}");
        assert_eq!(calls.get(), 2);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\nappended\n");
        assert_eq!(names(dir.path()), ["note.txt"]);
    }

    /// A file whose name is as long as a name can be (255 bytes) is
    /// replaced: the temporary name does not grow with it.
    #[test]
    fn a_file_with_the_longest_name_can_be_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let name = format!("{}.txt", "n".repeat(251));
        let path = dir.path().join(&name);
        std::fs::write(&path, "old").unwrap();
        write(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(names(dir.path()), [name]);
    }

    #[test]
    fn temporary_names_are_short_and_recognised() {
        let name = temp_name();
        assert_eq!(name.len(), 28, "{name}");
        assert!(is_temp_name(&name));
        assert!(is_temp_name(".note.txt.0123456789abcdef.vblint-tmp"));
        for other in [
            "note.txt",
            ".vblint-0123.tmp",
            ".vblint-0123456789abcdeg.tmp",
            "vblint-0123456789abcdef.tmp",
            ".note.txt.0123456789abcdef.tmp",
        ] {
            assert!(!is_temp_name(other), "{other}");
        }
    }

    #[test]
    fn stale_temporary_files_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let old = std::time::SystemTime::now() - STALE_AFTER - Duration::from_secs(60);
        let make = |name: &str, modified: Option<std::time::SystemTime>| {
            let f = File::create(dir.path().join(name)).unwrap();
            if let Some(m) = modified {
                f.set_modified(m).unwrap();
            }
        };
        make(".vblint-0123456789abcdef.tmp", Some(old));
        make(".note.txt.fedcba9876543210.vblint-tmp", Some(old));
        make(".vblint-1111111111111111.tmp", None);
        make("note.txt", Some(old));
        make(".vblint-other.tmp", Some(old));
        assert_eq!(remove_stale(dir.path()), 2);
        assert_eq!(
            names(dir.path()),
            [
                ".vblint-1111111111111111.tmp",
                ".vblint-other.tmp",
                "note.txt"
            ]
        );
    }

    #[test]
    fn temporary_names_differ() {
        let a = random();
        let b = random();
        assert_ne!(a, b);
    }
}

//! Reading input files safely: bounded in size, never blocking on a pipe or
//! device, and with messages that name the file but never quote its content.
//!
//! Shared by `vblint check` and `vblint fix`.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::input::io_reason;

/// The default `--max-file-size`: 256 MB.
pub(crate) const DEFAULT_MAX_FILE_SIZE: &str = "256M";

/// A file read into memory.
pub(crate) struct Contents {
    /// The bytes.
    pub(crate) bytes: Vec<u8>,
    /// The metadata of the open file when it was read.
    pub(crate) meta: Metadata,
}

/// Why a file was not read.
pub(crate) enum NotRead {
    /// Skipped on purpose (a pipe or device): a note, not an error.
    Skipped(String),
    /// An error: the file could not be scanned.
    Error(Diagnostic),
}

/// Parses a size such as `256M`, `1G`, `500K` or `1048576` (bytes).
pub(crate) fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let upper = t.to_ascii_uppercase();
    let upper = upper.strip_suffix('B').unwrap_or(&upper);
    let (digits, shift) = match upper.chars().last() {
        Some('K') => (&upper[..upper.len() - 1], 10),
        Some('M') => (&upper[..upper.len() - 1], 20),
        Some('G') => (&upper[..upper.len() - 1], 30),
        _ => (upper, 0),
    };
    let n: u64 = digits.trim().parse().map_err(|_| {
        format!("`{t}` is not a size; write a number with K, M or G, such as 256M or 1G")
    })?;
    n.checked_mul(1 << shift)
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("`{t}` is not a usable size; write a size such as 256M or 1G"))
}

/// Shows a size in whole MB (or bytes when smaller).
pub(crate) fn show_size(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{} MB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

fn too_large(shown: &str, size: Option<u64>, max: u64) -> NotRead {
    let what = match size {
        Some(n) => format!("`{shown}` is {}", show_size(n)),
        None => format!("`{shown}` is"),
    };
    NotRead::Error(
        Diagnostic::error(format!(
            "{what} larger than the {} limit; it was not scanned",
            show_size(max)
        ))
        .help("split the export into smaller files, or raise the limit with --max-file-size (for example --max-file-size 1G)"),
    )
}

fn cannot_read(shown: &str, e: &std::io::Error) -> NotRead {
    NotRead::Error(Diagnostic::error(format!(
        "cannot read `{shown}`: {}",
        io_reason(e)
    )))
}

/// The note for a pipe, socket or device, which is never read.
pub(super) fn special_file_note(shown: &str) -> String {
    format!("skipped `{shown}`: it is a pipe, socket or device, not a file")
}

fn special_file(shown: &str) -> NotRead {
    NotRead::Skipped(special_file_note(shown))
}

/// Reads a regular file of at most `max` bytes; pipes, sockets and devices
/// are skipped without being read.
///
/// A file named by the user (`walked` false) is looked at before it is
/// opened, and a symbolic link is followed once, by the operating system. A
/// file found by a folder walk (`walked` true) was already seen there as a
/// regular file, so it is opened straight away, without following links: a
/// file swapped for a link since the walk is not read through it. Either
/// way the open file is checked again before a byte is read, and it is
/// opened non-blocking, so a pipe swapped in cannot hang the run.
///
/// A walked file whose `folder` is held open is opened by its name in that
/// folder (see [`Folder`]).
pub(crate) fn read_file(
    path: &Path,
    shown: &str,
    max: u64,
    walked: bool,
    folder: Option<&Folder>,
) -> Result<Contents, NotRead> {
    if !walked {
        let meta = std::fs::metadata(path).map_err(|e| cannot_read(shown, &e))?;
        check_kind(shown, &meta, max)?;
    }
    let file = match (walked, folder, path.file_name()) {
        (true, Some(folder), Some(name)) => folder.open_file(name),
        _ => open_for_reading(path, walked),
    }
    .map_err(|e| cannot_read(shown, &e))?;
    let meta = file.metadata().map_err(|e| cannot_read(shown, &e))?;
    check_kind(shown, &meta, max)?;
    if let Some(bytes) = read_in_pieces(&file, meta.len()) {
        return Ok(Contents { bytes, meta });
    }
    let mut bytes = Vec::with_capacity(meta.len().min(max) as usize);
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot_read(shown, &e))?;
    if bytes.len() as u64 > max {
        // The file grew while being read.
        return Err(too_large(shown, None, max));
    }
    Ok(Contents { bytes, meta })
}

/// Files at least this big are read in pieces on all threads.
const READ_IN_PIECES_FROM: u64 = 8 << 20;

/// The size of each piece of a file read in pieces.
const READ_PIECE: usize = 2 << 20;

/// Reads a big file of `len` bytes in pieces on all threads at once; `None`
/// when the file is small, there is one thread, or the file is not `len`
/// bytes long any more (it is then read again from the start, in one go).
///
/// Reading a file means first touching every page of fresh memory for it,
/// which the system does page by page: on one thread, 0.1 s of a 0.5 s
/// run on a 100 MB file. Each piece is read at its own offset (`pread`),
/// so no piece waits for another.
#[cfg(unix)]
fn read_in_pieces(file: &File, len: u64) -> Option<Vec<u8>> {
    use rayon::prelude::*;
    use std::os::unix::fs::FileExt;
    if len < READ_IN_PIECES_FROM || rayon::current_num_threads() < 2 {
        return None;
    }
    let mut bytes = vec![0; usize::try_from(len).ok()?];
    bytes
        .par_chunks_mut(READ_PIECE)
        .enumerate()
        .try_for_each(|(i, piece)| file.read_exact_at(piece, (i * READ_PIECE) as u64))
        .ok()?;
    // A file that grew since its size was taken is read in one go, which
    // sees the growth and applies the size limit.
    let grew = file.read_at(&mut [0], len).map_or(true, |n| n > 0);
    (!grew).then_some(bytes)
}

#[cfg(not(unix))]
fn read_in_pieces(_file: &File, _len: u64) -> Option<Vec<u8>> {
    None
}

/// Refuses folders, special files and files over the size limit.
fn check_kind(shown: &str, meta: &Metadata, max: u64) -> Result<(), NotRead> {
    if meta.is_dir() {
        return Err(NotRead::Error(Diagnostic::error(format!(
            "`{shown}` is a folder, not a file"
        ))));
    }
    if !meta.is_file() {
        return Err(special_file(shown));
    }
    if meta.len() > max {
        return Err(too_large(shown, Some(meta.len()), max));
    }
    Ok(())
}

/// Reads standard input, at most `max` bytes.
pub(crate) fn read_stdin(max: u64) -> Result<Vec<u8>, NotRead> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            NotRead::Error(Diagnostic::error(format!(
                "cannot read standard input: {}",
                io_reason(&e)
            )))
        })?;
    if bytes.len() as u64 > max {
        return Err(too_large("standard input", None, max));
    }
    Ok(bytes)
}

/// Opens a file for reading without blocking on a pipe that has no writer,
/// and, when `no_follow`, without following a symbolic link.
#[cfg(unix)]
fn open_for_reading(path: &Path, no_follow: bool) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut flags = libc::O_NONBLOCK;
    if no_follow {
        flags |= libc::O_NOFOLLOW;
    }
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
}

#[cfg(not(unix))]
fn open_for_reading(path: &Path, _no_follow: bool) -> std::io::Result<File> {
    File::open(path)
}

/// A folder of a walk held open while its files are read, so that each file
/// is opened by its name in it: the system then looks up one name, not
/// every folder on the file's path again. On the benchmark's folder of
/// notes (eight names to a file) the walk through the path took 2.9% of the
/// run's time, and 1.4% with folders held open (`perf`, both threads).
///
/// At most [`MAX_OPEN_FOLDERS`] (or an eighth of the process's limit on
/// open files, if lower) are held open at once, counted in a counter shared
/// by the folders of one walk; past that, or where a folder cannot be
/// opened, files are opened by their paths. Only on Linux, where a folder
/// can be held open for this alone (`O_PATH`), without permission to list
/// it.
#[cfg(target_os = "linux")]
#[derive(Debug)]
pub(crate) struct Folder {
    fd: std::os::fd::OwnedFd,
    path: std::path::PathBuf,
    open: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

/// The most folders held open at once (see [`Folder`]).
#[cfg(target_os = "linux")]
const MAX_OPEN_FOLDERS: usize = 256;

#[cfg(target_os = "linux")]
impl Folder {
    /// Holds the folder `path` open, unless as many are open as allowed
    /// (counted in `open`) or it cannot be opened.
    pub(crate) fn open(
        path: &Path,
        open: &std::sync::Arc<std::sync::atomic::AtomicUsize>,
    ) -> Option<Folder> {
        use rustix::fs::{Mode, OFlags};
        use std::sync::LazyLock;
        use std::sync::atomic::Ordering;
        static ALLOWED: LazyLock<usize> = LazyLock::new(|| {
            let files = rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
            files.map_or(MAX_OPEN_FOLDERS, |n| {
                MAX_OPEN_FOLDERS.min(usize::try_from(n / 8).unwrap_or(usize::MAX))
            })
        });
        if open.fetch_add(1, Ordering::Relaxed) >= *ALLOWED {
            open.fetch_sub(1, Ordering::Relaxed);
            return None;
        }
        let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
        match rustix::fs::open(path, flags, Mode::empty()) {
            Ok(fd) => Some(Folder {
                fd,
                path: path.to_path_buf(),
                open: std::sync::Arc::clone(open),
            }),
            Err(_) => {
                open.fetch_sub(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// The folder's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the file `name` in this folder as [`open_for_reading`] opens
    /// a walked file: non-blocking, and not through a link.
    fn open_file(&self, name: &std::ffi::OsStr) -> std::io::Result<File> {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(&self.fd, name, flags, Mode::empty())?;
        Ok(File::from(fd))
    }
}

#[cfg(target_os = "linux")]
impl Drop for Folder {
    fn drop(&mut self) {
        self.open.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Folders are not held open on this system (see the Linux version).
#[cfg(not(target_os = "linux"))]
#[derive(Debug)]
pub(crate) enum Folder {}

#[cfg(not(target_os = "linux"))]
impl Folder {
    pub(crate) fn open(
        _path: &Path,
        _open: &std::sync::Arc<std::sync::atomic::AtomicUsize>,
    ) -> Option<Folder> {
        None
    }

    pub(crate) fn path(&self) -> &Path {
        match *self {}
    }

    fn open_file(&self, _name: &std::ffi::OsStr) -> std::io::Result<File> {
        match *self {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("256M"), Ok(256 << 20));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert_eq!(parse_size("500KB"), Ok(500 << 10));
        assert_eq!(parse_size("1024"), Ok(1024));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("99999999999999G").is_err());
    }

    /// Reads a file by its path and, when walked, by its name in its folder
    /// held open (where folders are held open): both ways must agree.
    fn read(path: &Path, walked: bool) -> Result<Vec<u8>, String> {
        let read = |folder: Option<&Folder>| {
            read_file(path, "f", 1 << 20, walked, folder)
                .map(|c| c.bytes)
                .map_err(|e| match e {
                    NotRead::Skipped(note) => note,
                    NotRead::Error(d) => d.to_string(),
                })
        };
        let by_path = read(None);
        let open = std::sync::Arc::default();
        if let Some(folder) = Folder::open(path.parent().unwrap(), &open) {
            assert_eq!(read(Some(&folder)), by_path, "in its folder");
        }
        by_path
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn folders_held_open_are_counted_and_bounded() {
        use std::sync::atomic::Ordering;
        let dir = tempfile::tempdir().unwrap();
        let open = std::sync::Arc::default();
        let folders: Vec<Folder> = std::iter::from_fn(|| Folder::open(dir.path(), &open))
            .take(MAX_OPEN_FOLDERS + 1)
            .collect();
        // The process may open files, but not enough for the limit.
        assert!((1..=MAX_OPEN_FOLDERS).contains(&folders.len()));
        assert_eq!(open.load(Ordering::Relaxed), folders.len());
        assert!(Folder::open(dir.path(), &open).is_none());
        drop(folders);
        assert_eq!(open.load(Ordering::Relaxed), 0);
        // A folder that cannot be opened is not counted.
        assert!(Folder::open(&dir.path().join("gone"), &open).is_none());
        assert_eq!(open.load(Ordering::Relaxed), 0);
    }

    #[cfg(unix)]
    #[test]
    fn a_walked_file_is_not_read_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("note.txt");
        std::fs::write(&file, "text").unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert_eq!(read(&file, true).unwrap(), b"text");
        // Named on the command line, a link is followed once.
        assert_eq!(read(&link, false).unwrap(), b"text");
        // Seen as a regular file by the walk, then swapped for a link.
        let e = read(&link, true).unwrap_err();
        assert!(e.contains("cannot read `f`"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_walked_file_swapped_for_a_pipe_is_skipped_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&pipe)
            .status()
            .is_ok_and(|s| s.success());
        assert!(made, "mkfifo (coreutils) is needed to make a pipe");
        for walked in [true, false] {
            let e = read(&pipe, walked).unwrap_err();
            assert!(e.contains("it is a pipe, socket or device"), "{e}");
        }
    }

    #[test]
    fn a_big_file_read_in_pieces_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("big.txt");
        // Not a multiple of the piece size, and different in every piece.
        let len = READ_IN_PIECES_FROM as usize + READ_PIECE / 2 + 7;
        let bytes: Vec<u8> = (0..len).map(|i| b'a' + (i / 4093 % 26) as u8).collect();
        std::fs::write(&file, &bytes).unwrap();
        let opened = File::open(&file).unwrap();
        if cfg!(unix) && rayon::current_num_threads() > 1 {
            assert_eq!(read_in_pieces(&opened, len as u64).as_ref(), Some(&bytes));
            // A size that is no longer the file's is not trusted.
            assert_eq!(read_in_pieces(&opened, len as u64 - 1), None);
            assert_eq!(read_in_pieces(&opened, len as u64 + 1), None);
        }
        let read = read_file(&file, "f", 1 << 30, true, None).map(|c| c.bytes);
        assert!(read.is_ok_and(|read| read == bytes));
    }

    #[test]
    fn a_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        for walked in [true, false] {
            let e = read(dir.path(), walked).unwrap_err();
            assert!(e.contains("is a folder, not a file"), "{e}");
        }
    }
}

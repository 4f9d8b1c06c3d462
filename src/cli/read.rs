//! Reading input files safely: bounded in size, never blocking on a pipe or
//! device, and with messages that name the file but never quote its content.
//!
//! Shared by `vblint check` and `vblint fix`.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::lexicon::io_reason;

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
pub(crate) fn read_file(
    path: &Path,
    shown: &str,
    max: u64,
    walked: bool,
) -> Result<Contents, NotRead> {
    if !walked {
        let meta = std::fs::metadata(path).map_err(|e| cannot_read(shown, &e))?;
        check_kind(shown, &meta, max)?;
    }
    let file = open_for_reading(path, walked).map_err(|e| cannot_read(shown, &e))?;
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

    fn read(path: &Path, walked: bool) -> Result<Vec<u8>, String> {
        read_file(path, "f", 1 << 20, walked)
            .map(|c| c.bytes)
            .map_err(|e| match e {
                NotRead::Skipped(note) => note,
                NotRead::Error(d) => d.to_string(),
            })
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
        if !made {
            eprintln!("skipped: mkfifo is not available");
            return;
        }
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
        let read = read_file(&file, "f", 1 << 30, true).map(|c| c.bytes);
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

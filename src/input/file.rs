//! Opening and reading files safely: bounded in size, never blocking on a
//! pipe or device, not through a symbolic link where a folder walk found
//! the file, and with messages that name the file but never quote it.
//!
//! Every file vblint reads goes through here: inputs of every kind
//! ([`super::read`]), standard input ([`read_stdin`]), and configuration
//! and lexicon files ([`read_small_text`], from `vblint-files`, which the
//! Python package shares).

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

use vblint_files::open_for_reading;
pub use vblint_files::{read_small_text, show_size};

use crate::diagnostic::Diagnostic;
use crate::input::io_reason;

/// How much vblint may read of one input file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes of one file: its size, and for a Word document also
    /// the size of its text unpacked (`--max-file-size`).
    pub max_file_size: u64,
}

/// A file to read, and how it was found.
#[derive(Clone, Copy, Debug)]
pub struct FileRef<'a> {
    /// Its path.
    pub path: &'a Path,
    /// The path as messages show it.
    pub shown: &'a str,
    /// Found by a folder walk, which saw a regular file there (not a
    /// link); otherwise named by the user. See [`open`].
    pub walked: bool,
}

impl<'a> FileRef<'a> {
    /// A file the user named (on the command line, or in a setting).
    pub fn named(path: &'a Path, shown: &'a str) -> FileRef<'a> {
        FileRef {
            path,
            shown,
            walked: false,
        }
    }
}

/// A file read into memory.
#[derive(Debug)]
pub struct Contents {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// The metadata of the open file when it was read.
    pub meta: Metadata,
}

/// Why a file was not read.
#[derive(Debug)]
pub enum NotRead {
    /// Skipped on purpose (a pipe, a device, a binary file): a note, not
    /// an error.
    Skipped(String),
    /// An error: the file could not be scanned.
    Error(Diagnostic),
}

impl NotRead {
    /// The message, for places that treat both alike.
    pub fn into_diagnostic(self) -> Diagnostic {
        match self {
            NotRead::Skipped(note) => Diagnostic::error(note),
            NotRead::Error(d) => d,
        }
    }
}

/// The help given with every refusal for size.
const SIZE_HELP: &str = "split the export into smaller files, or raise the limit with --max-file-size (for example --max-file-size 1G)";

pub(crate) fn too_large(shown: &str, size: Option<u64>, max: u64) -> NotRead {
    let what = match size {
        Some(n) => format!("`{shown}` is {}", show_size(n)),
        None => format!("`{shown}` is"),
    };
    NotRead::Error(
        Diagnostic::error(format!(
            "{what} larger than the {} limit; it was not scanned",
            show_size(max)
        ))
        .help(SIZE_HELP),
    )
}

pub(crate) fn cannot_read(shown: &str, e: &io::Error) -> NotRead {
    NotRead::Error(Diagnostic::error(format!(
        "cannot read `{shown}`: {}",
        io_reason(e)
    )))
}

/// The note for a pipe, socket or device, which is never read.
pub fn special_file_note(shown: &str) -> String {
    format!("skipped `{shown}`: it is a pipe, socket or device, not a file")
}

/// Opens a regular file of at most `limits.max_file_size` bytes for
/// reading; pipes, sockets and devices are skipped without being read.
///
/// A file named by the user (`walked` false) is looked at before it is
/// opened, and a symbolic link is followed once, by the operating system.
/// A file found by a folder walk (`walked` true) was already seen there as
/// a regular file, so it is opened straight away, without following links:
/// a file swapped for a link since the walk is not read through it. Either
/// way the open file is checked again before a byte is read, and it is
/// opened non-blocking, so a pipe swapped in cannot hang the run.
///
/// # Errors
///
/// [`NotRead::Skipped`] for a pipe, socket or device; [`NotRead::Error`]
/// for a folder, a file over the limit, or one that cannot be opened.
pub fn open(file: &FileRef<'_>, limits: Limits) -> Result<(File, Metadata), NotRead> {
    let shown = file.shown;
    let max = limits.max_file_size;
    if !file.walked {
        let meta = std::fs::metadata(file.path).map_err(|e| cannot_read(shown, &e))?;
        check_kind(shown, &meta, max)?;
    }
    let opened = open_for_reading(file.path, file.walked).map_err(|e| cannot_read(shown, &e))?;
    let meta = opened.metadata().map_err(|e| cannot_read(shown, &e))?;
    check_kind(shown, &meta, max)?;
    Ok((opened, meta))
}

/// Reads a whole regular file of at most `limits.max_file_size` bytes,
/// opened as [`open`] opens it.
///
/// # Errors
///
/// As [`open`], and when reading fails or the file grows past the limit.
pub fn read_bytes(file: &FileRef<'_>, limits: Limits) -> Result<Contents, NotRead> {
    let (opened, meta) = open(file, limits)?;
    if let Some(bytes) = read_in_pieces(&opened, meta.len()) {
        return Ok(Contents { bytes, meta });
    }
    let max = limits.max_file_size;
    let mut bytes = Vec::with_capacity(meta.len().min(max) as usize);
    opened
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot_read(file.shown, &e))?;
    if bytes.len() as u64 > max {
        // The file grew while being read.
        return Err(too_large(file.shown, None, max));
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
        return Err(NotRead::Skipped(special_file_note(shown)));
    }
    if meta.len() > max {
        return Err(too_large(shown, Some(meta.len()), max));
    }
    Ok(())
}

/// Reads standard input, at most `max` bytes.
///
/// # Errors
///
/// When reading fails, or there are more than `max` bytes.
pub fn read_stdin(max: u64) -> Result<Vec<u8>, NotRead> {
    let mut bytes = Vec::new();
    io::stdin()
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

/// A reader that fails, rather than go on, once more than `max` bytes
/// have come through: a file that grows while it is streamed stays within
/// the limit.
pub(crate) struct Capped<R> {
    inner: R,
    left: u64,
    max: u64,
    shown: String,
    /// What the bytes are, for the message ("`x`", "the text of `x`").
    what: &'static str,
}

impl<R> Capped<R> {
    /// At most `max` bytes of `inner`, which is the file `shown`.
    pub(crate) fn new(inner: R, max: u64, shown: &str) -> Capped<R> {
        Capped {
            inner,
            left: max,
            max,
            shown: shown.to_string(),
            what: "",
        }
    }

    /// At most `max` bytes of `inner`, the unpacked text of the file
    /// `shown`.
    pub(crate) fn unpacked(inner: R, max: u64, shown: &str) -> Capped<R> {
        Capped {
            what: "the text of ",
            ..Capped::new(inner, max, shown)
        }
    }
}

/// The error a [`Capped`] reader returns at its limit.
#[derive(Debug)]
pub(crate) struct OverLimit(pub(crate) String);

impl std::fmt::Display for OverLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OverLimit {}

impl OverLimit {
    /// The message of an over-limit error, if `e` is one.
    pub(crate) fn message(e: &io::Error) -> Option<&str> {
        e.get_ref()
            .and_then(|inner| inner.downcast_ref::<OverLimit>())
            .map(|o| o.0.as_str())
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        // One byte more than allowed tells a file at the limit from one
        // over it.
        let want = buf
            .len()
            .min(usize::try_from(self.left + 1).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.left {
            self.left = 0;
            return Err(io::Error::other(OverLimit(format!(
                "{}`{}` is larger than the {} limit",
                self.what,
                self.shown,
                show_size(self.max)
            ))));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a file as the input door does, found by a walk or not.
    fn read(path: &Path, walked: bool) -> Result<Vec<u8>, String> {
        let file = FileRef {
            path,
            shown: "f",
            walked,
        };
        read_bytes(
            &file,
            Limits {
                max_file_size: 1 << 20,
            },
        )
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
        let file = FileRef {
            path: &file,
            shown: "f",
            walked: true,
        };
        let read = read_bytes(
            &file,
            Limits {
                max_file_size: 1 << 30,
            },
        );
        assert!(read.is_ok_and(|read| read.bytes == bytes));
    }

    #[test]
    fn a_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        for walked in [true, false] {
            let e = read(dir.path(), walked).unwrap_err();
            assert!(e.contains("is a folder, not a file"), "{e}");
        }
    }

    #[test]
    fn a_capped_reader_stops_one_byte_past_its_limit() {
        let mut ok = Vec::new();
        Capped::new(&b"12345"[..], 5, "f")
            .read_to_end(&mut ok)
            .unwrap();
        assert_eq!(ok, b"12345");
        let mut over = Vec::new();
        let e = Capped::unpacked(&b"123456"[..], 5, "f")
            .read_to_end(&mut over)
            .unwrap_err();
        assert_eq!(
            OverLimit::message(&e),
            Some("the text of `f` is larger than the 5 bytes limit")
        );
        assert!(over.len() <= 6);
    }

    #[cfg(unix)]
    #[test]
    fn small_texts_refuse_pipes_devices_and_big_files() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_small_text(Path::new("/dev/zero"), 1 << 20, "configuration").unwrap_err();
        assert_eq!(
            e.message,
            "configuration `/dev/zero` is a pipe, socket or device, not a file"
        );
        let big = dir.path().join("big.toml");
        std::fs::write(&big, "x".repeat(2000)).unwrap();
        let e = read_small_text(&big, 1024, "lexicon file").unwrap_err();
        assert!(
            e.message
                .ends_with("is 2000 bytes, larger than the 1024 bytes allowed"),
            "{e}"
        );
        std::fs::write(&big, b"ok \xff").unwrap();
        let e = read_small_text(&big, 1024, "lexicon file").unwrap_err();
        assert!(
            e.message
                .ends_with("is not UTF-8 text (bad byte at offset 3)")
        );
        std::fs::write(&big, "ok").unwrap();
        assert_eq!(read_small_text(&big, 1024, "lexicon file").unwrap(), "ok");
    }
}

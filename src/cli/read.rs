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

fn special_file(shown: &str) -> NotRead {
    NotRead::Skipped(format!(
        "skipped `{shown}`: it is a pipe, socket or device, not a file"
    ))
}

/// Reads a regular file of at most `max` bytes. A symbolic link given here
/// is followed (once, by the operating system); pipes, sockets and devices
/// are skipped without being opened for reading in a way that could block.
pub(crate) fn read_file(path: &Path, shown: &str, max: u64) -> Result<Contents, NotRead> {
    let meta = std::fs::metadata(path).map_err(|e| cannot_read(shown, &e))?;
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
    let file = open_nonblocking(path).map_err(|e| cannot_read(shown, &e))?;
    // The path may have been swapped for a pipe since the check above.
    let meta = file.metadata().map_err(|e| cannot_read(shown, &e))?;
    if !meta.is_file() {
        return Err(special_file(shown));
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

#[cfg(target_os = "linux")]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a pipe with no writer must not hang.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(0o4000)
        .open(path)
}

#[cfg(not(target_os = "linux"))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
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
}

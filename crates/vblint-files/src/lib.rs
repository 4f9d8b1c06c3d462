//! Reading the small files vblint takes its settings from: lexicon files
//! and folders, and configuration files. Every read is bounded in size,
//! refuses a folder, pipe, socket or device without blocking on it, and
//! fails with a plain-English diagnostic that names the file and never
//! quotes it.
//!
//! Shared by the command line (and language server) and the Python
//! package, which does not depend on the command line so that its wheel
//! does not build it. The scanner itself (`vblint-core`) reads no files.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use vblint_core::diagnostic::Diagnostic;
use vblint_core::lexicon::{MAX_FILE_BYTES, MAX_FILES, is_lexicon_file};

/// A short reason for an I/O error, without the "(os error N)" noise.
pub fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or folder".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            s.split(" (os error").next().unwrap_or(&s).to_string()
        }
    }
}

/// Shows a size in whole MB (or bytes when smaller).
pub fn show_size(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{} MB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// Opens a file for reading without blocking on a pipe that has no writer,
/// and, when `no_follow`, without following a symbolic link.
///
/// # Errors
///
/// As [`std::fs::OpenOptions::open`].
#[cfg(unix)]
pub fn open_for_reading(path: &Path, no_follow: bool) -> io::Result<File> {
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

/// Opens a file for reading.
///
/// # Errors
///
/// As [`File::open`].
#[cfg(not(unix))]
pub fn open_for_reading(path: &Path, _no_follow: bool) -> io::Result<File> {
    File::open(path)
}

/// Reads a small text file (a lexicon or configuration file, `what`) of at
/// most `max` bytes as UTF-8. A folder, pipe, socket or device is refused
/// without being read, also when one is swapped in between the check and
/// the open (the file is opened non-blocking and checked again).
///
/// # Errors
///
/// A plain-English diagnostic naming the file, never quoting it.
pub fn read_small_text(path: &Path, max: u64, what: &str) -> Result<String, Diagnostic> {
    let shown = path.display().to_string();
    let cannot = |e: &io::Error| {
        Diagnostic::error(format!("cannot read {what} `{shown}`: {}", io_reason(e)))
    };
    let too_big = |size: String| {
        Diagnostic::error(format!(
            "{what} `{shown}` is {size}, larger than the {} allowed",
            show_size(max)
        ))
        .help(format!("check that `{shown}` is the file you meant"))
    };
    let not_a_file = |meta: &Metadata| {
        let kind = if meta.is_dir() {
            "a folder"
        } else {
            "a pipe, socket or device"
        };
        Diagnostic::error(format!("{what} `{shown}` is {kind}, not a file"))
            .help("name a file saved as text")
    };
    let meta = std::fs::metadata(path).map_err(|e| cannot(&e))?;
    if !meta.is_file() {
        return Err(not_a_file(&meta));
    }
    if meta.len() > max {
        return Err(too_big(show_size(meta.len())));
    }
    let file = open_for_reading(path, false).map_err(|e| cannot(&e))?;
    let meta = file.metadata().map_err(|e| cannot(&e))?;
    if !meta.is_file() {
        return Err(not_a_file(&meta));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len().min(max)).unwrap_or(0));
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot(&e))?;
    if bytes.len() as u64 > max {
        return Err(too_big(format!("more than {}", show_size(max))));
    }
    String::from_utf8(bytes).map_err(|e| {
        Diagnostic::error(format!(
            "{what} `{shown}` is not UTF-8 text (bad byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
        .help("save the file as UTF-8 in your editor")
    })
}

/// The files of a lexicon path: the file itself, or every `*.toml` file of
/// a folder (not recursive), in name order, at most
/// [`MAX_FILES`](vblint_core::lexicon::MAX_FILES).
///
/// # Errors
///
/// A diagnostic if the path cannot be read, or is a folder with no lexicon
/// files or too many.
pub fn lexicon_files(path: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let show = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| {
        Diagnostic::error(format!("cannot read lexicon `{show}`: {}", io_reason(&e)))
            .help("check the path given with --lexicon or in the `lexicon` key of vblint.toml")
    })?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let read = std::fs::read_dir(path).map_err(|e| {
        Diagnostic::error(format!(
            "cannot list lexicon folder `{show}`: {}",
            io_reason(&e)
        ))
    })?;
    let mut paths = Vec::new();
    for item in read.flatten() {
        let p = item.path();
        if is_lexicon_file(&p) && p.is_file() {
            paths.push(p);
        }
    }
    paths.sort();
    if paths.is_empty() {
        return Err(
            Diagnostic::error(format!("lexicon folder `{show}` has no .toml files"))
                .help("a lexicon folder holds files such as `local-terms.toml`"),
        );
    }
    if paths.len() > MAX_FILES {
        return Err(Diagnostic::error(format!(
            "lexicon folder `{show}` has {} files, more than the {MAX_FILES} allowed",
            paths.len()
        )));
    }
    Ok(paths)
}

/// Reads one lexicon file ([`read_small_text`], at most
/// [`MAX_FILE_BYTES`](vblint_core::lexicon::MAX_FILE_BYTES)).
///
/// # Errors
///
/// As [`read_small_text`].
pub fn read_lexicon_file(path: &Path) -> Result<String, Diagnostic> {
    read_small_text(path, MAX_FILE_BYTES, "lexicon file")
}

//! Lexicon files and folders read from disk for `vblint.Scanner`, with the
//! command line's limits and messages (the root package's `lexicon_io` and
//! `input::read_small_text`, which this crate does not depend on so that
//! the wheel does not build the command line and the language server).

use std::io::Read;
use std::path::Path;

use vblint_core::diagnostic::Diagnostic;
use vblint_core::lexicon::{MAX_FILE_BYTES, MAX_FILES, is_lexicon_file};

/// One lexicon layer: the name and text of each file.
pub(crate) type Layer = Vec<(String, String)>;

/// Reads a lexicon file, or every `*.toml` file of a folder (not recursive,
/// in name order), as one layer.
pub(crate) fn read_layer(path: &Path) -> Result<Layer, Diagnostic> {
    let show = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| {
        Diagnostic::error(format!("cannot read lexicon `{show}`: {}", io_reason(&e)))
            .help("check the path given with --lexicon or in the `lexicon` key of vblint.toml")
    })?;
    let mut paths = Vec::new();
    if meta.is_dir() {
        let read = std::fs::read_dir(path).map_err(|e| {
            Diagnostic::error(format!(
                "cannot list lexicon folder `{show}`: {}",
                io_reason(&e)
            ))
        })?;
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
    } else {
        paths.push(path.to_path_buf());
    }
    paths
        .iter()
        .map(|p| Ok((p.display().to_string(), read_small_text(p, MAX_FILE_BYTES)?)))
        .collect()
}

/// Reads a lexicon file of at most `max` bytes as UTF-8; a folder, pipe,
/// socket or device is refused without being opened for reading.
fn read_small_text(path: &Path, max: u64) -> Result<String, Diagnostic> {
    let what = "lexicon file";
    let shown = path.display().to_string();
    let cannot = |e: &std::io::Error| {
        Diagnostic::error(format!("cannot read {what} `{shown}`: {}", io_reason(e)))
    };
    let too_big = |size: String| {
        Diagnostic::error(format!(
            "{what} `{shown}` is {size}, larger than the {} allowed",
            show_size(max)
        ))
        .help(format!("check that `{shown}` is the file you meant"))
    };
    let not_a_file = |meta: &std::fs::Metadata| {
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
    let file = std::fs::File::open(path).map_err(|e| cannot(&e))?;
    let meta = file.metadata().map_err(|e| cannot(&e))?;
    if !meta.is_file() {
        return Err(not_a_file(&meta));
    }
    let mut bytes = Vec::with_capacity(meta.len().min(max) as usize);
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

/// The reason of an I/O error without the OS error number.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            s.split(" (os error").next().unwrap_or(&s).to_string()
        }
    }
}

/// A size in bytes as the command line shows it.
fn show_size(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{} MB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

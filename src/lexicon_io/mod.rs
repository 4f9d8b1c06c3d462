//! Lexicon files on disk: reading a lexicon file or folder into the core's
//! [`LexiconBuilder`], and the spreadsheet round trip for training teams.
//!
//! The core loads lexicons from text; this module is the one place that
//! reads them from the file system, bounded in size and number.

pub mod spreadsheet;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, SourceFile};
use crate::lexicon::{Lexicon, LexiconBuilder};

/// Loads lexicon files or folders on top of the built-in lexicon (if
/// `builtin`) in the order given.
///
/// # Errors
///
/// Every problem found, located by file, line and column.
pub fn load(builtin: bool, paths: &[PathBuf]) -> Result<Lexicon, Vec<Diagnostic>> {
    let mut builder = LexiconBuilder::new();
    if builtin {
        builder.add_builtin();
    }
    let mut errors = Vec::new();
    for path in paths {
        if let Err(e) = add_path(&mut builder, path) {
            errors.push(e);
        }
    }
    match builder.build() {
        Ok(lexicon) if errors.is_empty() => Ok(lexicon),
        Ok(_) => Err(errors),
        Err(more) => {
            errors.extend(more);
            Err(errors)
        }
    }
}

/// Adds a lexicon file, or every `*.toml` file of a folder (not recursive,
/// in name order), to `builder` as a new layer.
///
/// # Errors
///
/// A diagnostic if the path cannot be read or is too large.
pub fn add_path(builder: &mut LexiconBuilder, path: &Path) -> Result<(), Diagnostic> {
    let paths = vblint_files::lexicon_files(path)?;
    let files = paths
        .iter()
        .map(|p| read_source(p))
        .collect::<Result<Vec<_>, _>>()?;
    builder.add_layer(files);
    Ok(())
}

/// Reads one lexicon file, bounded in size and required to be UTF-8
/// ([`vblint_files::read_lexicon_file`]: a pipe or a device is refused
/// without blocking).
///
/// # Errors
///
/// A diagnostic naming the file if it cannot be read, is too large, is not
/// a regular file or is not UTF-8.
pub fn read_source(path: &Path) -> Result<Arc<SourceFile>, Diagnostic> {
    let text = vblint_files::read_lexicon_file(path)?;
    Ok(SourceFile::new(path.display().to_string(), text))
}

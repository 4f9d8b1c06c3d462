//! Lexicon files and folders read from disk for `vblint.Scanner`, with the
//! command line's limits and messages (`vblint-files`, shared with it).

use std::path::Path;

use vblint_core::diagnostic::Diagnostic;

/// One lexicon layer: the name and text of each file.
pub(crate) type Layer = Vec<(String, String)>;

/// Reads a lexicon file, or every `*.toml` file of a folder (not recursive,
/// in name order), as one layer.
pub(crate) fn read_layer(path: &Path) -> Result<Layer, Diagnostic> {
    vblint_files::lexicon_files(path)?
        .iter()
        .map(|p| Ok((p.display().to_string(), vblint_files::read_lexicon_file(p)?)))
        .collect()
}

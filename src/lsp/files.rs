//! Diagnostics for vblint's own files open in the editor: lexicon files
//! (load errors, then examples that are not flagged and counterexamples
//! that are) and `vblint.toml` (parse errors and unknown keys).
//!
//! The buffer is checked as it is in the editor, unsaved edits included:
//! it is loaded from memory as the top layer over the built-in lexicon and
//! the other lexicon files of its folder, read from disk.

use std::path::Path;
use std::sync::Arc;

use lsp_types::{Diagnostic, DiagnosticSeverity, NumberOrString};

use crate::config::Config;
use crate::diagnostic::{self, DiagnosticLevel, SourceFile};
use crate::lexicon::{LexiconBuilder, is_lexicon_file};
use crate::scan::{Scanner, Settings};

use super::document::Document;
use super::position::Encoding;

/// The most sibling files loaded alongside a lexicon buffer.
const MAX_SIBLINGS: usize = 64;

/// The diagnostics of a lexicon file.
pub(crate) fn lexicon_diagnostics(doc: &Document, enc: Encoding) -> Vec<Diagnostic> {
    let name = doc
        .path
        .as_ref()
        .map_or_else(|| doc.uri.as_str().to_string(), |p| p.display().to_string());
    let file = SourceFile::new(name, doc.text.clone());
    let mut builder = LexiconBuilder::new();
    builder.add_builtin();
    if let (Some(dir), Some(me)) = (doc.folder(), doc.path.as_deref()) {
        for sibling in siblings(dir, me) {
            // A sibling that cannot be read is that file's problem, shown
            // when it is opened; it must not hide this file's diagnostics.
            let _ = crate::lexicon_io::add_path(&mut builder, &sibling);
        }
    }
    builder.add_source(Arc::clone(&file));
    let mut out = Vec::new();
    let lexicon = match builder.build() {
        Ok(lexicon) => lexicon,
        Err(errors) => {
            for d in &errors {
                out.extend(convert(d, &file, doc, enc));
            }
            return out;
        }
    };
    for d in &lexicon.warnings {
        out.extend(convert(d, &file, doc, enc));
    }
    let ours: Vec<_> = lexicon
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| !e.retired && Arc::ptr_eq(&e.origin.file, &file))
        .map(|(i, _)| i)
        .collect();
    if ours.is_empty() {
        return out;
    }
    let lexicon = Arc::new(lexicon);
    let scanner = match Scanner::new(Arc::clone(&lexicon), Settings::default()) {
        Ok(s) => s,
        Err(d) => {
            out.extend(convert(&d, &file, doc, enc));
            return out;
        }
    };
    for i in ours {
        let entry = &lexicon.entries[i];
        for example in &entry.examples {
            let found = scanner.scan(&example.text);
            if !found.iter().any(|f| f.entry.0 as usize == i && !f.quoted) {
                let others: Vec<&str> = found
                    .iter()
                    .filter(|f| !f.quoted)
                    .map(|f| lexicon.get(f.entry).id.as_str())
                    .collect();
                let mut message = format!("this example is not flagged by `{}`", entry.id);
                if !others.is_empty() {
                    message.push_str(&format!(" (it is flagged by `{}`)", others.join("`, `")));
                }
                message.push_str(
                    "\nhelp: add a term that matches it, or check the entry's guards and except phrases",
                );
                out.push(lint(
                    doc,
                    enc,
                    example.span.clone(),
                    message,
                    DiagnosticSeverity::ERROR,
                    "example-not-flagged",
                ));
            }
        }
        for counter in &entry.counterexamples {
            let found = scanner.scan(&counter.text);
            if let Some(f) = found.iter().find(|f| f.entry.0 as usize == i && !f.quoted) {
                let matched = &counter.text[f.span.clone()];
                let message = format!(
                    "this counterexample is flagged by `{}` (it matches “{matched}”)\nhelp: add an except phrase or a guard that rules this sentence out",
                    entry.id
                );
                out.push(lint(
                    doc,
                    enc,
                    counter.span.clone(),
                    message,
                    DiagnosticSeverity::ERROR,
                    "counterexample-flagged",
                ));
            }
        }
    }
    out
}

/// The other lexicon files of a folder, in name order.
fn siblings(dir: &Path, me: &Path) -> Vec<std::path::PathBuf> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<_> = read
        .flatten()
        .map(|e| e.path())
        .filter(|p| p != me && is_lexicon_file(p) && p.is_file())
        .collect();
    out.sort();
    out.truncate(MAX_SIBLINGS);
    out
}

/// The diagnostics of a `vblint.toml`.
pub(crate) fn config_diagnostics(doc: &Document, enc: Encoding) -> Vec<Diagnostic> {
    let name = doc
        .path
        .as_ref()
        .map_or_else(|| "vblint.toml".to_string(), |p| p.display().to_string());
    let file = SourceFile::new(name, doc.text.clone());
    match Config::parse(Arc::clone(&file), doc.folder()) {
        Ok(_) => Vec::new(),
        Err(d) => convert(&d, &file, doc, enc).into_iter().collect(),
    }
}

/// An LSP diagnostic for a vblint diagnostic, if it belongs in this file.
/// Problems in other files (a broken sibling) are shown at the top.
fn convert(
    d: &diagnostic::Diagnostic,
    file: &Arc<SourceFile>,
    doc: &Document,
    enc: Encoding,
) -> Option<Diagnostic> {
    let severity = match d.level {
        DiagnosticLevel::Error => DiagnosticSeverity::ERROR,
        DiagnosticLevel::Warning => DiagnosticSeverity::WARNING,
    };
    let mut message = d.message.clone();
    let span = match (&d.file, &d.span) {
        (Some(f), Some(span)) if Arc::ptr_eq(f, file) => span.clone(),
        (Some(f), _) if Arc::ptr_eq(f, file) => 0..0,
        (Some(f), _) if f.name.starts_with(crate::lexicon::BUILTIN_PREFIX) => return None,
        (Some(_), _) => {
            message = format!("in another lexicon file: {d}");
            0..0
        }
        (None, _) => 0..0,
    };
    for note in &d.notes {
        message.push_str("\nnote: ");
        message.push_str(note);
    }
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    if let Some(label) = &d.label
        && !message.contains(label.as_str())
    {
        message = format!("{message}\n({label})");
    }
    Some(lint(doc, enc, span, message, severity, "lexicon"))
}

fn lint(
    doc: &Document,
    enc: Encoding,
    span: std::ops::Range<usize>,
    message: String,
    severity: DiagnosticSeverity,
    code: &str,
) -> Diagnostic {
    let mut cursor = doc.index.cursor(&doc.text, enc);
    Diagnostic {
        range: cursor.range(span),
        severity: Some(severity),
        code: Some(NumberOrString::String(code.into())),
        source: Some("vblint".into()),
        message,
        ..Diagnostic::default()
    }
}

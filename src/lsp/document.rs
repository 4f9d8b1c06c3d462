//! An open document: its text, line index, and the findings of its last scan.

use std::path::{Path, PathBuf};

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use crate::scan::Finding;
use crate::text::Normalized;

use super::position::{Encoding, LineIndex};
use super::uri;

/// What kind of file a document is, which decides how it is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Writing to lint for victim-blaming language.
    Prose,
    /// A lexicon file: checked by loading it.
    Lexicon,
    /// A `vblint.toml`: checked by parsing it.
    Config,
}

/// How the findings of a document relate to its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Stale {
    /// They are the findings of the text.
    No,
    /// They were moved along with edits, and the edits wrote this range of
    /// the text: a rescan of the paragraphs near it brings them up to date.
    Edited(std::ops::Range<usize>),
    /// The text must be scanned whole.
    All,
}

/// Documents from this size (in bytes) are scanned in the background.
pub(crate) const LARGE: usize = 256 << 10;

/// An open document.
pub struct Document {
    pub(crate) uri: Uri,
    pub(crate) path: Option<PathBuf>,
    pub(crate) language_id: String,
    pub(crate) version: i32,
    pub text: String,
    pub index: LineIndex,
    pub(crate) kind: Kind,
    /// The findings of the last scan (prose documents only).
    pub(crate) findings: Vec<Finding>,
    /// Whether the document needs checking (and publishing).
    pub(crate) dirty: bool,
    /// How far `findings` lag behind the text.
    pub(crate) stale: Stale,
    /// Counts changes, to match background scans with the text they saw.
    pub(crate) revision: u64,
    /// The (revision, scanner generation) being scanned in the background.
    pub(crate) in_flight: Option<(u64, u64)>,
    /// A buffer reused by every scan of this document.
    pub(crate) norm: Normalized,
}

impl Document {
    pub fn new(uri: Uri, language_id: String, version: i32, text: String) -> Document {
        let path = uri::to_path(&uri);
        let kind = kind_of(path.as_deref(), &language_id, &text);
        Document {
            index: LineIndex::new(&text),
            uri,
            path,
            language_id,
            version,
            text,
            kind,
            findings: Vec::new(),
            dirty: true,
            stale: Stale::All,
            revision: 0,
            in_flight: None,
            norm: Normalized::default(),
        }
    }

    /// Applies the changes of one `didChange`, in order. Ranges past the end
    /// are clamped; reversed ranges are put in order.
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, enc: Encoding) {
        for change in changes {
            match change.range {
                None => {
                    self.text = change.text;
                    self.index = LineIndex::new(&self.text);
                    self.stale = Stale::All;
                }
                Some(range) => {
                    let a = self.index.offset(&self.text, range.start, enc);
                    let b = self.index.offset(&self.text, range.end, enc);
                    let (start, end) = (a.min(b), a.max(b));
                    // Removing an inline marker may change findings anywhere.
                    let marker = crate::scan::mentions_vblint(&self.text[start..end]);
                    self.text.replace_range(start..end, &change.text);
                    self.index.update(&self.text, start..end, change.text.len());
                    self.moved(start..end, change.text.len(), marker);
                }
            }
        }
        self.dirty = true;
        self.revision += 1;
        // Re-judge the kind only when it might change: a new buffer holding
        // a lexicon table.
        if self.kind == Kind::Prose && self.language_id == "toml" {
            self.kind = kind_of(self.path.as_deref(), &self.language_id, &self.text);
        }
    }

    /// Moves the findings along with an edit that replaced `removed` with
    /// `inserted` bytes, and widens the range a rescan must cover.
    fn moved(&mut self, removed: std::ops::Range<usize>, inserted: usize, marker: bool) {
        let written = removed.start..removed.start + inserted;
        self.stale = match std::mem::replace(&mut self.stale, Stale::All) {
            _ if marker => Stale::All,
            Stale::All => Stale::All,
            Stale::No => Stale::Edited(written),
            Stale::Edited(before) => {
                // Where an offset of the text before this edit is now.
                let moved = |p: usize| {
                    if p >= removed.end {
                        p - removed.len() + inserted
                    } else {
                        p.min(written.end)
                    }
                };
                Stale::Edited(
                    moved(before.start).min(written.start)..moved(before.end).max(written.end),
                )
            }
        };
        if self.stale == Stale::All {
            self.findings.clear();
        } else {
            crate::scan::shift_findings(&mut self.findings, removed, inserted);
        }
    }

    /// Brings the findings up to date with the text: after edits, only the
    /// paragraphs near them are scanned again (quick even in a large
    /// document).
    pub(crate) fn refresh(&mut self, scanner: &crate::scan::Scanner) {
        match std::mem::replace(&mut self.stale, Stale::No) {
            Stale::No => {}
            Stale::Edited(changed) => {
                scanner.rescan(&self.text, changed, &mut self.norm, &mut self.findings);
            }
            Stale::All => {
                self.findings.clear();
                scanner.scan_into(&self.text, &mut self.norm, &mut self.findings);
            }
        }
    }

    /// Whether the document is large enough to be scanned in the
    /// background, so that requests are not held up behind the scan.
    pub(crate) fn is_large(&self) -> bool {
        self.kind == Kind::Prose && self.text.len() >= LARGE
    }

    /// The folder holding this document, if it is a file.
    pub(crate) fn folder(&self) -> Option<&Path> {
        self.path.as_deref().and_then(Path::parent)
    }
}

/// Decides what a document is from its path, language and text.
fn kind_of(path: Option<&Path>, language_id: &str, text: &str) -> Kind {
    let name = path.and_then(|p| p.file_name()).and_then(|n| n.to_str());
    if matches!(name, Some("vblint.toml" | ".vblint.toml")) {
        return Kind::Config;
    }
    let toml = language_id == "toml" || name.is_some_and(|n| n.ends_with(".toml"));
    if !toml || name == Some("Cargo.toml") {
        return Kind::Prose;
    }
    let in_lexicon_folder = path.is_some_and(|p| {
        p.parent()
            .is_some_and(|d| d.components().any(|c| c.as_os_str() == "lexicon"))
    });
    if in_lexicon_folder || text.contains("[[entry]]") {
        Kind::Lexicon
    } else {
        Kind::Prose
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    fn change(sl: u32, sc: u32, el: u32, ec: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range {
                start: Position {
                    line: sl,
                    character: sc,
                },
                end: Position {
                    line: el,
                    character: ec,
                },
            }),
            range_length: None,
            text: text.into(),
        }
    }

    fn doc(text: &str) -> Document {
        Document::new(
            "file:///t/a.txt".parse().unwrap(),
            "plaintext".into(),
            1,
            text.into(),
        )
    }

    #[test]
    fn incremental_edits_in_utf16() {
        let mut d = doc("a 😢 b\r\nc\n");
        d.apply(vec![change(0, 5, 0, 5, "“x” ")], Encoding::Utf16);
        assert_eq!(d.text, "a 😢 “x” b\r\nc\n");
        d.apply(vec![change(0, 9, 1, 0, "")], Encoding::Utf16);
        assert_eq!(d.text, "a 😢 “x” c\n");
        // Past the end clamps; reversed ranges are ordered.
        d.apply(vec![change(0, 500, 0, 500, "!")], Encoding::Utf16);
        assert_eq!(d.text, "a 😢 “x” c!\n");
        d.apply(vec![change(90, 0, 99, 3, "tail")], Encoding::Utf16);
        assert_eq!(d.text, "a 😢 “x” c!\ntail");
        d.apply(vec![change(0, 2, 0, 0, "")], Encoding::Utf16);
        assert_eq!(d.text, "😢 “x” c!\ntail");
        assert_eq!(d.index, LineIndex::new(&d.text));
    }

    #[test]
    fn findings_follow_edits_and_a_rescan_brings_them_up_to_date() {
        let scanner = crate::scan::Scanner::new(
            std::sync::Arc::new(crate::lexicon::Lexicon::builtin()),
            crate::scan::Settings::default(),
        )
        .unwrap();
        let para = "She is putting herself at risk.\n\n";
        let mut d = doc(&para.repeat(200));
        scanner.scan_into(&d.text, &mut d.norm, &mut d.findings);
        d.stale = Stale::No;
        assert_eq!(d.findings.len(), 200);
        // Line 300 is deep in the document: insert a finding, delete one.
        d.apply(
            vec![change(300, 0, 300, 0, "She consented. ")],
            Encoding::Utf16,
        );
        d.apply(vec![change(100, 0, 101, 0, "")], Encoding::Utf16);
        let Stale::Edited(changed) = d.stale.clone() else {
            panic!("{:?}", d.stale);
        };
        assert!(scanner.rescans_locally(&d.text, changed.clone()));
        scanner.rescan(&d.text, changed, &mut d.norm, &mut d.findings);
        assert_eq!(d.findings, scanner.scan(&d.text));
        assert_eq!(d.findings.len(), 200);
        // Deleting an inline marker can change findings anywhere.
        let mut d = doc("a\nvblint-disable\nb\n");
        d.stale = Stale::No;
        d.apply(vec![change(1, 0, 2, 0, "")], Encoding::Utf16);
        assert_eq!(d.stale, Stale::All);
    }

    #[test]
    fn kinds() {
        let k = |p: &str, l: &str, t: &str| kind_of(Some(Path::new(p)), l, t);
        assert_eq!(k("/w/vblint.toml", "toml", ""), Kind::Config);
        assert_eq!(k("/w/lexicon/x.toml", "toml", ""), Kind::Lexicon);
        assert_eq!(k("/w/local.toml", "toml", "[[entry]]\n"), Kind::Lexicon);
        assert_eq!(k("/w/other.toml", "toml", "[a]\n"), Kind::Prose);
        assert_eq!(k("/w/notes.md", "markdown", "[[entry]]"), Kind::Prose);
    }
}

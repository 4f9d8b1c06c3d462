//! Benchmark hooks: the work of one check, without a connection
//! (`benches/lsp.rs`).

use super::diagnostics::prose_pieces;
use super::document::{Document, Stale};
use super::position::Encoding;
use super::settings::Engine;
use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

/// A document and the built-in scanner.
pub struct Bench {
    engine: Engine,
    doc: Document,
}

impl Bench {
    /// Opens `text` as a plain-text document.
    pub fn new(text: String) -> Bench {
        Bench {
            engine: Engine::fallback(),
            doc: Document::new(
                "file:///bench.txt".parse().expect("a valid URI"),
                "plaintext".into(),
                1,
                text,
            ),
        }
    }

    /// Scans the document and serialises its diagnostics; returns the
    /// number of findings and the JSON length.
    pub fn check(&mut self) -> (usize, usize) {
        (self.scan(), self.diagnostics())
    }

    /// Scans the document (the library's part); returns the number of
    /// findings.
    pub fn scan(&mut self) -> usize {
        let doc = &mut self.doc;
        doc.findings.clear();
        self.engine
            .scanner
            .scan_into(&doc.text, &mut doc.norm, &mut doc.findings);
        doc.stale = Stale::No;
        doc.findings.len()
    }

    /// Brings the findings up to date after edits, as the server does
    /// (rescanning the paragraphs near them); returns the number of
    /// findings.
    pub fn rescan(&mut self) -> usize {
        self.doc.refresh(&self.engine.scanner);
        self.doc.findings.len()
    }

    /// Converts the last scan's findings to UTF-16 diagnostics and
    /// serialises them (the server's part); returns the JSON length.
    pub fn diagnostics(&self) -> usize {
        prose_pieces(&self.engine, &self.doc, Encoding::Utf16)
            .iter()
            .map(Vec::len)
            .sum()
    }

    /// Inserts `text` at a UTF-16 position, as a keystroke would.
    pub fn edit(&mut self, line: u32, character: u32, text: &str) {
        let at = Position { line, character };
        self.doc.apply(
            vec![TextDocumentContentChangeEvent {
                range: Some(Range { start: at, end: at }),
                range_length: None,
                text: text.into(),
            }],
            Encoding::Utf16,
        );
    }

    /// Deletes the UTF-16 columns `from..to` of a line.
    pub fn delete(&mut self, line: u32, from: u32, to: u32) {
        self.doc.apply(
            vec![TextDocumentContentChangeEvent {
                range: Some(Range {
                    start: Position {
                        line,
                        character: from,
                    },
                    end: Position {
                        line,
                        character: to,
                    },
                }),
                range_length: None,
                text: String::new(),
            }],
            Encoding::Utf16,
        );
    }
}

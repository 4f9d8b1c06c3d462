//! Building and sending diagnostics.
//!
//! Prose documents get one diagnostic per finding, written straight to JSON
//! text as positions are computed, in parallel pieces (a 5 MB report can
//! have tens of thousands of them); vblint's own files (lexicon files,
//! `vblint.toml`) get the diagnostics of [`super::files`]. In push mode, every changed document is
//! published when the inbox is empty ([`Server::flush`]).

use std::collections::HashMap;

use lsp_types::notification::{Notification as _, PublishDiagnostics};
use serde::Serialize;

use crate::lexicon::Severity;
use crate::scan::Finding;

use super::document::{Document, Kind};
use super::files;
use super::position::Encoding;
use super::scheduler::quick_check;
use super::server::{Mode, Server};
use super::settings::{Engine, lsp_severity};

/// Everything in a diagnostic after its range, which is the same for every
/// finding of one entry, quotedness and severity.
#[derive(Serialize)]
struct Tail<'a> {
    severity: lsp_types::DiagnosticSeverity,
    code: &'a str,
    source: &'static str,
    message: &'a str,
    data: Data<'a>,
}

/// What a client may want to know about a diagnostic beyond its code: the
/// rule and whether the words are quoted. (The alternatives are looked up
/// when code actions are asked for, rather than sent with every one of
/// tens of thousands of diagnostics.)
#[derive(Serialize)]
struct Data<'a> {
    rule: &'a str,
    quoted: bool,
}

fn tail<'a>(engine: &'a Engine, f: &Finding) -> Tail<'a> {
    let entry = engine.scanner.lexicon().get(f.entry);
    let (plain, quoted) = &engine.messages[f.entry.0 as usize];
    Tail {
        severity: lsp_severity(f.severity),
        code: &entry.id,
        source: "vblint",
        message: if f.quoted { quoted } else { plain },
        data: Data {
            rule: &entry.id,
            quoted: f.quoted,
        },
    }
}

/// How many diagnostics go into one piece of a message body.
const PIECE: usize = 2048;

/// Writes one diagnostic as JSON: its range, then its [`Tail`], serialised
/// once per piece ([`Tails`]).
fn write_diag(out: &mut Vec<u8>, range: lsp_types::Range, tail: &[u8]) {
    let mut n = itoa::Buffer::new();
    out.extend_from_slice(br#"{"range":{"start":{"line":"#);
    out.extend_from_slice(n.format(range.start.line).as_bytes());
    out.extend_from_slice(br#","character":"#);
    out.extend_from_slice(n.format(range.start.character).as_bytes());
    out.extend_from_slice(br#"},"end":{"line":"#);
    out.extend_from_slice(n.format(range.end.line).as_bytes());
    out.extend_from_slice(br#","character":"#);
    out.extend_from_slice(n.format(range.end.character).as_bytes());
    out.extend_from_slice(b"}},");
    out.extend_from_slice(tail);
}

/// The JSON of [`Tail`]s, without their opening brace, by entry, quotedness
/// and severity.
#[derive(Default)]
struct Tails(HashMap<(u32, bool, Severity), Vec<u8>>);

impl Tails {
    fn get(&mut self, engine: &Engine, f: &Finding) -> &[u8] {
        self.0
            .entry((f.entry.0, f.quoted, f.severity))
            .or_insert_with(|| {
                let mut json =
                    serde_json::to_vec(&tail(engine, f)).unwrap_or_else(|_| b"{}".to_vec());
                json.remove(0);
                json
            })
    }
}

/// The diagnostics of a prose document as a JSON array, in pieces:
/// serialised as they are converted (no intermediate list or JSON tree),
/// groups of [`PIECE`] in parallel, each into one buffer as large as its
/// diagnostics can need (pages never written take no memory), so that tens
/// of thousands of diagnostics are never copied into a growing buffer.
pub(super) fn prose_pieces(engine: &Engine, doc: &Document, enc: Encoding) -> Vec<Vec<u8>> {
    use rayon::prelude::*;
    let mut pieces: Vec<Vec<u8>> = doc
        .findings
        .par_chunks(PIECE)
        .enumerate()
        .map(|(i, group)| {
            let mut out = Vec::with_capacity(group.len() * engine.diagnostic_bytes + 1);
            let mut cursor = doc.index.cursor(&doc.text, enc);
            let mut tails = Tails::default();
            for (j, f) in group.iter().enumerate() {
                out.push(if i == 0 && j == 0 { b'[' } else { b',' });
                let range = cursor.range(f.span.clone());
                write_diag(&mut out, range, tails.get(engine, f));
            }
            out
        })
        .collect();
    if pieces.is_empty() {
        pieces.push(b"[".to_vec());
    }
    pieces.push(b"]".to_vec());
    pieces
}

/// The start of a `publishDiagnostics` body, up to its `diagnostics` value.
fn publish_prefix(key: &str, version: Option<i32>) -> Vec<u8> {
    let uri = serde_json::to_string(key).unwrap_or_default();
    let version = version.map_or_else(String::new, |v| format!(r#","version":{v}"#));
    format!(
        r#"{{"jsonrpc":"2.0","method":"{}","params":{{"uri":{uri}{version},"diagnostics":"#,
        PublishDiagnostics::METHOD
    )
    .into_bytes()
}

/// The diagnostic of a finding, as an lsp-types value (for code actions).
pub(super) fn lsp_diagnostic(
    engine: &Engine,
    f: &Finding,
    range: lsp_types::Range,
) -> lsp_types::Diagnostic {
    let t = tail(engine, f);
    lsp_types::Diagnostic {
        range,
        severity: Some(t.severity),
        code: Some(lsp_types::NumberOrString::String(t.code.to_string())),
        source: Some(t.source.into()),
        message: t.message.to_string(),
        data: serde_json::to_value(&t.data).ok(),
        ..lsp_types::Diagnostic::default()
    }
}

impl Server {
    /// Brings a prose document's findings up to date and says whether they
    /// are (`None` if it is not open). A large document is left to the
    /// background scanner unless `wait` is set, so its findings may be stale.
    /// Dismissed findings are dropped.
    pub(super) fn check(&mut self, key: &str, wait: bool) -> Option<bool> {
        let doc = self.docs.get_mut(key)?;
        if !doc.dirty || doc.kind != Kind::Prose {
            return Some(true);
        }
        let scanner = &self.engine.scanner;
        if doc.is_large() && !wait && !quick_check(scanner, doc) {
            return Some(false);
        }
        doc.refresh(scanner);
        self.dismissed
            .retain(scanner.lexicon(), &doc.text, &mut doc.findings);
        doc.dirty = false;
        Some(true)
    }

    /// Publishes a document's current diagnostics.
    pub(super) fn publish_now(&mut self, key: &str) {
        let version = self.docs.get(key).map(|d| d.version);
        if let Some(diagnostics) = self.diagnostics_pieces(key) {
            self.publish(key, version, diagnostics);
        }
    }

    /// The diagnostics of a document, as a JSON array in pieces; `None` if
    /// it is not open.
    pub(super) fn diagnostics_pieces(&mut self, key: &str) -> Option<Vec<Vec<u8>>> {
        let enc = self.enc;
        let kind = self.docs.get(key)?.kind;
        match kind {
            Kind::Prose => {
                self.check(key, true);
                let doc = self.docs.get(key)?;
                Some(prose_pieces(&self.engine, doc, enc))
            }
            Kind::Lexicon | Kind::Config => {
                let doc = self.docs.get_mut(key)?;
                doc.dirty = false;
                let diags = if kind == Kind::Lexicon {
                    files::lexicon_diagnostics(doc, enc)
                } else {
                    files::config_diagnostics(doc, enc)
                };
                Some(vec![
                    serde_json::to_vec(&diags).unwrap_or_else(|_| b"[]".to_vec()),
                ])
            }
        }
    }

    /// Publishes `diagnostics` (a JSON array, in pieces) for a document.
    pub(super) fn publish(&self, key: &str, version: Option<i32>, diagnostics: Vec<Vec<u8>>) {
        let mut body = Vec::with_capacity(diagnostics.len() + 2);
        body.push(publish_prefix(key, version));
        body.extend(diagnostics);
        body.push(b"}}".to_vec());
        self.send_body(body);
    }

    /// Checks and publishes every changed document (in push mode).
    pub(super) fn flush(&mut self) {
        if self.mode != Mode::Push {
            return;
        }
        let scanner = &self.engine.scanner;
        let dirty: Vec<(String, bool)> = self
            .docs
            .iter()
            .filter(|(_, d)| d.dirty)
            .map(|(k, d)| (k.clone(), d.is_large() && !quick_check(scanner, d)))
            .collect();
        for (key, large) in dirty {
            if large {
                self.submit(&key);
            } else {
                self.publish_now(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_written_by_hand_are_those_of_lsp_types() {
        let engine = Engine::fallback();
        let text = "Amy is putting herself at risk 😢. Her carer said “she consented”.\n\
                    YP IS PUTTING HERSELF AT RISK. Amy is putting herself at risk.\n";
        let mut doc = Document::new(
            "file:///t.txt".parse().unwrap(),
            "plaintext".into(),
            1,
            text.into(),
        );
        doc.refresh(&engine.scanner);
        assert!(doc.findings.len() >= 4, "{:?}", doc.findings);
        assert!(doc.findings.iter().any(|f| f.quoted));
        for enc in [Encoding::Utf16, Encoding::Utf8] {
            let mut cursor = doc.index.cursor(&doc.text, enc);
            let expected: Vec<lsp_types::Diagnostic> = doc
                .findings
                .iter()
                .map(|f| lsp_diagnostic(&engine, f, cursor.range(f.span.clone())))
                .collect();
            let written = prose_pieces(&engine, &doc, enc).concat();
            let written: serde_json::Value = serde_json::from_slice(&written).unwrap();
            assert_eq!(written, serde_json::to_value(&expected).unwrap());
        }
        doc.findings.clear();
        assert_eq!(prose_pieces(&engine, &doc, Encoding::Utf16).concat(), b"[]");
    }
}

//! Building and sending diagnostics.
//!
//! Prose documents get one diagnostic per finding, written straight to JSON
//! text as positions are computed (a 5 MB report can have tens of thousands
//! of them); vblint's own files (lexicon files, `vblint.toml`) get the
//! diagnostics of [`super::files`]. In push mode, every changed document is
//! published when the inbox is empty ([`Server::flush`]).

use lsp_types::notification::{Notification as _, PublishDiagnostics};
use serde::Serialize;

use crate::scan::Finding;

use super::document::{Document, Kind};
use super::files;
use super::position::Encoding;
use super::scheduler::quick_check;
use super::server::{Mode, Server};
use super::settings::{Engine, lsp_severity};

/// One diagnostic, serialised without building a JSON tree.
#[derive(Serialize)]
struct Diag<'a> {
    range: lsp_types::Range,
    severity: lsp_types::DiagnosticSeverity,
    code: &'a str,
    source: &'static str,
    message: &'a str,
    data: Data<'a>,
}

/// What code actions need from a diagnostic.
#[derive(Serialize)]
struct Data<'a> {
    rule: &'a str,
    alternatives: &'a [String],
    quoted: bool,
}

fn diag<'a>(engine: &'a Engine, f: &Finding, range: lsp_types::Range) -> Diag<'a> {
    let entry = engine.scanner.lexicon().get(f.entry);
    let (plain, quoted) = &engine.messages[f.entry.0 as usize];
    Diag {
        range,
        severity: lsp_severity(f.severity),
        code: &entry.id,
        source: "vblint",
        message: if f.quoted { quoted } else { plain },
        data: Data {
            rule: &entry.id,
            alternatives: &entry.alternatives,
            quoted: f.quoted,
        },
    }
}

/// Appends the diagnostics of a prose document to `out` as a JSON array,
/// serialised as they are converted (no intermediate list or JSON tree).
fn write_prose_json(engine: &Engine, doc: &Document, enc: Encoding, out: &mut Vec<u8>) {
    use serde::Serializer as _;
    let mut cursor = doc.index.cursor(&doc.text, enc);
    let items = doc
        .findings
        .iter()
        .map(|f| diag(engine, f, cursor.range(f.span.clone())));
    let mut ser = serde_json::Serializer::new(&mut *out);
    if let Err(e) = ser.collect_seq(items) {
        eprintln!("vblint lsp: internal error: cannot serialise diagnostics: {e}");
    }
}

/// The diagnostics of a prose document as a JSON array.
pub(super) fn prose_json(engine: &Engine, doc: &Document, enc: Encoding) -> String {
    let mut out = Vec::new();
    write_prose_json(engine, doc, enc, &mut out);
    String::from_utf8(out).unwrap_or_else(|_| "[]".into())
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
    let d = diag(engine, f, range);
    lsp_types::Diagnostic {
        range,
        severity: Some(d.severity),
        code: Some(lsp_types::NumberOrString::String(d.code.to_string())),
        source: Some(d.source.into()),
        message: d.message.to_string(),
        data: serde_json::to_value(&d.data).ok(),
        ..lsp_types::Diagnostic::default()
    }
}

impl Server {
    /// Brings a prose document's findings up to date and says whether they
    /// are (`None` if it is not open). A large document is left to the
    /// background scanner unless `wait` is set, so its findings may be stale.
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
        doc.dirty = false;
        Some(true)
    }

    /// Publishes a document's current diagnostics.
    pub(super) fn publish_now(&mut self, key: &str) {
        let version = self.docs.get(key).map(|d| d.version);
        let mut body = publish_prefix(key, version);
        if self.diagnostics_json(key, &mut body) {
            body.extend_from_slice(b"}}");
            self.send_body(body);
        }
    }

    /// Appends the diagnostics of a document, as a JSON array, to `out`;
    /// false if it is not open.
    pub(super) fn diagnostics_json(&mut self, key: &str, out: &mut Vec<u8>) -> bool {
        let enc = self.enc;
        let Some(kind) = self.docs.get(key).map(|d| d.kind) else {
            return false;
        };
        match kind {
            Kind::Prose => {
                self.check(key, true);
                let Some(doc) = self.docs.get(key) else {
                    return false;
                };
                write_prose_json(&self.engine, doc, enc, out);
            }
            Kind::Lexicon | Kind::Config => {
                let Some(doc) = self.docs.get_mut(key) else {
                    return false;
                };
                doc.dirty = false;
                let diags = if kind == Kind::Lexicon {
                    files::lexicon_diagnostics(doc, enc)
                } else {
                    files::config_diagnostics(doc, enc)
                };
                if serde_json::to_writer(&mut *out, &diags).is_err() {
                    out.extend_from_slice(b"[]");
                }
            }
        }
        true
    }

    /// Publishes `diagnostics` (a JSON array) for a document.
    pub(super) fn publish(&self, key: &str, version: Option<i32>, diagnostics: &str) {
        let mut body = publish_prefix(key, version);
        body.extend_from_slice(diagnostics.as_bytes());
        body.extend_from_slice(b"}}");
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

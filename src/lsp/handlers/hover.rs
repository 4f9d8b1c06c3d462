//! `textDocument/hover`: a short note on the finding under the cursor
//! ([`actions::hover`]), with a way to the full explanation.

use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};
use serde_json::Value;

use crate::lsp::actions::{self, MoreLink};
use crate::lsp::dispatch::{Handled, reply};
use crate::lsp::server::Server;
use crate::scan::Finding;

/// The finding under `offset` (a cursor just after a finding counts).
pub(super) fn finding_at(findings: &[Finding], offset: usize) -> Option<&Finding> {
    let i = findings.partition_point(|f| f.span.end < offset);
    findings
        .get(i)
        .filter(|f| f.span.start <= offset && offset <= f.span.end)
}

impl Server {
    pub(crate) fn hover(&mut self, p: HoverParams) -> Handled {
        let enc = self.enc;
        let markdown = self.caps.markdown;
        let pos = p.text_document_position_params;
        let key = pos.text_document.uri.as_str();
        match self.check(key, false) {
            None => {
                eprintln!("vblint lsp: hover in {key}, which is not open");
                return reply(Value::Null);
            }
            // Still being scanned: nothing to say yet.
            Some(false) => return reply(Value::Null),
            Some(true) => {}
        }
        let Some(doc) = self.docs.get(key) else {
            return reply(Value::Null);
        };
        let offset = doc.index.offset(&doc.text, pos.position, enc);
        let Some(f) = finding_at(&doc.findings, offset) else {
            return reply(Value::Null);
        };
        let range = doc.index.cursor(&doc.text, enc).range(f.span.clone());
        let entry = self.engine.scanner.lexicon().get(f.entry);
        let more = if self.explain_view {
            MoreLink::Command
        } else {
            MoreLink::Hint
        };
        let text = actions::hover(entry, f.quoted, f.severity, markdown, more);
        reply(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: if markdown {
                    MarkupKind::Markdown
                } else {
                    MarkupKind::PlainText
                },
                value: text,
            }),
            range: Some(range),
        })
    }
}

//! `textDocument/codeAction`: for each finding in the range, one fix per
//! alternative (the first preferred), then "ignore here", "disable in this
//! workspace" and "explain".

use std::collections::{BTreeSet, HashMap};

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Command, TextEdit,
    WorkspaceEdit,
};
use serde_json::{Value, json};

use super::{DISABLE_COMMAND, EXPLAIN_COMMAND};
use crate::lsp::actions::MarkerStyle;
use crate::lsp::diagnostics::lsp_diagnostic;
use crate::lsp::dispatch::{Handled, reply};
use crate::lsp::position;
use crate::lsp::server::Server;

/// The most findings turned into code actions for one request.
const MAX_ACTION_FINDINGS: usize = 20;

impl Server {
    // lsp-types keys WorkspaceEdit changes by Uri, which clippy thinks mutable.
    #[allow(clippy::mutable_key_type)]
    pub(crate) fn code_action(&mut self, p: CodeActionParams) -> Handled {
        let enc = self.enc;
        let key = p.text_document.uri.as_str().to_string();
        let config_target = self.config_target(&key);
        match self.check(&key, false) {
            None => {
                eprintln!("vblint lsp: code actions asked for {key}, which is not open");
                return reply(Value::Null);
            }
            Some(false) => return reply(Vec::<CodeActionOrCommand>::new()),
            Some(true) => {}
        }
        let Some(doc) = self.docs.get(&key) else {
            return reply(Value::Null);
        };
        let a = doc.index.offset(&doc.text, p.range.start, enc);
        let b = doc.index.offset(&doc.text, p.range.end, enc);
        let (a, b) = (a.min(b), a.max(b));
        let lexicon = self.engine.scanner.lexicon();
        let style = MarkerStyle::for_language(&doc.language_id);
        let mut cursor = doc.index.cursor(&doc.text, enc);
        let mut fixes = Vec::new();
        let mut others = Vec::new();
        let mut seen_rules = BTreeSet::new();
        let mut disabled_rules = BTreeSet::new();
        let first = doc.findings.partition_point(|f| f.span.end < a);
        for f in doc.findings[first..]
            .iter()
            .take_while(|f| f.span.start <= b)
            .take(MAX_ACTION_FINDINGS)
        {
            let entry = lexicon.get(f.entry);
            let range = cursor.range(f.span.clone());
            let diagnostic = lsp_diagnostic(&self.engine, f, range);
            let edit = |range: lsp_types::Range, new_text: String| {
                let mut changes = HashMap::new();
                changes.insert(
                    p.text_document.uri.clone(),
                    vec![TextEdit { range, new_text }],
                );
                WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }
            };
            // Only replacements that fit the sentence (none in a quotation,
            // a correction or a report of someone else's wording).
            let fits = crate::fix::drop_ins(&self.engine.scanner, &doc.text, f);
            for (i, fix) in fits.into_iter().enumerate() {
                let range = lsp_types::Range {
                    start: doc.index.position(&doc.text, fix.span.start, enc),
                    end: doc.index.position(&doc.text, fix.span.end, enc),
                };
                let title = match fix.replacement.as_str() {
                    "" => format!("Remove “{}”", doc.text[fix.span.clone()].trim()),
                    new => format!("Replace with “{new}”"),
                };
                fixes.push(CodeAction {
                    title,
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    edit: Some(edit(range, fix.replacement)),
                    is_preferred: Some(i == 0),
                    ..CodeAction::default()
                });
            }
            let end = position::line_end(&doc.index, &doc.text, f.span.start);
            let at = doc.index.position(&doc.text, end, enc);
            others.push(CodeAction {
                title: format!("Ignore this occurrence of `{}`", entry.id),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(edit(
                    lsp_types::Range { start: at, end: at },
                    style.marker(&entry.id),
                )),
                ..CodeAction::default()
            });
            // A quotation is someone's own words: only ignore or explain.
            if !f.quoted
                && !disabled_rules.contains(&entry.id)
                && let Some(target) = &config_target
            {
                disabled_rules.insert(entry.id.clone());
                let title = format!(
                    "Disable `{}` in this workspace ({})",
                    entry.id,
                    target.display()
                );
                others.push(CodeAction {
                    title: title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    command: Some(Command {
                        title,
                        command: DISABLE_COMMAND.into(),
                        arguments: Some(vec![json!(entry.id)]),
                    }),
                    ..CodeAction::default()
                });
            }
            if !seen_rules.insert(entry.id.clone()) {
                continue;
            }
            let title = format!("Explain `{}`", entry.id);
            others.push(CodeAction {
                title: title.clone(),
                kind: Some(CodeActionKind::EMPTY),
                command: Some(Command {
                    title,
                    command: EXPLAIN_COMMAND.into(),
                    arguments: Some(vec![json!(entry.id)]),
                }),
                ..CodeAction::default()
            });
        }
        fixes.extend(others);
        if let Some(only) = &p.context.only {
            fixes.retain(|a| {
                let kind = a.kind.as_ref().map_or("", |k| k.as_str());
                only.iter()
                    .any(|o| kind == o.as_str() || kind.starts_with(&format!("{}.", o.as_str())))
            });
        }
        let actions: Vec<CodeActionOrCommand> = fixes
            .into_iter()
            .map(CodeActionOrCommand::CodeAction)
            .collect();
        reply(actions)
    }
}

//! `textDocument/codeAction`: for the findings in the range, at most, in
//! this order:
//!
//! 1. one fix per alternative (the first preferred), for findings outside
//!    quotation marks;
//! 2. "Explain", once per rule;
//! 3. "Ignore here", per finding: dismissed outside the note
//!    (`vblint.ignore`);
//! 4. "Disable in this workspace", once per rule, outside quotation marks;
//! 5. only in languages with comments (Markdown, HTML), a separate action
//!    that writes an ignore comment into the file.

use std::collections::{BTreeSet, HashMap};

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Command, TextEdit,
    WorkspaceEdit,
};
use serde_json::{Value, json};

use super::execute_command::DisableTarget;
use super::{DISABLE_COMMAND, EXPLAIN_COMMAND, IGNORE_COMMAND};
use crate::lsp::actions;
use crate::lsp::diagnostics::lsp_diagnostic;
use crate::lsp::dispatch::{Handled, reply};
use crate::lsp::position;
use crate::lsp::server::Server;

/// The most findings turned into code actions for one request.
const MAX_ACTION_FINDINGS: usize = 20;

impl Server {
    pub(crate) fn code_action(&mut self, p: CodeActionParams) -> Handled {
        let enc = self.enc;
        let key = p.text_document.uri.as_str().to_string();
        let disable_title = match self.disable_target() {
            DisableTarget::File(_) => "in this workspace",
            DisableTarget::Session(_) => "until the editor closes",
        };
        let ignore_title = if self.dismissed_path().is_some() {
            "here (outside the note)"
        } else {
            "here (until the editor closes; nothing is written into the note)"
        };
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
        let mut cursor = doc.index.cursor(&doc.text, enc);
        let mut fixes = Vec::new();
        let mut explains = Vec::new();
        let mut ignores = Vec::new();
        let mut disables = Vec::new();
        let mut comments = Vec::new();
        let mut explained = BTreeSet::new();
        let mut disabled = BTreeSet::new();
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
        let command = |title: String, command: &str, arguments: Vec<Value>| Command {
            title,
            command: command.into(),
            arguments: Some(arguments),
        };
        let first = doc.findings.partition_point(|f| f.span.end < a);
        for f in doc.findings[first..]
            .iter()
            .take_while(|f| f.span.start <= b)
            .take(MAX_ACTION_FINDINGS)
        {
            let entry = lexicon.get(f.entry);
            let id = &entry.id;
            let range = cursor.range(f.span.clone());
            let diagnostic = lsp_diagnostic(&self.engine, f, range);
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
            if explained.insert(id.clone()) {
                let title = format!("Explain `{id}`");
                explains.push(CodeAction {
                    title: title.clone(),
                    kind: Some(CodeActionKind::EMPTY),
                    command: Some(command(title, EXPLAIN_COMMAND, vec![json!(id)])),
                    ..CodeAction::default()
                });
            }
            let title = format!("Ignore `{id}` {ignore_title}");
            ignores.push(CodeAction {
                title: title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                command: Some(command(
                    title,
                    IGNORE_COMMAND,
                    vec![json!(id), json!(key), json!(range)],
                )),
                ..CodeAction::default()
            });
            if !f.quoted && disabled.insert(id.clone()) {
                let title = format!("Disable `{id}` {disable_title}");
                disables.push(CodeAction {
                    title: title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    command: Some(command(title, DISABLE_COMMAND, vec![json!(id)])),
                    ..CodeAction::default()
                });
            }
            if let Some(marker) = actions::comment_marker(&doc.language_id, id) {
                let end = position::line_end(&doc.index, &doc.text, f.span.start);
                let at = doc.index.position(&doc.text, end, enc);
                comments.push(CodeAction {
                    title: format!("Ignore `{id}` with a comment in the file"),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic]),
                    edit: Some(edit(lsp_types::Range { start: at, end: at }, marker)),
                    ..CodeAction::default()
                });
            }
        }
        let mut actions: Vec<CodeAction> = fixes
            .into_iter()
            .chain(explains)
            .chain(ignores)
            .chain(disables)
            .chain(comments)
            .collect();
        if let Some(only) = &p.context.only {
            actions.retain(|a| {
                let kind = a.kind.as_ref().map_or("", |k| k.as_str());
                only.iter()
                    .any(|o| kind == o.as_str() || kind.starts_with(&format!("{}.", o.as_str())))
            });
        }
        let actions: Vec<CodeActionOrCommand> = actions
            .into_iter()
            .map(CodeActionOrCommand::CodeAction)
            .collect();
        reply(actions)
    }
}

//! `workspace/executeCommand`: `vblint.explain` (an entry's full
//! explanation) and `vblint.disableRule` (add a rule to `disable` in the
//! workspace's `vblint.toml`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_types::notification::ShowMessage;
use lsp_types::request::ApplyWorkspaceEdit;
use lsp_types::{
    ApplyWorkspaceEditParams, CreateFile, CreateFileOptions, DocumentChangeOperation,
    DocumentChanges, ExecuteCommandParams, MessageType, OptionalVersionedTextDocumentIdentifier,
    Position, ResourceOp, ShowMessageParams, TextDocumentEdit, TextEdit, WorkspaceEdit,
};
use serde_json::Value;

use crate::lsp::actions;
use lsp_server::ResponseError;

use crate::lsp::dispatch::{Handled, error, invalid_params, reply};
use crate::lsp::position::LineIndex;
use crate::lsp::server::{Pending, Server};
use crate::lsp::uri;

/// The command that adds a rule to `disable` in the workspace's `vblint.toml`.
pub(crate) const DISABLE_COMMAND: &str = "vblint.disableRule";
/// The command that shows an entry's full explanation.
pub(crate) const EXPLAIN_COMMAND: &str = "vblint.explain";

impl Server {
    /// The `vblint.toml` a "disable" action writes: the one in effect, or a
    /// new one in the workspace root (or the document's folder).
    pub(crate) fn config_target(&self, key: &str) -> Option<PathBuf> {
        if let Some(p) = &self.engine.config_path {
            return Some(p.clone());
        }
        let dir = self
            .root
            .clone()
            .or_else(|| self.docs.get(key)?.folder().map(Path::to_path_buf))?;
        Some(dir.join("vblint.toml"))
    }

    pub(crate) fn execute_command(&mut self, p: ExecuteCommandParams) -> Handled {
        let id = p
            .arguments
            .first()
            .and_then(|v| {
                v.as_str()
                    .map(str::to_string)
                    .or_else(|| v.get("rule")?.as_str().map(str::to_string))
            })
            .ok_or_else(|| {
                invalid_params(format!(
                    "{}: the first argument must be a rule id",
                    p.command
                ))
            })?;
        let lexicon = self.engine.scanner.lexicon();
        let Some(entry_id) = lexicon.find(&id) else {
            return Err(invalid_params(format!(
                "there is no rule `{id}` in the lexicon"
            )));
        };
        match p.command.as_str() {
            EXPLAIN_COMMAND => {
                let text = actions::explain(lexicon.get(entry_id), false, true);
                self.notify::<ShowMessage>(ShowMessageParams {
                    typ: MessageType::INFO,
                    message: text.clone(),
                });
                reply(text)
            }
            DISABLE_COMMAND => {
                let key = p
                    .arguments
                    .get(1)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let target = self.config_target(&key).ok_or_else(|| {
                    invalid_params("there is no workspace folder to hold vblint.toml")
                })?;
                self.disable_rule(&id, &target)?;
                reply(Value::Null)
            }
            other => Err(invalid_params(format!("unknown command {other}"))),
        }
    }

    /// Adds `id` to `disable` in `target`, through the editor when it can
    /// apply edits, else on disk; the rule is off at once either way.
    // lsp-types keys WorkspaceEdit changes by Uri, which clippy thinks mutable.
    #[allow(clippy::mutable_key_type)]
    fn disable_rule(&mut self, id: &str, target: &Path) -> Result<(), ResponseError> {
        let open = uri::from_path(target).and_then(|u| self.docs.get(u.as_str()));
        let exists = open.is_some() || target.is_file();
        let current = match open {
            Some(doc) => doc.text.clone(),
            None if exists => std::fs::read_to_string(target)
                .map_err(|e| invalid_params(format!("cannot read {}: {e}", target.display())))?,
            None => String::new(),
        };
        let updated = actions::add_disabled(&current, id).map_err(invalid_params)?;
        self.session_disabled.insert(id.to_string());
        self.rebuild();
        let Some(text) = updated else {
            return Ok(());
        };
        let target_uri = uri::from_path(target);
        let can_edit = self.caps.apply_edit
            && target_uri.is_some()
            && (exists || (self.caps.create_files && self.caps.document_changes));
        if can_edit {
            let target_uri = target_uri.expect("checked above");
            let end = {
                let index = LineIndex::new(&current);
                index.position(&current, current.len(), self.enc)
            };
            let whole = lsp_types::Range {
                start: Position::default(),
                end,
            };
            let replace = TextEdit {
                range: whole,
                new_text: text.clone(),
            };
            let edit = if exists && !self.caps.document_changes {
                let mut changes = HashMap::new();
                changes.insert(target_uri, vec![replace]);
                WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }
            } else {
                let mut ops = Vec::new();
                if !exists {
                    ops.push(DocumentChangeOperation::Op(ResourceOp::Create(
                        CreateFile {
                            uri: target_uri.clone(),
                            options: Some(CreateFileOptions {
                                overwrite: Some(false),
                                ignore_if_exists: Some(true),
                            }),
                            annotation_id: None,
                        },
                    )));
                }
                ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier {
                        uri: target_uri,
                        version: None,
                    },
                    edits: vec![lsp_types::OneOf::Left(replace)],
                }));
                WorkspaceEdit {
                    document_changes: Some(DocumentChanges::Operations(ops)),
                    ..WorkspaceEdit::default()
                }
            };
            self.request::<ApplyWorkspaceEdit>(
                ApplyWorkspaceEditParams {
                    label: Some(format!("Disable `{id}` in this workspace")),
                    edit,
                },
                Pending::ApplyEdit {
                    path: target.to_path_buf(),
                    text: format!("disable = [\"{id}\"]"),
                },
            );
        } else {
            crate::atomic::write(target, text.as_bytes()).map_err(|e| {
                error(
                    lsp_server::ErrorCode::RequestFailed,
                    format!("cannot write {}: {e}", target.display()),
                )
            })?;
        }
        Ok(())
    }
}

//! `workspace/executeCommand`:
//!
//! - `vblint.explain [rule]`: the entry's full explanation, answered as
//!   `{"title", "markdown"}`; unless the client shows it in a view of its
//!   own (`initializationOptions.explainView`), also a short plain-text
//!   message.
//! - `vblint.ignore [rule, uri, range]`: dismisses one finding. Its
//!   fingerprint goes into the workspace's `.vblint-ignore` (or is kept for
//!   the session without a workspace), never into the note.
//! - `vblint.disableRule [rule]`: switches a rule off at once and adds it to
//!   `disable` in the workspace's `vblint.toml`, which the server writes
//!   itself (atomically, never through a symbolic link, never outside the
//!   workspace).

use std::io;
use std::path::{Path, PathBuf};

use lsp_server::ResponseError;
use lsp_types::notification::ShowMessage;
use lsp_types::request::WorkspaceDiagnosticRefresh;
use lsp_types::{ExecuteCommandParams, MessageType, ShowMessageParams};
use serde::Serialize;
use serde_json::Value;

use crate::lsp::actions;
use crate::lsp::dispatch::{Handled, invalid_params, reply};
use crate::lsp::document::Kind;
use crate::lsp::server::{Mode, Pending, Server};

/// The command that switches a rule off in the workspace.
pub(crate) const DISABLE_COMMAND: &str = "vblint.disableRule";
/// The command that explains an entry in full.
pub(crate) const EXPLAIN_COMMAND: &str = "vblint.explain";
/// The command that dismisses one finding, outside the note.
pub(crate) const IGNORE_COMMAND: &str = "vblint.ignore";

/// What `vblint.explain` answers.
#[derive(Serialize)]
struct Explanation {
    title: String,
    markdown: String,
}

/// Where "disable in this workspace" is recorded.
pub(crate) enum DisableTarget {
    /// This `vblint.toml` (or `.vblint.toml`) in the workspace folder.
    File(PathBuf),
    /// Nowhere: the rule is off for the session only, for this reason.
    Session(String),
}

impl Server {
    /// Where "disable in this workspace" would be recorded: the
    /// configuration file in effect if it is in the workspace folder, else
    /// a new `vblint.toml` there. A configuration in a folder above the
    /// workspace is not changed, and without a workspace nothing is written.
    pub(crate) fn disable_target(&self) -> DisableTarget {
        let Some(root) = &self.root else {
            return DisableTarget::Session("there is no workspace folder to keep it in".into());
        };
        match &self.engine.config_path {
            Some(config) if in_folder(root, config) => DisableTarget::File(config.clone()),
            Some(config) => DisableTarget::Session(format!(
                "the settings in effect come from {}, outside this workspace, which vblint does not change; add it to `disable` there to keep it off",
                config.display()
            )),
            None => DisableTarget::File(root.join("vblint.toml")),
        }
    }

    pub(crate) fn execute_command(&mut self, p: ExecuteCommandParams) -> Handled {
        let rule = p
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
        let Some(entry_id) = lexicon.find(&rule) else {
            return Err(invalid_params(format!(
                "there is no rule `{rule}` in the lexicon"
            )));
        };
        let entry = lexicon.get(entry_id);
        let id = entry.id.clone();
        match p.command.as_str() {
            EXPLAIN_COMMAND => {
                let answer = Explanation {
                    title: format!("vblint: {id}"),
                    markdown: actions::explain_markdown(entry),
                };
                if !self.explain_view {
                    self.notify::<ShowMessage>(ShowMessageParams {
                        typ: MessageType::INFO,
                        message: actions::explain_plain(entry),
                    });
                }
                reply(answer)
            }
            IGNORE_COMMAND => {
                let uri = p.arguments.get(1).and_then(Value::as_str).ok_or_else(|| {
                    invalid_params("vblint.ignore: the second argument must be the document's URI")
                })?;
                let range: lsp_types::Range = p
                    .arguments
                    .get(2)
                    .and_then(|v| serde_json::from_value(v.clone()).ok())
                    .ok_or_else(|| {
                        invalid_params(
                            "vblint.ignore: the third argument must be the finding's range",
                        )
                    })?;
                self.ignore_finding(&id, uri, range)?;
                reply(Value::Null)
            }
            DISABLE_COMMAND => {
                self.disable_rule(&id);
                reply(Value::Null)
            }
            other => Err(invalid_params(format!("unknown command {other}"))),
        }
    }

    /// Dismisses the finding of `rule` at `range` of an open document: its
    /// fingerprint is added to the dismissed findings and saved, and it
    /// (with any finding of the same words in the same context) goes from
    /// every open document at once.
    fn ignore_finding(
        &mut self,
        rule: &str,
        key: &str,
        range: lsp_types::Range,
    ) -> Result<(), ResponseError> {
        // Another window may have dismissed findings since.
        self.reload_dismissed();
        if self.check(key, true).is_none() {
            return Err(invalid_params(format!("{key} is not open")));
        }
        let enc = self.enc;
        let Some(doc) = self.docs.get(key) else {
            return Err(invalid_params(format!("{key} is not open")));
        };
        let a = doc.index.offset(&doc.text, range.start, enc);
        let b = doc.index.offset(&doc.text, range.end, enc);
        let lexicon = self.engine.scanner.lexicon();
        let Some(f) = doc
            .findings
            .iter()
            .find(|f| f.span == (a..b) && lexicon.get(f.entry).id == rule)
        else {
            // Already dismissed, or the text changed since the action was
            // offered: nothing to do.
            eprintln!("vblint lsp: no `{rule}` finding at that place any more; nothing ignored");
            return Ok(());
        };
        let fingerprint = self.dismissed.fingerprint(rule, &doc.text, f.span.clone());
        self.dismissed.insert(rule, &fingerprint);
        for doc in self.docs.values_mut() {
            if doc.kind != Kind::Prose {
                continue;
            }
            let before = doc.findings.len();
            self.dismissed
                .retain(self.engine.scanner.lexicon(), &doc.text, &mut doc.findings);
            if doc.findings.len() != before {
                doc.dirty = true;
            }
        }
        if self.mode == Mode::Pull && self.caps.refresh {
            self.request::<WorkspaceDiagnosticRefresh>((), Pending::Refresh);
        }
        self.save_dismissed();
        Ok(())
    }

    /// Writes the dismissed findings to the workspace's `.vblint-ignore`;
    /// says so if they can only be kept for the session.
    fn save_dismissed(&mut self) {
        let Some(path) = self.dismissed_path() else {
            return;
        };
        let problem = if is_symlink(&path) {
            Some("it is a symbolic link, which vblint does not write through".to_string())
        } else {
            crate::atomic::write(&path, self.dismissed.to_text().as_bytes())
                .err()
                .map(|e| crate::input::io_reason(&e))
        };
        if let Some(problem) = problem {
            self.show(
                MessageType::WARNING,
                format!(
                    "vblint: could not save the ignored finding in {} ({problem}); it is ignored until the editor closes",
                    path.display()
                ),
            );
        }
    }

    /// Switches `id` off at once and records it where
    /// [`Self::disable_target`] says, then tells the user where that is.
    fn disable_rule(&mut self, id: &str) {
        let (typ, message) = match self.disable_target() {
            DisableTarget::File(path) => match add_to_config(&path, id) {
                Ok(()) => (
                    MessageType::INFO,
                    format!(
                        "vblint: `{id}` is now off in this workspace. It is listed under `disable` in {}; remove it there to turn it back on.",
                        path.display()
                    ),
                ),
                Err(why) => (
                    MessageType::WARNING,
                    format!("vblint: `{id}` is off until the editor closes: {why}"),
                ),
            },
            DisableTarget::Session(why) => (
                MessageType::INFO,
                format!("vblint: `{id}` is off until the editor closes: {why}"),
            ),
        };
        self.session_disabled.insert(id.to_string());
        self.rebuild();
        self.show(typ, message);
    }
}

/// Whether `file` is directly in (or below) the folder `root`.
fn in_folder(root: &Path, file: &Path) -> bool {
    let (Ok(root), Some(Ok(dir))) = (root.canonicalize(), file.parent().map(Path::canonicalize))
    else {
        return false;
    };
    dir.starts_with(root)
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Adds `id` to `disable` in the configuration file at `path` (created if
/// missing), keeping its comments and layout; the write is atomic and
/// happens only if the file did not change meanwhile.
///
/// # Errors
///
/// Why the file was not changed, in words for the user.
fn add_to_config(path: &Path, id: &str) -> Result<(), String> {
    let shown = path.display();
    if is_symlink(path) {
        return Err(format!(
            "{shown} is a symbolic link, which vblint does not write through; add `{id}` to its `disable` list by hand"
        ));
    }
    let current = match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(format!(
                "cannot read {shown}: {}",
                crate::input::io_reason(&e)
            ));
        }
    };
    let text = match &current {
        Some(bytes) => std::str::from_utf8(bytes)
            .map_err(|_| format!("{shown} is not UTF-8 text"))?
            .to_string(),
        None => String::new(),
    };
    let updated = actions::add_disabled(&text, id).map_err(|e| format!("{e} ({shown})"))?;
    let Some(updated) = updated else {
        return Ok(());
    };
    let unchanged = |file: &Path| match std::fs::read(file) {
        Ok(now) if Some(&now) == current.as_ref() => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound && current.is_none() => Ok(()),
        _ => Err(()),
    };
    crate::atomic::write_checked(path, updated.as_bytes(), None, unchanged).map_err(|e| match e {
        crate::atomic::Error::Io(e) => {
            format!("could not write {shown}: {}", crate::input::io_reason(&e))
        }
        crate::atomic::Error::Refused(()) => format!(
            "{shown} changed while vblint was updating it; add `{id}` to its `disable` list by hand"
        ),
        crate::atomic::Error::Kept((), kept) => format!(
            "{shown} changed while vblint was updating it; add `{id}` to its `disable` list by hand \
             (vblint's version, also changed, is kept as {})",
            crate::report::escape::name(&kept.display().to_string())
        ),
    })
}

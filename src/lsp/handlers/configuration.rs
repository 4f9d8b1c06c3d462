//! Settings and the scanner: `workspace/didChangeConfiguration`,
//! `workspace/didChangeWatchedFiles`, `workspace/configuration` answers,
//! file-watcher registration, and rebuilding the scanner.

use std::path::{Path, PathBuf};

use lsp_types::notification::{DidChangeWatchedFiles, Notification as _};
use lsp_types::request::{
    RegisterCapability, UnregisterCapability, WorkspaceConfiguration, WorkspaceDiagnosticRefresh,
};
use lsp_types::{
    ConfigurationItem, ConfigurationParams, DidChangeWatchedFilesParams, MessageType, Registration,
    RegistrationParams, Unregistration, UnregistrationParams,
};
use serde_json::{Value, json};

use crate::dismissed::{self, Dismissed};
use crate::lsp::document::Stale;
use crate::lsp::server::{Mode, Pending, Server};
use crate::lsp::settings::{ClientSettings, Engine};
use crate::lsp::uri;

impl Server {
    pub(crate) fn report_setting_problems(&self, problems: Vec<String>) {
        if !problems.is_empty() {
            self.show(
                MessageType::WARNING,
                format!("vblint: {}", problems.join("; ")),
            );
        }
    }

    /// Asks the client for the `vblint` settings, if it can answer.
    pub(crate) fn ask_configuration(&mut self) {
        if self.caps.configuration {
            self.request::<WorkspaceConfiguration>(
                ConfigurationParams {
                    items: vec![ConfigurationItem {
                        scope_uri: None,
                        section: Some("vblint".into()),
                    }],
                },
                Pending::Configuration,
            );
        }
    }

    /// Takes new editor settings; rebuilds the scanner if they changed.
    pub(crate) fn apply_settings(&mut self, value: &Value) {
        let mut problems = Vec::new();
        let settings = ClientSettings::from_json(value, &mut problems);
        self.report_setting_problems(problems);
        if let Some(settings) = settings
            && self.client_settings.as_ref() != Some(&settings)
        {
            self.client_settings = Some(settings);
            self.rebuild();
        }
    }

    /// Rebuilds the scanner from `vblint.toml`, the lexicon and the editor's
    /// settings. On failure the last good scanner stays.
    pub(crate) fn rebuild(&mut self) {
        let settings = self
            .client_settings
            .clone()
            .or_else(|| self.init_settings.clone())
            .unwrap_or_default();
        match Engine::build(self.root.as_deref(), &settings, &self.session_disabled) {
            Ok(engine) => {
                let paths_changed = engine.lexicon_paths != self.engine.lexicon_paths
                    || engine.config_path != self.engine.config_path;
                self.engine = engine;
                self.engine_ready = true;
                if paths_changed && self.watching.is_some() {
                    self.register_watchers();
                }
                self.invalidate_all();
            }
            Err(problems) => {
                if !self.engine_ready {
                    self.engine = Engine::fallback();
                    self.engine_ready = true;
                }
                let shown: Vec<String> = problems.iter().take(5).map(ToString::to_string).collect();
                let more = problems.len().saturating_sub(5);
                let mut message = format!(
                    "vblint: the configuration or lexicon has problems, so the previous settings (or the built-in lexicon) stay in use:\n{}",
                    shown.join("\n")
                );
                if more > 0 {
                    message.push_str(&format!("\n… and {more} more"));
                }
                self.show(MessageType::ERROR, message);
            }
        }
    }

    /// Has every document checked again from scratch (the scanner or the
    /// dismissed findings changed); scans under way are dropped.
    pub(crate) fn invalidate_all(&mut self) {
        self.generation += 1;
        for doc in self.docs.values_mut() {
            doc.dirty = true;
            doc.stale = Stale::All;
            doc.findings.clear();
            doc.in_flight = None;
        }
        if self.mode == Mode::Pull && self.caps.refresh {
            self.request::<WorkspaceDiagnosticRefresh>((), Pending::Refresh);
        }
    }

    /// Where the workspace's dismissed findings are kept (none without a
    /// workspace: they are then kept for the session only).
    pub(crate) fn dismissed_path(&self) -> Option<PathBuf> {
        self.root.as_ref().map(|r| r.join(dismissed::FILE_NAME))
    }

    /// Reads the workspace's `.vblint-ignore` again; if it says something
    /// else than before, every document is checked again.
    pub(crate) fn reload_dismissed(&mut self) {
        let Some(path) = self.dismissed_path() else {
            return;
        };
        let loaded = match Dismissed::load(&path) {
            Ok(Some((loaded, bad))) => {
                if bad > 0 {
                    eprintln!(
                        "vblint lsp: skipped {bad} line(s) of {} that are not fingerprints",
                        path.display()
                    );
                }
                loaded
            }
            Ok(None) if self.dismissed.is_empty() => return,
            Ok(None) => Dismissed::default(),
            Err(e) => {
                self.show(
                    MessageType::WARNING,
                    format!(
                        "vblint: cannot read {}: {}; findings ignored there are shown again",
                        path.display(),
                        crate::input::io_reason(&e)
                    ),
                );
                return;
            }
        };
        if loaded != self.dismissed {
            self.dismissed = loaded;
            self.invalidate_all();
        }
    }

    /// Asks the client to watch `vblint.toml` files, the configuration in
    /// effect and the extra lexicon files (replacing an earlier request).
    pub(crate) fn register_watchers(&mut self) {
        if !self.caps.watch_dynamic {
            return;
        }
        if let Some(old) = self.watching.take() {
            self.request::<UnregisterCapability>(
                UnregistrationParams {
                    unregisterations: vec![Unregistration {
                        id: old,
                        method: DidChangeWatchedFiles::METHOD.into(),
                    }],
                },
                Pending::Registration,
            );
        }
        let mut watchers = vec![
            json!({ "globPattern": "**/vblint.toml" }),
            json!({ "globPattern": "**/.vblint.toml" }),
            json!({ "globPattern": format!("**/{}", dismissed::FILE_NAME) }),
        ];
        let mut watch = |dir: &Path, pattern: &str| {
            let glob = match uri::from_path(dir) {
                Some(base) if self.caps.relative_patterns => {
                    json!({ "baseUri": base, "pattern": pattern })
                }
                _ => json!(format!("{}/{pattern}", dir.display())),
            };
            watchers.push(json!({ "globPattern": glob }));
        };
        if let Some(config) = &self.engine.config_path
            && let (Some(dir), Some(name)) = (config.parent(), config.file_name())
        {
            watch(dir, &name.to_string_lossy());
        }
        for path in &self.engine.lexicon_paths {
            if path.is_dir() {
                watch(path, "*.toml");
            } else if let (Some(dir), Some(name)) = (path.parent(), path.file_name()) {
                watch(dir, &name.to_string_lossy());
            }
        }
        let id = self.next_registration_id();
        self.watching = Some(id.clone());
        self.request::<RegisterCapability>(
            RegistrationParams {
                registrations: vec![Registration {
                    id,
                    method: DidChangeWatchedFiles::METHOD.into(),
                    register_options: Some(json!({ "watchers": watchers })),
                }],
            },
            Pending::Registration,
        );
    }

    /// Settings sent with the notification are taken as they are; clients
    /// using the pull model send an empty notification and are asked.
    pub(crate) fn did_change_configuration(&mut self, params: &Value) {
        let settings = params.get("settings").unwrap_or(&Value::Null);
        let mut ignored = Vec::new();
        if ClientSettings::from_json(settings, &mut ignored).is_some() {
            self.apply_settings(settings);
        } else {
            self.ask_configuration();
        }
    }

    /// Watched files changed: a changed `.vblint-ignore` is read again, and
    /// anything else (`vblint.toml`, lexicon files) rebuilds the scanner. A
    /// changed `vblint.toml` is the truth again, so rules disabled for the
    /// session are forgotten.
    pub(crate) fn did_change_watched_files(&mut self, params: DidChangeWatchedFilesParams) {
        let named = |c: &lsp_types::FileEvent, names: &[&str]| {
            uri::to_path(&c.uri)
                .is_some_and(|p| p.file_name().is_some_and(|n| names.iter().any(|m| n == *m)))
        };
        let config_changed = params
            .changes
            .iter()
            .any(|c| named(c, &["vblint.toml", ".vblint.toml"]));
        let dismissed_changed = params
            .changes
            .iter()
            .any(|c| named(c, &[dismissed::FILE_NAME]));
        let others_changed = params.changes.is_empty()
            || params
                .changes
                .iter()
                .any(|c| !named(c, &[dismissed::FILE_NAME]));
        if dismissed_changed {
            self.reload_dismissed();
        }
        if config_changed {
            self.session_disabled.clear();
        }
        if others_changed {
            self.rebuild();
        }
    }
}

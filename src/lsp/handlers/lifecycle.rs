//! `initialize`, `initialized` and `shutdown`.

use std::path::PathBuf;

use lsp_types::{MessageType, Uri};
use serde_json::{Value, json};

use super::{DISABLE_COMMAND, EXPLAIN_COMMAND, IGNORE_COMMAND};
use crate::lsp::dispatch::{Handled, Reply, invalid_params};
use crate::lsp::position::Encoding;
use crate::lsp::server::{ClientCaps, Lifecycle, Mode, Server};
use crate::lsp::settings::ClientSettings;
use crate::lsp::uri;

impl Server {
    /// Negotiates the position encoding, reads the client's capabilities
    /// and settings, and builds the scanner. The params are read leniently
    /// (as JSON), so that a client with odd capabilities still gets served.
    pub(crate) fn initialize(&mut self, params: Value) -> Handled {
        if !params.is_object() {
            return Err(invalid_params("initialize: params must be an object"));
        }
        let caps = &params["capabilities"];
        let flag = |ptr: &str| caps.pointer(ptr).and_then(Value::as_bool) == Some(true);
        let offered: Option<Vec<lsp_types::PositionEncodingKind>> = caps
            .pointer("/general/positionEncodings")
            .and_then(|v| serde_json::from_value(v.clone()).ok());
        self.enc = Encoding::negotiate(offered.as_deref());
        self.caps = ClientCaps {
            pull: caps
                .pointer("/textDocument/diagnostic")
                .is_some_and(Value::is_object),
            refresh: flag("/workspace/diagnostics/refreshSupport"),
            watch_dynamic: flag("/workspace/didChangeWatchedFiles/dynamicRegistration"),
            relative_patterns: flag("/workspace/didChangeWatchedFiles/relativePatternSupport"),
            configuration: flag("/workspace/configuration"),
            markdown: caps
                .pointer("/textDocument/hover/contentFormat")
                .and_then(Value::as_array)
                .is_none_or(|f| f.iter().any(|k| k == "markdown")),
        };
        self.mode = if self.caps.pull {
            Mode::Undecided(None)
        } else {
            Mode::Push
        };
        self.root = params
            .pointer("/workspaceFolders/0/uri")
            .or_else(|| params.get("rootUri"))
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<Uri>().ok())
            .and_then(|u| uri::to_path(&u))
            .or_else(|| {
                params
                    .get("rootPath")
                    .and_then(Value::as_str)
                    .map(PathBuf::from)
            });
        if let Some(opts) = params.get("initializationOptions") {
            let mut problems = Vec::new();
            self.init_settings = ClientSettings::from_json(opts, &mut problems);
            self.report_setting_problems(problems);
            self.explain_view = ["/explainView", "/vblint/explainView"]
                .iter()
                .any(|p| opts.pointer(p).and_then(Value::as_bool) == Some(true));
        }
        self.lifecycle = Lifecycle::Running;
        self.reload_dismissed();
        self.rebuild();
        let mut capabilities = json!({
            "positionEncoding": self.enc.kind(),
            "textDocumentSync": {
                "openClose": true,
                "change": lsp_types::TextDocumentSyncKind::INCREMENTAL,
                "save": { "includeText": false },
            },
            "hoverProvider": true,
            "codeActionProvider": true,
            "executeCommandProvider": { "commands": [DISABLE_COMMAND, EXPLAIN_COMMAND, IGNORE_COMMAND] },
        });
        if self.caps.pull {
            capabilities["diagnosticProvider"] = json!({
                "identifier": "vblint",
                "interFileDependencies": false,
                "workspaceDiagnostics": false,
            });
        }
        Ok(Reply::Json(json!({
            "capabilities": capabilities,
            "serverInfo": { "name": "vblint", "version": env!("CARGO_PKG_VERSION") },
        })))
    }

    /// Registers file watchers and asks for the workspace's settings.
    pub(crate) fn initialized(&mut self) {
        // Start-up is news, not a problem: it goes to the editor's log, not
        // stderr (which clients show as errors).
        let started = format!(
            "vblint lsp {}: initialized (positions in {}, diagnostics {}, workspace {})",
            env!("CARGO_PKG_VERSION"),
            self.enc.kind().as_str(),
            if self.caps.pull { "pulled" } else { "pushed" },
            self.root
                .as_ref()
                .map_or_else(|| "none".into(), |r| r.display().to_string())
        );
        self.notify::<lsp_types::notification::LogMessage>(lsp_types::LogMessageParams {
            typ: MessageType::INFO,
            message: started,
        });
        self.register_watchers();
        self.ask_configuration();
    }

    /// From now on, every request but `exit` gets an error.
    pub(crate) fn shutdown(&mut self) -> Handled {
        self.lifecycle = Lifecycle::ShutDown;
        Ok(Reply::Json(Value::Null))
    }
}

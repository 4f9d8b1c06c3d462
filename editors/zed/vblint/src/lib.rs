//! Zed extension for vblint: tells Zed how to start `vblint lsp` and passes the user's settings.
//!
//! The server is found from the `lsp.vblint.binary` settings, else as `vblint` on the PATH
//! of the opened folder. It is never downloaded.

use zed_extension_api::{self as zed, serde_json, settings::LspSettings};

const SERVER: &str = "vblint";

struct VblintExtension;

impl zed::Extension for VblintExtension {
    fn new() -> Self {
        VblintExtension
    }

    fn language_server_command(
        &mut self,
        _language_server_id: &zed::LanguageServerId,
        worktree: &zed::Worktree,
    ) -> zed::Result<zed::Command> {
        let binary = LspSettings::for_worktree(SERVER, worktree)
            .ok()
            .and_then(|settings| settings.binary);
        let args = binary
            .as_ref()
            .and_then(|binary| binary.arguments.clone())
            .unwrap_or_else(|| vec!["lsp".to_string()]);
        let command = binary
            .and_then(|binary| binary.path)
            .or_else(|| worktree.which(SERVER))
            .ok_or_else(|| {
                "vblint was not found. Install it, or set \"lsp\": { \"vblint\": { \"binary\": \
                 { \"path\": \"/full/path/to/vblint\" } } } in Zed's settings"
                    .to_string()
            })?;
        Ok(zed::Command {
            command,
            args,
            env: Vec::new(),
        })
    }

    fn language_server_initialization_options(
        &mut self,
        _language_server_id: &zed::LanguageServerId,
        worktree: &zed::Worktree,
    ) -> zed::Result<Option<serde_json::Value>> {
        Ok(LspSettings::for_worktree(SERVER, worktree)
            .ok()
            .and_then(|settings| settings.initialization_options))
    }

    fn language_server_workspace_configuration(
        &mut self,
        _language_server_id: &zed::LanguageServerId,
        worktree: &zed::Worktree,
    ) -> zed::Result<Option<serde_json::Value>> {
        // Sent as {"vblint": {...}}, the same shape as the other editors' didChangeConfiguration.
        Ok(LspSettings::for_worktree(SERVER, worktree)
            .ok()
            .and_then(|settings| settings.settings)
            .map(|settings| serde_json::json!({ SERVER: settings })))
    }
}

zed::register_extension!(VblintExtension);

//! `textDocument/diagnostic`: diagnostics pulled by the client.

use lsp_types::DocumentDiagnosticParams;

use crate::lsp::dispatch::{Handled, Reply, error};
use crate::lsp::server::{Mode, Server};

impl Server {
    /// A full report for one document (empty if it is not open). The first
    /// pull switches the server to pull mode for good.
    pub(crate) fn pull_diagnostics(&mut self, p: DocumentDiagnosticParams) -> Handled {
        if self.mode == Mode::Push && self.caps.pull {
            // Pushed diagnostics would now show twice: clear them.
            for key in self.docs.keys() {
                self.publish(key, None, "[]");
            }
        }
        self.mode = Mode::Pull;
        let key = p.text_document.uri.as_str();
        let mut result = br#"{"kind":"full","items":"#.to_vec();
        if !self.diagnostics_json(key, &mut result) {
            eprintln!("vblint lsp: diagnostics asked for {key}, which is not open");
            result.extend_from_slice(b"[]");
        }
        result.push(b'}');
        String::from_utf8(result)
            .map(Reply::RawResult)
            .map_err(|e| error(lsp_server::ErrorCode::InternalError, e.to_string()))
    }
}

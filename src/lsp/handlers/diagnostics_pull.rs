//! `textDocument/diagnostic`: diagnostics pulled by the client.

use lsp_types::DocumentDiagnosticParams;

use crate::lsp::dispatch::{Handled, Reply};
use crate::lsp::server::{Mode, Server};

impl Server {
    /// A full report for one document (empty if it is not open). The first
    /// pull switches the server to pull mode for good.
    pub(crate) fn pull_diagnostics(&mut self, p: DocumentDiagnosticParams) -> Handled {
        if self.mode == Mode::Push && self.caps.pull {
            // Pushed diagnostics would now show twice: clear them.
            for key in self.docs.keys() {
                self.publish(key, None, vec![b"[]".to_vec()]);
            }
        }
        self.mode = Mode::Pull;
        let key = p.text_document.uri.as_str();
        let items = self.diagnostics_pieces(key).unwrap_or_else(|| {
            eprintln!("vblint lsp: diagnostics asked for {key}, which is not open");
            vec![b"[]".to_vec()]
        });
        let mut result = Vec::with_capacity(items.len() + 2);
        result.push(br#"{"kind":"full","items":"#.to_vec());
        result.extend(items);
        result.push(b"}".to_vec());
        Ok(Reply::RawResult(result))
    }
}

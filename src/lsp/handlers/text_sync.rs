//! Document synchronisation: `textDocument/didOpen`, `didChange`,
//! `didClose` and `didSave`. Edits are applied here; checking and
//! publishing happen when the inbox is empty ([`Server::flush`]).

use lsp_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams,
};

use crate::lsp::document::{Document, Kind};
use crate::lsp::server::{Mode, Server};

impl Server {
    pub(crate) fn did_open(&mut self, p: DidOpenTextDocumentParams) {
        let td = p.text_document;
        let doc = Document::new(td.uri, td.language_id, td.version, td.text);
        self.start_pull_grace();
        self.docs.insert(doc.uri.as_str().to_string(), doc);
    }

    pub(crate) fn did_change(&mut self, p: DidChangeTextDocumentParams) {
        let enc = self.enc;
        let Some(doc) = self.docs.get_mut(p.text_document.uri.as_str()) else {
            eprintln!(
                "vblint lsp: didChange for {}, which is not open; ignored",
                p.text_document.uri.as_str()
            );
            return;
        };
        doc.apply(p.content_changes, enc);
        doc.version = p.text_document.version;
    }

    pub(crate) fn did_close(&mut self, p: DidCloseTextDocumentParams) {
        if self.docs.remove(p.text_document.uri.as_str()).is_some() && self.mode == Mode::Push {
            self.publish(p.text_document.uri.as_str(), None, "[]");
        }
    }

    pub(crate) fn did_save(&mut self, p: DidSaveTextDocumentParams) {
        // Without file watchers, saving a configuration or lexicon file is
        // how changes reach the scanner.
        let kind = self.docs.get(p.text_document.uri.as_str()).map(|d| d.kind);
        if !self.caps.watch_dynamic && matches!(kind, Some(Kind::Config | Kind::Lexicon)) {
            if kind == Some(Kind::Config) {
                self.session_disabled.clear();
            }
            self.rebuild();
        }
    }
}

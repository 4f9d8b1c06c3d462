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
            self.publish(p.text_document.uri.as_str(), None, vec![b"[]".to_vec()]);
        }
    }

    pub(crate) fn did_save(&mut self, p: DidSaveTextDocumentParams) {
        // Without file watchers, saving a configuration or lexicon file (or
        // the dismissed findings) is how changes reach the server.
        if self.caps.watch_dynamic {
            return;
        }
        let doc = self.docs.get(p.text_document.uri.as_str());
        let path = doc.and_then(|d| d.path.as_deref());
        if path.is_some() && path == self.dismissed_path().as_deref() {
            self.reload_dismissed();
            return;
        }
        let kind = doc.map(|d| d.kind);
        if matches!(kind, Some(Kind::Config | Kind::Lexicon)) {
            if kind == Some(Kind::Config) {
                self.session_disabled.clear();
            }
            self.rebuild();
        }
    }
}

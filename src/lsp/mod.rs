//! The language server (`vblint lsp`).

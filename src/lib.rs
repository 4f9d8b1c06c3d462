//! vblint: finds victim-blaming language in writing about children.
//!
//! The library never prints. It loads a [`lexicon::Lexicon`], compiles it into
//! a [`scan::Scanner`], and turns text into [`scan::Finding`]s whose spans are
//! byte ranges of the original text. The binary (`src/main.rs`) and the
//! language server build on it.

pub mod atomic;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod dismissed;
pub mod fix;
pub mod input;
pub mod lexicon;
pub mod lsp;
pub mod report;
pub mod scan;
pub mod text;

//! vblint's scanner, with no I/O: every door of vblint (the command line,
//! the language server, the browser, Python) embeds this crate.
//!
//! A [`lexicon::Lexicon`] is loaded from TOML text (the built-in lexicon is
//! compiled in) and compiled into a [`scan::Scanner`], which turns text into
//! [`scan::Finding`]s whose spans are byte ranges of the original text.
//! [`fix`] plans replacements, [`validate`] checks a lexicon against its own
//! examples, and [`diagnostic`] reports problems in lexicon files by file,
//! line and column.
//!
//! The crate reads no files, starts no threads and makes no system calls, so
//! it builds for `wasm32-unknown-unknown`. A caller with threads scans a large
//! text in [`scan::Pieces`].

pub mod diagnostic;
pub mod fix;
pub mod lexicon;
pub mod located;
pub mod scan;
pub mod text;
pub mod validate;

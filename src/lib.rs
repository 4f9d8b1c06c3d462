//! vblint: finds victim-blaming language in writing about children.
//!
//! The scanner lives in the `vblint-core` crate, which does no I/O; its
//! modules are re-exported here. This crate holds the doors: the command
//! line ([`cli`]), inputs ([`input`]), reports ([`report`]) and the language
//! server ([`lsp`]). The library never prints; the binary (`src/main.rs`)
//! does.

pub use vblint_core::{diagnostic, fix, lexicon, scan, text, validate};

pub mod atomic;
pub mod cli;
pub mod config;
pub mod dismissed;
pub mod input;
pub mod lexicon_io;
pub mod lsp;
pub mod parallel;
pub mod report;

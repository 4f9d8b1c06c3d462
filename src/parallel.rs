//! Scanning one large text on every core, with rayon: the core cuts the
//! text into pieces ([`Scanner::pieces`]) and this module hands them to the
//! thread pool.

use std::cell::RefCell;

use rayon::prelude::*;

use crate::scan::{Finding, Scanner};
use crate::text::Normalized;

/// Scans `text` and appends its findings to `out`, in order: the same
/// findings as [`Scanner::scan_into`], on as many threads as the text has
/// pieces (a text under 2 MB is scanned on the calling thread).
pub fn scan(scanner: &Scanner, text: &str, out: &mut Vec<Finding>) {
    let Some(pieces) = scanner.pieces(text) else {
        // One normalisation buffer per thread, reused from file to file.
        thread_local! {
            static NORM: RefCell<Normalized> = RefCell::default();
        }
        NORM.with_borrow_mut(|norm| scanner.scan_into(text, norm, out));
        return;
    };
    let results: Vec<_> = (0..pieces.len())
        .into_par_iter()
        .map_init(Normalized::default, |norm, i| pieces.scan(i, norm))
        .collect();
    pieces.finish(results, out);
}

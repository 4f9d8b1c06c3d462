//! Inputs from fuzzing (see FUZZING.md) and the hand-made seeds in
//! `fuzz/seeds/`, checked against the same invariants as the fuzz targets:
//! lexicon loading never panics; finding spans are in bounds, non-empty, on
//! char boundaries and normalise to a variant; fixing is idempotent.
//!
//! Every crash the fuzzers find is added to `CASES` (none so far).

use std::path::Path;
use std::sync::Arc;

use vblint::diagnostic::SourceFile;
use vblint::lexicon::LexiconBuilder;
use vblint::scan::{Scanner, Settings};
use vblint::text::normalize_phrase;

const LEXICON: &str = include_str!("fixtures/fix/lexicon/fix.toml");

/// Texts that once broke, or nearly broke, an invariant.
const CASES: &[&str] = &[
    "",
    "\u{AD}",
    "\u{FEFF}child prostitute",
    "child\u{AD} prostitute",
    "child-\nprostitute",
    "CHILD\u{A0}PROSTITUTE\r\n",
    "“child prostitute",
    "'child prostitute'",
    "putting her-\n  self at risk",
    "e\u{301}child prostitute",
];

fn scanner() -> Scanner {
    let mut b = LexiconBuilder::new();
    b.add_source(SourceFile::new("fix.toml", LEXICON));
    Scanner::new(Arc::new(b.build().unwrap()), Settings::default()).unwrap()
}

fn check_text(scanner: &Scanner, text: &str) {
    for f in scanner.scan(text) {
        assert!(
            f.span.start < f.span.end && f.span.end <= text.len(),
            "{text:?}"
        );
        assert!(text.is_char_boundary(f.span.start) && text.is_char_boundary(f.span.end));
        let entry = scanner.lexicon().get(f.entry);
        let matched = normalize_phrase(&text[f.span.clone()]);
        assert!(
            entry.terms.iter().any(|t| t.variants.contains(&matched)),
            "{text:?}: {matched:?}"
        );
    }
    let fixed = vblint::fix::fix_text(scanner, text).unwrap();
    let again = vblint::fix::fix_text(scanner, &fixed.text).unwrap();
    assert!(again.edits.is_empty(), "{text:?}");
}

#[test]
fn regression_cases() {
    let s = scanner();
    for text in CASES {
        check_text(&s, text);
    }
}

#[test]
fn seeds() {
    let s = scanner();
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    for sub in ["scan", "lexicon"] {
        let Ok(dir) = std::fs::read_dir(seeds.join(sub)) else {
            continue;
        };
        for entry in dir {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let Ok(text) = String::from_utf8(bytes) else {
                continue;
            };
            if sub == "scan" {
                check_text(&s, &text);
            } else {
                let mut b = LexiconBuilder::new();
                b.add_source(SourceFile::new("seed.toml", text));
                let _ = b.build();
            }
        }
    }
}

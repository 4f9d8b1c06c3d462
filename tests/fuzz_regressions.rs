//! Inputs from fuzzing (see FUZZING.md) and the hand-made seeds in
//! `fuzz/seeds/`, checked against the same invariants as the fuzz targets:
//! lexicon loading never panics; finding spans are in bounds, non-empty, on
//! char boundaries and normalise to a variant; fixing is idempotent; the
//! language server answers any byte stream with well-framed JSON-RPC.
//!
//! Every crash the fuzzers find is added here: texts to `CASES`, input
//! files to `input_files_that_once_crashed`.

use std::path::Path;
use std::sync::Arc;

use vblint::diagnostic::SourceFile;
use vblint::lexicon::{LexiconBuilder, PLACEHOLDER_RULE, placeholder};
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
    // The scan target's first run: a placeholder with a space inside its
    // brackets is flagged by the placeholder rule (the target's check had
    // not been taught that rule).
    "\0\0 [ ]r[ ]rostiYostiY\0 ]r=phsldl [ ]rosldl [ ]\u{1}\0\0\0\0\0\0\u{2}r [ ]l [ ]borphsldl [ adult]rorot\u{1}\0\0\0",
    "the [ Name The Adult ] said",
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
        let span = &text[f.span.clone()];
        if entry.id == PLACEHOLDER_RULE {
            // A placeholder left in the text: in brackets, with the words
            // of one of the lexicon's placeholders inside.
            assert!(span.starts_with('[') && span.ends_with(']'), "{span:?}");
            let key = placeholder::key(span);
            assert!(
                scanner.lexicon().placeholders.contains(&key),
                "{span:?} is not one of the lexicon's placeholders"
            );
            continue;
        }
        let matched = normalize_phrase(span);
        assert!(
            entry.terms.iter().any(|t| t.variants().contains(&matched)),
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
        let dir = std::fs::read_dir(seeds.join(sub))
            .unwrap_or_else(|e| panic!("the seeds folder fuzz/seeds/{sub} is missing: {e}"));
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

/// A writer the language server can own while the test reads it.
#[derive(Clone, Default)]
struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The `lsp_bytes` seeds (minus their flag byte) as the server's stdin:
/// it returns, and every frame it writes is JSON-RPC 2.0.
#[test]
fn lsp_seeds() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/lsp_bytes");
    let dir = std::fs::read_dir(seeds)
        .unwrap_or_else(|e| panic!("the seeds folder fuzz/seeds/lsp_bytes is missing: {e}"));
    for entry in dir {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let out = Shared::default();
        let input = std::io::Cursor::new(bytes.get(1..).unwrap_or_default().to_vec());
        let _ = vblint::lsp::run_with(input, out.clone());
        let out = out.0.lock().unwrap();
        let mut text = std::str::from_utf8(&out).unwrap();
        while let Some(rest) = text.strip_prefix("Content-Length: ") {
            let (n, rest) = rest.split_once("\r\n\r\n").unwrap();
            let n: usize = n.parse().unwrap();
            let v: serde_json::Value = serde_json::from_str(&rest[..n]).unwrap();
            assert_eq!(v["jsonrpc"], "2.0");
            text = &rest[n..];
        }
        assert!(text.is_empty(), "trailing output: {text:?}");
    }
}

/// Input files the `html` fuzz target found crashing `vblint check`, read
/// through the CLI as a user would: each is scanned (exit 0 or 1), never a
/// panic (exit 101).
#[test]
fn input_files_that_once_crashed() {
    let cases: &[(&str, &[u8])] = &[
        // A tag cut off by the end of the file, on a character of two bytes
        // (the tag's end was taken one byte before the end).
        (
            "cut-off-tag.html",
            b"-><html><heP\xff\xff\xffstyleE>p{}</style\x8f></@head><body\x87\x92\x93\xc1",
        ),
        ("cut-off-tag-utf8.html", "<p>risk</p><b\u{e9}".as_bytes()),
        ("lone-open.html", "<\u{e9}".as_bytes()),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in cases {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_vblint"))
            .current_dir(dir.path())
            .args(["check", "--no-config", "--format", "concise", name])
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{name}: {:?}\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

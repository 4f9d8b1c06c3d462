//! Property tests: for arbitrary Unicode text mixed with lexicon phrases and
//! their typographic variants, every finding's span lies on character
//! boundaries of the original text, and the original text under it
//! normalises back to one of its entry's phrases.

use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use vblint::lexicon::Lexicon;
use vblint::scan::{Scanner, Settings};
use vblint::text::normalize_phrase;

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| Scanner::new(Arc::new(Lexicon::builtin()), Settings::default()).unwrap())
}

/// Pieces that exercise normalisation: phrases with curly apostrophes,
/// Unicode hyphens, NBSP, CRLF, line-end hyphenation, quotes, emoji.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("putting herself at risk".to_string()),
        Just("PUTTING HER-\nSELF AT RISK".to_string()),
        Just("putting\u{A0}herself  at\r\nrisk".to_string()),
        Just("put her\u{AD}self at risk".to_string()),
        Just("risk\u{2010}taking behaviour".to_string()),
        Just("consented".to_string()),
        Just("harm\u{2019}s way".to_string()),
        Just("“".to_string()),
        Just("”".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just(" ".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\n\n".to_string()),
        Just("-\n".to_string()),
        Just("👩\u{200D}👧".to_string()),
        Just("e\u{301}".to_string()),
        any::<char>().prop_map(String::from),
        "[a-zA-Z ]{0,8}",
    ]
}

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..40).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn spans_map_back_to_their_text(text in document()) {
        let scanner = scanner();
        let lexicon = scanner.lexicon();
        let mut last_end = 0;
        for f in scanner.scan(&text) {
            prop_assert!(f.span.start < f.span.end && f.span.end <= text.len());
            prop_assert!(text.is_char_boundary(f.span.start) && text.is_char_boundary(f.span.end));
            prop_assert!(f.span.start >= last_end, "findings overlap or are out of order");
            last_end = f.span.end;
            let written = &text[f.span.clone()];
            let entry = lexicon.get(f.entry);
            let normalized = normalize_phrase(written);
            let known = entry.terms.iter().flat_map(|t| &t.variants).any(|v| *v == normalized);
            prop_assert!(known, "{:?} (normalised {:?}) is not a phrase of {}", written, normalized, entry.id);
        }
    }
}

//! Arbitrary UTF-8: every finding's span is in bounds, non-empty, on char
//! boundaries, in order, and its text normalises to a variant of its entry.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vblint::lexicon::{PLACEHOLDER_RULE, placeholder};
use vblint::text::normalize_phrase;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let scanner = common::scanner();
    let mut last_end = 0;
    for f in scanner.scan(text) {
        assert!(f.span.start < f.span.end, "empty span {:?}", f.span);
        assert!(f.span.end <= text.len(), "span out of bounds");
        assert!(text.is_char_boundary(f.span.start) && text.is_char_boundary(f.span.end));
        assert!(
            f.span.start >= last_end,
            "findings overlap or are out of order"
        );
        last_end = f.span.end;
        let entry = scanner.lexicon().get(f.entry);
        let span = &text[f.span.clone()];
        if entry.id == PLACEHOLDER_RULE {
            // A placeholder left in the text: in brackets, with the words
            // of one of the lexicon's placeholders inside (spaces and case
            // aside).
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
            "span text {:?} (normalised {matched:?}) is not a variant of {}",
            &text[f.span.clone()],
            entry.id
        );
    }
});

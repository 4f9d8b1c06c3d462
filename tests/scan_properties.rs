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
            let known = entry.terms.iter().flat_map(|t| t.variants()).any(|v| *v == normalized);
            prop_assert!(known, "{:?} (normalised {:?}) is not a phrase of {}", written, normalized, entry.id);
        }
    }
}

/// Paragraphs of case notes with findings, quotations and guard words.
fn paragraph() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("She is putting herself at risk by going to the address.".to_string()),
        Just("Her boyfriend (32) collected her; she did not consent.".to_string()),
        Just("He said \"she consented\" when interviewed.".to_string()),
        Just("The YP was sexually active and is engaging in risk-taking behaviour.".to_string()),
        Just("Mum's boyfriend was present.".to_string()),
        Just("Nothing of note.".to_string()),
        // A guard word at the end of one paragraph and a term at the start
        // of the next: guards reach across paragraph breaks.
        Just("She did not".to_string()),
        Just("consent".to_string()),
        "[a-z ]{0,40}".prop_map(String::from),
    ]
}

fn edited_document() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(
            (
                paragraph(),
                prop_oneof![Just("\n"), Just("\n\n"), Just(" "), Just("\r\n\r\n")],
            ),
            0..40,
        ),
        0usize..3000,
    )
        .prop_map(|(parts, pad)| {
            // Some documents get a long first paragraph, so edits land both
            // inside and beyond the header.
            let mut s = "x ".repeat(pad / 2);
            for (p, sep) in parts {
                s.push_str(&p);
                s.push_str(sep);
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Rescanning only the paragraphs near a series of edits gives exactly
    /// the findings of a full scan of the edited text.
    #[test]
    fn rescan_after_edits_equals_full_scan(
        text in edited_document(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..12, paragraph()), 1..4),
    ) {
        let s = scanner();
        let mut text = text;
        let mut norm = vblint::text::Normalized::default();
        let mut findings = s.scan(&text);
        let mut changed: Option<std::ops::Range<usize>> = None;
        for (at, len, insert) in edits {
            let mut start = at.index(text.len() + 1);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + len).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            text.replace_range(start..end, &insert);
            vblint::scan::shift_findings(&mut findings, start..end, insert.len());
            let delta = insert.len() as isize - (end - start) as isize;
            let moved = |p: usize| if p >= end { (p as isize + delta) as usize } else { p.min(start + insert.len()) };
            changed = Some(match changed {
                None => start..start + insert.len(),
                Some(c) => moved(c.start).min(start)..moved(c.end).max(start + insert.len()),
            });
        }
        s.rescan(&text, changed.unwrap(), &mut norm, &mut findings);
        prop_assert_eq!(findings, s.scan(&text));
    }
}

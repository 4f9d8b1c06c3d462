//! Arbitrary UTF-8: fixing is idempotent, never edits a quoted finding or
//! applies a placeholder, and keeps the text outside the edits.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let scanner = common::scanner();
    let findings = scanner.scan(text);
    let edits = vblint::fix::plan(scanner, text);
    for e in &edits {
        let f = findings
            .iter()
            .find(|f| e.span.start <= f.span.start && f.span.end <= e.span.end)
            .expect("every edit covers a finding");
        assert!(!f.quoted, "a quoted finding was edited");
        assert!(!e.replacement.contains('['), "a placeholder was applied");
    }
    // Outside the edits, the text is unchanged.
    let once = vblint::fix::apply(text, &edits);
    let mut at_old = 0;
    let mut at_new = 0;
    for e in &edits {
        let keep = &text[at_old..e.span.start];
        assert_eq!(&once[at_new..at_new + keep.len()], keep);
        at_new += keep.len() + e.replacement.len();
        at_old = e.span.end;
    }
    assert_eq!(&once[at_new..], &text[at_old..]);
    // Idempotent.
    if let Ok(fixed) = vblint::fix::fix_text(scanner, text) {
        let again = vblint::fix::fix_text(scanner, &fixed.text).expect("fixed text converges");
        assert!(
            again.edits.is_empty(),
            "fixing twice changed the text again"
        );
        assert_eq!(again.text, fixed.text);
    }
});

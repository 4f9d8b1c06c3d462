//! Property tests: the normalisation offset map and fix application.

use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use vblint::diagnostic::SourceFile;
use vblint::lexicon::LexiconBuilder;
use vblint::scan::{Scanner, Settings};
use vblint::text::{Normalized, normalize_phrase};

const LEXICON: &str = r#"
[sets]
self = ["herself", "himself", "her self"]

[[entry]]
id = "put-self-at-risk"
category = "responsibility"
terms = ["put|putting {self} [serious] at risk"]
alternatives = ["is placed at risk"]
fix = "safe"
why = "x"
sources = ["x"]
examples = ["She is putting herself at risk."]

[[entry]]
id = "risk-taking"
category = "responsibility"
terms = ["risk-taking [behaviour]"]
alternatives = ["exposure to harm"]
fix = "safe"
why = "x"
sources = ["x"]
examples = ["risk-taking behaviour"]

[[entry]]
id = "child-prostitute"
category = "transactional"
terms = ["child prostitute", "mum's boyfriend's girl"]
alternatives = ["child victim of sexual exploitation"]
fix = "safe"
why = "x"
sources = ["x"]
examples = ["a child prostitute"]

[[entry]]
id = "boyfriend"
category = "abuser-as-partner"
terms = ["boyfriend"]
alternatives = ["the [adult]"]
fix = "safe"
why = "x"
sources = ["x"]
examples = ["Her boyfriend collected her."]

[[entry]]
id = "consent"
category = "consent-choice"
terms = ["consented"]
alternatives = ["was abused"]
fix = "safe"
why = "x"
sources = ["x"]
examples = ["She consented."]

# Replacements that reach beyond the term, delete it, or follow its pronoun.
[[entry.replace]]
match = "consented"
with = ""

[[entry.replace]]
match = "child consented at"
with = "child was abused at"

[[entry.replace]]
match = "at herself|himself consented"
with = "at {them}"
"#;

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        let mut b = LexiconBuilder::new();
        b.add_source(SourceFile::new("p.toml", LEXICON));
        Scanner::new(Arc::new(b.build().unwrap()), Settings::default()).unwrap()
    })
}

/// Text made of the pieces that stress normalisation: terms, typographic
/// variants, line breaks, quotes, hyphens, soft hyphens, emoji and
/// combining marks.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("put".to_string()),
        Just("putting".to_string()),
        Just("herself".to_string()),
        Just("her".to_string()),
        Just("self".to_string()),
        Just("at".to_string()),
        Just("risk".to_string()),
        Just("serious".to_string()),
        Just("taking".to_string()),
        Just("behaviour".to_string()),
        Just("child".to_string()),
        Just("PROSTITUTE".to_string()),
        Just("Child".to_string()),
        Just("boyfriend".to_string()),
        Just("mum".to_string()),
        Just("consented".to_string()),
        Just("himself".to_string()),
        Just(" ".to_string()),
        Just("  ".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\n\n".to_string()),
        Just("\u{A0}".to_string()),
        Just("\t".to_string()),
        Just("-".to_string()),
        Just("-\n".to_string()),
        Just("\u{2010}".to_string()),
        Just("\u{2014}".to_string()),
        Just("\u{AD}".to_string()),
        Just("\u{200B}".to_string()),
        Just("\u{FEFF}".to_string()),
        Just("'".to_string()),
        Just("’".to_string()),
        Just("\"".to_string()),
        Just("“".to_string()),
        Just("”".to_string()),
        Just("'s".to_string()),
        Just(".".to_string()),
        Just("é".to_string()),
        Just("e\u{301}".to_string()),
        Just("👩‍👧".to_string()),
        Just("\u{2028}".to_string()),
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

/// Long texts that are mostly plain, so that normalisation copies whole
/// blocks, with now and then a character that stops a block.
fn mostly_plain() -> impl Strategy<Value = String> {
    let plain = prop_oneof![
        Just("at"),
        Just("risk"),
        Just("putting"),
        Just("herself"),
        Just("self-harm"),
        Just("(32),"),
        Just(" "),
        Just(" "),
        Just("\n"),
    ];
    let odd = prop_oneof![
        Just("  "),
        Just("\n\n"),
        Just("-\n"),
        Just("-"),
        Just(" -"),
        Just("- "),
        Just("`"),
        Just("\t"),
        Just("\r\n"),
        Just("\u{A0}"),
        Just("’"),
        Just("é"),
        Just("\u{AD}"),
    ];
    let piece = prop_oneof![12 => plain, 1 => odd];
    prop::collection::vec(piece, 0..160).prop_map(|v| v.concat())
}

proptest! {
    // Each case normalises its text at 64 alignments.
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn normalising_does_not_depend_on_where_blocks_fall(s in mostly_plain()) {
        // Plain letters in front only shift the text, and the blocks.
        let base = Normalized::new(&format!("x{s}"));
        for k in 1..64 {
            let pad = "x".repeat(k);
            let shifted = Normalized::new(&format!("{pad}x{s}"));
            prop_assert_eq!(shifted.as_str(), format!("{pad}{}", base.as_str()), "shifted by {}", k);
            for i in 0..=base.as_str().len() {
                prop_assert_eq!(shifted.to_original(i + k), base.to_original(i) + k);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn to_original_is_monotonic_and_keeps_char_boundaries(s in text()) {
        let n = Normalized::new(&s);
        let norm = n.as_str();
        let mut last = 0;
        for i in 0..=norm.len() {
            let o = n.to_original(i);
            prop_assert!(o <= s.len());
            prop_assert!(o >= last, "not monotonic at {i}: {o} < {last}");
            last = o;
            if norm.is_char_boundary(i) {
                prop_assert!(s.is_char_boundary(o), "{i} -> {o} not a char boundary");
            }
        }
        // The end maps to the end, or before dropped trailing characters.
        prop_assert!(n.to_original(norm.len()) <= s.len());
    }

    #[test]
    fn finding_spans_normalise_back_to_a_variant(s in text()) {
        let scanner = scanner();
        let mut last_end = 0;
        for f in scanner.scan(&s) {
            prop_assert!(f.span.start < f.span.end && f.span.end <= s.len());
            prop_assert!(s.is_char_boundary(f.span.start) && s.is_char_boundary(f.span.end));
            prop_assert!(f.span.start >= last_end);
            last_end = f.span.end;
            let entry = scanner.lexicon().get(f.entry);
            let matched = normalize_phrase(&s[f.span.clone()]);
            prop_assert!(
                entry.terms.iter().any(|t| t.variants().contains(&matched)),
                "{:?} normalises to {:?}, not a variant of {}", &s[f.span.clone()], matched, entry.id
            );
        }
    }

    #[test]
    fn fixing_is_idempotent_and_keeps_the_rest(s in text()) {
        let scanner = scanner();
        let findings = scanner.scan(&s);
        let edits = vblint::fix::plan(scanner, &s);
        // Quoted findings and placeholders are never edited; an edit covers
        // its finding and may reach beyond it.
        for e in &edits {
            let f = findings
                .iter()
                .find(|f| e.span.start <= f.span.start && f.span.end <= e.span.end)
                .unwrap();
            prop_assert!(!f.quoted);
            prop_assert!(!e.replacement.contains('['));
            prop_assert!(!s[e.span.clone()].contains('\n'));
        }
        // Text outside the edits is unchanged, in order.
        let once = vblint::fix::apply(&s, &edits);
        let (mut old, mut new) = (0, 0);
        for e in &edits {
            let keep = &s[old..e.span.start];
            prop_assert_eq!(&once[new..new + keep.len()], keep);
            prop_assert_eq!(&once[new + keep.len()..new + keep.len() + e.replacement.len()], e.replacement.as_str());
            new += keep.len() + e.replacement.len();
            old = e.span.end;
        }
        prop_assert_eq!(&once[new..], &s[old..]);
        // Fixing the fixed text changes nothing.
        let fixed = vblint::fix::fix_text(scanner, &s).unwrap();
        let again = vblint::fix::fix_text(scanner, &fixed.text).unwrap();
        prop_assert!(again.edits.is_empty());
        prop_assert_eq!(again.text, fixed.text);
    }

    #[test]
    fn match_case_follows_the_original(word in "[a-zA-Z ]{1,20}", alt in "[a-z ]{1,20}") {
        let out = vblint::fix::match_case(&word, &alt);
        prop_assert_eq!(out.to_lowercase(), alt.to_lowercase());
        match vblint::fix::case_of(&word) {
            vblint::fix::Case::Upper => prop_assert_eq!(out, alt.to_uppercase()),
            vblint::fix::Case::Lower => prop_assert_eq!(out, alt),
            vblint::fix::Case::Capitalised => {
                let first = alt.chars().find(|c| c.is_alphabetic());
                let out_first = out.chars().find(|c| c.is_alphabetic());
                prop_assert_eq!(out_first, first.map(|c| c.to_ascii_uppercase()));
            }
        }
    }
}

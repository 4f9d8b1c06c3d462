//! Every quick fix of the built-in lexicon reads right: applied to each
//! example of its entry, to each `before` of its fixes, and to each sentence
//! of `editors/fixtures/quickfix-sentences.txt`, the preferred fix (and
//! every other one offered) removes the finding, doubles no word ("is is",
//! "keeps is", "as is"), brings in no pronoun of the other sex than the
//! matched one, keeps ALL CAPS, and writes nothing into a quotation or over
//! reported wording.
//!
//! `VBLINT_SHOW_FIXES=1 cargo test -p vblint-core --test quickfix -- --nocapture`
//! prints every sentence with its fixes.

use std::sync::{Arc, OnceLock};

use vblint_core::fix::{Edit, apply, drop_ins};
use vblint_core::lexicon::{Category, Lexicon, Severity};
use vblint_core::scan::{Finding, Scanner, Settings};
use vblint_core::text::words;

const SENTENCES: &str = include_str!("../../../editors/fixtures/quickfix-sentences.txt");

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| Scanner::new(Arc::new(Lexicon::builtin()), Settings::default()).unwrap())
}

/// Words that, followed by a finite verb, show a replacement written over
/// the wrong words: a verb or article left before the replacement's own
/// verb ("keeps is", "as is", "a has been").
const LEFT_BEFORE: &[&str] = &[
    "is", "was", "are", "were", "am", "be", "been", "being", "keeps", "keep", "kept", "as", "a",
    "an", "the", "very", "so", "too", "has", "have", "had",
];
const FINITE: &[&[&str]] = &[
    &["is"],
    &["are"],
    &["was"],
    &["were"],
    &["am"],
    &["has", "been"],
    &["have", "been"],
];
const ARTICLES: &[&str] = &["a", "an", "the"];

fn lower_words(s: &str) -> Vec<String> {
    words(s).map(|(_, w)| w.to_lowercase()).collect()
}

/// Whether "a" (or "an") fits before `word`, by its first letter.
fn article_fits(article: &str, word: &str) -> bool {
    let vowel = word.starts_with(['a', 'e', 'i', 'o']) || word.starts_with("un");
    let either = word.starts_with(['h', 'u']) || word.chars().all(|c| c.is_ascii_digit());
    either || (article == "an") == vowel
}

/// Word pairs of `after` that read wrong and were not in `before`: a word
/// twice ("is is"), a finite verb after a verb or article ("keeps is"), two
/// articles ("a the"), "a" before a vowel or "an" before a consonant.
fn doubled(before: &str, after: &str) -> Vec<String> {
    let pairs = |s: &str| {
        let w = lower_words(s);
        let mut out = Vec::new();
        for i in 0..w.len() {
            let next = w.get(i + 1).map(String::as_str);
            if next == Some(w[i].as_str()) && w[i] != "had" && w[i] != "that" {
                out.push(format!("{} {}", w[i], w[i]));
            }
            if LEFT_BEFORE.contains(&w[i].as_str()) {
                for again in FINITE {
                    if w.len() > i + again.len()
                        && again.iter().zip(&w[i + 1..]).all(|(a, b)| a == b)
                    {
                        out.push(format!("{} {}", w[i], again.join(" ")));
                    }
                }
            }
            if let Some(next) = next {
                if ARTICLES.contains(&w[i].as_str()) && ARTICLES.contains(&next) {
                    out.push(format!("{} {next}", w[i]));
                }
                if matches!(w[i].as_str(), "a" | "an") && !article_fits(&w[i], next) {
                    out.push(format!("{} {next}", w[i]));
                }
            }
        }
        out
    };
    let old = pairs(before);
    pairs(after)
        .into_iter()
        .filter(|p| !old.contains(p))
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sex {
    Girl,
    Boy,
}

fn sexes(s: &str) -> Vec<Sex> {
    let mut out = Vec::new();
    for w in lower_words(s) {
        let sex = match w.as_str() {
            "she" | "her" | "hers" | "herself" => Sex::Girl,
            "he" | "him" | "his" | "himself" => Sex::Boy,
            _ => continue,
        };
        if !out.contains(&sex) {
            out.push(sex);
        }
    }
    out
}

/// What is wrong with `edit` of `finding` in `text`.
fn problems(text: &str, finding: &Finding, edit: &Edit) -> Vec<String> {
    let s = scanner();
    let mut out = Vec::new();
    let fixed = apply(text, std::slice::from_ref(edit));
    let new_span = edit.span.start..edit.span.start + edit.replacement.len();
    // The finding is gone: nothing of the same entry where the edit wrote.
    for f in s.scan(&fixed) {
        if f.entry == finding.entry && f.span.start <= new_span.end && new_span.start <= f.span.end
        {
            out.push(format!("still flagged: {:?}", &fixed[f.span.clone()]));
        }
    }
    for d in doubled(text, &fixed) {
        out.push(format!("reads wrong: \"{d}\""));
    }
    // The pronouns follow the matched ones (or, without any there, the
    // sentence's, when it is about one child).
    let matched = sexes(&text[edit.span.clone()]);
    let known = if matched.is_empty() {
        sexes(text)
    } else {
        matched
    };
    if let [sex] = known.as_slice() {
        for other in sexes(&edit.replacement) {
            if other != *sex {
                out.push(format!("{other:?} pronoun for a {sex:?}"));
            }
        }
    }
    // ALL CAPS stays ALL CAPS.
    let replaced = &text[edit.span.clone()];
    if replaced.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && !replaced.chars().any(char::is_lowercase)
        && edit.replacement.chars().any(char::is_lowercase)
    {
        out.push("lower case in an ALL CAPS note".into());
    }
    if finding.quoted {
        out.push("an edit inside a quotation".into());
    }
    out
}

struct Tally {
    findings: usize,
    fixed: usize,
    bad: Vec<String>,
}

fn check(text: &str, show: bool, tally: &mut Tally) {
    let s = scanner();
    let lexicon = s.lexicon();
    for f in s.scan(text) {
        let entry = lexicon.get(f.entry);
        if entry.category == Category::Unfinished {
            continue;
        }
        // Warnings and errors are counted; every fix is checked.
        let counted = f.severity >= Severity::Warning;
        tally.findings += usize::from(counted);
        let edits = drop_ins(s, text, &f);
        if show {
            println!("{text}\n  [{}] {:?}", entry.id, &text[f.span.clone()]);
            if edits.is_empty() {
                println!("    (no fix)");
            }
        }
        if counted && !edits.is_empty() {
            tally.fixed += 1;
        }
        for (i, e) in edits.iter().enumerate() {
            let fixed = apply(text, std::slice::from_ref(e));
            if show {
                println!("    {}{fixed}", if i == 0 { "=> " } else { " - " });
            }
            for p in problems(text, &f, e) {
                tally
                    .bad
                    .push(format!("[{}] {text:?} -> {fixed:?}: {p}", entry.id));
            }
        }
    }
}

fn show() -> bool {
    std::env::var_os("VBLINT_SHOW_FIXES").is_some()
}

#[test]
fn every_fix_of_every_example_reads_right() {
    let mut tally = Tally {
        findings: 0,
        fixed: 0,
        bad: Vec::new(),
    };
    for (_, entry) in scanner().lexicon().active() {
        let befores = entry.fixes.iter().map(|p| &p.before);
        for example in entry.examples.iter().chain(befores) {
            check(&example.text, show(), &mut tally);
        }
    }
    assert!(tally.bad.is_empty(), "{}", tally.bad.join("\n"));
    assert!(tally.fixed > 0);
}

#[test]
fn every_fix_of_the_quick_fix_sentences_reads_right_and_most_have_one() {
    let mut tally = Tally {
        findings: 0,
        fixed: 0,
        bad: Vec::new(),
    };
    let mut lines = 0;
    for line in SENTENCES.lines().filter(|l| !l.trim().is_empty()) {
        lines += 1;
        check(line, show(), &mut tally);
    }
    println!(
        "{lines} sentences, {} findings, {} with a fix",
        tally.findings, tally.fixed
    );
    assert!(lines >= 80, "{lines} sentences");
    assert!(tally.bad.is_empty(), "{}", tally.bad.join("\n"));
    assert!(
        tally.fixed * 3 >= tally.findings * 2,
        "only {} of {} findings have a fix",
        tally.fixed,
        tally.findings
    );
}

#[test]
fn the_checks_catch_what_the_issue_saw() {
    // The fixes of issue 17, as they were: each must fail a check.
    let cases = [
        (
            "She keeps putting herself at risk.",
            "She keeps is being placed at risk by [name the adult].",
        ),
        (
            "Staff describe him as streetwise.",
            "Staff describe him as is [age] and needs protection.",
        ),
        (
            "He is a habitual absconder.",
            "He is a has been reported missing [number] times.",
        ),
        (
            "Leah (14) is sexually active with older males.",
            "Leah (14) is has been raped with older males.",
        ),
    ];
    for (before, after) in cases {
        assert!(!doubled(before, after).is_empty(), "{after}");
    }
    assert_eq!(
        doubled("An underage woman left.", "An girl left."),
        ["an girl"]
    );
    assert!(doubled("She is a child.", "She is a girl who had had to leave.").is_empty());
    let boy = "He keeps putting himself at risk.";
    assert_eq!(sexes(boy), [Sex::Boy]);
    assert_eq!(
        sexes("adults are exploiting her vulnerability"),
        [Sex::Girl]
    );
}

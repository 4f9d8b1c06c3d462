//! Safe, mechanical fixes: replacing a flagged term with its entry's first
//! alternative, where the lexicon says that is right in every sentence.
//!
//! The rules (see `SECURITY.md` and `vblint fix --help`):
//!
//! - only entries with `fix = "safe"`;
//! - never inside a quotation (someone's own words stay verbatim);
//! - never an alternative with a `[...]` placeholder, a quotation mark or a
//!   line break (a person must write those);
//! - never a match that runs over a line break (that would reflow the text);
//! - the replacement takes the capitalisation of the words it replaces;
//! - every byte outside the replaced spans is kept, so line endings, a
//!   byte-order mark and the rest of the file are untouched;
//! - fixing is idempotent: [`fix_text`] repeats until nothing is left to
//!   fix, so running it again changes nothing.
//!
//! This module never prints and never touches files; `vblint fix` writes.

use std::ops::Range;

use crate::lexicon::{EntryId, FixPolicy};
use crate::scan::{Finding, Scanner};

/// One replacement in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// The entry whose term is replaced.
    pub entry: EntryId,
    /// Byte range in the text.
    pub span: Range<usize>,
    /// The new text, capitalised like the old.
    pub replacement: String,
}

/// How the letters of a piece of text are capitalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// Every letter upper case, and at least two letters: `PUT HERSELF`.
    Upper,
    /// The first letter upper case: `Put herself`.
    Capitalised,
    /// Anything else: `put herself`.
    Lower,
}

/// The capitalisation of `text`.
pub fn case_of(text: &str) -> Case {
    let mut letters = text.chars().filter(|c| c.is_alphabetic());
    let Some(first) = letters.next() else {
        return Case::Lower;
    };
    if !first.is_uppercase() {
        return Case::Lower;
    }
    let mut rest = letters.peekable();
    if rest.peek().is_none() {
        return Case::Capitalised;
    }
    if rest.all(|c| !c.is_lowercase()) {
        Case::Upper
    } else {
        Case::Capitalised
    }
}

/// Writes `replacement` with the capitalisation of `original`: ALL CAPS
/// stays ALL CAPS, Capitalised stays Capitalised, lower case keeps the
/// replacement as the lexicon writes it.
///
/// Used by `vblint fix` and by the language server's quick fixes.
pub fn match_case(original: &str, replacement: &str) -> String {
    match case_of(original) {
        Case::Upper => replacement.to_uppercase(),
        Case::Capitalised => {
            let mut out = String::with_capacity(replacement.len());
            let mut done = false;
            for c in replacement.chars() {
                if !done && c.is_alphabetic() {
                    out.extend(c.to_uppercase());
                    done = true;
                } else {
                    out.push(c);
                }
            }
            out
        }
        Case::Lower => replacement.to_string(),
    }
}

/// Whether an alternative may be swapped in without a person: it is not
/// empty, has no `[...]` placeholder, no quotation marks (which would change
/// what counts as quoted) and no line break.
pub fn is_mechanical(alternative: &str) -> bool {
    !alternative.trim().is_empty()
        && !alternative.chars().any(|c| {
            matches!(
                c,
                '[' | ']' | '"' | '\'' | '`' | '\u{2018}'
                    ..='\u{201F}'
                        | '\u{AB}'
                        | '\u{BB}'
                        | '\u{2032}'
                        | '\u{2033}'
                        | '\u{FF02}'
                        | '\u{FF07}'
                        | '\u{2028}'
                        | '\u{2029}'
                        | '\u{85}'
            ) || c.is_control()
        })
}

/// The replacement for one finding, if it may be fixed mechanically.
pub fn edit_for(scanner: &Scanner, text: &str, finding: &Finding) -> Option<Edit> {
    if finding.quoted {
        return None;
    }
    let entry = scanner.lexicon().get(finding.entry);
    if entry.fix != FixPolicy::Safe {
        return None;
    }
    let alternative = entry.alternatives.first()?;
    if !is_mechanical(alternative) {
        return None;
    }
    let original = text.get(finding.span.clone())?;
    if original.is_empty() || original.contains(['\n', '\r']) {
        return None;
    }
    let replacement = match_case(original, alternative.trim());
    if replacement == original {
        return None;
    }
    Some(Edit {
        entry: finding.entry,
        span: finding.span.clone(),
        replacement,
    })
}

/// The mechanical edits for `text`, in order and never overlapping.
pub fn plan(scanner: &Scanner, text: &str) -> Vec<Edit> {
    plan_filtered(scanner, text, &|_| true)
}

/// Like [`plan`], for the entries `allow` accepts (per-file configuration).
pub fn plan_filtered(scanner: &Scanner, text: &str, allow: &dyn Fn(EntryId) -> bool) -> Vec<Edit> {
    let mut edits: Vec<Edit> = Vec::new();
    for f in scanner.scan(text) {
        if !allow(f.entry) {
            continue;
        }
        if let Some(e) = edit_for(scanner, text, &f)
            && edits
                .last()
                .is_none_or(|last| last.span.end <= e.span.start)
        {
            edits.push(e);
        }
    }
    edits
}

/// Applies edits (in order, not overlapping) to `text`.
///
/// # Panics
///
/// If edits overlap, are out of order or are not on character boundaries.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for e in edits {
        assert!(e.span.start >= at, "edits overlap or are out of order");
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.replacement);
        at = e.span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// How many rounds [`fix_text`] tries before giving up.
pub const MAX_ROUNDS: usize = 8;

/// The result of fixing a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fixed {
    /// The fixed text.
    pub text: String,
    /// Every edit applied, round by round (spans of the text at that round).
    pub edits: Vec<Edit>,
}

/// A lexicon whose safe fixes keep producing new fixes (an alternative that
/// contains another safe entry's term, in a cycle).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotConverging {
    /// The entries still being fixed in the last round.
    pub entries: Vec<EntryId>,
}

/// Fixes `text` until nothing mechanical is left, so that fixing the result
/// again changes nothing.
///
/// # Errors
///
/// When the lexicon's safe fixes feed each other for [`MAX_ROUNDS`] rounds;
/// nothing should then be written.
pub fn fix_text(scanner: &Scanner, text: &str) -> Result<Fixed, NotConverging> {
    fix_text_filtered(scanner, text, &|_| true)
}

/// Like [`fix_text`], for the entries `allow` accepts.
///
/// # Errors
///
/// As [`fix_text`].
pub fn fix_text_filtered(
    scanner: &Scanner,
    text: &str,
    allow: &dyn Fn(EntryId) -> bool,
) -> Result<Fixed, NotConverging> {
    let mut current = text.to_string();
    let mut all = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let edits = plan_filtered(scanner, &current, allow);
        if edits.is_empty() {
            return Ok(Fixed {
                text: current,
                edits: all,
            });
        }
        current = apply(&current, &edits);
        all.extend(edits);
    }
    let mut entries: Vec<EntryId> = plan_filtered(scanner, &current, allow)
        .iter()
        .map(|e| e.entry)
        .collect();
    if entries.is_empty() {
        return Ok(Fixed {
            text: current,
            edits: all,
        });
    }
    entries.sort();
    entries.dedup();
    Err(NotConverging { entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_is_kept() {
        assert_eq!(match_case("PUTTING HERSELF", "is placed"), "IS PLACED");
        assert_eq!(match_case("Putting herself", "is placed"), "Is placed");
        assert_eq!(match_case("putting herself", "is placed"), "is placed");
        assert_eq!(match_case("putting herself", "CSE victim"), "CSE victim");
        assert_eq!(match_case("A", "the adult"), "The adult");
        assert_eq!(match_case("é", "x"), "x");
        assert_eq!(match_case("Élan", "émigré"), "Émigré");
        assert_eq!(match_case("", "x"), "x");
    }

    #[test]
    fn placeholders_and_quotes_are_not_mechanical() {
        assert!(is_mechanical("child victim of exploitation"));
        assert!(!is_mechanical("placed at risk by [name the adult]"));
        assert!(!is_mechanical("the so-called “friend”"));
        assert!(!is_mechanical("a\nb"));
        assert!(!is_mechanical("  "));
    }

    #[test]
    fn apply_keeps_text_outside_edits() {
        let e = Edit {
            entry: EntryId(0),
            span: 4..7,
            replacement: "xyz!".into(),
        };
        assert_eq!(apply("abc def ghi", &[e]), "abc xyz! ghi");
    }
}

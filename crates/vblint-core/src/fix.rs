//! Replacements that fit: the quick fixes of the language server and the
//! changes `vblint fix` makes, from one engine.
//!
//! An entry's `alternatives` are guidance (hover, `explain`, the printed
//! help); an edit is offered only where one of the entry's `[[entry.replace]]`
//! tables fits the words around a finding ([`drop_ins`]): its `match`
//! phrase covers the matched words (and may reach beyond them, "is sexually
//! active with" around "sexually active"), and its `with` wording is written
//! in their place, with the words and pronouns it takes from them ("putting
//! himself at risk" gives "being placed at risk by [name the adult]",
//! "exploiting his trust" follows "himself"). Where no table fits, no edit
//! is offered.
//!
//! No edit is ever offered:
//!
//! - inside a quotation (someone's own words stay verbatim);
//! - in a sentence that reports or corrects someone else's wording before
//!   the finding ("earlier reports called them child pornography", see
//!   [`reports_wording`]);
//! - over a line break (that would reflow the text).
//!
//! The replacement takes the capitalisation of the words it replaces (ALL
//! CAPS stays ALL CAPS). A `[placeholder]` in it is for the writer to fill
//! in, and is itself reported by the `placeholder` rule until they do.
//!
//! `vblint fix` makes the first edit of an entry marked `fix = "safe"`
//! that has no placeholder ([`plan`]); every byte outside the replaced
//! spans is kept, and fixing is idempotent ([`fix_text`] repeats until
//! nothing is left to fix).
//!
//! This module never prints and never touches files; `vblint fix` writes.

mod reported;

pub use reported::reports_wording;

use std::ops::Range;

use crate::lexicon::template::{Person, Template, TemplatePart};
use crate::lexicon::{EntryId, FixPolicy};
use crate::scan::{Finding, Scanner};
use crate::text::{Normalized, is_word_char, words};

/// One replacement in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// The entry whose term is replaced.
    pub entry: EntryId,
    /// Byte range in the text: the finding, and any words around it that the
    /// replacement rewrites too.
    pub span: Range<usize>,
    /// The new text, capitalised like the old; empty to delete the words.
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

/// The edits that fit a finding, best first: one per `[[entry.replace]]`
/// table of its entry whose `match` covers it, of those that cover the most
/// words (no table whose words lie inside another's), the same wording
/// once; or,
/// for an entry marked `fix = "safe"` without such tables, its first
/// alternative in place of the matched words. Empty where nothing fits, and
/// for a finding in a quotation, in reported or corrected wording, or over
/// a line break.
///
/// The language server offers these as quick fixes, the first as the
/// preferred one; [`plan`] makes the first without a placeholder for
/// `vblint fix`.
pub fn drop_ins(scanner: &Scanner, text: &str, finding: &Finding) -> Vec<Edit> {
    let mut out: Vec<Edit> = Vec::new();
    for (_, edit) in fitting(scanner, text, finding) {
        if !out.iter().any(|e| e.replacement == edit.replacement) {
            out.push(edit);
        }
    }
    out
}

/// The edits of [`drop_ins`], each with the index of the
/// `[[entry.replace]]` table it comes from (`None` for an alternative of a
/// `fix = "safe"` entry), the same wording possibly more than once.
pub(crate) fn fitting(
    scanner: &Scanner,
    text: &str,
    finding: &Finding,
) -> Vec<(Option<usize>, Edit)> {
    let span = finding.span.clone();
    let Some(original) = text.get(span.clone()) else {
        return Vec::new();
    };
    if finding.quoted || original.is_empty() || original.contains(['\n', '\r']) {
        return Vec::new();
    }
    let line = line_around(text, &span);
    if reports_wording(&text[line.start..span.start]) {
        return Vec::new();
    }
    let entry = scanner.lexicon().get(finding.entry);
    let mut out = Vec::new();
    if entry.replace.is_empty() {
        if entry.fix == FixPolicy::Safe
            && let Some(alternative) = entry.alternatives.first()
            && is_mechanical(alternative)
        {
            let replacement = match_case(original, alternative.trim());
            if replacement != original {
                let edit = Edit {
                    entry: finding.entry,
                    span,
                    replacement,
                };
                out.push((None, edit));
            }
        }
        return out;
    }
    let words = LineWords::new(text, line);
    let Some(target) = words.to_normalised(&span) else {
        return out;
    };
    let covers: Vec<(usize, Cover)> = entry
        .replace
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, words.cover(&r.pattern.slots, &target)?)))
        .collect();
    // The tables that cover the most words win: "has been associating
    // with" is rewritten whole, never "associating with" alone after
    // "has been".
    let widest = |range: &Range<usize>| {
        !covers.iter().any(|(_, c)| {
            c.range.start <= range.start && range.end <= c.range.end && c.range != *range
        })
    };
    for (i, m) in &covers {
        if widest(&m.range)
            && let Some(edit) = words.render(finding.entry, &entry.replace[*i].with, m)
        {
            out.push((Some(*i), edit));
        }
    }
    out
}

/// The preferred edit for a finding: the first of [`drop_ins`]. This is
/// what the language server's preferred quick fix writes.
pub fn drop_in(scanner: &Scanner, text: &str, finding: &Finding) -> Option<Edit> {
    drop_ins(scanner, text, finding).into_iter().next()
}

/// The line of `text` around `span`, without its line break.
fn line_around(text: &str, span: &Range<usize>) -> Range<usize> {
    let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[span.end..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| span.end + i);
    start..end
}

/// A line of a text in normalised form, where replacements are matched.
struct LineWords<'t> {
    text: &'t str,
    line: Range<usize>,
    norm: Normalized,
}

/// Where a `match` phrase covers a finding: the normalised range, and the
/// normalised range each of its words matched (empty for an optional word
/// left out).
struct Cover {
    range: Range<usize>,
    words: Vec<Range<usize>>,
}

/// How many words before a finding a `match` phrase may start.
const MAX_WORDS_BEFORE: usize = 12;

impl<'t> LineWords<'t> {
    fn new(text: &'t str, line: Range<usize>) -> LineWords<'t> {
        let norm = Normalized::new(&text[line.clone()]);
        LineWords { text, line, norm }
    }

    /// An offset of the original text, from a normalised one.
    fn original(&self, norm: usize) -> usize {
        self.line.start + self.norm.to_original(norm)
    }

    /// The normalised range of an original range of the line, when both
    /// ends fall on a normalised character boundary.
    fn to_normalised(&self, span: &Range<usize>) -> Option<Range<usize>> {
        let n = self.norm.as_str();
        let find = |offset: usize| {
            // The first normalised offset that maps to `offset` or beyond.
            let (mut lo, mut hi) = (0, n.len());
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if self.original(mid) < offset {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            while lo < n.len() && !n.is_char_boundary(lo) {
                lo += 1;
            }
            (self.original(lo) == offset).then_some(lo)
        };
        Some(find(span.start)?..find(span.end)?)
    }

    /// The leftmost, then longest, match of `slots` that covers `target`.
    fn cover(&self, slots: &[Vec<String>], target: &Range<usize>) -> Option<Cover> {
        let n = self.norm.as_str();
        let starts: Vec<usize> = words(n)
            .map(|(r, _)| r.start)
            .filter(|&s| s <= target.start)
            .collect();
        let from = starts.len().saturating_sub(MAX_WORDS_BEFORE + 1);
        for &start in &starts[from..] {
            let mut best: Option<(usize, Vec<Range<usize>>)> = None;
            let mut caps = vec![start..start; slots.len()];
            walk(n, slots, 0, start, false, &mut caps, &mut best);
            if let Some((end, words)) = best.filter(|(end, _)| *end >= target.end) {
                return Some(Cover {
                    range: start..end,
                    words,
                });
            }
        }
        None
    }

    /// The edit writing `with` over a cover, or `None` when the template
    /// needs a pronoun the matched words do not have.
    fn render(&self, entry: EntryId, with: &Template, m: &Cover) -> Option<Edit> {
        let n = self.norm.as_str();
        let person = words(&n[m.range.clone()]).find_map(|(_, w)| Person::of(&w.to_lowercase()));
        let mut out = String::new();
        for part in &with.parts {
            match part {
                TemplatePart::Text(t) => out.push_str(t),
                TemplatePart::Word(i) => {
                    let r = &m.words[*i];
                    out.push_str(&self.text[self.original(r.start)..self.original(r.end)]);
                }
                TemplatePart::Pronoun(form) => out.push_str(person?.pronoun(*form)),
            }
        }
        let rendered = tidy(&out);
        let mut span = self.original(m.range.start)..self.original(m.range.end);
        let original = &self.text[span.clone()];
        let replacement = match_case(original, &rendered);
        if replacement.is_empty() {
            // Words are deleted only inside a sentence (at its start, the
            // next word would need a capital); one space goes with them.
            let before = self.text[self.line.start..span.start].trim_end();
            if before.is_empty() || before.ends_with(['.', '!', '?', ':', ';']) {
                return None;
            }
            if self.text[..span.start].ends_with(' ') {
                span.start -= 1;
            } else if self.text[span.end..].starts_with(' ') {
                span.end += 1;
            }
        }
        if replacement == self.text[span.clone()] {
            return None;
        }
        Some(Edit {
            entry,
            span,
            replacement,
        })
    }
}

/// Matches `slots[i..]` from `pos` (after a space, once a word has
/// matched), recording the longest end in `best`.
fn walk(
    n: &str,
    slots: &[Vec<String>],
    i: usize,
    pos: usize,
    started: bool,
    caps: &mut Vec<Range<usize>>,
    best: &mut Option<(usize, Vec<Range<usize>>)>,
) {
    let Some(options) = slots.get(i) else {
        if started && best.as_ref().is_none_or(|(end, _)| pos > *end) {
            *best = Some((pos, caps.clone()));
        }
        return;
    };
    for option in options {
        if option.is_empty() {
            caps[i] = pos..pos;
            walk(n, slots, i + 1, pos, started, caps, best);
            continue;
        }
        let at = if started {
            if !n[pos..].starts_with(' ') {
                continue;
            }
            pos + 1
        } else {
            pos
        };
        let Some(len) = starts_with_folded(&n[at..], option) else {
            continue;
        };
        let end = at + len;
        if n[end..].chars().next().is_some_and(is_word_char) {
            continue;
        }
        caps[i] = at..end;
        walk(n, slots, i + 1, end, true, caps, best);
    }
}

/// The length in `text` of a start that equals `lower` (lower case) when
/// lower-cased.
fn starts_with_folded(text: &str, lower: &str) -> Option<usize> {
    let mut want = lower.chars();
    let mut len = 0;
    let mut pending = String::new();
    for c in text.chars() {
        if want.as_str().is_empty() {
            break;
        }
        pending.clear();
        pending.extend(c.to_lowercase());
        for p in pending.chars() {
            if want.next() != Some(p) {
                return None;
            }
        }
        len += c.len_utf8();
    }
    want.as_str().is_empty().then_some(len)
}

/// A rendered replacement with single spaces, none at the ends or before
/// punctuation (where an optional word was left out).
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() && !word.starts_with([',', '.', ';', ':', ')']) {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The edits `vblint fix` makes in `text`, in order and never overlapping.
pub fn plan(scanner: &Scanner, text: &str) -> Vec<Edit> {
    plan_filtered(scanner, text, &|_| true)
}

/// Like [`plan`], for the entries `allow` accepts (per-file configuration).
pub fn plan_filtered(scanner: &Scanner, text: &str, allow: &dyn Fn(EntryId) -> bool) -> Vec<Edit> {
    let lexicon = scanner.lexicon();
    let mut edits: Vec<Edit> = Vec::new();
    for f in scanner.scan(text) {
        if !allow(f.entry) || lexicon.get(f.entry).fix != FixPolicy::Safe {
            continue;
        }
        let unfinished = |e: &Edit| e.replacement.contains(['[', ']']);
        if let Some(e) = drop_ins(scanner, text, &f)
            .into_iter()
            .find(|e| !unfinished(e))
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

    use std::sync::Arc;

    use crate::diagnostic::SourceFile;
    use crate::lexicon::LexiconBuilder;
    use crate::scan::Settings;

    const LEXICON: &str = r#"
[sets]
self = ["herself", "himself", "themselves", "her self"]
olders = ["older males", "older men", "an older man"]

[[entry]]
id = "put-self-at-risk"
category = "responsibility"
terms = ["putting|puts {self} [further] at [serious] risk"]
alternatives = ["is being placed at risk by [name the adult]", "adults are exploiting her vulnerability"]
why = "Blames the child."
sources = ["x"]
examples = ["She is putting herself at risk."]

[[entry.replace]]
match = "putting {self} [further] at [serious] risk"
with = "being placed at {5} risk by [name the adult]"

[[entry.replace]]
match = "putting {self} [further] at [serious] risk by"
with = "being placed at {5} risk by [name the adult] when"

[[entry.replace]]
match = "puts {self} [further] at [serious] risk"
with = "is placed at {5} risk by adults who exploit {them}"

[[entry]]
id = "sexually-active"
category = "sexualising"
terms = ["sexually active"]
alternatives = ["has been raped"]
why = "Blames the child."
sources = ["x"]
examples = ["She is sexually active."]

[[entry.replace]]
match = "is|was sexually active"
with = "{1} being sexually abused"

[[entry.replace]]
match = "is|was sexually active with"
with = "{1} being sexually abused by"

[[entry.replace]]
match = "is|was sexually active with"
with = "{1} being exploited by"

[[entry]]
id = "consent"
category = "consent-choice"
terms = ["willingly"]
alternatives = ["was raped"]
why = "Blames the child."
sources = ["x"]
examples = ["She went willingly."]

[[entry.replace]]
match = "willingly"
with = ""

[[entry]]
id = "child-porn"
category = "minimising"
terms = ["child pornography"]
alternatives = ["child sexual abuse material"]
fix = "safe"
why = "Minimises."
sources = ["x"]
examples = ["Images of child pornography."]
"#;

    fn scanner() -> Scanner {
        let mut b = LexiconBuilder::new();
        b.add_source(SourceFile::new("test.toml", LEXICON));
        Scanner::new(Arc::new(b.build().unwrap()), Settings::default()).unwrap()
    }

    /// Every fix offered for the first finding of `text`, applied.
    fn fixed(s: &Scanner, text: &str) -> Vec<String> {
        let f = s.scan(text).into_iter().next().expect("a finding");
        drop_ins(s, text, &f)
            .iter()
            .map(|e| apply(text, std::slice::from_ref(e)))
            .collect()
    }

    #[test]
    fn a_replacement_fits_the_words_around_the_finding() {
        let s = scanner();
        assert_eq!(
            fixed(&s, "She keeps putting herself at risk."),
            ["She keeps being placed at risk by [name the adult]."]
        );
        // The widest match wins: "by" is taken in, never left doubled.
        assert_eq!(
            fixed(&s, "Amy is putting herself at serious risk by going out."),
            ["Amy is being placed at serious risk by [name the adult] when going out."]
        );
        // Words before the term are rewritten with it, and every table
        // that fits as widely is offered, in order.
        assert_eq!(
            fixed(&s, "Leah (14) is sexually active with older males."),
            [
                "Leah (14) is being sexually abused by older males.",
                "Leah (14) is being exploited by older males.",
            ]
        );
        assert_eq!(
            fixed(&s, "Leah was sexually active."),
            ["Leah was being sexually abused."]
        );
        // No table fits the bare term: no edit.
        assert!(fixed(&s, "A sexually active child.").is_empty());
    }

    #[test]
    fn pronouns_follow_the_matched_one() {
        let s = scanner();
        assert_eq!(
            fixed(&s, "He puts himself at risk."),
            ["He is placed at risk by adults who exploit him."]
        );
        assert_eq!(
            fixed(&s, "She puts her self at risk."),
            ["She is placed at risk by adults who exploit her."]
        );
        assert_eq!(
            fixed(&s, "They puts themselves at risk."),
            ["They is placed at risk by adults who exploit them."]
        );
    }

    #[test]
    fn capitals_and_deletions() {
        let s = scanner();
        assert_eq!(
            fixed(&s, "YP IS PUTTING HERSELF AT RISK."),
            ["YP IS BEING PLACED AT RISK BY [NAME THE ADULT]."]
        );
        assert_eq!(
            fixed(&s, "Putting herself at risk again."),
            ["Being placed at risk by [name the adult] again."]
        );
        assert_eq!(
            fixed(&s, "She went willingly to the flat."),
            ["She went to the flat."]
        );
        assert!(fixed(&s, "Willingly, she went.").is_empty());
        // Typographic spaces and spellings are matched as plain ones.
        assert_eq!(
            fixed(&s, "She is putting\u{a0}herself at risk."),
            ["She is being placed at risk by [name the adult]."]
        );
    }

    #[test]
    fn quotations_reported_wording_and_line_breaks_are_left_alone() {
        let s = scanner();
        assert!(fixed(&s, "She said \"I went willingly\" to the officer.").is_empty());
        assert!(fixed(&s, "Earlier reports called them child pornography.").is_empty());
        assert!(fixed(&s, "She was previously described as sexually active.").is_empty());
        assert!(fixed(&s, "She is putting herself\nat risk.").is_empty());
        // A report in an earlier sentence does not count.
        assert_eq!(
            fixed(&s, "Mum said so. Leah is sexually active."),
            ["Mum said so. Leah is being sexually abused."]
        );
    }

    #[test]
    fn a_safe_entry_without_tables_swaps_its_first_alternative() {
        let s = scanner();
        assert_eq!(
            fixed(&s, "Images of Child Pornography."),
            ["Images of Child sexual abuse material."]
        );
        // `vblint fix` makes only safe edits without placeholders.
        let text = "She is putting herself at risk. Images of child pornography.";
        let edits = plan(&s, text);
        assert_eq!(edits.len(), 1);
        assert_eq!(
            apply(text, &edits),
            "She is putting herself at risk. Images of child sexual abuse material."
        );
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

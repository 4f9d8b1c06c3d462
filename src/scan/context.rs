//! Context rules, evaluated on the original text around a candidate match:
//! quotations, context guards and inline suppression markers.
//!
//! Everything here runs only for candidates (rare), never for every byte of a
//! document, and looks at a bounded neighbourhood so a pathological document
//! cannot make one match expensive. Document-wide facts are computed once per
//! document, lazily, in [`DocContext`].

use std::cell::OnceCell;
use std::collections::HashMap;
use std::ops::Range;

use crate::lexicon::{Guard, GuardPhrase, GuardScope, GuardWord, HEADER_LINES};

/// How far back or forward (in bytes) the context rules look.
const REACH: usize = 2000;

/// Per-document facts computed on first use.
pub(crate) struct DocContext<'t> {
    text: &'t str,
    /// The words of the header (first lines), split once.
    header_words: OnceCell<Vec<&'t str>>,
    /// Regions switched off with `vblint-disable` … `vblint-enable`:
    /// (range, rule ids; empty means every rule).
    disabled: OnceCell<Vec<(Range<usize>, Vec<String>)>>,
    /// Cached results of header- and document-scope guards, by guard index.
    document_hits: std::cell::RefCell<HashMap<usize, bool>>,
}

impl<'t> DocContext<'t> {
    pub(crate) fn new(text: &'t str) -> DocContext<'t> {
        DocContext {
            text,
            header_words: OnceCell::new(),
            disabled: OnceCell::new(),
            document_hits: std::cell::RefCell::new(HashMap::new()),
        }
    }

    fn header_words(&self) -> &[&'t str] {
        self.header_words.get_or_init(|| {
            let end = memchr::memchr_iter(b'\n', self.text.as_bytes())
                .nth(HEADER_LINES - 1)
                .unwrap_or(self.text.len());
            words_in(self.text, 0..end)
        })
    }

    /// Whether a guard's phrases are present for the match at `span`.
    pub(crate) fn guard_hits(&self, index: usize, guard: &Guard, span: &Range<usize>) -> bool {
        let text = self.text;
        match guard.scope {
            GuardScope::Words => {
                let need = guard.window + longest(guard);
                // Words are rarely longer than 32 bytes with their spacing;
                // looking no further keeps a guard check cheap.
                let reach = REACH.min(need * 32);
                let start = floor(text, span.start.saturating_sub(reach));
                let before = words_before(text, span.start, need, start);
                let after = words_after(text, span.end, need, ceil(text, span.end + reach));
                side_hits(&guard.before, &before, guard.window, Side::Before)
                    || side_hits(&guard.after, &after, guard.window, Side::After)
                    || side_hits(&guard.around, &before, guard.window, Side::Before)
                    || side_hits(&guard.around, &after, guard.window, Side::After)
            }
            GuardScope::Sentence | GuardScope::Paragraph => {
                let (start, end) = if guard.scope == GuardScope::Sentence {
                    (
                        sentence_start(text, span.start),
                        sentence_end(text, span.end),
                    )
                } else {
                    (
                        paragraph_start(text, span.start),
                        paragraph_end(text, span.end),
                    )
                };
                let before = words_in(text, start..span.start);
                let after = words_in(text, span.end..end);
                let all = usize::MAX;
                side_hits(&guard.before, &before, all, Side::Before)
                    || side_hits(&guard.after, &after, all, Side::After)
                    || side_hits(&guard.around, &before, all, Side::Before)
                    || side_hits(&guard.around, &after, all, Side::After)
            }
            // Whole-document guards do not depend on the match: each is
            // evaluated once per document.
            GuardScope::Header | GuardScope::Document => {
                if let Some(&hit) = self.document_hits.borrow().get(&index) {
                    return hit;
                }
                let hit = if guard.scope == GuardScope::Header {
                    contains_any(&guard.around, self.header_words())
                } else {
                    document_contains(text, &guard.around)
                };
                self.document_hits.borrow_mut().insert(index, hit);
                hit
            }
        }
    }

    /// Whether an inline marker switches off `rule` at `offset`.
    pub(crate) fn suppressed(&self, rule: &str, offset: usize) -> bool {
        let text = self.text;
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        if marker_ignores(&text[line_start..line_end], rule) {
            return true;
        }
        // A marker alone on the line before applies to this line.
        if line_start > 0 {
            let prev_start = text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1);
            let prev = &text[prev_start..line_start - 1];
            if is_marker_only(prev) && marker_ignores(prev, rule) {
                return true;
            }
        }
        let disabled = self.disabled.get_or_init(|| disabled_regions(text));
        disabled.iter().any(|(range, rules)| {
            range.contains(&offset) && (rules.is_empty() || rules.iter().any(|r| r == rule))
        })
    }
}

const IGNORE_MARKER: &str = "vblint: ignore";

/// Whether a line carries `vblint: ignore` for `rule` (or for every rule).
fn marker_ignores(line: &str, rule: &str) -> bool {
    let mut rest = line;
    while let Some(i) = find_ascii_ci(rest, IGNORE_MARKER) {
        let after = &rest[i + IGNORE_MARKER.len()..];
        let ids = marker_ids(after);
        if ids.is_empty() || ids.contains(&rule) {
            return true;
        }
        rest = after;
    }
    false
}

/// The rule ids after a marker: kebab-case words separated by spaces or commas.
fn marker_ids(after: &str) -> Vec<&str> {
    let mut ids = Vec::new();
    for token in after.split([' ', ',', '\t']) {
        if token.is_empty() {
            continue;
        }
        let token = token.trim_end_matches(['-', '>', ']', ')', '*', '/']);
        if !token.is_empty()
            && token
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            ids.push(token);
        } else {
            break;
        }
    }
    ids
}

/// Whether a line holds nothing but a marker (and comment punctuation).
fn is_marker_only(line: &str) -> bool {
    let Some(i) = find_ascii_ci(line, IGNORE_MARKER) else {
        return false;
    };
    line[..i].chars().all(|c| {
        c.is_whitespace() || matches!(c, '<' | '!' | '-' | '#' | '/' | '*' | '[' | '(' | ';' | '%')
    })
}

fn disabled_regions(text: &str) -> Vec<(Range<usize>, Vec<String>)> {
    let mut regions = Vec::new();
    let finder = memchr::memmem::Finder::new(b"vblint-");
    let mut open: Vec<(usize, Vec<String>)> = Vec::new();
    for at in finder.find_iter(text.as_bytes()) {
        let rest = &text[at + "vblint-".len()..];
        let line_end = rest.find('\n').map_or(rest.len(), |i| i);
        let rest = &rest[..line_end];
        if let Some(after) = rest.strip_prefix("disable") {
            let ids = marker_ids(after).into_iter().map(String::from).collect();
            open.push((at, ids));
        } else if let Some(after) = rest.strip_prefix("enable") {
            let ids: Vec<String> = marker_ids(after).into_iter().map(String::from).collect();
            open.retain(|(start, rules)| {
                let closes = ids.is_empty() || *rules == ids;
                if closes {
                    regions.push((*start..at, rules.clone()));
                }
                !closes
            });
        }
    }
    regions.extend(
        open.into_iter()
            .map(|(start, rules)| (start..text.len(), rules)),
    );
    regions
}

/// Finds `needle` (ASCII, lower-case) in `hay`, ignoring ASCII case.
fn find_ascii_ci(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.len();
    hay.as_bytes()
        .windows(n)
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Before,
    After,
}

fn longest(guard: &Guard) -> usize {
    guard
        .before
        .iter()
        .chain(&guard.after)
        .chain(&guard.around)
        .map(|p| p.words.len())
        .max()
        .unwrap_or(1)
}

/// Whether a phrase ends within `window` words before the match (`Before`,
/// `words` in text order, ending at the match) or starts within `window`
/// words after it (`After`).
fn side_hits(phrases: &[GuardPhrase], words: &[&str], window: usize, side: Side) -> bool {
    phrases.iter().any(|p| {
        let len = p.words.len();
        if len > words.len() {
            return false;
        }
        (0..=words.len() - len).any(|i| {
            let in_window = match side {
                Side::Before => words.len() - (i + len) < window,
                Side::After => i < window,
            };
            in_window && phrase_at(&p.words, &words[i..i + len])
        })
    })
}

fn contains_any(phrases: &[GuardPhrase], words: &[&str]) -> bool {
    side_hits(phrases, words, usize::MAX, Side::After)
}

fn phrase_at(pattern: &[GuardWord], words: &[&str]) -> bool {
    pattern.iter().zip(words).all(|(p, w)| match p {
        GuardWord::Word(expected) => word_eq(expected, w),
        other => other.matches(w),
    })
}

/// Compares a lower-case pattern word with a word of the text, ignoring case
/// and the kind of apostrophe.
pub(crate) fn word_eq(pattern: &str, word: &str) -> bool {
    let mut p = pattern.chars();
    for c in word.chars() {
        let c = if c == '\u{2019}' || c == '\u{2018}' {
            '\''
        } else {
            c
        };
        let mut lower = c.to_lowercase();
        for l in lower.by_ref() {
            if p.next() != Some(l) {
                return false;
            }
        }
    }
    p.next().is_none()
}

fn document_contains(text: &str, phrases: &[GuardPhrase]) -> bool {
    let longest = phrases.iter().map(|p| p.words.len()).max().unwrap_or(0);
    if longest == 0 {
        return false;
    }
    let mut recent: std::collections::VecDeque<&str> =
        std::collections::VecDeque::with_capacity(longest);
    for (_, w) in super::words(text) {
        if recent.len() == longest {
            recent.pop_front();
        }
        recent.push_back(w);
        let (a, b) = recent.as_slices();
        let window: Vec<&str> = a.iter().chain(b).copied().collect();
        for p in phrases {
            let len = p.words.len();
            if len <= window.len() && phrase_at(&p.words, &window[window.len() - len..]) {
                return true;
            }
        }
    }
    false
}

/// Up to `n` words ending at `pos`, in text order, not looking before `limit`.
fn words_before(text: &str, pos: usize, n: usize, limit: usize) -> Vec<&str> {
    let region = &text[limit..pos];
    let all: Vec<&str> = super::words(region).map(|(_, w)| w).collect();
    let skip = all.len().saturating_sub(n);
    all[skip..].to_vec()
}

/// Up to `n` words starting at `pos`, not looking past `limit`.
fn words_after(text: &str, pos: usize, n: usize, limit: usize) -> Vec<&str> {
    super::words(&text[pos..limit.max(pos)])
        .map(|(_, w)| w)
        .take(n)
        .collect()
}

fn words_in(text: &str, range: Range<usize>) -> Vec<&str> {
    super::words(&text[range]).map(|(_, w)| w).collect()
}

fn floor(text: &str, offset: usize) -> usize {
    crate::diagnostic::floor_char_boundary(text, offset)
}

fn ceil(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

/// The start of the paragraph holding `pos`: just after the last blank line,
/// at most [`REACH`] bytes back.
pub(crate) fn paragraph_start(text: &str, pos: usize) -> usize {
    let limit = floor(text, pos.saturating_sub(REACH));
    let bytes = text.as_bytes();
    let mut i = pos;
    while i > limit {
        i -= 1;
        if bytes[i] == b'\n' {
            // Blank line: only whitespace between this and the previous newline.
            let mut j = i;
            while j > limit && matches!(bytes[j - 1], b' ' | b'\t' | b'\r') {
                j -= 1;
            }
            if j > limit && bytes[j - 1] == b'\n' || j == 0 {
                return i + 1;
            }
        }
    }
    limit
}

/// The end of the paragraph holding `pos`.
pub(crate) fn paragraph_end(text: &str, pos: usize) -> usize {
    let limit = ceil(text, pos + REACH);
    let bytes = text.as_bytes();
    let mut i = pos;
    while i < limit {
        if bytes[i] == b'\n' {
            let mut j = i + 1;
            while j < limit && matches!(bytes[j], b' ' | b'\t' | b'\r') {
                j += 1;
            }
            if j >= text.len() || bytes[j] == b'\n' {
                return i;
            }
        }
        i += 1;
    }
    limit
}

/// Whether a line break at `nl` starts a new entry rather than continuing a
/// wrapped sentence: the next line starts with a digit (a time or date in a
/// log), a bullet, or the previous line ended a sentence.
fn line_break_ends_sentence(text: &str, nl: usize) -> bool {
    let next = text[nl + 1..].trim_start_matches([' ', '\t']);
    let prev = text[..nl].trim_end_matches([' ', '\t', '\r']);
    next.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '-' | '*' | '•' | '\n'))
        || prev.ends_with(['.', '!', '?', ':', ';'])
        || prev.is_empty()
}

fn ends_sentence(text: &str, i: usize) -> bool {
    let b = text.as_bytes();
    matches!(b[i], b'.' | b'!' | b'?' | b';')
        && b.get(i + 1)
            .is_none_or(|c| c.is_ascii_whitespace() || *c == b'"' || *c == b'\'')
}

/// The start of the sentence holding `pos`.
pub(crate) fn sentence_start(text: &str, pos: usize) -> usize {
    let limit = paragraph_start(text, pos);
    let bytes = text.as_bytes();
    let mut i = pos;
    while i > limit {
        i -= 1;
        if bytes[i] == b'\n' && line_break_ends_sentence(text, i) || ends_sentence(text, i) {
            return i + 1;
        }
    }
    limit
}

/// The end of the sentence holding `pos`.
pub(crate) fn sentence_end(text: &str, pos: usize) -> usize {
    let limit = paragraph_end(text, pos);
    let bytes = text.as_bytes();
    let mut i = pos;
    while i < limit {
        if bytes[i] == b'\n' && line_break_ends_sentence(text, i) || ends_sentence(text, i) {
            return i;
        }
        i += 1;
    }
    limit
}

/// Whether `span` lies inside quotation marks: someone's own words.
///
/// Double quotes (straight or curly) open and close; single quotes count only
/// where they cannot be an apostrophe (not between two letters). A quotation
/// still open at the match counts if it closes after the match in the same
/// paragraph, or if it opened on the same line (writers often leave a quote
/// unclosed at a line end).
pub(crate) fn in_quotation(text: &str, span: &Range<usize>) -> bool {
    let start = paragraph_start(text, span.start);
    let mut double: Option<usize> = None;
    let mut single: Option<usize> = None;
    let mut prev: Option<char> = None;
    let mut iter = text[start..span.start].char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let next = iter
            .peek()
            .map(|&(_, c)| c)
            .or_else(|| text[span.start..].chars().next());
        let at = start + i;
        match c {
            '"' => double = if double.is_some() { None } else { Some(at) },
            '\u{201C}' | '\u{201E}' | '\u{AB}' => double = Some(at),
            '\u{201D}' | '\u{BB}' => double = None,
            '\'' | '\u{2018}' | '\u{2019}' | '`' => {
                let before_word = prev.is_some_and(char::is_alphanumeric);
                let after_word = next.is_some_and(char::is_alphanumeric);
                if before_word && after_word {
                    // An apostrophe inside a word: she's, Mum's.
                } else if single.is_none() && !before_word && after_word && c != '\u{2019}' {
                    single = Some(at);
                } else if single.is_none() && !before_word && after_word {
                    // ’ used as an opening quote by some keyboards.
                    single = Some(at);
                } else if single.is_some() && !after_word {
                    single = None;
                }
            }
            _ => {}
        }
        prev = Some(c);
    }
    let (open_at, closers): (usize, &[char]) = match (double, single) {
        (Some(d), Some(s)) => (
            d.max(s),
            if d > s {
                &['"', '\u{201D}', '\u{BB}']
            } else {
                &['\'', '\u{2019}']
            },
        ),
        (Some(d), None) => (d, &['"', '\u{201D}', '\u{BB}']),
        (None, Some(s)) => (s, &['\'', '\u{2019}', '`']),
        (None, None) => return false,
    };
    let end = paragraph_end(text, span.end);
    let after = &text[span.end..end.max(span.end)];
    let mut prev: Option<char> = text[..span.end].chars().next_back();
    let mut chars = after.chars().peekable();
    while let Some(c) = chars.next() {
        if closers.contains(&c) {
            let next = chars.peek().copied();
            let is_apostrophe = c != '"'
                && c != '\u{201D}'
                && prev.is_some_and(char::is_alphanumeric)
                && next.is_some_and(char::is_alphanumeric);
            if !is_apostrophe {
                return true;
            }
        }
        prev = Some(c);
    }
    // Unclosed: count it only if it opened on the match's own line.
    !text[open_at..span.start].contains('\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(text: &str, word: &str) -> bool {
        let start = text.find(word).unwrap();
        in_quotation(text, &(start..start + word.len()))
    }

    #[test]
    fn quotations() {
        assert!(quoted(
            "She said \"he is my boyfriend\" to staff.",
            "boyfriend"
        ));
        assert!(quoted(
            "She said “he is my boyfriend” to staff.",
            "boyfriend"
        ));
        assert!(quoted("her 'boyfriend' collected her", "boyfriend"));
        assert!(quoted("her ‘boyfriend’ collected her", "boyfriend"));
        assert!(!quoted(
            "She said \"no\" and her boyfriend left.",
            "boyfriend"
        ));
        assert!(!quoted(
            "She’s with her boyfriend, Mum's friend said.",
            "boyfriend"
        ));
        assert!(!quoted("The girls' boyfriend", "boyfriend"));
        // Unclosed at the line end, same line: quoted.
        assert!(quoted(
            "CALLER STATES \"HE IS MY BOYFRIEND\nNEXT LINE",
            "BOYFRIEND"
        ));
        // Unclosed quote on an earlier line does not leak.
        assert!(!quoted("He said \"stop\nShe has a boyfriend", "boyfriend"));
        // A quotation in an earlier paragraph does not leak.
        assert!(!quoted(
            "He said \"stop\n\nShe has a boyfriend\" x",
            "boyfriend"
        ));
    }

    #[test]
    fn sentences() {
        let t = "He left. She is at risk now! Next";
        let p = t.find("risk").unwrap();
        assert_eq!(
            &t[sentence_start(t, p)..sentence_end(t, p)],
            " She is at risk now"
        );
        let t = "14:00 CALLER STATES X\n14:05 YP AT RISK\n14:10 END";
        let p = t.find("RISK").unwrap();
        assert_eq!(
            &t[sentence_start(t, p)..sentence_end(t, p)],
            "14:05 YP AT RISK"
        );
        let t = "the girl was\nseen with him";
        assert_eq!(sentence_start(t, t.find("seen").unwrap()), 0);
    }

    #[test]
    fn markers() {
        assert!(marker_ignores(
            "her boyfriend <!-- vblint: ignore boyfriend -->",
            "boyfriend"
        ));
        assert!(marker_ignores(
            "her boyfriend [vblint: ignore]",
            "boyfriend"
        ));
        assert!(!marker_ignores(
            "her boyfriend [vblint: ignore consent]",
            "boyfriend"
        ));
        let t =
            "a\nvblint-disable boyfriend\nher boyfriend\nvblint-enable boyfriend\nher boyfriend";
        let ctx = DocContext::new(t);
        assert!(ctx.suppressed("boyfriend", t.find("her boyfriend").unwrap() + 4));
        assert!(!ctx.suppressed("boyfriend", t.rfind("boyfriend").unwrap()));
        let t = "<!-- vblint: ignore boyfriend -->\nher boyfriend";
        assert!(DocContext::new(t).suppressed("boyfriend", t.rfind("boyfriend").unwrap()));
    }

    #[test]
    fn word_equality_folds_case_and_apostrophes() {
        assert!(word_eq("mum's", "Mum’s"));
        assert!(word_eq("mum's", "MUM'S"));
        assert!(!word_eq("mum", "mum's"));
    }
}

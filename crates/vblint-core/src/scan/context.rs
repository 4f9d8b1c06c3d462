//! Context rules, evaluated on the original text around a candidate match:
//! quotations, context guards and inline suppression markers.
//!
//! Everything here runs only for candidates (rare), never for every byte of a
//! document, and looks at a bounded neighbourhood so a pathological document
//! cannot make one match expensive. The words around a candidate are split and
//! lower-cased once ([`Neighbourhood`]) and every guard of the entry reads
//! them; guard phrases are indexed by their first word ([`CompiledGuard`]), so
//! a guard with many phrases costs about one lookup per word. Document-wide
//! facts are computed once per document, lazily, in [`DocContext`], which is
//! shared by the threads that scan pieces of one large document.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::ops::Range;
use std::sync::{LazyLock, OnceLock};

use aho_corasick::packed;
use wide::u8x16;

use crate::lexicon::{Guard, GuardPhrase, GuardScope, GuardWord, HEADER_LINES};

/// How far back or forward (in bytes) the context rules look.
pub(crate) const REACH: usize = 2000;

/// The most bytes of a document's first lines that count as its header.
const HEADER_BYTES: usize = 2000;

/// Per-document facts computed on first use; safe to share between threads.
pub(crate) struct DocContext<'t> {
    text: &'t str,
    /// Whether the text mentions `vblint` at all (in any case): without it,
    /// no inline marker can apply.
    has_markers: OnceLock<bool>,
    /// Regions switched off with `vblint-disable` … `vblint-enable`:
    /// (range, rule ids; empty means every rule).
    disabled: OnceLock<Vec<(Range<usize>, Vec<String>)>>,
    /// Results of header- and document-scope guards, by guard index.
    document_hits: Vec<OnceLock<bool>>,
}

impl<'t> DocContext<'t> {
    /// Facts about `text`, for a lexicon with `guards` guards.
    pub(crate) fn new(text: &'t str, guards: usize) -> DocContext<'t> {
        DocContext {
            text,
            has_markers: OnceLock::new(),
            disabled: OnceLock::new(),
            document_hits: (0..guards).map(|_| OnceLock::new()).collect(),
        }
    }

    /// Whether a guard's phrases are present for the match at `span`, whose
    /// surrounding words are in `near`.
    pub(crate) fn guard_hits(
        &self,
        index: usize,
        guard: &CompiledGuard,
        span: &Range<usize>,
        near: &Neighbourhood,
    ) -> bool {
        let text = self.text;
        match guard.scope {
            GuardScope::Words => {
                let reach = guard.reach();
                let need = guard.need();
                let start = floor(text, span.start.saturating_sub(reach));
                let end = ceil(text, span.end + reach);
                let before = near.before.suffix_from(start);
                let before = before.start.max(before.end.saturating_sub(need))..before.end;
                let after = near.after.prefix_to(end);
                let after = after.start..after.end.min(after.start + need);
                guard.hits(&near.before, before, &near.after, after, guard.window)
            }
            GuardScope::Sentence | GuardScope::Paragraph => {
                let (start, end) = if guard.scope == GuardScope::Sentence {
                    near.sentence
                } else {
                    near.paragraph
                };
                let before = near.before.suffix_from(start);
                let after = near.after.prefix_to(end);
                guard.hits(&near.before, before, &near.after, after, usize::MAX)
            }
            // Whole-document guards do not depend on the match: each is
            // evaluated once per document.
            GuardScope::Header | GuardScope::Document => {
                *self.document_hits[index].get_or_init(|| {
                    if guard.scope == GuardScope::Header {
                        guard.around.occurs_in(&text[..header_end(text)])
                    } else {
                        document_contains(text, &guard.around)
                    }
                })
            }
        }
    }

    /// Tells the context whether the text mentions `vblint` (see
    /// [`mentions_vblint`]), for a caller that has looked already; `false`
    /// makes [`DocContext::suppressed`] answer `false` throughout, for a
    /// caller that applies the markers itself.
    pub(crate) fn know_markers(&self, present: bool) {
        let _ = self.has_markers.set(present);
    }

    /// Whether an inline marker switches off `rule` at `offset`.
    pub(crate) fn suppressed(&self, rule: &str, offset: usize) -> bool {
        let text = self.text;
        if !*self.has_markers.get_or_init(|| mentions_vblint(text)) {
            return false;
        }
        let bytes = text.as_bytes();
        let line_start = memchr::memrchr(b'\n', &bytes[..offset]).map_or(0, |i| i + 1);
        let line_end = memchr::memchr(b'\n', &bytes[offset..]).map_or(text.len(), |i| offset + i);
        if marker_ignores(&text[line_start..line_end], rule) {
            return true;
        }
        // A marker alone on the line before applies to this line.
        if line_start > 0 {
            let prev_start = memchr::memrchr(b'\n', &bytes[..line_start - 1]).map_or(0, |i| i + 1);
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

/// The end of the document's header: its first lines, at most
/// [`HEADER_BYTES`] (a header is a few short lines; a document that starts
/// with long paragraphs has its header in the first of them).
pub(crate) fn header_end(text: &str) -> usize {
    let end = memchr::memchr_iter(b'\n', text.as_bytes())
        .nth(HEADER_LINES - 1)
        .unwrap_or(text.len());
    end.min(floor(text, HEADER_BYTES))
}

/// How far [`cut_before`] and [`cut_after`] look for a paragraph break.
const CUT_SEARCH: usize = 64 << 10;

/// The offset just after the last blank line (a line break, optional spaces,
/// a line break) that ends at or before `pos`; 0 at the start of the text.
/// `None` if there is none within [`CUT_SEARCH`] bytes.
pub(crate) fn cut_before(text: &str, pos: usize) -> Option<usize> {
    let pos = pos.min(text.len());
    if pos == 0 {
        return Some(0);
    }
    let limit = pos.saturating_sub(CUT_SEARCH);
    // The start of the text is a paragraph break too.
    blank_line_before(text.as_bytes(), pos, limit).or((limit == 0).then_some(0))
}

/// The offset just after the first blank line that starts at or after
/// `pos`; the end of the text if it comes first. `None` if there is none
/// within [`CUT_SEARCH`] bytes.
pub(crate) fn cut_after(text: &str, pos: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let limit = (pos + CUT_SEARCH).min(bytes.len());
    let mut i = pos.min(bytes.len());
    loop {
        if i >= bytes.len() {
            return Some(bytes.len());
        }
        let Some(nl) = memchr::memchr(b'\n', &bytes[i..limit]).map(|k| i + k) else {
            return (limit == bytes.len()).then_some(limit);
        };
        let mut j = nl + 1;
        while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\r') {
            j += 1;
        }
        if j < bytes.len() && bytes[j] == b'\n' {
            return Some(j + 1);
        }
        if j >= bytes.len() {
            return Some(bytes.len());
        }
        i = nl + 1;
    }
}

/// Whether `text` contains `vblint` in any case, as every inline marker
/// does.
///
/// The search runs over the whole of a document, often a big one. It looks
/// for the four ways to write `vb` with aho-corasick's SIMD search (Teddy),
/// which passes over the pair's rare places, not for every `v`.
pub fn mentions_vblint(text: &str) -> bool {
    static VB: LazyLock<Option<packed::Searcher>> = LazyLock::new(|| {
        packed::Config::new()
            .builder()
            .extend(["vb", "vB", "Vb", "VB"])
            .build()
    });
    let bytes = text.as_bytes();
    let is_vblint =
        |i: usize| bytes.len() - i >= 6 && bytes[i..i + 6].eq_ignore_ascii_case(b"vblint");
    match &*VB {
        Some(searcher) => searcher.find_iter(bytes).any(|m| is_vblint(m.start())),
        None => memchr::memchr2_iter(b'v', b'V', bytes).any(is_vblint),
    }
}

/// A guard ready for matching: its phrases indexed by first word.
#[derive(Debug)]
pub(crate) struct CompiledGuard {
    action: crate::lexicon::GuardAction,
    scope: GuardScope,
    window: usize,
    before: PhraseIndex,
    after: PhraseIndex,
    around: PhraseIndex,
}

impl CompiledGuard {
    pub(crate) fn new(guard: &Guard) -> CompiledGuard {
        CompiledGuard {
            action: guard.action,
            scope: guard.scope,
            window: guard.window,
            before: PhraseIndex::new(&guard.before),
            after: PhraseIndex::new(&guard.after),
            around: PhraseIndex::new(&guard.around),
        }
    }

    /// Suppress or require.
    pub(crate) fn action(&self) -> crate::lexicon::GuardAction {
        self.action
    }

    /// The most words a phrase of this guard has.
    fn longest(&self) -> usize {
        [&self.before, &self.after, &self.around]
            .iter()
            .map(|p| p.longest)
            .max()
            .unwrap_or(1)
            .max(1)
    }

    /// How many words either side a `words` guard needs.
    fn need(&self) -> usize {
        self.window.saturating_add(self.longest())
    }

    /// How many bytes either side a `words` guard looks: words are rarely
    /// longer than 32 bytes with their spacing, and looking no further keeps
    /// a guard check cheap.
    fn reach(&self) -> usize {
        REACH.min(self.need().saturating_mul(32))
    }

    fn hits(
        &self,
        before: &WordList,
        b: Range<usize>,
        after: &WordList,
        a: Range<usize>,
        window: usize,
    ) -> bool {
        self.before.find(before, b.clone(), window, Side::Before)
            || self.after.find(after, a.clone(), window, Side::After)
            || self.around.find(before, b, window, Side::Before)
            || self.around.find(after, a, window, Side::After)
    }
}

/// Guard phrases indexed by their first word.
#[derive(Debug)]
struct PhraseIndex {
    phrases: Vec<Vec<GuardWord>>,
    /// Phrases starting with a literal word, by that word.
    by_first: HashMap<String, Vec<usize>, BuildHasherDefault<WordHasher>>,
    /// The first bytes of those words: most words of a text start with
    /// none of them and are passed over without hashing.
    first_bytes: [bool; 256],
    /// Phrases starting with a number pattern.
    numeric: Vec<usize>,
    /// The most words a phrase has.
    longest: usize,
    /// The literal first words, for [`PhraseIndex::may_occur_in`].
    first_words: FirstWords,
    /// Whether every first word is ASCII letters and digits only (see
    /// [`PhraseIndex::may_occur_in`]).
    plain_first_words: bool,
}

impl PhraseIndex {
    fn new(phrases: &[GuardPhrase]) -> PhraseIndex {
        let mut index = PhraseIndex {
            phrases: Vec::new(),
            by_first: HashMap::default(),
            first_bytes: [false; 256],
            numeric: Vec::new(),
            longest: 0,
            first_words: FirstWords::Each(Vec::new()),
            plain_first_words: true,
        };
        for p in phrases.iter().filter(|p| !p.words.is_empty()) {
            let i = index.phrases.len();
            match &p.words[0] {
                GuardWord::Word(w) => {
                    if let Some(&b) = w.as_bytes().first() {
                        index.first_bytes[usize::from(b)] = true;
                    }
                    index.by_first.entry(w.clone()).or_default().push(i);
                }
                _ => index.numeric.push(i),
            }
            index.longest = index.longest.max(p.words.len());
            index.phrases.push(p.words.clone());
        }
        let mut first: Vec<&String> = index.by_first.keys().collect();
        first.sort();
        index.plain_first_words = first
            .iter()
            .all(|w| w.bytes().all(|b| b.is_ascii_alphanumeric()));
        index.first_words = FirstWords::new(&first);
        index
    }

    /// Whether a phrase may occur in `text`, tested without splitting it into
    /// words: false when the lower-cased text holds none of the phrases'
    /// first words, even inside another word. Exact as a necessary
    /// condition: [`WordList`] lower-cases character by character, so the
    /// lower case of a word of `text` is a part of the lower-cased text.
    /// Phrases that start with a number pattern are not filtered.
    ///
    /// When the first words are ASCII letters and digits, lower-casing only
    /// the ASCII letters of the text finds the same: other characters
    /// lower-case to characters outside ASCII, and never to nothing, except
    /// the Kelvin sign (to `k`) and the dotted capital I (to `i` and a
    /// combining dot), for which the whole text is lower-cased.
    fn may_occur_in(&self, text: &str) -> bool {
        if self.phrases.is_empty() {
            return false;
        }
        if !self.numeric.is_empty() {
            return true;
        }
        let mut lower = String::with_capacity(text.len());
        if self.plain_first_words && !lower_cases_into_ascii(text) {
            lower.push_str(text);
            lower.make_ascii_lowercase();
        } else {
            push_lower(&mut lower, text);
        }
        self.first_words.any_in(lower.as_bytes())
    }

    /// Whether a phrase occurs in `text` (a header: a few lines), with its
    /// words split as [`WordList`] splits them.
    ///
    /// Only the words around the places where a first word occurs are
    /// split: from the whitespace before each place to whitespace after
    /// it, far enough on for the longest phrase to fit. Words never cross
    /// whitespace, so those words are the text's own. Where finding a
    /// first word in the text does not find every word equal to one (see
    /// [`PhraseIndex::may_occur_in`]: phrases that start with a number, or
    /// a text that changes length when lower-cased), the whole text is
    /// split.
    fn occurs_in(&self, text: &str) -> bool {
        if self.phrases.is_empty() {
            return false;
        }
        let mut words = WordList::default();
        if !self.numeric.is_empty() || !self.plain_first_words || lower_cases_into_ascii(text) {
            if !self.may_occur_in(text) {
                return false;
            }
            words.extend(text, 0..text.len());
            return self.find(&words, 0..words.len(), usize::MAX, Side::After);
        }
        // Lower-casing ASCII letters moves no byte, and no whitespace.
        let lower = text.to_ascii_lowercase();
        let bytes = lower.as_bytes();
        let mut from = 0;
        while let Some(at) = self.first_words.find_from(bytes, from) {
            let start = after_space_before(bytes, 0, at);
            let end = words
                .extend_widening(
                    text,
                    64 * self.longest,
                    |reach| {
                        let end =
                            space_at_or_after(bytes, (at + reach).min(bytes.len()), bytes.len());
                        (start..end, end == bytes.len())
                    },
                    // The words from the one that starts at the place on.
                    |list| list.len() - list.suffix_from(at).start >= self.longest,
                )
                .end;
            if self.find(&words, 0..words.len(), usize::MAX, Side::After) {
                return true;
            }
            // Every phrase that starts early enough in these words to end
            // in them has been looked for: the next place is further on.
            from = if end == text.len() {
                end
            } else {
                match words.words.get(words.len() + 1 - self.longest) {
                    Some(&(_, _, next, _)) => next.max(at + 1),
                    None => end.max(at + 1),
                }
            };
        }
        false
    }

    /// Whether a phrase occurs in `words[range]`: ending within `window`
    /// words of the range's end (`Before`, the words before a match) or
    /// starting within `window` words of its start (`After`).
    fn find(&self, words: &WordList, range: Range<usize>, window: usize, side: Side) -> bool {
        if self.phrases.is_empty() || range.is_empty() {
            return false;
        }
        let n = range.len();
        // Positions (relative to the range) where a phrase may start.
        let first = match side {
            Side::Before => n.saturating_sub(window.saturating_add(self.longest) - 1),
            Side::After => 0,
        };
        let last = match side {
            Side::Before => n,
            Side::After => n.min(window),
        };
        (first..last).any(|i| {
            let word = words.get(range.start + i);
            let fits = |p: usize| {
                let pattern = &self.phrases[p];
                let len = pattern.len();
                let in_window = match side {
                    Side::Before => i + len <= n && n - (i + len) < window,
                    Side::After => i + len <= n,
                };
                in_window
                    && pattern.iter().enumerate().all(|(k, w)| {
                        let word = words.get(range.start + i + k);
                        match w {
                            GuardWord::Word(expected) => expected == word,
                            other => other.matches(word),
                        }
                    })
            };
            let first = word.as_bytes().first().copied().unwrap_or(0);
            self.first_bytes[usize::from(first)]
                && self
                    .by_first
                    .get(word)
                    .is_some_and(|ps| ps.iter().any(|&p| fits(p)))
                || (!self.numeric.is_empty()
                    && word.starts_with(|c: char| c.is_ascii_digit())
                    && self.numeric.iter().any(|&p| fits(p)))
        })
    }
}

/// Searchers for the first words of a [`PhraseIndex`], built once.
#[derive(Debug)]
enum FirstWords {
    /// All of them at once, in one pass of SIMD code (Teddy).
    Together(packed::Searcher),
    /// One after the other, where Teddy cannot be used (too many words, or
    /// a processor without the instructions it needs).
    Each(Vec<memchr::memmem::Finder<'static>>),
}

impl FirstWords {
    fn new(words: &[&String]) -> FirstWords {
        let together = packed::Config::new().builder().extend(words).build();
        match together {
            // An empty word is found everywhere, as `memmem` finds it.
            Some(searcher) if !words.is_empty() && words.iter().all(|w| !w.is_empty()) => {
                FirstWords::Together(searcher)
            }
            _ => FirstWords::Each(
                words
                    .iter()
                    .map(|w| memchr::memmem::Finder::new(w.as_str()).into_owned())
                    .collect(),
            ),
        }
    }

    /// Whether any of the words occurs in `haystack`.
    fn any_in(&self, haystack: &[u8]) -> bool {
        match self {
            FirstWords::Together(searcher) => searcher.find(haystack).is_some(),
            FirstWords::Each(finders) => finders.iter().any(|w| w.find(haystack).is_some()),
        }
    }

    /// Where the first occurrence of any of the words starts in `haystack`,
    /// at or after `from`.
    fn find_from(&self, haystack: &[u8], from: usize) -> Option<usize> {
        let rest = haystack.get(from..)?;
        let found = match self {
            FirstWords::Together(searcher) => searcher.find(rest).map(|m| m.start()),
            FirstWords::Each(finders) => finders.iter().filter_map(|w| w.find(rest)).min(),
        };
        found.map(|at| from + at)
    }
}

/// Whether `text` holds the Kelvin sign or the dotted capital I, the
/// characters outside ASCII whose lower case has ASCII letters in it. Found
/// by their last bytes, which few characters share.
fn lower_cases_into_ascii(text: &str) -> bool {
    const KELVIN: &[u8] = "\u{212A}".as_bytes();
    const DOTTED_I: &[u8] = "\u{130}".as_bytes();
    let bytes = text.as_bytes();
    memchr::memchr2_iter(KELVIN[2], DOTTED_I[1], bytes)
        .any(|i| bytes[..=i].ends_with(KELVIN) || bytes[..=i].ends_with(DOTTED_I))
}

/// A fast hasher for short words (the multiply-rotate hash of rustc's
/// `FxHasher`): guard lookups hash one word per word of context, and need
/// no protection against crafted collisions (the keys are the lexicon's).
#[derive(Default)]
struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Appends `text` lower-cased, character by character, with typographic
/// apostrophes folded to `'`: how guard phrases and the words they are
/// compared with are written.
fn push_lower(out: &mut String, text: &str) {
    let mut rest = text;
    while !rest.is_empty() {
        // ASCII runs in one go, other characters one by one.
        let ascii = rest
            .bytes()
            .position(|b| !b.is_ascii())
            .unwrap_or(rest.len());
        let from = out.len();
        out.push_str(&rest[..ascii]);
        out[from..].make_ascii_lowercase();
        rest = &rest[ascii..];
        if let Some(c) = rest.chars().next() {
            match c {
                '\u{2018}' | '\u{2019}' => out.push('\''),
                c => out.extend(c.to_lowercase()),
            }
            rest = &rest[c.len_utf8()..];
        }
    }
}

/// Words of a stretch of text, lower-cased (typographic apostrophes folded)
/// into one buffer, with their offsets in the text.
#[derive(Clone, Debug, Default)]
pub(crate) struct WordList {
    lower: String,
    /// Per word: its range in `lower` and its start and end in the text.
    words: Vec<(u32, u32, usize, usize)>,
}

/// A stretch of text whose words [`WordList::extend`] appends: where it
/// starts in the text, and where its lower-cased copy starts in the list.
#[derive(Clone, Copy)]
struct Pushed<'t> {
    stretch: &'t str,
    copy: usize,
    base: usize,
}

impl WordList {
    fn clear(&mut self) {
        self.lower.clear();
        self.words.clear();
    }

    fn len(&self) -> usize {
        self.words.len()
    }

    /// Appends the words of `text[range]`, split as [`super::words`]
    /// splits them.
    ///
    /// The stretch is copied into the buffer and lower-cased in one go
    /// (ASCII letters only), and an ASCII word is its own part of that
    /// copy; a word with other characters is lower-cased on its own and
    /// appended. The runs of letters and digits come from the anchor
    /// index's block splitter and are joined where [`super::words`] joins
    /// them. Compiled for the best instructions this processor has (see
    /// `scan::dispatch`).
    pub(super) fn extend(&mut self, text: &str, range: Range<usize>) {
        super::dispatch::best(
            #[inline(always)]
            || self.extend_inlined(text, range),
        );
    }

    /// Fills the list with the words before `end` that a split of
    /// `lo..end` gives from `whole_from` on, and at least the last `words`
    /// of the rest (all of them if there are fewer).
    ///
    /// The split starts just after whitespace close enough for `words`
    /// words ([`near_bytes`]), or at `lo`: a word never crosses whitespace,
    /// so the words after it are those a split from `lo` gives. Where there
    /// are fewer, it starts twice as far back.
    pub(super) fn extend_back(
        &mut self,
        text: &str,
        lo: usize,
        whole_from: usize,
        end: usize,
        words: usize,
    ) {
        let bytes = text.as_bytes();
        self.extend_widening(
            text,
            near_bytes(words),
            |back| {
                let from = end.saturating_sub(back).min(whole_from).max(lo);
                let start = after_space_before(bytes, lo, from);
                (start..end, start == lo)
            },
            |list| list.len() >= words,
        );
    }

    /// Fills the list with the words after `start` that a split of
    /// `start..hi` gives up to `whole_to`, and at least the first `words`
    /// of the rest (all of them if there are fewer): as
    /// [`WordList::extend_back`], forwards.
    pub(super) fn extend_on(
        &mut self,
        text: &str,
        start: usize,
        whole_to: usize,
        hi: usize,
        words: usize,
    ) {
        let bytes = text.as_bytes();
        self.extend_widening(
            text,
            near_bytes(words),
            |on| {
                let to = (start + on).max(whole_to).min(hi);
                let end = space_at_or_after(bytes, to, hi);
                (start..end, end == hi)
            },
            |list| list.len() >= words,
        );
    }

    /// Fills the list with the words of the stretch of `text` that
    /// `stretch(distance)` gives (with whether it is the widest there is),
    /// for a distance in bytes from `distance` on, doubled until `enough`
    /// holds of the words or the stretch is the widest. Returns the
    /// stretch split.
    fn extend_widening(
        &mut self,
        text: &str,
        mut distance: usize,
        stretch: impl Fn(usize) -> (Range<usize>, bool),
        enough: impl Fn(&WordList) -> bool,
    ) -> Range<usize> {
        loop {
            let (range, widest) = stretch(distance);
            self.clear();
            self.extend(text, range.clone());
            if widest || enough(self) {
                return range;
            }
            distance *= 2;
        }
    }

    /// [`WordList::extend`], inlined into each build of it.
    #[inline(always)]
    pub(super) fn extend_inlined(&mut self, text: &str, range: Range<usize>) {
        let stretch = &text[range.clone()];
        let bytes = stretch.as_bytes();
        let copy = self.lower.len();
        self.lower.reserve(stretch.len() + stretch.len() / 8);
        self.words.reserve(stretch.len() / 4);
        self.lower.push_str(stretch);
        self.lower[copy..].make_ascii_lowercase();
        // The word being read: its start and end in the stretch, and
        // whether it is known to be ASCII.
        let mut open: Option<(usize, usize, bool)> = None;
        let push = Pushed {
            stretch,
            copy,
            base: range.start,
        };
        super::phrases::words_ascii(
            stretch,
            #[inline(always)]
            |start, end, ascii| {
                open = match open {
                    // Joined by an ASCII byte (not a typographic apostrophe),
                    // a word of ASCII runs stays ASCII.
                    Some((first, last, known))
                        if crate::text::joins_runs(&bytes[last - 1..=start]) =>
                    {
                        Some((first, end, known && ascii && bytes[last].is_ascii()))
                    }
                    Some((first, last, known)) => {
                        self.push(&push, first..last, known);
                        Some((start, end, ascii))
                    }
                    None => Some((start, end, ascii)),
                };
            },
        );
        if let Some((first, last, known)) = open {
            self.push(&push, first..last, known);
        }
    }

    /// Appends the word `stretch[word]` (of [`WordList::extend`]), known to
    /// be ASCII if `ascii`; an ASCII word is its own part of the stretch's
    /// copy.
    #[inline(always)]
    fn push(&mut self, pushed: &Pushed<'_>, word: Range<usize>, ascii: bool) {
        let Pushed {
            stretch,
            copy,
            base,
        } = *pushed;
        let (from, to) = if ascii || stretch.as_bytes()[word.clone()].is_ascii() {
            (copy + word.start, copy + word.end)
        } else {
            let from = self.lower.len();
            push_lower(&mut self.lower, &stretch[word.clone()]);
            (from, self.lower.len())
        };
        self.words
            .push((from as u32, to as u32, base + word.start, base + word.end));
    }

    /// [`WordList::extend`] word by word, with [`super::words`]: the
    /// reference for tests.
    #[cfg(test)]
    fn extend_any(&mut self, text: &str, range: Range<usize>) {
        let base = range.start;
        for (r, word) in crate::text::words(&text[range]) {
            let from = self.lower.len();
            push_lower(&mut self.lower, word);
            self.words.push((
                from as u32,
                self.lower.len() as u32,
                base + r.start,
                base + r.end,
            ));
        }
    }

    /// The lower-cased word at `i`.
    fn get(&self, i: usize) -> &str {
        let (from, to, _, _) = self.words[i];
        &self.lower[from as usize..to as usize]
    }

    /// The indexes of the words that start at or after `offset`.
    fn suffix_from(&self, offset: usize) -> Range<usize> {
        self.words.partition_point(|w| w.2 < offset)..self.words.len()
    }

    /// The indexes of the words that end at or before `offset`.
    fn prefix_to(&self, offset: usize) -> Range<usize> {
        0..self.words.partition_point(|w| w.3 <= offset)
    }
}

/// The bytes first split for `words` words near a match: 8 a word, with
/// its spacing, and a little more.
fn near_bytes(words: usize) -> usize {
    8 * words + 16
}

/// Where a split of `bytes[lo..]` may start at `at` or before without
/// cutting a word: just after the last ASCII whitespace in `lo..at`, or at
/// `lo` (a word never holds whitespace).
fn after_space_before(bytes: &[u8], lo: usize, at: usize) -> usize {
    bytes[lo..at]
        .iter()
        .rposition(u8::is_ascii_whitespace)
        .map_or(lo, |i| lo + i + 1)
}

/// Where a split of `bytes[..hi]` may end at `at` or after without cutting
/// a word: at the first ASCII whitespace in `at..hi`, or at `hi`.
fn space_at_or_after(bytes: &[u8], at: usize, hi: usize) -> usize {
    bytes[at..hi]
        .iter()
        .position(u8::is_ascii_whitespace)
        .map_or(hi, |i| at + i)
}

/// The words around one candidate match, split once for all its guards.
#[derive(Debug, Default)]
pub(crate) struct Neighbourhood {
    /// Words before the match (up to the furthest any guard looks).
    before: WordList,
    /// Words after the match.
    after: WordList,
    /// The match's sentence and paragraph (only when a guard needs them).
    sentence: (usize, usize),
    paragraph: (usize, usize),
}

impl Neighbourhood {
    /// Splits the words around `span` that `guards` may look at.
    ///
    /// A sentence or paragraph guard needs all the words of its scope; a
    /// guard of words only the few nearest the match (its window and its
    /// longest phrase), within its reach in bytes. Those are split from
    /// whitespace near enough for them, further only when there are fewer
    /// (see [`WordList::extend_back`] and [`WordList::extend_on`]): every
    /// guard sees the words it would see in the whole reach.
    pub(crate) fn fill<'g>(
        &mut self,
        text: &str,
        span: &Range<usize>,
        guards: impl Iterator<Item = &'g CompiledGuard> + Clone,
    ) {
        let reach = self.reach(text, span, guards);
        self.before
            .extend_back(text, reach.lo, reach.whole_from, span.start, reach.words);
        self.after
            .extend_on(text, span.end, reach.whole_to, reach.hi, reach.words);
    }

    /// [`Neighbourhood::fill`] splitting the whole reach of every guard:
    /// the reference for tests.
    #[cfg(test)]
    fn fill_whole<'g>(
        &mut self,
        text: &str,
        span: &Range<usize>,
        guards: impl Iterator<Item = &'g CompiledGuard> + Clone,
    ) {
        let reach = self.reach(text, span, guards);
        self.before.clear();
        self.before.extend(text, reach.lo..span.start);
        self.after.clear();
        self.after.extend(text, span.end..reach.hi);
    }

    /// How far the guards look around `span`; notes the match's sentence
    /// and paragraph when a guard needs them.
    fn reach<'g>(
        &mut self,
        text: &str,
        span: &Range<usize>,
        guards: impl Iterator<Item = &'g CompiledGuard> + Clone,
    ) -> Reach {
        let (mut whole_from, mut whole_to) = (span.start, span.end);
        let scopes = |s: GuardScope| guards.clone().any(|g| g.scope == s);
        let (sentence, paragraph) = (scopes(GuardScope::Sentence), scopes(GuardScope::Paragraph));
        if sentence || paragraph {
            let start = paragraph_start(text, span.start);
            let end = paragraph_end(text, span.end);
            self.paragraph = (start, end);
            if sentence {
                self.sentence = (
                    sentence_start_within(text, span.start, start),
                    sentence_end_within(text, span.end, end),
                );
            }
            // Split only as far as the widest scope needs.
            let (start, end) = if paragraph {
                (start, end)
            } else {
                self.sentence
            };
            whole_from = start.min(span.start);
            whole_to = end.max(span.end);
        }
        let mut reach = Reach {
            lo: whole_from,
            hi: whole_to,
            whole_from,
            whole_to,
            words: 0,
        };
        for g in guards.filter(|g| g.scope == GuardScope::Words) {
            reach.lo = reach
                .lo
                .min(floor(text, span.start.saturating_sub(g.reach())));
            reach.hi = reach.hi.max(ceil(text, span.end + g.reach()));
            reach.words = reach.words.max(g.need());
        }
        reach
    }
}

/// How far the guards of a match look (see [`Neighbourhood::reach`]): at
/// most from `lo` to `hi`, all of `whole_from..whole_to`, and, of the
/// rest, the `words` nearest the match on either side.
struct Reach {
    lo: usize,
    hi: usize,
    whole_from: usize,
    whole_to: usize,
    words: usize,
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

/// Whether a document-scope guard's phrase occurs anywhere in `text`. The
/// text is split in blocks (cut after a line break) with enough words of
/// overlap that no phrase is missed at a cut.
fn document_contains(text: &str, phrases: &PhraseIndex) -> bool {
    const BLOCK: usize = 64 << 10;
    if phrases.phrases.is_empty() {
        return false;
    }
    let bytes = text.as_bytes();
    let mut words = WordList::default();
    let mut start = 0;
    while start < text.len() {
        let mut end = ceil(text, start + BLOCK);
        if end < text.len() {
            end = memchr::memchr(b'\n', &bytes[end..]).map_or(text.len(), |i| end + i + 1);
        }
        // Keep the last words of the previous block: a phrase may straddle
        // the cut.
        let keep = words.len().saturating_sub(phrases.longest);
        let carried: Vec<(usize, usize)> = words.words[keep..].iter().map(|w| (w.2, w.3)).collect();
        words.clear();
        let from = carried.first().map_or(start, |first| first.0);
        // Without a first word in it, no phrase starts in this stretch; and
        // none carries on into the next block, so nothing is kept.
        if !phrases.may_occur_in(&text[from..end]) {
            start = end;
            continue;
        }
        if let Some(last) = carried.last() {
            debug_assert!(last.1 <= start);
            words.extend(text, from..start);
        }
        words.extend(text, start..end);
        if phrases.find(&words, 0..words.len(), usize::MAX, Side::After) {
            return true;
        }
        start = end;
    }
    false
}

fn floor(text: &str, offset: usize) -> usize {
    crate::diagnostic::floor_char_boundary(text, offset)
}

pub(crate) fn ceil(text: &str, offset: usize) -> usize {
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
    blank_line_before(text.as_bytes(), pos, limit).unwrap_or(limit)
}

/// The offset just after the last blank line (a line break, optional
/// spaces, a line break; or a line break with only spaces before it at the
/// start of the text) ending in `bytes[limit..pos]`.
fn blank_line_before(bytes: &[u8], pos: usize, limit: usize) -> Option<usize> {
    let mut i = pos;
    while let Some(nl) = memchr::memrchr(b'\n', &bytes[limit..i]).map(|k| limit + k) {
        let mut j = nl;
        while j > limit && matches!(bytes[j - 1], b' ' | b'\t' | b'\r') {
            j -= 1;
        }
        if j > limit && bytes[j - 1] == b'\n' || j == 0 {
            return Some(nl + 1);
        }
        i = nl;
    }
    None
}

/// The end of the paragraph holding `pos`.
pub(crate) fn paragraph_end(text: &str, pos: usize) -> usize {
    let limit = ceil(text, pos + REACH);
    let bytes = text.as_bytes();
    let mut i = pos;
    while let Some(nl) = memchr::memchr(b'\n', &bytes[i..limit]).map(|k| i + k) {
        let mut j = nl + 1;
        while j < limit && matches!(bytes[j], b' ' | b'\t' | b'\r') {
            j += 1;
        }
        if j >= text.len() || bytes[j] == b'\n' {
            return nl;
        }
        i = nl + 1;
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

fn sentence_break(text: &str, i: usize) -> bool {
    text.as_bytes()[i] == b'\n' && line_break_ends_sentence(text, i) || ends_sentence(text, i)
}

/// The start of the sentence holding `pos`.
#[cfg(test)]
pub(crate) fn sentence_start(text: &str, pos: usize) -> usize {
    sentence_start_within(text, pos, paragraph_start(text, pos))
}

/// The start of the sentence holding `pos`, not before `limit` (the start of
/// its paragraph).
fn sentence_start_within(text: &str, pos: usize, limit: usize) -> usize {
    (limit..pos)
        .rev()
        .find(|&i| sentence_break(text, i))
        .map_or(limit, |i| i + 1)
}

/// The end of the sentence holding `pos`.
#[cfg(test)]
pub(crate) fn sentence_end(text: &str, pos: usize) -> usize {
    sentence_end_within(text, pos, paragraph_end(text, pos))
}

/// The end of the sentence holding `pos`, not after `limit` (the end of its
/// paragraph).
fn sentence_end_within(text: &str, pos: usize, limit: usize) -> usize {
    (pos..limit)
        .find(|&i| sentence_break(text, i))
        .unwrap_or(limit)
}

/// Lead bytes of the characters that can open or close a quotation: the
/// ASCII quotes and backtick, and the first byte of the UTF-8 encodings of
/// `‘ ’ “ ” „` (E2 80 xx) and `« »` (C2 xx).
static QUOTE_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    t[b'"' as usize] = true;
    t[b'\'' as usize] = true;
    t[b'`' as usize] = true;
    t[0xE2] = true;
    t[0xC2] = true;
    t
};

/// The position of the first byte of [`QUOTE_BYTES`] in `bytes`, tested
/// sixteen bytes at a time.
fn first_quote_byte(bytes: &[u8]) -> Option<usize> {
    let (blocks, rest) = bytes.as_chunks::<16>();
    for (k, &block) in blocks.iter().enumerate() {
        let b = u8x16::new(block);
        let is = |byte: u8| b.simd_eq(u8x16::splat(byte));
        let quotes = is(b'"') | is(b'\'') | is(b'`') | is(0xE2) | is(0xC2);
        let mask = quotes.to_bitmask();
        if mask != 0 {
            return Some(16 * k + mask.trailing_zeros() as usize);
        }
    }
    let at = rest.iter().position(|&b| QUOTE_BYTES[usize::from(b)])?;
    Some(16 * blocks.len() + at)
}

/// The offsets in `text[range]` of characters that may be quotation marks
/// (and some other characters sharing their lead byte), with the character.
fn quote_candidates(text: &str, range: Range<usize>) -> impl Iterator<Item = (usize, char)> + '_ {
    let bytes = text.as_bytes();
    let end = range.end;
    let mut i = range.start;
    std::iter::from_fn(move || {
        let off = first_quote_byte(&bytes[i..end])?;
        let at = i + off;
        let c = text[at..].chars().next()?;
        i = at + c.len_utf8();
        Some((at, c))
    })
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
    for (at, c) in quote_candidates(text, start..span.start) {
        let prev = (at > start)
            .then(|| text[..at].chars().next_back())
            .flatten();
        let next = text[at + c.len_utf8()..].chars().next();
        match c {
            '"' => double = if double.is_some() { None } else { Some(at) },
            '\u{201C}' | '\u{201E}' | '\u{AB}' => double = Some(at),
            '\u{201D}' | '\u{BB}' => double = None,
            '\'' | '\u{2018}' | '\u{2019}' | '`' => {
                let before_word = prev.is_some_and(char::is_alphanumeric);
                let after_word = next.is_some_and(char::is_alphanumeric);
                if before_word && after_word {
                    // An apostrophe inside a word: she's, Mum's.
                } else if single.is_none() && !before_word && after_word {
                    // (’ is used as an opening quote by some keyboards.)
                    single = Some(at);
                } else if single.is_some() && !after_word {
                    single = None;
                }
            }
            _ => {}
        }
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
    let end = paragraph_end(text, span.end).max(span.end);
    for (at, c) in quote_candidates(text, span.end..end) {
        if closers.contains(&c) {
            let prev = text[..at].chars().next_back();
            let next = text[at + c.len_utf8()..end].chars().next();
            let is_apostrophe = c != '"'
                && c != '\u{201D}'
                && prev.is_some_and(char::is_alphanumeric)
                && next.is_some_and(char::is_alphanumeric);
            if !is_apostrophe {
                return true;
            }
        }
    }
    // Unclosed: count it only if it opened on the match's own line.
    memchr::memchr(b'\n', &text.as_bytes()[open_at..span.start]).is_none()
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
    fn quote_bytes_are_found_in_blocks_and_the_rest() {
        for b in 0..=255u8 {
            for len in [1, 15, 16, 17, 40] {
                for at in 0..len {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = b;
                    let expected = QUOTE_BYTES[usize::from(b)].then_some(at);
                    assert_eq!(
                        first_quote_byte(&bytes),
                        expected,
                        "{b:#x} at {at} of {len}"
                    );
                }
            }
        }
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
        let ctx = DocContext::new(t, 0);
        assert!(ctx.suppressed("boyfriend", t.find("her boyfriend").unwrap() + 4));
        assert!(!ctx.suppressed("boyfriend", t.rfind("boyfriend").unwrap()));
        let t = "<!-- vblint: ignore boyfriend -->\nher boyfriend";
        assert!(DocContext::new(t, 0).suppressed("boyfriend", t.rfind("boyfriend").unwrap()));
    }

    #[test]
    fn words_are_lower_cased_with_apostrophes_folded() {
        let mut w = WordList::default();
        let text = "Mum’s MUM'S Ärger";
        w.extend(text, 0..text.len());
        assert_eq!((w.get(0), w.get(1), w.get(2)), ("mum's", "mum's", "ärger"));
        assert_eq!(w.suffix_from(1), 1..3);
        assert_eq!(w.prefix_to(13), 0..2);
    }

    #[test]
    fn first_words_are_found_in_lower_case_after_every_character() {
        let index = |phrase: &str| {
            PhraseIndex::new(&[GuardPhrase {
                text: phrase.into(),
                words: crate::lexicon::guard_words(phrase),
            }])
        };
        let taxi = index("taxi rank");
        assert!(taxi.may_occur_in("Dropped off at the TAXI rank"));
        assert!(!taxi.may_occur_in("Dropped off at the bus station"));
        // Characters whose lower case holds an ASCII letter: the dotted
        // capital I (to "i" and a combining dot) and the Kelvin sign.
        assert!(taxi.may_occur_in("Dropped off at the TAX\u{130} rank"));
        assert!(index("kid").may_occur_in("the \u{212A}ID said"));
        assert!(!index("kid").may_occur_in("the \u{212B}ID said"));
        assert!(lower_cases_into_ascii("x\u{130}") && !lower_cases_into_ascii("\u{B0}C \u{AA}"));
    }

    #[test]
    fn a_phrase_across_the_end_of_the_words_split_for_an_earlier_place_is_found() {
        let index = PhraseIndex::new(&[GuardPhrase {
            text: "witness statement".into(),
            words: crate::lexicon::guard_words("witness statement"),
        }]);
        // The words split for the first "witness" end with the second one
        // (the first whitespace 128 bytes on is after it); the phrase goes
        // on past them, and is found from the second place.
        let text = format!("witness{} witness statement", " x".repeat(57));
        assert!(index.occurs_in(&text));
        assert!(!index.occurs_in(&text.replace("statement", "form")));
    }

    /// The words of a list, lower-cased, with their places in the text.
    fn listed(w: &WordList) -> Vec<(&str, usize, usize)> {
        (0..w.len())
            .map(|i| (w.get(i), w.words[i].2, w.words[i].3))
            .collect()
    }

    proptest::proptest! {
        /// The first words are found together as they are one by one.
        #[test]
        fn first_words_are_found_together_as_one_by_one(
            words in proptest::collection::vec("[a-c]{1,4}", 1..8),
            haystack in "[a-c ]{0,80}",
        ) {
            let words: Vec<&String> = words.iter().collect();
            let together = FirstWords::new(&words);
            // Teddy needs SSSE3 on x86-64 (every x86-64-v2 processor).
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("ssse3") {
                proptest::prop_assert!(matches!(together, FirstWords::Together(_)));
            }
            let each = FirstWords::Each(
                words.iter().map(|w| memchr::memmem::Finder::new(w.as_str()).into_owned()).collect(),
            );
            proptest::prop_assert_eq!(together.any_in(haystack.as_bytes()), each.any_in(haystack.as_bytes()));
        }

        /// The guards of every built-in entry judge a match alike whether
        /// the words around it are split only as far as they need or over
        /// their whole reach, wherever the spaces and long words fall.
        #[test]
        fn guards_judge_alike_on_the_words_they_need_and_on_their_whole_reach(
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    4 => proptest::sample::select(vec![
                        "not", "never", "he", "said", "suspect", "she", "aged", "34", "the",
                        "term", "word", "called", "her", "boyfriend", "stated", "MG11",
                    ]),
                    4 => proptest::sample::select(vec![" ", " ", "  ", "\n", ". ", ", ", "\n\n"]),
                    1 => proptest::sample::select(vec![
                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "'", "’", "-", "é", "\u{a0}",
                        "x", "\"", "“",
                    ]),
                ],
                0..160,
            ),
            at in 0usize..160,
        ) {
            let lexicon = crate::lexicon::Lexicon::builtin();
            let guards: Vec<CompiledGuard> = lexicon.guards.iter().map(CompiledGuard::new).collect();
            // The match: a word of the text, as the scanner finds them.
            let text: String = pieces.concat();
            let found: Vec<_> = crate::text::words(&text).map(|(r, _)| r).collect();
            proptest::prop_assume!(!found.is_empty());
            let span = found[at % found.len()].clone();
            let ctx = DocContext::new(&text, guards.len());
            let (mut narrow, mut whole) = (Neighbourhood::default(), Neighbourhood::default());
            for entry in &lexicon.entries {
                let of_entry = || entry.guards.iter().map(|&g| &guards[g]);
                narrow.fill(&text, &span, of_entry());
                whole.fill_whole(&text, &span, of_entry());
                for &g in &entry.guards {
                    proptest::prop_assert_eq!(
                        ctx.guard_hits(g, &guards[g], &span, &narrow),
                        ctx.guard_hits(g, &guards[g], &span, &whole),
                        "guard {:?} of {} at {:?}", lexicon.guards[g].id, entry.id, span
                    );
                }
            }
        }

        /// A phrase is found around the places of its first word as in
        /// the words of the whole text, wherever the spaces, joiners and
        /// other characters fall.
        #[test]
        fn phrases_occur_around_first_words_as_in_the_whole_text(
            phrases in proptest::sample::subsequence(
                vec!["witness statement", "mg 11", "mg11", "vps", "statement of witness", "11 mg", "x's vps", "# mg"],
                1..4,
            ),
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    3 => proptest::sample::select(vec![
                        "witness statement", "Witness  Statement", "mg 11", "MG\n11", "vps", "of",
                        "statement of witness", "11 mg", "x's vps", "7 mg", "witness",
                    ]),
                    4 => proptest::sample::select(vec![" ", " ", "  ", "\n"]),
                    2 => proptest::sample::select(vec![
                        "x", "s", "'", "’", ".", "-", "é", "\u{a0}", "mg1",
                    ]),
                    1 => proptest::sample::select(vec!["\u{130}", "x"]),
                ],
                0..200,
            ),
        ) {
            let text: String = pieces.concat();
            let phrases: Vec<GuardPhrase> = phrases
                .iter()
                .map(|&text| GuardPhrase { words: crate::lexicon::guard_words(text), text: text.into() })
                .collect();
            let index = PhraseIndex::new(&phrases);
            let mut words = WordList::default();
            words.extend(&text, 0..text.len());
            let whole = index.find(&words, 0..words.len(), usize::MAX, Side::After);
            proptest::prop_assert_eq!(index.occurs_in(&text), whole);
        }

        /// Joining the block splitter's runs gives the words that
        /// splitting word by word gives, wherever the other characters are.
        #[test]
        fn word_lists_split_by_blocks_like_word_by_word(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "Z", "9", "12", "Ab", " ", "\n", "'", "’", ".", ":", "/", "-", "é",
                    "É", "£", "\u{a0}", "K", "\u{212a}", "İ",
                ]),
                0..80,
            ),
            skip in 0usize..4,
        ) {
            let text: String = pieces.concat();
            let start = text.char_indices().nth(skip).map_or(text.len(), |(i, _)| i);
            let (mut fast, mut slow) = (WordList::default(), WordList::default());
            fast.extend(&text, start..text.len());
            slow.extend_any(&text, start..text.len());
            proptest::prop_assert_eq!(listed(&fast), listed(&slow));
        }
    }
}

//! Context guards: phrases before, after or around a match (or in the
//! document's header, or anywhere in it) that suppress or require it. A
//! guard's phrases are indexed by their first word, and the words around a
//! match are split and lower-cased once for all of its guards.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::packed;

use super::REACH;
use super::quotes::Quotes;
use super::regions::{
    Paragraphs, Sentences, ceil, floor, sentence_end_within, sentence_start_within,
};
use super::subject::Readings;
use crate::lexicon::{Guard, GuardPhrase, GuardScope, GuardWord};

/// A guard ready for matching: its phrases indexed by first word.
#[derive(Debug)]
pub(crate) struct CompiledGuard {
    action: crate::lexicon::GuardAction,
    pub(super) scope: GuardScope,
    pub(super) window: usize,
    before: PhraseIndex,
    after: PhraseIndex,
    pub(super) around: PhraseIndex,
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
    pub(super) fn need(&self) -> usize {
        self.window.saturating_add(self.longest())
    }

    /// How many bytes either side a `words` guard looks: words are rarely
    /// longer than 32 bytes with their spacing, and looking no further keeps
    /// a guard check cheap.
    pub(super) fn reach(&self) -> usize {
        REACH.min(self.need().saturating_mul(32))
    }

    /// Whether an `around` phrase occurs within the matched words
    /// themselves: a sentence or paragraph guard's `around` covers the
    /// whole sentence or paragraph, the match included ("relationship
    /// with older males" has its adult marker inside the match).
    pub(super) fn around_within(&self, text: &str, span: &Range<usize>) -> bool {
        if self.around.phrases.is_empty() {
            return false;
        }
        let mut words = WordList::default();
        words.extend(text, span.clone());
        self.around
            .find(&words, 0..words.len(), usize::MAX, Side::After)
    }

    pub(super) fn hits(
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
pub(super) struct PhraseIndex {
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
    /// The literal first words, for [`PhraseIndex::may_occur_in`]: built
    /// on first use, as only guards of a header or a document search a
    /// text for them.
    first_words: OnceLock<FirstWords>,
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
            first_words: OnceLock::new(),
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
        index.plain_first_words = index
            .by_first
            .keys()
            .all(|w| w.bytes().all(|b| b.is_ascii_alphanumeric()));
        index
    }

    /// The searcher of the literal first words.
    fn first_words(&self) -> &FirstWords {
        self.first_words.get_or_init(|| {
            let mut first: Vec<&String> = self.by_first.keys().collect();
            first.sort();
            FirstWords::new(&first)
        })
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
        self.first_words().any_in(lower.as_bytes())
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
    pub(super) fn occurs_in(&self, text: &str) -> bool {
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
        while let Some(at) = self.first_words().find_from(bytes, from) {
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
    pub(in crate::scan) fn extend(&mut self, text: &str, range: Range<usize>) {
        crate::scan::dispatch::best(
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
    pub(in crate::scan) fn extend_inlined(&mut self, text: &str, range: Range<usize>) {
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
        crate::scan::phrases::words_ascii(
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
    pub(super) fn suffix_from(&self, offset: usize) -> Range<usize> {
        self.words.partition_point(|w| w.2 < offset)..self.words.len()
    }

    /// The indexes of the words that end at or before `offset`.
    pub(super) fn prefix_to(&self, offset: usize) -> Range<usize> {
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
    pub(super) before: WordList,
    /// Words after the match.
    pub(super) after: WordList,
    /// The match's sentence and paragraph (only when a guard needs them).
    pub(super) sentence: (usize, usize),
    pub(super) paragraph: (usize, usize),
    /// The paragraph bounds of the text's matches.
    pub(crate) paragraphs: Paragraphs,
    /// The sentence of the match as far as `words` guards look: they do
    /// not see past its ends.
    pub(super) clip: (usize, usize),
    /// The sentence breaks near the text's matches.
    pub(super) sentences: Sentences,
    /// The quotation marks near the text's matches.
    pub(crate) quotes: Quotes,
    /// What the words near the text's matches say of their record, for
    /// entries with a `subject`.
    pub(crate) readings: Readings,
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
            let start = self.paragraphs.start(text, span.start);
            let end = self.paragraphs.end(text, span.end);
            self.paragraph = (start, end);
            if sentence {
                self.sentence = (
                    self.sentences.start(text, span.start, start),
                    self.sentences.end(text, span.end, end),
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
        let (mut lo, mut hi) = (span.start, span.end);
        for g in guards.filter(|g| g.scope == GuardScope::Words) {
            lo = lo.min(floor(text, span.start.saturating_sub(g.reach())));
            hi = hi.max(ceil(text, span.end + g.reach()));
            reach.words = reach.words.max(g.need());
        }
        // Words guards stay inside the match's sentence.
        self.clip = (
            sentence_start_within(text, span.start, lo),
            sentence_end_within(text, span.end, hi),
        );
        reach.lo = reach.lo.min(self.clip.0);
        reach.hi = reach.hi.max(self.clip.1);
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Before,
    After,
}

/// Whether a document-scope guard's phrase occurs anywhere in `text`. The
/// text is split in blocks (cut after a line break) with enough words of
/// overlap that no phrase is missed at a cut.
pub(super) fn document_contains(text: &str, phrases: &PhraseIndex) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::context::DocContext;

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

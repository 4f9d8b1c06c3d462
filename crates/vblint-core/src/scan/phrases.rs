//! Phrase matching by anchor and verification.
//!
//! A lexicon phrase is a sequence of slots (see
//! [`crate::lexicon::variant::slots`]): `put|puts {self} [serious] at risk`
//! has a verb slot, a pronoun slot, an optional adjective and two fixed
//! words. Written out, one such phrase stands for thousands of concrete
//! phrases, and an automaton over all of them is large, slow to build and
//! slow to run (cache misses).
//!
//! Instead, each phrase contributes one *anchor* slot — the required slot
//! whose options are longest, so the rarest in text — and only the anchors'
//! options are searched for: a few hundred short words. Where an anchor
//! occurs on word boundaries, the slots before it are matched backwards and
//! the slots after it forwards, against the normalised text, trying every
//! option (and "left out" for optional slots). Every combination found is a
//! match of one concrete phrase, so the result is exactly the set of
//! occurrences that a search for every concrete phrase would report. Most
//! anchors found in text lead to no match: before its slots are tried, a
//! phrase tests the byte beyond the space on each side of the anchor
//! against the bytes its neighbouring words may end or begin with.
//!
//! The anchors themselves are found word by word ([`AnchorIndex`]), as a
//! spelling checker finds words: an anchor that begins with a letter or
//! digit can only start where a word starts, and that word must be the
//! anchor's first word. Each word of the text is tested against a small
//! bit filter (two bits, hashed from its length and five of its bytes), and
//! the few that pass are compared with the first words of one bucket of a
//! small table, sixteen bytes at a time. Words are read off bit masks of
//! each 64-byte block (its bytes classified sixteen at a time), with no
//! branch per byte: the masks of word starts and word ends pair up, words
//! shorter than every first word are dropped from them at once, and the
//! filter's bytes are read from the block. This replaced an
//! overlapping walk of an Aho-Corasick DFA over the same anchors, which
//! followed a transition per byte through a megabyte of table
//! (`BENCHMARKS.md` has the figures). Anchors that begin with any other
//! character, which the built-in lexicon does not have, are still left to
//! such an automaton.

use std::collections::{BTreeMap, HashMap};

use aho_corasick::{AhoCorasick, MatchKind};

use crate::text::on_word_boundaries;
use crate::text::{below, lanes};
use wide::u8x16;

/// One occurrence of a phrase in normalised text, on word boundaries.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RawMatch {
    /// Start in the normalised text.
    pub start: usize,
    /// End in the normalised text.
    pub end: usize,
    /// The phrase, in the order phrases were given to [`PhraseSet::new`].
    pub phrase: usize,
}

/// A phrase in matching form.
#[derive(Debug)]
struct Compiled {
    /// Per slot, its options as lower-case bytes; an empty option means the
    /// slot may be left out.
    slots: Vec<Vec<Box<[u8]>>>,
    /// The slot the anchor index finds.
    anchor: usize,
    /// The last bytes of the words that may come just before the anchor,
    /// and the first bytes of those that may come just after it (see
    /// [`Neighbours`]).
    before: Neighbours,
    after: Neighbours,
}

/// The bytes a phrase allows next to its anchor, across the single space
/// between words: a test of one byte on each side that most anchors found
/// in text fail, before the phrase's slots are matched.
#[derive(Debug)]
struct Neighbours {
    /// Bit `b` is set when byte `b` may be there (in either ASCII case).
    bytes: [u64; 4],
    /// Whether the anchor may also stand at the phrase's edge on this side
    /// (every slot on this side may be left out, or there is none).
    edge: bool,
}

impl Neighbours {
    /// No test: for a phrase without an anchor, which is never found.
    const ANY: Neighbours = Neighbours {
        bytes: [u64::MAX; 4],
        edge: true,
    };

    /// The neighbours of an anchor whose slots on one side are `slots`,
    /// nearest first, where `byte` picks the byte of an option that faces
    /// the anchor.
    fn new<'s>(
        slots: impl Iterator<Item = &'s Vec<String>>,
        byte: impl Fn(&[u8]) -> u8,
    ) -> Neighbours {
        let mut bytes = [0u64; 4];
        for slot in slots {
            for option in slot.iter().filter(|o| !o.is_empty()) {
                let b = byte(option.as_bytes());
                for b in [b.to_ascii_lowercase(), b.to_ascii_uppercase()] {
                    bytes[usize::from(b / 64)] |= 1 << (b % 64);
                }
            }
            if slot.iter().all(|o| !o.is_empty()) {
                return Neighbours { bytes, edge: false };
            }
        }
        Neighbours { bytes, edge: true }
    }

    /// Whether the phrase may go on past the anchor where `space` is the
    /// byte next to it and `neighbour` the one beyond (`None` past either
    /// end of the text).
    #[inline]
    fn allow(&self, space: Option<u8>, neighbour: Option<u8>) -> bool {
        self.edge
            || (space == Some(b' ')
                && neighbour
                    .is_some_and(|b| self.bytes[usize::from(b / 64)] & (1 << (b % 64)) != 0))
    }
}

/// Where an anchor string leads: a phrase and its anchor slot.
type Targets = Vec<u32>;

/// A set of phrases compiled for matching.
#[derive(Debug)]
pub(crate) struct PhraseSet {
    anchors: AnchorIndex,
    /// Per anchor string: the phrases it anchors.
    targets: Vec<Targets>,
    phrases: Vec<Compiled>,
    /// The number of concrete phrases the slots stand for.
    forms: usize,
}

/// Words too common to make a good anchor when a phrase has anything rarer.
const COMMON: &[&str] = &[
    "a", "an", "and", "as", "at", "be", "been", "being", "by", "for", "from", "had", "has", "have",
    "her", "him", "his", "in", "is", "it", "of", "on", "or", "she", "he", "the", "their", "them",
    "they", "to", "was", "were", "with",
];

/// Words frequent in case records (everyday words of a child's life, of
/// missing-person and safeguarding notes, and of any English narrative):
/// a worse anchor than a rarer word of the same phrase, though better
/// than a [`COMMON`] one. Which slot anchors a phrase only changes how
/// fast it is found, never whether.
const FREQUENT: &[&str] = &[
    "account", "after", "big", "child", "college", "friend", "friends", "great", "help", "home",
    "mate", "mates", "missing", "much", "not", "phone", "present", "school", "support", "want",
];

impl PhraseSet {
    /// Compiles phrases given as slots of normalised, lower-case options.
    /// Phrases with no required slot never match (the loader rejects them).
    ///
    /// # Errors
    ///
    /// If the automaton for anchors that do not begin with a letter or digit
    /// cannot be built.
    pub(crate) fn new<'p>(
        phrases: impl IntoIterator<Item = &'p [Vec<String>]>,
    ) -> Result<PhraseSet, aho_corasick::BuildError> {
        let mut compiled = Vec::new();
        let mut strings: Vec<&str> = Vec::new();
        let mut targets: Vec<Targets> = Vec::new();
        let mut index: HashMap<&str, usize> = Default::default();
        let mut forms = 0usize;
        for slots in phrases {
            let phrase = compiled.len() as u32;
            let anchor = choose_anchor(slots);
            forms = forms.saturating_add(
                slots
                    .iter()
                    .map(Vec::len)
                    .fold(1usize, usize::saturating_mul),
            );
            if let Some(anchor) = anchor {
                for option in &slots[anchor] {
                    let slot = *index.entry(option).or_insert_with(|| {
                        strings.push(option);
                        targets.push(Vec::new());
                        targets.len() - 1
                    });
                    if targets[slot].last() != Some(&phrase) {
                        targets[slot].push(phrase);
                    }
                }
            }
            let (before, after) = match anchor {
                Some(anchor) => (
                    Neighbours::new(slots[..anchor].iter().rev(), |o| o[o.len() - 1]),
                    Neighbours::new(slots[anchor + 1..].iter(), |o| o[0]),
                ),
                None => (Neighbours::ANY, Neighbours::ANY),
            };
            compiled.push(Compiled {
                slots: slots
                    .iter()
                    .map(|options| {
                        options
                            .iter()
                            .map(|o| o.to_ascii_lowercase().into_bytes().into())
                            .collect()
                    })
                    .collect(),
                anchor: anchor.unwrap_or(usize::MAX),
                before,
                after,
            });
        }
        Ok(PhraseSet {
            anchors: AnchorIndex::new(&strings)?,
            targets,
            phrases: compiled,
            forms,
        })
    }

    /// The number of concrete phrases matched.
    pub(crate) fn forms(&self) -> usize {
        self.forms
    }

    /// The number of anchor strings searched for.
    pub(crate) fn anchors(&self) -> usize {
        self.targets.len()
    }

    /// Appends every occurrence of every phrase in `text` (normalised) that
    /// sits on word boundaries, sorted by start, then end, then phrase; of
    /// several phrases with the same span only the first is kept (the same
    /// concrete words defined twice: the first definition wins).
    ///
    /// Inlined, with the word walk, into each build of the scan's inner
    /// loops (see `scan::dispatch`).
    #[inline(always)]
    pub(crate) fn find(&self, text: &str, out: &mut Vec<RawMatch>) {
        let from = out.len();
        let bytes = text.as_bytes();
        let mut lefts = Vec::new();
        let mut rights = Vec::new();
        self.anchors.find(text, |start, end, anchor| {
            // The bytes on either side of the anchor, then the next ones.
            let back = |k: usize| start.checked_sub(k).map(|i| bytes[i]);
            let before = (back(1), back(2));
            let after = (bytes.get(end).copied(), bytes.get(end + 1).copied());
            for &p in &self.targets[anchor as usize] {
                let phrase = &self.phrases[p as usize];
                if !phrase.before.allow(before.0, before.1) || !phrase.after.allow(after.0, after.1)
                {
                    continue;
                }
                lefts.clear();
                rights.clear();
                extend_left(bytes, &phrase.slots[..phrase.anchor], start, &mut lefts);
                if lefts.is_empty() {
                    continue;
                }
                extend_right(bytes, &phrase.slots[phrase.anchor + 1..], end, &mut rights);
                for &start in &lefts {
                    for &end in &rights {
                        if on_word_boundaries(text, start, end) {
                            out.push(RawMatch {
                                start,
                                end,
                                phrase: p as usize,
                            });
                        }
                    }
                }
            }
        });
        let found = &mut out[from..];
        found.sort_unstable();
        let mut kept = from;
        for i in from..out.len() {
            if kept == from
                || (out[kept - 1].start, out[kept - 1].end) != (out[i].start, out[i].end)
            {
                out.swap(kept, i);
                kept += 1;
            }
        }
        out.truncate(kept);
    }
}

/// The bits of the word filter: 2^16, 8 KB, so it stays in the L1 cache.
const FILTER_BITS: u32 = 16;

/// The filter's size in 64-bit words (a fixed size, so that looking a bit
/// up needs no bounds check).
const FILTER_WORDS: usize = 1 << (FILTER_BITS - 6);

/// The buckets of first words: 2^12, a 16 KB table.
const BUCKET_BITS: u32 = 12;

/// The bucket of a word whose first filter bit is `bit`.
#[inline]
fn bucket(bit: usize) -> usize {
    bit >> (FILTER_BITS - BUCKET_BITS)
}

/// Finds the anchor strings of a [`PhraseSet`] where they occur on word
/// boundaries.
#[derive(Debug)]
struct AnchorIndex {
    /// The anchor strings, lower-case, by anchor number.
    strings: Vec<Box<[u8]>>,
    /// A Bloom filter of two bits per word ([`first_filter_bit`],
    /// [`second_filter_bit`]): set for the
    /// first word of every anchor that begins with a letter or digit.
    filter: Box<[u64; FILTER_WORDS]>,
    /// The first words of anchors, lower-case, one after the other, in the
    /// order of their buckets: a few kilobytes, read on every lookup.
    head_bytes: Vec<u8>,
    /// Per first word: where it ends in `head_bytes` (it starts where the
    /// one before ends), and where its anchors end in `head_anchors`.
    heads: Vec<(u32, u32)>,
    /// Per first word: its first sixteen bytes (lower-case), zero after
    /// its end, compared with a word sixteen bytes at a time.
    head_lanes: Vec<u8x16>,
    /// The anchors that begin with each first word, one list after another.
    head_anchors: Vec<u32>,
    /// Per bucket `b` (see [`bucket`]), its first words are
    /// `heads[buckets[b]..buckets[b + 1]]`.
    buckets: Box<[u32]>,
    /// The shortest and longest first words, in bytes: shorter and longer
    /// words need no lookup (most words of two letters or fewer, in
    /// English).
    shortest_head: usize,
    longest_head: usize,
    /// Anchors that begin with another character, with their numbers.
    others: Option<(AhoCorasick, Vec<u32>)>,
}

impl AnchorIndex {
    fn new(strings: &[&str]) -> Result<AnchorIndex, aho_corasick::BuildError> {
        let mut filter = Box::new([0u64; FILTER_WORDS]);
        // (bucket, first word) → anchors, in the order of the table.
        let mut by_head: BTreeMap<(usize, Box<[u8]>), Vec<u32>> = BTreeMap::new();
        let (mut shortest_head, mut longest_head) = (usize::MAX, 0);
        let mut others = (Vec::new(), Vec::new());
        for (number, s) in strings.iter().enumerate() {
            let number = number as u32;
            let head = first_word_len(s);
            if head == 0 {
                others.0.push(*s);
                others.1.push(number);
                continue;
            }
            let head = &s.as_bytes()[..head];
            let byte = |i: usize| head[i];
            let bits = (
                first_filter_bit(head.len(), byte),
                second_filter_bit(head.len(), byte),
            );
            for bit in [bits.0, bits.1] {
                filter[bit / 64] |= 1 << (bit % 64);
            }
            shortest_head = shortest_head.min(head.len());
            longest_head = longest_head.max(head.len());
            by_head
                .entry((bucket(bits.0), head.to_ascii_lowercase().into()))
                .or_default()
                .push(number);
        }
        let mut buckets = vec![0u32; (1 << BUCKET_BITS) + 1].into_boxed_slice();
        let (mut head_bytes, mut heads, mut head_anchors) = (Vec::new(), Vec::new(), Vec::new());
        let mut head_lanes = Vec::new();
        for ((b, head), anchors) in &by_head {
            buckets[b + 1] += 1;
            head_bytes.extend_from_slice(head);
            let mut lanes = [0u8; 16];
            let n = head.len().min(16);
            lanes[..n].copy_from_slice(&head[..n]);
            head_lanes.push(u8x16::new(lanes));
            head_anchors.extend_from_slice(anchors);
            heads.push((head_bytes.len() as u32, head_anchors.len() as u32));
        }
        for b in 1..buckets.len() {
            buckets[b] += buckets[b - 1];
        }
        let others = if others.0.is_empty() {
            None
        } else {
            let automaton = AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .ascii_case_insensitive(true)
                .build(&others.0)?;
            Some((automaton, others.1))
        };
        Ok(AnchorIndex {
            strings: strings.iter().map(|s| s.as_bytes().into()).collect(),
            filter,
            head_bytes,
            head_lanes,
            heads,
            head_anchors,
            buckets,
            shortest_head,
            longest_head,
            others,
        })
    }

    /// Calls `found(start, end, anchor)` for every anchor string in `text`
    /// on word boundaries (ignoring ASCII case), in no particular order.
    #[inline(always)]
    fn find(&self, text: &str, mut found: impl FnMut(usize, usize, u32)) {
        // The filter itself, not through `self`: one load fewer per word.
        let filter: &[u64; FILTER_WORDS] = &self.filter;
        if self.shortest_head <= self.longest_head {
            walk_words(
                text,
                self.shortest_head,
                #[inline(always)]
                |word| match word {
                    Word::InBlock { block, at, j, len } => {
                        // The filter's bytes are read from the block, where
                        // an index masked to it needs no bounds check (the
                        // word ends inside the block, so the mask changes
                        // no index).
                        let byte = |i: usize| block[(j + i) & 63];
                        // The word is no shorter than the shortest first
                        // word (the walk left those out), and rarely
                        // longer than the longest: it goes to the filter
                        // without a test of its length.
                        self.look_up(filter, text, at + j, len, byte, &mut found);
                    }
                    Word::Other { start, end } => {
                        // One comparison for both bounds of the length
                        // (shorter words wrap around).
                        let len = end - start;
                        if len.wrapping_sub(self.shortest_head)
                            <= self.longest_head - self.shortest_head
                        {
                            let word = &text.as_bytes()[start..end];
                            self.look_up(filter, text, start, len, |i| word[i], &mut found);
                        }
                    }
                },
            );
        }
        if let Some((automaton, numbers)) = &self.others {
            for m in automaton.find_overlapping_iter(text) {
                if on_word_boundaries(text, m.start(), m.end()) {
                    found(m.start(), m.end(), numbers[m.pattern().as_usize()]);
                }
            }
        }
    }

    /// Reports the anchors that begin with the word of `len` bytes at
    /// `start` in `text`, whose bytes `byte(i)` gives; `filter` is
    /// `self.filter`, passed in by the word loop. A word of a length
    /// no first word has is rejected by the filter or the table of first
    /// words, only more slowly than by a test of its length.
    #[inline(always)]
    fn look_up(
        &self,
        filter: &[u64; FILTER_WORDS],
        text: &str,
        start: usize,
        len: usize,
        byte: impl Fn(usize) -> u8,
        found: &mut impl FnMut(usize, usize, u32),
    ) {
        let bit = first_filter_bit(len, &byte);
        // Whether a bit of the filter is set.
        let is_set = |bit: usize| filter[bit / 64] & (1 << (bit % 64)) != 0;
        if is_set(bit) && is_set(second_filter_bit(len, &byte)) {
            self.look_up_slow(text, start, start + len, bit, found);
        }
    }

    /// [`AnchorIndex::look_up`] for a word that passed the filter, whose
    /// first filter bit is `bit`.
    #[inline(never)]
    fn look_up_slow(
        &self,
        text: &str,
        start: usize,
        end: usize,
        bit: usize,
        found: &mut impl FnMut(usize, usize, u32),
    ) {
        let bytes = text.as_bytes();
        let word = &bytes[start..end];
        let b = bucket(bit);
        let in_bucket = self.buckets[b] as usize..self.buckets[b + 1] as usize;
        // Where the bucket's first head and its anchors start.
        let (mut from, mut anchors_from) = match in_bucket.start {
            0 => (0, 0),
            i => self.heads[i - 1],
        };
        let lanes = (word.len() <= 16).then(|| lower_lanes(bytes, start, word.len()));
        let mut anchors = None;
        for (&(to, anchors_to), head) in self.heads[in_bucket.clone()]
            .iter()
            .zip(&self.head_lanes[in_bucket])
        {
            let same = (to - from) as usize == word.len()
                && match lanes {
                    Some(lanes) => lanes.simd_eq(*head).to_bitmask() == 0xFFFF,
                    None => self.head_bytes[from as usize..to as usize].eq_ignore_ascii_case(word),
                };
            if same {
                anchors = Some(&self.head_anchors[anchors_from as usize..anchors_to as usize]);
                break;
            }
            (from, anchors_from) = (to, anchors_to);
        }
        let Some(anchors) = anchors else {
            return;
        };
        for &anchor in anchors {
            let s = &self.strings[anchor as usize];
            // The word is the anchor's first word; an anchor of one word is
            // found, others must go on as the text does.
            let whole = s.len() == word.len()
                || (bytes.len() >= start + s.len()
                    && bytes[start..start + s.len()].eq_ignore_ascii_case(s)
                    && on_word_boundaries(text, start, start + s.len()));
            if whole {
                found(start, start + s.len(), anchor);
            }
        }
    }
}

/// The `len` bytes at `start` (at most sixteen), with ASCII letters
/// lower-cased, in the first lanes; zero in the others.
#[inline]
fn lower_lanes(bytes: &[u8], start: usize, len: usize) -> u8x16 {
    let splat = u8x16::splat;
    let word = match bytes.get(start..start + 16) {
        Some(sixteen) => lanes(sixteen),
        None => {
            let mut lanes = [0u8; 16];
            lanes[..len].copy_from_slice(&bytes[start..start + len]);
            u8x16::new(lanes)
        }
    };
    let index = u8x16::new([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    let word = word & below(index, len as u8);
    let upper = below(word - splat(b'A'), 26);
    word | (upper & splat(0x20))
}

/// Calls `word(start, end)` for every word of `text`: every longest run of
/// letters and digits, in order.
#[cfg(test)]
fn words(text: &str, mut word: impl FnMut(usize, usize)) {
    words_ascii(text, |start, end, _| word(start, end));
}

/// Calls `word(start, end, ascii)` for every word of `text`: every longest
/// run of letters and digits, in order, with whether it is known to be
/// ASCII (`false`: it may not be). Only the rare word that crosses a
/// block's end or holds other bytes is not known to be.
#[inline(always)]
pub(super) fn words_ascii(text: &str, mut word: impl FnMut(usize, usize, bool)) {
    walk_words(
        text,
        1,
        #[inline(always)]
        |w| match w {
            Word::InBlock { at, j, len, .. } => word(at + j, at + j + len, true),
            Word::Other { start, end } => word(start, end, false),
        },
    );
}

/// A word found by [`walk_words`].
#[derive(Clone, Copy, Debug)]
enum Word<'b> {
    /// A word of ASCII letters and digits that ends inside a block of the
    /// text: `block[j..j + len]`, where the block starts at `at`.
    InBlock {
        block: &'b [u8; 64],
        at: usize,
        j: usize,
        len: usize,
    },
    /// Any other word: `text[start..end]`.
    Other { start: usize, end: usize },
}

/// Calls `word` for every word of `text` (see [`words_ascii`]), in order,
/// except that words of ASCII letters and digits shorter than `min_len`
/// bytes may be left out.
///
/// The text is read 64 bytes at a time. For each block, a bit mask marks
/// the bytes that may belong to a word (ASCII letters and digits, and every
/// byte of a non-ASCII character), and the words are read off the mask
/// without a branch per byte; words shorter than `min_len` are dropped from
/// the masks of word starts and word ends all at once. A run that holds
/// non-ASCII characters is split exactly by [`split_run`], since not every
/// such character is a letter ("£", "×"); the ASCII bytes around it are
/// exact boundaries.
#[inline(always)]
fn walk_words(text: &str, min_len: usize, mut word: impl FnMut(Word<'_>)) {
    let bytes = text.as_bytes();
    // A word that runs on past the end of the last block: its start, and
    // whether its bytes so far are ASCII.
    let mut open: Option<(usize, bool)> = None;
    let mut padded = [0u8; 64];
    for at in (0..bytes.len()).step_by(64) {
        let block: &[u8; 64] = match bytes[at..].first_chunk() {
            Some(block) => block,
            None => {
                // The last block, padded with bytes that end a word.
                let rest = &bytes[at..];
                padded[..rest.len()].copy_from_slice(rest);
                padded[rest.len()..].fill(0);
                &padded
            }
        };
        let (wordy, high) = masks(block);
        // The first and last byte of each run of wordy bytes: they pair up
        // in order (a run that reaches the block's end ends at bit 63).
        let mut starts = wordy & !(wordy << 1);
        let mut ends = wordy & !(wordy >> 1);
        if let Some((start, ascii)) = open {
            // The open word goes on to the first byte that is not wordy.
            let run = wordy.trailing_ones() as usize;
            if run == 64 {
                open = Some((start, ascii && high == 0));
                continue;
            }
            let ascii = ascii && high & !(u64::MAX << run) == 0;
            other_word(text, start..at + run, ascii, &mut word);
            open = None;
            if run > 0 {
                starts &= !1;
                ends &= ends - 1;
            }
        }
        if min_len > 1 {
            // Drop the words shorter than `min_len`: a start needs that
            // many wordy bytes from it (or a run on past the block), an
            // end that many up to it. A run to the block's end is kept.
            for k in 1..min_len.min(64) {
                starts &= (wordy >> k) | !(u64::MAX >> k);
                ends &= wordy << k;
            }
            ends |= wordy & 1 << 63;
        }
        debug_assert_eq!(starts.count_ones(), ends.count_ones());
        if wordy >> 63 != 0 {
            // The last word runs on past the block's end: it stays open.
            let j = 63 - starts.leading_zeros() as usize;
            starts &= !(1 << j);
            ends &= !(1 << 63);
            open = Some((at + j, high >> j == 0));
        }
        // The words inside the block, in order; only a block with
        // non-ASCII bytes needs a test per word.
        let block = Block {
            text,
            block,
            at,
            high,
        };
        if high == 0 {
            block.words(starts, ends, false, &mut word);
        } else {
            block.words(starts, ends, true, &mut word);
        }
    }
    if let Some((start, ascii)) = open {
        other_word(text, start..bytes.len(), ascii, &mut word);
    }
}

/// A block of 64 bytes of a text in [`walk_words`], at `at`, with the mask
/// of its bytes that are not ASCII.
struct Block<'t, 'b> {
    text: &'t str,
    block: &'b [u8; 64],
    at: usize,
    high: u64,
}

impl Block<'_, '_> {
    /// Calls `word` for each word of the block, in order, whose first and
    /// last bytes are the bits of `starts` and `ends`; `any_high` when the
    /// block has non-ASCII bytes, so a word may have some.
    #[inline(always)]
    fn words(
        &self,
        mut starts: u64,
        mut ends: u64,
        any_high: bool,
        word: &mut impl FnMut(Word<'_>),
    ) {
        let (block, at) = (self.block, self.at);
        while starts != 0 {
            let j = starts.trailing_zeros() as usize;
            let len = ends.trailing_zeros() as usize + 1 - j;
            starts &= starts - 1;
            ends &= ends - 1;
            if !any_high || self.high & (u64::MAX >> (64 - len)) << j == 0 {
                word(Word::InBlock { block, at, j, len });
            } else {
                other_word(self.text, at + j..at + j + len, false, word);
            }
        }
    }
}

/// Calls `word` for the word `text[range]` that [`walk_words`] found
/// crossing blocks or holding non-ASCII bytes (not `ascii`): such a run
/// is split by [`split_run`].
#[inline(always)]
fn other_word(
    text: &str,
    range: std::ops::Range<usize>,
    ascii: bool,
    word: &mut impl FnMut(Word<'_>),
) {
    if ascii {
        word(Word::Other {
            start: range.start,
            end: range.end,
        });
    } else {
        split_run(text, range, &mut |start, end| {
            word(Word::Other { start, end })
        });
    }
}

/// For a block of bytes: bit `j` of the first mask is set when byte `j`
/// may belong to a word (an ASCII letter or digit, or not ASCII), of the
/// second when it is not ASCII. Sixteen bytes at a time.
#[inline(always)]
fn masks(block: &[u8; 64]) -> (u64, u64) {
    let splat = u8x16::splat;
    let (mut wordy, mut high) = (0, 0);
    for k in 0..4 {
        let b = lanes(&block[16 * k..]);
        let letter = below((b | splat(0x20)) - splat(b'a'), 26);
        let digit = below(b - splat(b'0'), 10);
        // The top bit of each lane is what a bit mask gathers: set for
        // bytes that are not ASCII.
        high |= u64::from(b.to_bitmask()) << (16 * k);
        wordy |= u64::from((letter | digit | b).to_bitmask()) << (16 * k);
    }
    (wordy, high)
}

/// The words of `text[range]`, a run of ASCII letters and digits and
/// non-ASCII characters: the slow path of [`words_ascii`] for runs that
/// hold non-ASCII characters. Only those are decoded; the run splits at
/// the ones that are not letters or digits ("£", "×").
#[cold]
fn split_run(text: &str, range: std::ops::Range<usize>, word: &mut impl FnMut(usize, usize)) {
    let bytes = text.as_bytes();
    let (mut start, mut i) = (range.start, range.start);
    while i < range.end {
        if bytes[i].is_ascii() {
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().expect("a character boundary");
        if !crate::text::is_word_char(c) {
            if start < i {
                word(start, i);
            }
            start = i + c.len_utf8();
        }
        i += c.len_utf8();
    }
    if start < range.end {
        word(start, range.end);
    }
}

/// The words of `text[range]`, character by character: the reference for
/// [`words`] in tests.
#[cfg(test)]
fn exact_words(text: &str, range: std::ops::Range<usize>, word: &mut impl FnMut(usize, usize)) {
    let mut start = None;
    for (i, c) in text[range.clone()].char_indices() {
        let i = range.start + i;
        match (crate::text::is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                word(s, i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        word(s, range.end);
    }
}

/// The first bit of the word filter for a word of `len` bytes, `byte(i)`
/// for `i < len`, from its length and its first, middle and last bytes,
/// ignoring ASCII case. Every word is tested against it.
///
/// Case is ignored by setting bit 5 of each byte (`A` becomes `a`): not a
/// lower-casing of other bytes, but bytes equal ignoring ASCII case stay
/// equal, which is all a filter needs, and it costs one instruction.
#[inline(always)]
fn first_filter_bit(len: usize, byte: impl Fn(usize) -> u8) -> usize {
    let first = byte(0) | 0x20;
    let middle = byte(len / 2) | 0x20;
    let last = byte(len - 1) | 0x20;
    let x = (len as u64 & 0xff)
        | u64::from(first) << 8
        | u64::from(middle) << 16
        | u64::from(last) << 24;
    (x.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - FILTER_BITS)) as usize
}

/// The second bit of the word filter, for the few words that pass the
/// first: from other bytes (the second one and the one before last), so
/// that words alike in length, start, middle and end do not pass both.
#[inline(always)]
fn second_filter_bit(len: usize, byte: impl Fn(usize) -> u8) -> usize {
    let second = byte(usize::from(len > 1)) | 0x20;
    let penultimate = byte(len.saturating_sub(2)) | 0x20;
    let x = (len as u64 & 0xff) | u64::from(second) << 8 | u64::from(penultimate) << 16;
    (x.wrapping_mul(0xc2b2_ae3d_27d4_eb4f) >> (64 - FILTER_BITS)) as usize
}

/// The length in bytes of the letters and digits that begin `s`: the first
/// word of an option, which is what the anchor index looks up.
fn first_word_len(s: &str) -> usize {
    s.find(|c| !crate::text::is_word_char(c)).unwrap_or(s.len())
}

/// The anchor slot of a phrase: a required slot (no empty option) whose
/// options' first words are not common words if there is a choice, nor
/// frequent ones, and whose shortest first word is longest (so the rarest
/// in text: each word of the text that is an anchor's first word costs a
/// lookup); ties go to the slot with fewer options.
fn choose_anchor(slots: &[Vec<String>]) -> Option<usize> {
    slots
        .iter()
        .enumerate()
        .filter(|(_, options)| !options.is_empty() && options.iter().all(|o| !o.is_empty()))
        .max_by_key(|(i, options)| {
            let shortest = options.iter().map(|o| first_word_len(o)).min().unwrap_or(0);
            let any_of = |words: &[&str]| {
                options
                    .iter()
                    .any(|o| words.contains(&&o[..first_word_len(o)]))
            };
            (
                !any_of(COMMON),
                !any_of(FREQUENT),
                shortest,
                std::cmp::Reverse(options.len()),
                std::cmp::Reverse(*i),
            )
        })
        .map(|(i, _)| i)
}

/// Matches `slots` backwards from `pos` (the start of what follows them),
/// pushing every possible start, without duplicates.
fn extend_left(text: &[u8], slots: &[Vec<Box<[u8]>>], pos: usize, out: &mut Vec<usize>) {
    let Some((last, rest)) = slots.split_last() else {
        if !out.contains(&pos) {
            out.push(pos);
        }
        return;
    };
    for option in last {
        if option.is_empty() {
            extend_left(text, rest, pos, out);
        } else if pos > option.len()
            && text[pos - 1] == b' '
            // The byte next to the space first: most options differ there.
            && text[pos - 2].to_ascii_lowercase() == option[option.len() - 1]
            && text[pos - 1 - option.len()..pos - 1].eq_ignore_ascii_case(option)
        {
            extend_left(text, rest, pos - 1 - option.len(), out);
        }
    }
}

/// Matches `slots` forwards from `pos` (the end of what precedes them),
/// pushing every possible end, without duplicates.
fn extend_right(text: &[u8], slots: &[Vec<Box<[u8]>>], pos: usize, out: &mut Vec<usize>) {
    let Some((first, rest)) = slots.split_first() else {
        if !out.contains(&pos) {
            out.push(pos);
        }
        return;
    };
    for option in first {
        if option.is_empty() {
            extend_right(text, rest, pos, out);
        } else if text.len() > pos + option.len()
            && text[pos] == b' '
            && text[pos + 1].to_ascii_lowercase() == option[0]
            && text[pos + 1..pos + 1 + option.len()].eq_ignore_ascii_case(option)
        {
            extend_right(text, rest, pos + 1 + option.len(), out);
        }
    }
}

/// The ranges of `out` from a [`PhraseSet::find`] call, for tests.
#[cfg(test)]
pub(crate) fn spans(matches: &[RawMatch]) -> Vec<std::ops::Range<usize>> {
    matches.iter().map(|m| m.start..m.end).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Phrases given as slots of options, owned.
    fn owned(phrases: &[&[&[&str]]]) -> Vec<Vec<Vec<String>>> {
        phrases
            .iter()
            .map(|p| {
                p.iter()
                    .map(|s| s.iter().map(|o| o.to_string()).collect())
                    .collect()
            })
            .collect()
    }

    fn set(phrases: &[&[&[&str]]]) -> PhraseSet {
        PhraseSet::new(owned(phrases).iter().map(Vec::as_slice)).unwrap()
    }

    fn found(set: &PhraseSet, text: &str) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        set.find(text, &mut out);
        out.iter()
            .map(|m| (text[m.start..m.end].to_string(), m.phrase))
            .collect()
    }

    #[test]
    fn anchors_on_the_rarest_required_slot() {
        let slots = |p: &[&[&str]]| -> Vec<Vec<String>> {
            p.iter()
                .map(|s| s.iter().map(|o| o.to_string()).collect())
                .collect()
        };
        let p = slots(&[
            &["put", "puts"],
            &["herself", "himself"],
            &["at"],
            &["serious", ""],
            &["risk"],
        ]);
        assert_eq!(choose_anchor(&p), Some(1));
        // "her self" begins with a common word: every "her" would be looked
        // up.
        let p = slots(&[
            &["put", "puts"],
            &["herself", "her self"],
            &["at"],
            &["risk"],
        ]);
        assert_eq!(choose_anchor(&p), Some(3));
        let p = slots(&[&["at"], &["risk"]]);
        assert_eq!(choose_anchor(&p), Some(1));
        // "school" is longer than "deals", but found in nearly every note.
        let p = slots(&[
            &["dealing", "deals", "dealt"],
            &["at", "in"],
            &["school", "college"],
        ]);
        assert_eq!(choose_anchor(&p), Some(0));
        let p = slots(&[&["a", ""]]);
        assert_eq!(choose_anchor(&p), None);
    }

    #[test]
    fn every_combination_of_options_matches() {
        let s = set(&[&[
            &["put", "puts"],
            &["herself", "her self"],
            &["serious", ""],
            &["at"],
            &["risk"],
        ]]);
        assert_eq!(
            found(
                &s,
                "She PUTS her self at risk; he put herself serious at risk."
            ),
            [
                ("PUTS her self at risk".into(), 0),
                ("put herself serious at risk".into(), 0)
            ]
        );
        assert!(found(&s, "put herself at risky").is_empty());
        assert!(found(&s, "input herself at risk").is_empty());
        assert!(
            found(&s, "put  herself at risk").is_empty(),
            "text is normalised first"
        );
    }

    #[test]
    fn overlapping_and_nested_phrases_are_all_reported() {
        let s = set(&[
            &[&["older", ""], &["boyfriend"]],
            &[&["boyfriend"], &["aged"]],
        ]);
        let mut out = Vec::new();
        s.find("her older boyfriend aged 30", &mut out);
        assert_eq!(spans(&out), [4..19, 10..19, 10..24]);
    }

    #[test]
    fn the_first_definition_of_a_span_wins() {
        let s = set(&[&[&["consent"]], &[&["consent"]]]);
        assert_eq!(found(&s, "consent"), [("consent".into(), 0)]);
    }

    /// Every concrete phrase the slots stand for.
    fn expand(slots: &[Vec<String>]) -> Vec<String> {
        let mut out = vec![String::new()];
        for options in slots {
            out = out
                .iter()
                .flat_map(|prefix| {
                    options
                        .iter()
                        .map(move |o| match (prefix.is_empty(), o.is_empty()) {
                            (_, true) => prefix.clone(),
                            (true, false) => o.clone(),
                            (false, false) => format!("{prefix} {o}"),
                        })
                })
                .collect();
        }
        out
    }

    /// The reference: every occurrence of every concrete phrase on word
    /// boundaries, ignoring ASCII case, the first phrase winning a span.
    fn naive(phrases: &[Vec<Vec<String>>], text: &str) -> Vec<RawMatch> {
        let mut out: Vec<RawMatch> = Vec::new();
        for (p, slots) in phrases.iter().enumerate() {
            for v in expand(slots).iter().filter(|v| !v.is_empty()) {
                for start in 0..text.len() {
                    let end = start + v.len();
                    if end <= text.len()
                        && text.is_char_boundary(start)
                        && text.is_char_boundary(end)
                        && text[start..end].eq_ignore_ascii_case(v)
                        && on_word_boundaries(text, start, end)
                        && !out.iter().any(|m| (m.start, m.end) == (start, end))
                    {
                        out.push(RawMatch {
                            start,
                            end,
                            phrase: p,
                        });
                    }
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// The reference for [`words`]: character by character.
    fn exact(text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        exact_words(text, 0..text.len(), &mut |s, e| out.push((s, e)));
        out
    }

    #[test]
    fn words_cross_blocks_and_split_at_non_letters() {
        let text = format!("{}é£x ab{}", "w".repeat(63), "q".repeat(130));
        // "w…wé" runs over the first block's end; "£" is not a letter; the
        // last word spans two blocks and ends the text.
        let mut found = Vec::new();
        words(&text, |s, e| found.push((s, e)));
        assert_eq!(found, [(0, 65), (67, 68), (69, 201)]);
        assert_eq!(found, exact(&text));
    }

    #[test]
    fn first_words_of_any_length_are_compared_whole() {
        // Sixteen bytes are compared at once; longer first words byte by
        // byte, and a word that shares a long word's first sixteen bytes
        // is not it. "attentionsexkers" passes the filter for
        // "attentionseekers" (the same length and filter bytes) and
        // differs from it only at byte 11.
        let s = set(&[
            &[&["attentionseeker"]],
            &[&["attentionseekers"]],
            &[&["attentionseekersx"], &["ok"]],
            &[&["counterintelligence"]],
        ]);
        assert_eq!(
            found(
                &s,
                "AttentionSeekers attentionseekersx ok COUNTERintelligence attentionseekersx \
                 attentionsexkers"
            ),
            [
                ("AttentionSeekers".into(), 1),
                ("attentionseekersx ok".into(), 2),
                ("COUNTERintelligence".into(), 3),
            ]
        );
    }

    #[test]
    fn words_at_every_offset_from_a_block_end_are_found() {
        // No anchor of one letter: words of one letter are dropped from a
        // block's mask of starts, but not a short start of a word that
        // runs on into the next block.
        let phrases = owned(&[
            &[&["risk"]],
            &[&["ex"], &["boyfriend"]],
            &[&["boyfriend"], &["aged", ""], &["at", ""]],
        ]);
        let set = PhraseSet::new(phrases.iter().map(Vec::as_slice)).unwrap();
        for pad in 0..80 {
            let text = format!(
                "{}a risk ex boyfriend b i RISK ex ex boyfriend at é risk",
                "-".repeat(pad)
            );
            let mut found = Vec::new();
            set.find(&text, &mut found);
            assert_eq!(found, naive(&phrases, &text), "{text}");
            assert_eq!(found.len(), 8);
        }
    }

    proptest::proptest! {
        #[test]
        fn block_words_equal_character_words(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "Z", "9", "abc", " ", "  ", "'", "-", "\n", "é", "£", "×", "日本",
                    "\u{a0}", "word", "x1",
                ]),
                0..120,
            ),
        ) {
            let text: String = pieces.concat();
            let mut found = Vec::new();
            let mut ascii = true;
            words_ascii(&text, |s, e, known| {
                found.push((s, e));
                // A word said to be ASCII is.
                ascii &= !known || text[s..e].is_ascii();
            });
            proptest::prop_assert!(ascii);
            proptest::prop_assert_eq!(found, exact(&text));
        }

        #[test]
        fn anchored_matching_equals_searching_every_concrete_phrase(
            words in proptest::collection::vec(
                proptest::sample::select(vec![
                    "put", "PUT", "puts", "herself", "her", "self", "at", "AT", "serious",
                    "risk", "risky", "older", "boyfriend", "aged", "consent", "form", "x",
                    "é", "É", "£", "-", ".", "\n", "'", "-x", "'at",
                ]),
                0..24,
            ),
            joins in proptest::collection::vec(proptest::sample::select(vec![" ", "", " ", "\n"]), 24),
        ) {
            let mut text = String::new();
            for (w, j) in words.iter().zip(&joins) {
                text.push_str(w);
                text.push_str(j);
            }
            let phrases: Vec<Vec<Vec<String>>> = [
                &[&["put", "puts"][..], &["herself", "her self"], &["serious", ""], &["at"], &["risk"]][..],
                &[&["older", ""], &["boyfriend"]],
                &[&["boyfriend"], &["aged", ""], &["at", ""]],
                &[&["consent"]],
                &[&["consent"], &["form"]],
                &[&["at"], &["risk", "serious risk"]],
                &[&["her", ""], &["self", "x"]],
                &[&["-x", "'at"], &["risk", ""]],
                &[&["é"], &["x", ""]],
            ]
            .iter()
            .map(|p| p.iter().map(|s| s.iter().map(|o| o.to_string()).collect()).collect())
            .collect();
            let set = PhraseSet::new(phrases.iter().map(Vec::as_slice)).unwrap();
            let mut found = Vec::new();
            set.find(&text, &mut found);
            proptest::prop_assert_eq!(found, naive(&phrases, &text));
        }
    }
}

//! Where sentences, paragraphs and pieces of a text begin and end, found
//! from the bytes around an offset, never from the whole text; the blank
//! lines of the part being scanned, and the sentence breaks near its
//! matches, are listed once for its matches ([`Paragraphs`],
//! [`Sentences`]).

use super::REACH;

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

pub(super) fn floor(text: &str, offset: usize) -> usize {
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

/// The paragraph bounds of many matches in one text, from its blank lines,
/// which are found once: [`paragraph_start`] and [`paragraph_end`] (the
/// reference a property test holds these to) search up to [`REACH`] bytes
/// on both sides of every match, which in a long text without blank lines
/// is most of the work of judging a match.
///
/// The line breaks of `from..to` have been looked at; a query beyond `to`
/// looks further (from the query, when it is past `to`), one before `from`
/// falls back to the search. One value serves one text.
#[derive(Debug, Default)]
pub(crate) struct Paragraphs {
    from: usize,
    to: usize,
    /// Line breaks that end a blank line (in `from..to`, in order), with
    /// where the spaces before them start: after a line break, or at 0.
    ends: Vec<(usize, usize)>,
    /// Line breaks that start a blank line, or are followed by nothing but
    /// spaces, with where the spaces after them end: at a line break, or at
    /// the end of the text.
    starts: Vec<(usize, usize)>,
}

/// How far [`Paragraphs`] looks ahead at a time: as far as a match's
/// paragraph reaches, which a small text's first match covers whole.
const LOOK_AHEAD: usize = REACH;

impl Paragraphs {
    /// The start of the paragraph holding `pos`, as [`paragraph_start`].
    pub(crate) fn start(&mut self, text: &str, pos: usize) -> usize {
        let limit = floor(text, pos.saturating_sub(REACH));
        if !self.cover(text, limit, pos) {
            return paragraph_start(text, pos);
        }
        // Only the last blank line before `pos` can count: the spaces
        // before it hold no line break, so one before it ends at or before
        // where they start, and they start at or before `limit` when the
        // last one does not count.
        let last = self.ends.partition_point(|&(nl, _)| nl < pos);
        match last.checked_sub(1).map(|i| self.ends[i]) {
            Some((nl, spaces)) if nl >= limit && (spaces > limit || limit == 0) => nl + 1,
            _ => limit,
        }
    }

    /// The end of the paragraph holding `pos`, as [`paragraph_end`].
    pub(crate) fn end(&mut self, text: &str, pos: usize) -> usize {
        let limit = ceil(text, pos + REACH);
        if !self.cover(text, pos, limit) {
            return paragraph_end(text, pos);
        }
        // Only the first blank line from `pos` can count: when its spaces
        // reach past `limit`, no line break comes before `limit`.
        let first = self.starts.partition_point(|&(nl, _)| nl < pos);
        match self.starts.get(first) {
            Some(&(nl, spaces)) if nl < limit && spaces <= limit => nl,
            _ => limit,
        }
    }

    /// Looks at the line breaks of `lo..hi`; false if some before `from`
    /// are not looked at.
    fn cover(&mut self, text: &str, lo: usize, hi: usize) -> bool {
        if lo < self.from {
            return false;
        }
        if hi <= self.to {
            return true;
        }
        if lo > self.to {
            self.ends.clear();
            self.starts.clear();
            (self.from, self.to) = (lo, lo);
        }
        let bytes = text.as_bytes();
        let to = hi.max(self.to + LOOK_AHEAD).min(bytes.len());
        let space = |b: u8| matches!(b, b' ' | b'\t' | b'\r');
        for nl in memchr::memchr_iter(b'\n', &bytes[self.to..to]).map(|i| self.to + i) {
            let mut before = nl;
            while before > 0 && space(bytes[before - 1]) {
                before -= 1;
            }
            if before == 0 || bytes[before - 1] == b'\n' {
                self.ends.push((nl, before));
            }
            let mut after = nl + 1;
            while after < bytes.len() && space(bytes[after]) {
                after += 1;
            }
            if after == bytes.len() || bytes[after] == b'\n' {
                self.starts.push((nl, after));
            }
        }
        self.to = to;
        true
    }
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
pub(super) fn sentence_start_within(text: &str, pos: usize, limit: usize) -> usize {
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
pub(super) fn sentence_end_within(text: &str, pos: usize, limit: usize) -> usize {
    (pos..limit)
        .find(|&i| sentence_break(text, i))
        .unwrap_or(limit)
}

/// Where sentences break, for many matches in one text: the breaks
/// ([`sentence_break`]) between nearby matches are found once, reading on
/// from where the last match's sentence ended, and each bound is a binary
/// search. [`sentence_start_within`] and [`sentence_end_within`] (the
/// reference a property test holds these to) test every byte from a match
/// to the nearest break, which in text with long sentences is read again
/// for every match in them.
///
/// Every break in `from..to` is listed. A match further than [`GAP`]
/// bytes past `to`, or before `from`, is searched for as the reference
/// does, and the list starts again from there. One value serves one text.
#[derive(Debug, Default)]
pub(crate) struct Sentences {
    from: usize,
    to: usize,
    /// The offsets in `from..to` where a sentence breaks, in order.
    breaks: Vec<usize>,
}

/// How far past the bytes looked at [`Sentences`] reads on to reach a
/// match: further, the search back from the match is cheaper.
const GAP: usize = 256;

/// How many bytes [`Sentences`] and `quotes::Quotes` keep behind a match
/// when they forget what lies further back: more than a match's paragraph
/// reaches.
pub(super) const KEEP_BEHIND: usize = 16 * REACH;

/// How many breaks [`Sentences`] lists before forgetting those far behind.
const MOST_BREAKS: usize = 1024;

/// The bytes that may break a sentence.
fn may_break(b: u8) -> bool {
    matches!(b, b'\n' | b'.' | b'!' | b'?' | b';')
}

impl Sentences {
    /// The start of the sentence holding `pos`, not before `limit`, as
    /// [`sentence_start_within`].
    pub(crate) fn start(&mut self, text: &str, pos: usize, limit: usize) -> usize {
        if limit >= pos {
            return sentence_start_within(text, pos, limit);
        }
        if pos < self.from || pos > self.to + GAP {
            let found = sentence_start_within(text, pos, limit);
            self.breaks.clear();
            if found > limit {
                self.from = found - 1;
                self.breaks.push(found - 1);
            } else {
                self.from = limit;
            }
            self.to = pos;
            return found;
        }
        self.read_to(text, pos);
        let last = self.breaks.partition_point(|&i| i < pos);
        match last.checked_sub(1).map(|k| self.breaks[k]) {
            Some(i) if i >= limit => i + 1,
            Some(_) => limit,
            None if self.from <= limit => limit,
            None => sentence_start_within(text, pos, limit),
        }
    }

    /// The end of the sentence holding `pos`, not after `limit`, as
    /// [`sentence_end_within`].
    pub(crate) fn end(&mut self, text: &str, pos: usize, limit: usize) -> usize {
        if pos >= limit {
            return sentence_end_within(text, pos, limit);
        }
        if pos < self.from || pos > self.to + GAP {
            self.breaks.clear();
            (self.from, self.to) = (pos, pos);
        }
        self.read_to(text, pos);
        let first = self.breaks.partition_point(|&i| i < pos);
        if let Some(&i) = self.breaks.get(first) {
            return i.min(limit);
        }
        // No break from `pos` to `to`: read on to the first one.
        let bytes = text.as_bytes();
        let hi = limit.min(bytes.len());
        while self.to < hi {
            let i = self.to;
            self.to += 1;
            if may_break(bytes[i]) && sentence_break(text, i) {
                self.breaks.push(i);
                return i;
            }
        }
        limit
    }

    /// Lists the breaks up to `pos`, and forgets those far behind it.
    fn read_to(&mut self, text: &str, pos: usize) {
        let bytes = text.as_bytes();
        let to = pos.min(bytes.len());
        if self.to < to {
            let from = self.to;
            for (i, &b) in bytes[from..to].iter().enumerate() {
                if may_break(b) && sentence_break(text, from + i) {
                    self.breaks.push(from + i);
                }
            }
            self.to = to;
        }
        if self.breaks.len() > MOST_BREAKS {
            let keep = pos.saturating_sub(KEEP_BEHIND);
            let gone = self.breaks.partition_point(|&i| i < keep);
            if gone > 0 && gone < self.breaks.len() {
                self.breaks.drain(..gone);
                self.from = self.breaks[0];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    proptest::proptest! {
        /// Sentence bounds from the breaks found once are those the search
        /// around each match finds, within any limits, in any order.
        #[test]
        fn sentences_found_once_bound_as_the_search_does(
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    4 => proptest::sample::select(vec![
                        "\n", " ", "\t", "a", "word ", ".", ". ", "!", "?\"", ";'", "é", "\n\n",
                        "\n1", "\n- ", ":\n", "x.\n", "\n*", "•",
                    ].into_iter().map(String::from).collect::<Vec<_>>()),
                    1 => proptest::sample::select(vec![
                        "x".repeat(700), "a. ".repeat(300), "b\n".repeat(400),
                    ]),
                ],
                0..40,
            ),
            at in proptest::collection::vec((0usize..10_000, 0usize..3_000, 0usize..3_000), 1..40),
            sorted in proptest::bool::ANY,
        ) {
            let text: String = pieces.concat();
            let mut at: Vec<(usize, usize, usize)> = at
                .iter()
                .map(|&(p, back, on)| {
                    let p = floor(&text, p % (text.len() + 1));
                    (p, floor(&text, p.saturating_sub(back)), ceil(&text, p + on))
                })
                .collect();
            if sorted {
                at.sort_unstable();
            }
            let mut sentences = Sentences::default();
            for (pos, lo, hi) in at {
                proptest::prop_assert_eq!(
                    sentences.start(&text, pos, lo), sentence_start_within(&text, pos, lo), "start at {}", pos
                );
                proptest::prop_assert_eq!(
                    sentences.end(&text, pos, hi), sentence_end_within(&text, pos, hi), "end at {}", pos
                );
            }
        }

        /// Paragraph bounds from the blank lines found once are those the
        /// search around each match finds, for matches in any order.
        #[test]
        fn paragraphs_found_once_bound_as_the_search_does(
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    4 => proptest::sample::select(vec![
                        "\n", " ", "\t", "\r", "a", "word ", ".", "é", "\n\n", "\n \n",
                    ].into_iter().map(String::from).collect::<Vec<_>>()),
                    1 => proptest::sample::select(vec![
                        "x".repeat(700), " ".repeat(700), " \r\n".repeat(300), "a\n".repeat(400),
                    ]),
                ],
                0..40,
            ),
            at in proptest::collection::vec(0usize..10_000, 1..40),
            sorted in proptest::bool::ANY,
        ) {
            let text: String = pieces.concat();
            let mut at: Vec<usize> = at.iter().map(|&p| floor(&text, p % (text.len() + 1))).collect();
            if sorted {
                at.sort_unstable();
            }
            let mut paragraphs = Paragraphs::default();
            for pos in at {
                proptest::prop_assert_eq!(
                    paragraphs.start(&text, pos), paragraph_start(&text, pos), "start at {}", pos
                );
                proptest::prop_assert_eq!(
                    paragraphs.end(&text, pos), paragraph_end(&text, pos), "end at {}", pos
                );
            }
        }
    }
}

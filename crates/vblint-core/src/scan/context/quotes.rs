//! Quotations: someone's own words, which must be recorded verbatim.

use std::ops::Range;

use wide::u8x16;

use super::regions::{KEEP_BEHIND, Paragraphs};

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
pub(crate) fn in_quotation(text: &str, span: &Range<usize>, paragraphs: &mut Paragraphs) -> bool {
    let start = paragraphs.start(text, span.start);
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
    let Some((open_at, closers)) = innermost_open(double, single) else {
        return false;
    };
    let end = paragraphs.end(text, span.end).max(span.end);
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

/// The quotation still open before a match, given where the last double
/// and single quotation opened (if still open): where it opened and the
/// marks that close it; the later one when both are open.
fn innermost_open(
    double: Option<usize>,
    single: Option<usize>,
) -> Option<(usize, &'static [char])> {
    const DOUBLE: &[char] = &['"', '\u{201D}', '\u{BB}'];
    match (double, single) {
        (Some(d), Some(s)) if d > s => Some((d, DOUBLE)),
        (Some(_), Some(s)) => Some((s, &['\'', '\u{2019}'])),
        (Some(d), None) => Some((d, DOUBLE)),
        (None, Some(s)) => Some((s, &['\'', '\u{2019}', '`'])),
        (None, None) => None,
    }
}

/// The quotation marks of a text, for many matches in it: found once, as
/// the matches reach them, with whether a letter or digit comes just
/// before and just after each; [`Quotes::in_quotation`] then reads only
/// the marks around a match, where [`in_quotation`] (the reference a
/// property test holds it to) reads every byte of the match's paragraph.
///
/// The bytes of `from..to` have been looked at; a query beyond `to` looks
/// further, one before `from` falls back to [`in_quotation`]. One value
/// serves one text.
#[derive(Debug, Default)]
pub(crate) struct Quotes {
    from: usize,
    to: usize,
    marks: Vec<Mark>,
}

/// A character that may open or close a quotation.
#[derive(Debug, Clone, Copy)]
struct Mark {
    at: usize,
    c: char,
    /// A letter or digit comes just before it (anywhere in the text).
    word_before: bool,
    /// A letter or digit comes just after it (anywhere in the text).
    word_after: bool,
}

/// The characters [`in_quotation`] acts on.
fn is_mark(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '`'
            | '\u{201C}'
            | '\u{201D}'
            | '\u{201E}'
            | '\u{AB}'
            | '\u{BB}'
            | '\u{2018}'
            | '\u{2019}'
    )
}

impl Quotes {
    /// Whether `span` lies inside quotation marks, as [`in_quotation`].
    pub(crate) fn in_quotation(
        &mut self,
        text: &str,
        span: &Range<usize>,
        paragraphs: &mut Paragraphs,
    ) -> bool {
        let start = paragraphs.start(text, span.start);
        let end = paragraphs.end(text, span.end).max(span.end);
        if !self.cover(text, start, end) {
            return in_quotation(text, span, paragraphs);
        }
        let mut double: Option<usize> = None;
        let mut single: Option<usize> = None;
        let first = self.marks.partition_point(|m| m.at < start);
        let opened = self.marks.partition_point(|m| m.at < span.start);
        for m in &self.marks[first..opened] {
            let at = m.at;
            match m.c {
                '"' => double = if double.is_some() { None } else { Some(at) },
                '\u{201C}' | '\u{201E}' | '\u{AB}' => double = Some(at),
                '\u{201D}' | '\u{BB}' => double = None,
                _ => {
                    let before_word = at > start && m.word_before;
                    let after_word = m.word_after;
                    if before_word && after_word {
                        // An apostrophe inside a word.
                    } else if single.is_none() && !before_word && after_word {
                        single = Some(at);
                    } else if single.is_some() && !after_word {
                        single = None;
                    }
                }
            }
        }
        let Some((open_at, closers)) = innermost_open(double, single) else {
            return false;
        };
        let from = self.marks.partition_point(|m| m.at < span.end);
        for m in self.marks[from..].iter().take_while(|m| m.at < end) {
            if closers.contains(&m.c) {
                let next_in = m.at + m.c.len_utf8() < end;
                let is_apostrophe =
                    m.c != '"' && m.c != '\u{201D}' && m.word_before && m.word_after && next_in;
                if !is_apostrophe {
                    return true;
                }
            }
        }
        memchr::memchr(b'\n', &text.as_bytes()[open_at..span.start]).is_none()
    }

    /// Looks at the bytes of `lo..hi` (within the text); false if some
    /// before `from` are not looked at.
    fn cover(&mut self, text: &str, lo: usize, hi: usize) -> bool {
        let hi = hi.min(text.len());
        if lo < self.from {
            return false;
        }
        if lo > self.to {
            self.marks.clear();
            (self.from, self.to) = (lo, lo);
        } else if lo - self.from > 2 * KEEP_BEHIND {
            // Forget what no query in order reaches back to.
            let keep = lo - KEEP_BEHIND;
            let gone = self.marks.partition_point(|m| m.at < keep);
            self.marks.drain(..gone);
            self.from = keep;
        }
        if hi <= self.to {
            return true;
        }
        let to = hi;
        let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        for (at, c) in quote_candidates(text, self.to..to) {
            if is_mark(c) {
                self.marks.push(Mark {
                    at,
                    c,
                    word_before: alnum(text[..at].chars().next_back()),
                    word_after: alnum(text[at + c.len_utf8()..].chars().next()),
                });
            }
        }
        self.to = to;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(text: &str, word: &str) -> bool {
        let start = text.find(word).unwrap();
        in_quotation(
            text,
            &(start..start + word.len()),
            &mut Paragraphs::default(),
        )
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

    proptest::proptest! {
        /// The marks found once judge every match as reading its whole
        /// paragraph does, for matches in any order.
        #[test]
        fn marks_found_once_judge_as_the_paragraph_read_does(
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    6 => proptest::sample::select(vec![
                        "\"", "'", "`", "\u{201C}", "\u{201D}", "\u{201E}", "\u{AB}", "\u{BB}",
                        "\u{2018}", "\u{2019}", "\u{2014}", "\u{A0}", "a", "word", " ", "  ", "\n",
                        "\n\n", "\n \n", "é", "9", ".",
                    ].into_iter().map(String::from).collect::<Vec<_>>()),
                    1 => proptest::sample::select(vec![
                        "x ".repeat(700), "\"a\" ".repeat(300), "it's ".repeat(400),
                    ]),
                ],
                0..60,
            ),
            at in proptest::collection::vec((0usize..10_000, 0usize..8), 1..40),
            sorted in proptest::bool::ANY,
        ) {
            let text: String = pieces.concat();
            let mut spans: Vec<Range<usize>> = at
                .iter()
                .map(|&(p, len)| {
                    let start = crate::diagnostic::floor_char_boundary(&text, p % (text.len() + 1));
                    start..super::super::ceil(&text, start + len)
                })
                .collect();
            if sorted {
                spans.sort_by_key(|s| (s.start, s.end));
            }
            let (mut quotes, mut paragraphs) = (Quotes::default(), Paragraphs::default());
            for span in spans {
                proptest::prop_assert_eq!(
                    quotes.in_quotation(&text, &span, &mut paragraphs),
                    in_quotation(&text, &span, &mut Paragraphs::default()),
                    "at {:?}", span
                );
            }
        }
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
}

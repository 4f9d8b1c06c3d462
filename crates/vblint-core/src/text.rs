//! Text normalisation with an offset map back to the original bytes.
//!
//! The scanner never matches against the text as written: curly quotes, Unicode
//! hyphens, non-breaking spaces, runs of whitespace, CRLF and words hyphenated
//! at a line end are first folded into one plain form, so that a lexicon phrase
//! written once matches every typographic variant. Every offset the scanner
//! reports is mapped back through [`Normalized::to_original`], so callers only
//! ever see byte ranges into the text the user wrote.
//!
//! This module owns that mapping and nothing else: it knows nothing of lines,
//! columns, UTF-16 or the lexicon.

use std::ops::Range;

use wide::u8x16;

/// What a character becomes in normalised text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fold {
    /// Kept as it is.
    Keep,
    /// Replaced by one ASCII byte.
    Ascii(u8),
    /// Part of a whitespace run, which collapses to one space (or one line
    /// break when the run holds a blank line).
    Space { newline: bool },
    /// Dropped: invisible characters such as the soft hyphen.
    Drop,
}

/// Classifies one character for normalisation.
fn fold(c: char) -> Fold {
    match c {
        ' ' | '\t' | '\r' | '\x0B' | '\x0C' => Fold::Space { newline: false },
        '\n' => Fold::Space { newline: true },
        '\u{A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => {
            Fold::Space { newline: false }
        }
        '\u{2028}' | '\u{2029}' | '\u{85}' => Fold::Space { newline: true },
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{FF07}' | '`' => {
            Fold::Ascii(b'\'')
        }
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{FF02}' | '\u{AB}'
        | '\u{BB}' => Fold::Ascii(b'"'),
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => {
            Fold::Ascii(b'-')
        }
        '\u{AD}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}' => Fold::Drop,
        _ => Fold::Keep,
    }
}

/// Normalises one phrase of the lexicon the same way documents are
/// normalised, and lower-cases it, so that patterns and text meet in the same
/// form.
pub fn normalize_phrase(phrase: &str) -> String {
    let phrase = phrase.trim();
    // Printable ASCII with single spaces (most of a lexicon) is already in
    // normal form, but for a backtick (a quote) and a space run.
    let plain = phrase
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'`' || b == b' ')
        && !phrase.contains("  ");
    if plain {
        return phrase.to_ascii_lowercase();
    }
    Normalized::new(phrase).as_str().to_lowercase()
}

/// A document in normalised form, with the map back to the original.
///
/// The map is sparse: it holds one breakpoint wherever the distance between
/// a normalised offset and its original offset changes. Between two
/// breakpoints the normalised text is a byte-for-byte copy of the original
/// (apart from whitespace bytes replaced one-for-one by a space).
#[derive(Clone, Debug, Default)]
pub struct Normalized {
    text: String,
    /// `(normalised offset, original offset)` pairs, sorted by both.
    breaks: Vec<(usize, usize)>,
    original_len: usize,
}

impl Normalized {
    /// Normalises `original`.
    pub fn new(original: &str) -> Normalized {
        let mut n = Normalized {
            text: String::with_capacity(original.len()),
            breaks: Vec::new(),
            original_len: original.len(),
        };
        n.fill(original);
        n
    }

    /// Reuses this value's buffers to normalise another text.
    #[inline(always)]
    pub fn reset(&mut self, original: &str) {
        self.text.clear();
        self.text.reserve(original.len());
        self.breaks.clear();
        self.original_len = original.len();
        self.fill(original);
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps an offset in the normalised text to an offset in the original.
    ///
    /// Offsets at a character boundary of the normalised text map to a
    /// character boundary of the original.
    pub fn to_original(&self, offset: usize) -> usize {
        let idx = self.breaks.partition_point(|&(n, _)| n <= offset);
        if idx == 0 {
            return offset.min(self.original_len);
        }
        let (n, o) = self.breaks[idx - 1];
        (o + (offset - n)).min(self.original_len)
    }

    /// Records that normalised offset `norm` corresponds to original offset
    /// `orig`, when that changes the running delta.
    #[inline]
    fn mark(&mut self, norm: usize, orig: usize) {
        let current = match self.breaks.last() {
            Some(&(n, o)) => o as isize - n as isize,
            None => 0,
        };
        if orig as isize - norm as isize != current {
            self.breaks.push((norm, orig));
        }
    }

    // Inlined into each build of the scan's inner loops (see
    // `scan::dispatch`), as are the functions it calls for every block.
    #[inline(always)]
    fn fill(&mut self, original: &str) {
        let bytes = original.as_bytes();
        let len = bytes.len();
        let mut runs = PlainRuns::new();
        let mut i = 0;
        while i < len {
            // Fast path: copy a run of plain ASCII bytes in one go (a
            // single line break inside it becomes a space, at the same
            // offset, so the map needs no breakpoint).
            let start = i;
            let mut from = start;
            i = runs.end(bytes, i, |newline| {
                self.text.push_str(&original[from..newline]);
                self.text.push(' ');
                from = newline + 1;
            });
            if i > start {
                self.text.push_str(&original[from..i]);
                if i == len {
                    break;
                }
            }
            let c = original[i..]
                .chars()
                .next()
                .expect("i is on a char boundary");
            let width = c.len_utf8();
            match fold(c) {
                Fold::Keep => {
                    self.mark(self.text.len(), i);
                    self.text.push(c);
                    i += width;
                }
                Fold::Ascii(b) => {
                    self.mark(self.text.len(), i);
                    self.text.push(b as char);
                    i += width;
                    self.mark(self.text.len(), i);
                }
                Fold::Drop => {
                    i += width;
                    self.mark(self.text.len(), i);
                }
                Fold::Space { newline } => {
                    let run_start = i;
                    let mut newlines = usize::from(newline);
                    i += width;
                    while i < len {
                        let c = original[i..].chars().next().expect("char boundary");
                        match fold(c) {
                            Fold::Space { newline } => {
                                newlines += usize::from(newline);
                                i += c.len_utf8();
                            }
                            _ => break,
                        }
                    }
                    self.mark(self.text.len(), run_start);
                    // A blank line separates paragraphs: phrases never match
                    // across it, so it stays a line break.
                    self.text.push(if newlines >= 2 { '\n' } else { ' ' });
                    self.mark(self.text.len(), i);
                }
            }
            // A word broken by a hyphen at a line end ("her-\nself") is
            // joined, so the whole word matches.
            if self.text.ends_with('-')
                && i < len
                && let Some(resume) = line_end_hyphen(original, i)
            {
                self.text.pop();
                // Breakpoints recorded for the removed hyphen would now lie
                // past the end and break the map's order.
                let len = self.text.len();
                while self.breaks.last().is_some_and(|&(n, _)| n > len) {
                    self.breaks.pop();
                }
                i = resume;
                self.mark(len, i);
            }
        }
    }
}

/// Whether normalisation copies the byte `b` as it is (a line break as a
/// space), given the byte after it (`None` at the end of the text):
/// printable ASCII other than the backtick, and a hyphen, a single space
/// or a line break before printable ASCII.
///
/// A hyphen before anything else (whitespace, where a word may be broken
/// at a line end, or a non-ASCII character) goes through the slow path,
/// which keeps it all the same unless it breaks a word.
///
/// The byte before `b` is never whitespace when this is asked: the slow
/// path of [`Normalized::fill`] consumes whitespace runs whole.
///
/// The statement of the rule, one byte at a time; [`plain_mask`] applies
/// it to 64 bytes at once, and tests hold the two to each other.
/// Whether a match sits on whole-word boundaries: the characters just
/// outside it are not letters or digits.
pub(crate) fn on_word_boundaries(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
}

/// A letter or digit, with a fast path for ASCII.
#[inline]
pub(crate) fn is_word_char(c: char) -> bool {
    match c {
        _ if c.is_ascii() => c.is_ascii_alphanumeric(),
        // The characters of case notes beyond ASCII, answered without a
        // search of Unicode's tables: accented Latin letters (the Latin-1
        // Supplement's, but × and ÷, and Latin Extended-A and -B) and
        // general punctuation (dashes, curly quotes, spaces).
        '\u{C0}'..='\u{24F}' => c != '×' && c != '÷',
        '\u{2000}'..='\u{206F}' => false,
        _ => c.is_alphanumeric(),
    }
}

/// Whether two runs of letters and digits are one word (see [`words`]):
/// `between` is the last byte of the first run, what separates them, and
/// the first byte of the second. They are joined by an apostrophe inside
/// a word ("Mum's", "she’s"), or by a colon, slash or full stop between
/// digits ("21:40", "05/03/2024", "1.5").
#[inline]
pub(crate) fn joins_runs(between: &[u8]) -> bool {
    match between {
        [_, b'\'', _] => true,
        [before, b':' | b'/' | b'.', after] => before.is_ascii_digit() && after.is_ascii_digit(),
        // U+2019, the typographic apostrophe, in UTF-8.
        [_, 0xE2, 0x80, 0x99, _] => true,
        _ => false,
    }
}

/// The words of a text with their byte ranges: runs of letters and digits,
/// joined by apostrophes inside a word ("Mum's", "she’s").
pub fn words(text: &str) -> impl Iterator<Item = (Range<usize>, &str)> {
    let bytes = text.as_bytes();
    // The character at `i` and its width, without decoding ASCII.
    let at = move |i: usize| -> (char, usize) {
        match bytes[i] {
            b if b.is_ascii() => (char::from(b), 1),
            _ => {
                let c = text[i..].chars().next().expect("a char boundary");
                (c, c.len_utf8())
            }
        }
    };
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            // ASCII bytes between words without decoding.
            let b = bytes[i];
            if b.is_ascii_alphanumeric() {
                break;
            }
            if b.is_ascii() {
                i += 1;
                continue;
            }
            let (c, width) = at(i);
            if is_word_char(c) {
                break;
            }
            i += width;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        i += at(i).1;
        loop {
            // The ASCII letters and digits of a word, without decoding.
            while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
            if i >= bytes.len() {
                break;
            }
            let (c, width) = at(i);
            if is_word_char(c) {
                i += width;
                continue;
            }
            let next = i + width;
            let joins = match c {
                // Times, dates and decimals ("21:40", "05/03/2024") are one
                // word, so an age pattern never matches the hour of a time
                // stamp.
                ':' | '/' | '.' => {
                    bytes[i - 1].is_ascii_digit() && bytes.get(next).is_some_and(u8::is_ascii_digit)
                }
                // Only inside a word: the next character must be a letter.
                '\'' | '\u{2019}' => next < bytes.len() && is_word_char(at(next).0),
                _ => false,
            };
            if !joins {
                break;
            }
            i = next;
        }
        Some((start..i, &text[start..i]))
    })
}

#[cfg(test)]
fn copied_as_is(b: u8, next: Option<u8>) -> bool {
    // Without a next byte, a space, line break or hyphen is not copied as
    // it is.
    let next = next.unwrap_or(b' ');
    let graphic = |x: u8| x.wrapping_sub(0x21) < 0x5E;
    (graphic(b) & (b != b'`') & (b != b'-'))
        | (((b == b' ') | (b == b'\n') | (b == b'-')) & graphic(next))
}

/// Finds the runs of bytes that normalisation copies as they are (see
/// [`copied_as_is`]).
///
/// The text is read in aligned blocks of 64 bytes. Each block is
/// classified once, sixteen bytes at a time ([`plain_mask`]), into a mask
/// of the bytes copied as they are and a mask of its line breaks; the
/// masks are kept for the next run that starts in the same block.
#[derive(Debug)]
struct PlainRuns {
    /// The start of the block whose masks are held (`usize::MAX` for none).
    block: usize,
    mask: u64,
    newlines: u64,
}

impl PlainRuns {
    fn new() -> PlainRuns {
        PlainRuns {
            block: usize::MAX,
            mask: 0,
            newlines: 0,
        }
    }

    /// The end of the run of bytes from `i` copied as they are; calls
    /// `newline(offset)` for each line break in it, in order.
    #[inline(always)]
    fn end(&mut self, bytes: &[u8], mut i: usize, mut newline: impl FnMut(usize)) -> usize {
        while i < bytes.len() {
            let at = i & !63;
            if at != self.block {
                self.block = at;
                (self.mask, self.newlines) = block_mask(bytes, at);
            }
            // Bits above the block shift in as zeros: the run stops at the
            // block's end at the latest, and goes on in the next block.
            let run = (self.mask >> (i - at)).trailing_ones();
            let mut newlines = (self.newlines >> (i - at)) & u64::MAX.unbounded_shr(64 - run);
            while newlines != 0 {
                newline(i + newlines.trailing_zeros() as usize);
                newlines &= newlines - 1;
            }
            i += run as usize;
            if i < at + 64 {
                break;
            }
        }
        i.min(bytes.len())
    }
}

/// The masks of the bytes copied as they are and of the line breaks in the
/// block of 64 bytes at `at` (see [`plain_mask`]). Past the end of the
/// text the block is padded with spaces, which are never copied as they
/// are before a space, and make a space, line break or hyphen before them
/// not copied either, as at the end.
#[inline(always)]
fn block_mask(bytes: &[u8], at: usize) -> (u64, u64) {
    match bytes[at..].first_chunk::<65>() {
        Some(window) => plain_mask(window),
        None => {
            let rest = &bytes[at..];
            let mut window = [b' '; 65];
            window[..rest.len()].copy_from_slice(rest);
            plain_mask(&window)
        }
    }
}

/// Bit `j` of the first mask is set when byte `j` of the window is copied
/// as it is, given the byte after it (the window holds one byte more than
/// the masks): the rule of [`copied_as_is`]; of the second when it is a
/// line break.
///
/// Each byte is classified once, sixteen at a time, into four masks of 64
/// bits; whether the byte after a space, line break or hyphen is printable
/// is read off the mask of printable bytes shifted by one, with the
/// window's last byte as the top bit.
#[inline(always)]
fn plain_mask(window: &[u8; 65]) -> (u64, u64) {
    let splat = u8x16::splat;
    let (mut own, mut graphic, mut joins, mut newlines) = (0, 0, 0, 0);
    for k in 0..4 {
        let b = lanes(&window[16 * k..]);
        let is_graphic = below(b - splat(0x21), 0x5E);
        let is_hyphen = b.simd_eq(splat(b'-'));
        let gather = |m: u8x16| u64::from(m.to_bitmask()) << (16 * k);
        // Printable and copied whatever follows: not a backtick or hyphen.
        own |= gather(is_graphic & !(is_hyphen | b.simd_eq(splat(b'`'))));
        graphic |= gather(is_graphic);
        let is_newline = b.simd_eq(splat(b'\n'));
        newlines |= gather(is_newline);
        // Copied when a printable byte follows.
        joins |= gather(is_hyphen | b.simd_eq(splat(b' ')) | is_newline);
    }
    let next_graphic = graphic >> 1 | u64::from(window[64].wrapping_sub(0x21) < 0x5E) << 63;
    (own | joins & next_graphic, newlines)
}

/// The first sixteen bytes of `bytes` as SIMD lanes.
#[inline(always)]
pub(crate) fn lanes(bytes: &[u8]) -> u8x16 {
    u8x16::new(*bytes.first_chunk().expect("sixteen bytes"))
}

/// The number of line breaks (`\n`) in `bytes`, sixteen bytes at a time:
/// each lane counts the line breaks it sees (a match is all ones, minus
/// one), and the lanes are added up every 255 blocks, before a lane can
/// overflow. (Counting the bits of a mask per block would need `popcnt`,
/// which baseline x86-64 does not have.)
pub fn count_line_breaks(bytes: &[u8]) -> usize {
    let (blocks, rest) = bytes.as_chunks::<16>();
    let newline = u8x16::splat(b'\n');
    let mut total = 0;
    for group in blocks.chunks(255) {
        let mut lanes = u8x16::splat(0);
        for &block in group {
            lanes -= u8x16::new(block).simd_eq(newline);
        }
        total += lanes
            .to_array()
            .iter()
            .map(|&n| usize::from(n))
            .sum::<usize>();
    }
    total + rest.iter().filter(|&&b| b == b'\n').count()
}

/// All ones in the lanes whose byte is below `limit` (unsigned), else
/// zero.
#[inline(always)]
pub(crate) fn below(x: u8x16, limit: u8) -> u8x16 {
    x.min(u8x16::splat(limit - 1)).simd_eq(x)
}

/// If `original[i..]` starts with the rest of a line-end hyphenation (optional
/// spaces, a line break, indentation, then a lower-case letter), and the hyphen
/// just before `i` follows a letter, returns the offset of that letter.
fn line_end_hyphen(original: &str, i: usize) -> Option<usize> {
    let bytes = original.as_bytes();
    // The hyphen is at i - 1 (ASCII) or is a Unicode hyphen ending at i.
    let before = original[..i].trim_end_matches(|c: char| c == '-' || fold(c) == Fold::Ascii(b'-'));
    let prev = before.chars().next_back()?;
    if !prev.is_alphabetic() {
        return None;
    }
    let mut j = i;
    while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t' || bytes[j] == b'\r') {
        j += 1;
    }
    if j >= bytes.len() || bytes[j] != b'\n' {
        return None;
    }
    j += 1;
    while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
        j += 1;
    }
    // The next line must continue the word: lower case, or upper case after
    // upper case (ALL-CAPS call logs).
    let next = original[j..].chars().next()?;
    (next.is_lowercase() || next.is_uppercase() && prev.is_uppercase()).then_some(j)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_are_counted_in_blocks_and_the_rest() {
        let text: Vec<u8> = (0..200u32)
            .map(|i| {
                if i % 7 == 0 || i % 16 == 15 {
                    b'\n'
                } else {
                    b'a' + (i % 26) as u8
                }
            })
            .collect();
        let count = |bytes: &[u8]| bytes.iter().filter(|&&b| b == b'\n').count();
        for start in 0..20 {
            for end in start..text.len() {
                let bytes = &text[start..end];
                assert_eq!(count_line_breaks(bytes), count(bytes), "{start}..{end}");
            }
        }
        // More than 255 blocks, where every lane is a line break: the lanes
        // are added up before they overflow.
        for len in [255 * 16, 255 * 16 + 1, 4096 * 16 + 5] {
            let lines = vec![b'\n'; len];
            assert_eq!(count_line_breaks(&lines), len);
            let mixed: Vec<u8> = text.iter().copied().cycle().take(len).collect();
            assert_eq!(count_line_breaks(&mixed), count(&mixed));
        }
    }

    fn check(original: &str, expected: &str) {
        let n = Normalized::new(original);
        assert_eq!(n.as_str(), expected, "normalising {original:?}");
    }

    /// The end of the plain run from `i`, with a fresh finder.
    fn run_end(bytes: &[u8], i: usize) -> usize {
        PlainRuns::new().end(bytes, i, |_| {})
    }

    #[test]
    fn windows_mark_exactly_the_bytes_copied_as_they_are() {
        // Every byte, before every kind of next byte, at the start, middle
        // and end of a window, and at the end of the text.
        let nexts = [
            b'a', b' ', b'\t', b'\n', b'\r', b'\x0B', b'\x0C', b'-', b'`', 0xC3, 0x00, 0x7F,
        ];
        for b in 0..=255u8 {
            for &next in &nexts {
                for at in [0, 31, 63] {
                    let mut window = [b'a'; 65];
                    window[at] = b;
                    window[at + 1] = next;
                    let bit = plain_mask(&window).0 >> at & 1 == 1;
                    assert_eq!(
                        bit,
                        copied_as_is(b, Some(next)),
                        "{b:#x} before {next:#x} at {at}"
                    );
                }
            }
            let text = [b'a', b];
            assert_eq!(run_end(&text, 0) == 2, copied_as_is(b, None), "{b:#x} last");
        }
        assert!(copied_as_is(b'-', Some(b'x')) && !copied_as_is(b'-', Some(0xC3)));
        assert!(!copied_as_is(b'-', None) && !copied_as_is(b'-', Some(b'\t')));
        assert!(copied_as_is(b'\n', Some(b'x')) && !copied_as_is(b'\n', Some(b' ')));
        assert!(!copied_as_is(b'`', Some(b'x')) && !copied_as_is(b'\t', Some(b'x')));
        // Runs cross windows, and stop at the first byte not copied.
        let text = format!("{}xé", "ab c-d\n".repeat(20));
        assert_eq!(run_end(text.as_bytes(), 0), 141);
        assert_eq!(run_end(text.as_bytes(), 3), 141);
        // Every line break of a run is reported, in every block.
        let mut newlines = Vec::new();
        PlainRuns::new().end(text.as_bytes(), 3, |i| newlines.push(i));
        assert_eq!(newlines, (0..20).map(|k| 7 * k + 6).collect::<Vec<_>>());
        // A line break before a character that is not ASCII is not plain.
        assert_eq!(run_end("ab\né".as_bytes(), 0), 2);
        assert_eq!(run_end(b"at  risk", 0), 2);
        // One finder for many runs keeps each block's mask: the same ends.
        let mut runs = PlainRuns::new();
        let text = "at  risk ".repeat(30);
        for i in (0..text.len()).rev().chain(0..text.len()) {
            assert_eq!(
                runs.end(text.as_bytes(), i, |_| {}),
                run_end(text.as_bytes(), i),
                "from {i}"
            );
        }
    }

    #[test]
    fn folds_typography() {
        check("harm\u{2019}s way", "harm's way");
        check("\u{201C}boyfriend\u{201D}", "\"boyfriend\"");
        check("risk\u{2010}taking", "risk-taking");
        check("at\u{A0}risk", "at risk");
        check("at \r\n  risk", "at risk");
        check("at\n\nrisk", "at\nrisk");
        check("soft\u{AD}hyphen", "softhyphen");
    }

    #[test]
    fn joins_line_end_hyphenation() {
        check("putting her-\nself at risk", "putting herself at risk");
        check("putting her-\r\n   self at risk", "putting herself at risk");
        check("risk\u{2010}\ntaking", "risktaking");
        // A dash after a space is punctuation, not hyphenation.
        check("at risk -\nshe", "at risk - she");
        // Capitalised next line: a list item, not a broken word.
        check("one-\nTwo", "one- Two");
        // Found by the property test: a doubled Unicode hyphen at a line end.
        check("put\u{2010}\u{2010}\nconsented", "put-consented");
    }

    #[test]
    fn maps_offsets_back() {
        let original = "She\u{2019}s  put\u{A0}her-\nself at risk";
        let n = Normalized::new(original);
        let text = n.as_str();
        assert_eq!(text, "She's put herself at risk");
        let start = text.find("herself").unwrap();
        let end = start + "herself".len();
        let (s, e) = (n.to_original(start), n.to_original(end));
        assert_eq!(&original[s..e], "her-\nself");
        let start = text.find("put").unwrap();
        assert_eq!(
            &original[n.to_original(start)..n.to_original(start + 3)],
            "put"
        );
        let start = text.find("at risk").unwrap();
        assert_eq!(&original[n.to_original(start)..], "at risk");
        // Joining after a Unicode hyphen keeps the map in order.
        let original = "put\u{2010}\u{2010}\nconsented";
        let n = Normalized::new(original);
        let start = n.as_str().find("consented").unwrap();
        assert_eq!(&original[n.to_original(start)..], "consented");
    }

    #[test]
    fn word_characters_are_letters_and_digits() {
        for c in (0..=0x2FFF).filter_map(char::from_u32) {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn words_split_like_people_read() {
        let w: Vec<&str> = words("Mum’s bf (32-year-old) 'x' o'")
            .map(|w| w.1)
            .collect();
        assert_eq!(w, ["Mum’s", "bf", "32", "year", "old", "x", "o"]);
    }

    proptest::proptest! {
        /// A phrase of printable ASCII normalises as any phrase does:
        /// through [`Normalized`], then lower-cased.
        #[test]
        fn phrases_normalise_as_documents_do(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "Her", "SELF", "-", " ", "  ", "`", "'", "[", "]", "\n", "\t", "\r",
                    "é", "’", "\u{a0}", "\u{ad}", "İ", "9", ".",
                ]),
                0..12,
            ),
        ) {
            let phrase: String = pieces.concat();
            let reference = Normalized::new(phrase.trim()).as_str().to_lowercase();
            proptest::prop_assert_eq!(normalize_phrase(&phrase), reference);
        }
    }
}

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
    let normalized = Normalized::new(phrase.trim());
    normalized.as_str().to_lowercase()
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

    fn fill(&mut self, original: &str) {
        let bytes = original.as_bytes();
        let len = bytes.len();
        let mut i = 0;
        while i < len {
            // Fast path: copy a run of plain ASCII bytes in one go (a
            // single line break inside it becomes a space, at the same
            // offset, so the map needs no breakpoint).
            let start = i;
            i = plain_run_end(bytes, i);
            if i > start {
                let mut from = start;
                for nl in memchr::memchr_iter(b'\n', &bytes[start..i]) {
                    self.text.push_str(&original[from..start + nl]);
                    self.text.push(' ');
                    from = start + nl + 1;
                }
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

/// Bytes always copied as they are: printable ASCII except the backtick
/// (folded to an apostrophe) and the hyphen (which may end a line in a
/// hyphenated word).
static PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0x21;
    while b < 0x7F {
        t[b] = true;
        b += 1;
    }
    t[b'`' as usize] = false;
    t[b'-' as usize] = false;
    t
};

/// The end of the run of bytes from `i` that normalisation copies as they
/// are (a lone line break as a space): printable ASCII other than the
/// backtick, a hyphen inside a word, and a single space or line break
/// between two printable characters.
///
/// The byte before `i`, if any, is not whitespace: the slow path consumes
/// whitespace runs whole.
#[inline]
fn plain_run_end(bytes: &[u8], mut i: usize) -> usize {
    let len = bytes.len();
    while i < len {
        // Eight bytes at a time while they are plainly plain: printable
        // ASCII and single spaces, none of them the backtick or a hyphen,
        // and not ending in a space (whose next byte is not looked at).
        while let Some(chunk) = bytes.get(i..i + 8) {
            if !plain_chunk(u64::from_le_bytes(chunk.try_into().expect("8 bytes"))) {
                break;
            }
            i += 8;
        }
        if i >= len {
            break;
        }
        let b = bytes[i];
        if PLAIN[usize::from(b)] {
            i += 1;
            continue;
        }
        let next = bytes.get(i + 1).copied();
        let plain = match b {
            b' ' | b'\n' => next.is_some_and(|n| n.is_ascii_graphic()),
            b'-' => next.is_some_and(|n| !n.is_ascii_whitespace()),
            _ => false,
        };
        if !plain {
            break;
        }
        i += 1;
    }
    i
}

/// Whether eight bytes (little-endian) are all copied as they are: printable
/// ASCII or spaces, no backtick or hyphen, no two spaces in a row, and no
/// space last. False negatives are fine (the byte loop decides then); false
/// positives are not.
#[inline]
fn plain_chunk(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A high bit in each byte that may be zero (exact for the lowest zero
    // byte; a byte above a zero byte may be flagged too, which only makes
    // the check stricter).
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
    let spaces = zero(x ^ (ONES * 0x20));
    x & HIGH == 0
        && below_space == 0
        && zero(x ^ (ONES * 0x7F)) == 0
        && zero(x ^ (ONES * u64::from(b'`'))) == 0
        && zero(x ^ (ONES * u64::from(b'-'))) == 0
        && spaces & (spaces >> 8) == 0
        && spaces >> 56 == 0
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

    fn check(original: &str, expected: &str) {
        let n = Normalized::new(original);
        assert_eq!(n.as_str(), expected, "normalising {original:?}");
    }

    #[test]
    fn plain_chunks_are_exactly_the_plain_ones() {
        let chunk = |s: &[u8; 8]| plain_chunk(u64::from_le_bytes(*s));
        assert!(chunk(b"she is a"));
        assert!(chunk(b"(32) at:"));
        assert!(!chunk(b"she  is a"[..8].try_into().unwrap()));
        assert!(!chunk(b"risk-tak"));
        assert!(!chunk(b"at\nrisk "));
        assert!(!chunk(b"at risk "));
        assert!(!chunk(b"a`b c d "));
        assert!(!chunk(b"a\tb c de"[..8].try_into().unwrap()));
        assert!(!chunk(&[b'a', 0xC3, 0xA9, b'b', b'c', b'd', b'e', b'f']));
        // Every single-byte change of a plain chunk is judged like the byte
        // loop would.
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut s = *b"abcdefgh";
                s[at] = b;
                let plain =
                    (0x21..0x7F).contains(&b) && b != b'`' && b != b'-' || b == b' ' && at < 7;
                assert_eq!(chunk(&s), plain, "byte {b:#x} at {at}");
            }
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
}

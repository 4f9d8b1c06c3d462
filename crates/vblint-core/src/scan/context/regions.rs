//! Where sentences, paragraphs and pieces of a text begin and end, found
//! from the bytes around an offset, never from the whole text.

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
}

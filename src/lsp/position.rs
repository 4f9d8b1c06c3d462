//! Byte offsets <-> LSP positions. The only module that knows about UTF-16.
//!
//! Everything else in vblint works with byte ranges of the original text.
//! An LSP [`Position`] is a zero-based line and a column counted in the
//! negotiated encoding: UTF-16 code units (what every real client uses) or
//! UTF-8 bytes (when the client offers it).
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, as the LSP specification says;
//! the line terminator is not part of the line, so a column past the end of a
//! line clamps to just before its terminator.
//!
//! [`LineIndex`] holds the byte offset where each line starts. It is built
//! once per document with `memchr` and updated in place for incremental edits,
//! so a keystroke costs a splice of the line table, not a rescan of the text.
//! Columns are computed on demand from the line's text; [`Cursor`] converts a
//! run of increasing offsets (a document's diagnostics) without re-walking
//! long lines.

use std::ops::Range;

use lsp_types::{Position, PositionEncodingKind};

/// How the client counts columns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-16 code units: the LSP default, and what real clients use.
    #[default]
    Utf16,
    /// UTF-8 bytes.
    Utf8,
}

impl Encoding {
    /// Picks UTF-8 if the client offers it, else UTF-16 (which every client
    /// must support).
    pub(crate) fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    /// The LSP name of the encoding.
    pub(crate) fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf8 => PositionEncodingKind::UTF8,
        }
    }

    /// The length of `s` in this encoding's units.
    fn len(self, s: &str) -> usize {
        match self {
            Encoding::Utf8 => s.len(),
            Encoding::Utf16 if s.is_ascii() => s.len(),
            Encoding::Utf16 => s.chars().map(char::len_utf16).sum(),
        }
    }
}

/// The start offset of every line of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offsets of line starts; always begins with 0.
    starts: Vec<usize>,
}

/// Whether a line starts at byte `p` of `bytes` (`p > 0`): the byte before
/// is `\n`, or a `\r` that does not begin a `\r\n` pair.
fn starts_line(bytes: &[u8], p: usize) -> bool {
    match bytes[p - 1] {
        b'\n' => true,
        b'\r' => bytes.get(p) != Some(&b'\n'),
        _ => false,
    }
}

/// Appends the line starts in `bytes[from..=to]` (each `> 0`) to `out`.
fn collect_starts(bytes: &[u8], from: usize, to: usize, out: &mut Vec<usize>) {
    let from = from.max(1);
    if from > to {
        return;
    }
    // A terminator at byte i starts a line at i + 1.
    let hay = &bytes[from - 1..to];
    for i in memchr::memchr2_iter(b'\n', b'\r', hay) {
        let p = from + i;
        if starts_line(bytes, p) {
            out.push(p);
        }
    }
}

impl LineIndex {
    /// Indexes a text.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        collect_starts(text.as_bytes(), 1, text.len(), &mut starts);
        LineIndex { starts }
    }

    /// The number of lines (at least one).
    #[cfg(test)]
    pub(crate) fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Updates the index after `text` was produced by replacing the bytes
    /// `old` of the previous text with `new_len` bytes.
    pub(crate) fn update(&mut self, text: &str, old: Range<usize>, new_len: usize) {
        let bytes = text.as_bytes();
        // Only starts whose preceding or own byte was replaced can change:
        // those in old.start..=old.end.
        let lo = self.starts.partition_point(|&p| p < old.start.max(1));
        let hi = self.starts.partition_point(|&p| p <= old.end);
        let mut fresh = Vec::new();
        collect_starts(bytes, old.start, old.start + new_len, &mut fresh);
        let tail = self.starts.split_off(hi);
        self.starts.truncate(lo);
        self.starts.extend(fresh);
        let grow = new_len as isize - (old.end - old.start) as isize;
        self.starts
            .extend(tail.into_iter().map(|p| p.wrapping_add_signed(grow)));
    }

    /// The line holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&p| p <= offset) - 1
    }

    /// The byte range of line `line`'s content (without its terminator).
    fn line_range(&self, text: &str, line: usize) -> Range<usize> {
        let start = self.starts[line];
        let mut end = self.starts.get(line + 1).copied().unwrap_or(text.len());
        let bytes = text.as_bytes();
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    /// The position of byte `offset`, clamped to the text and rounded down
    /// to a character boundary.
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let offset = floor_char_boundary(text, offset);
        let line = self.line_of(offset);
        let start = self.starts[line];
        pos(line, enc.len(&text[start..offset]))
    }

    /// The byte offset of `position`. A line past the end clamps to the end
    /// of the text; a column past the end of its line clamps to the line's
    /// end; a column inside a character rounds down to its start.
    pub fn offset(&self, text: &str, position: Position, enc: Encoding) -> usize {
        let line = position.line as usize;
        if line >= self.starts.len() {
            return text.len();
        }
        let range = self.line_range(text, line);
        let want = position.character as usize;
        let content = &text[range.clone()];
        match enc {
            Encoding::Utf8 => range.start + floor_char_boundary(content, want),
            Encoding::Utf16 => {
                if content.is_ascii() {
                    return range.start + want.min(content.len());
                }
                let mut units = 0;
                for (i, c) in content.char_indices() {
                    units += c.len_utf16();
                    if units > want {
                        return range.start + i;
                    }
                }
                range.end
            }
        }
    }

    /// A cursor for converting increasing offsets of `text`.
    pub fn cursor<'a>(&'a self, text: &'a str, enc: Encoding) -> Cursor<'a> {
        Cursor {
            index: self,
            text,
            enc,
            line: 0,
            offset: 0,
            column: 0,
        }
    }
}

/// Converts offsets to positions, remembering where the last one was so that
/// increasing offsets on one long line cost only the distance between them.
pub struct Cursor<'a> {
    index: &'a LineIndex,
    text: &'a str,
    enc: Encoding,
    line: usize,
    offset: usize,
    column: usize,
}

impl Cursor<'_> {
    /// The position of byte `offset` (any order works; increasing is fast).
    pub fn position(&mut self, offset: usize) -> Position {
        let offset = floor_char_boundary(self.text, offset);
        let line = self.index.line_of(offset);
        if line != self.line || offset < self.offset {
            self.line = line;
            self.offset = self.index.starts[line];
            self.column = 0;
        }
        self.column += self.enc.len(&self.text[self.offset..offset]);
        self.offset = offset;
        pos(line, self.column)
    }

    /// The range of a byte span.
    pub fn range(&mut self, span: Range<usize>) -> lsp_types::Range {
        let start = self.position(span.start);
        let end = self.position(span.end.max(span.start));
        lsp_types::Range { start, end }
    }
}

/// The end of the line holding `offset`, before its terminator.
pub(crate) fn line_end(index: &LineIndex, text: &str, offset: usize) -> usize {
    let offset = floor_char_boundary(text, offset);
    index.line_range(text, index.line_of(offset)).end
}

/// The start of the line holding `offset`.
#[cfg(test)]
pub(crate) fn line_start(index: &LineIndex, text: &str, offset: usize) -> usize {
    index.starts[index.line_of(floor_char_boundary(text, offset))]
}

/// The length of a text in the encoding's units.
#[cfg(test)]
pub(crate) fn encoded_len(s: &str, enc: Encoding) -> usize {
    enc.len(s)
}

fn pos(line: usize, column: usize) -> Position {
    Position {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        character: u32::try_from(column).unwrap_or(u32::MAX),
    }
}

/// The largest char boundary at or before `offset`, clamped to the text.
pub(crate) fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn emoji_zwj_combining_and_crlf() {
        // 😢 is 4 bytes / 2 units; 👩‍👧 is 11 bytes / 5 units; é as e + U+0301.
        let text = "a “b” 😢 x\r\n👩\u{200d}👧 cafe\u{301} y\rz\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        let x = text.find('x').unwrap();
        assert_eq!(idx.position(text, x, Encoding::Utf16), p(0, 9));
        assert_eq!(idx.position(text, x, Encoding::Utf8), p(0, x as u32));
        let y = text.find('y').unwrap();
        assert_eq!(idx.position(text, y, Encoding::Utf16), p(1, 12));
        assert_eq!(idx.offset(text, p(1, 12), Encoding::Utf16), y);
        let z = text.find('z').unwrap();
        assert_eq!(idx.position(text, z, Encoding::Utf16), p(2, 0));
        // Past the end of a line clamps before its CRLF.
        assert_eq!(idx.offset(text, p(0, 999), Encoding::Utf16), x + 1);
        // Inside a surrogate pair rounds down.
        let cry = text.find('😢').unwrap();
        assert_eq!(idx.offset(text, p(0, 7), Encoding::Utf16), cry);
        // Past the last line clamps to the end.
        assert_eq!(idx.offset(text, p(99, 0), Encoding::Utf16), text.len());
        assert_eq!(idx.position(text, text.len(), Encoding::Utf16), p(3, 0));
    }

    #[test]
    fn cursor_matches_position() {
        let text = "😢😢 a 😢\nb 👩\u{200d}👧 c\n";
        let idx = LineIndex::new(text);
        let mut cur = idx.cursor(text, Encoding::Utf16);
        for (o, _) in text.char_indices() {
            assert_eq!(cur.position(o), idx.position(text, o, Encoding::Utf16));
        }
    }

    #[test]
    fn negotiation() {
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        let both = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(Encoding::negotiate(Some(&both)), Encoding::Utf8);
        let only16 = [PositionEncodingKind::UTF16];
        assert_eq!(Encoding::negotiate(Some(&only16)), Encoding::Utf16);
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        // Weighted towards the characters that break naive conversions.
        let pieces = prop::sample::select(vec![
            "a",
            "b",
            " ",
            "\n",
            "\r",
            "\r\n",
            "é",
            "e\u{301}",
            "😢",
            "👩\u{200d}👧",
            "“",
            "’",
            "\u{FEFF}",
            "\u{10FFFF}",
            "ß",
        ]);
        prop_oneof![
            prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat()),
            any::<String>(),
        ]
    }

    /// Offsets that name a place a client can point at: char boundaries,
    /// except between the two bytes of a `\r\n`.
    fn addressable(text: &str) -> Vec<usize> {
        let b = text.as_bytes();
        (0..=text.len())
            .filter(|&o| text.is_char_boundary(o))
            .filter(|&o| !(o > 0 && b[o - 1] == b'\r' && b.get(o) == Some(&b'\n')))
            .collect()
    }

    proptest! {
        #[test]
        fn offset_position_round_trip(text in text_strategy()) {
            let idx = LineIndex::new(&text);
            for enc in [Encoding::Utf16, Encoding::Utf8] {
                let mut cur = idx.cursor(&text, enc);
                for o in addressable(&text) {
                    let pos = idx.position(&text, o, enc);
                    prop_assert_eq!(cur.position(o), pos);
                    prop_assert_eq!(idx.offset(&text, pos, enc), o);
                    // The column is the encoded length of the line up to o.
                    let start = line_start(&idx, &text, o);
                    prop_assert_eq!(pos.character as usize, encoded_len(&text[start..o], enc));
                }
            }
        }

        #[test]
        fn any_position_maps_to_a_boundary(text in text_strategy(), line in 0u32..50, col in 0u32..200) {
            let idx = LineIndex::new(&text);
            for enc in [Encoding::Utf16, Encoding::Utf8] {
                let o = idx.offset(&text, p(line, col), enc);
                prop_assert!(text.is_char_boundary(o));
                // Converting back never moves past the requested place.
                let back = idx.position(&text, o, enc);
                prop_assert!(back.line < line || (back.line == line && back.character <= col)
                    || line as usize >= idx.line_count());
            }
        }

        #[test]
        fn update_matches_rebuild(text in text_strategy(), a in 0usize..200, b in 0usize..200, new in text_strategy()) {
            let a = floor_char_boundary(&text, a);
            let b = floor_char_boundary(&text, b);
            let (s, e) = (a.min(b), a.max(b));
            let mut idx = LineIndex::new(&text);
            let mut edited = text.clone();
            edited.replace_range(s..e, &new);
            idx.update(&edited, s..e, new.len());
            prop_assert_eq!(idx, LineIndex::new(&edited));
        }
    }
}

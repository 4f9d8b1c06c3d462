//! What every door reports of a finding besides its span: the line and
//! column where it starts and its one-line message, computed as the
//! command line's JSON output computes them (`DESIGN.md`, the finding
//! fields). Doors that report findings of a text they hold whole (Python,
//! the browser) use this; the command line adds the offsets of a record
//! inside its file.

use crate::lexicon::Entry;

/// What a finding inside a quotation adds to its message.
pub const QUOTED_NOTE: &str = " (inside a quotation: someone's own words, keep them verbatim)";

/// The `message` field of a finding of `entry`: the entry's one-line
/// message, with [`QUOTED_NOTE`] when the finding is inside a quotation.
pub fn message(entry: &Entry, quoted: bool) -> String {
    let mut m = entry.message();
    if quoted {
        m.push_str(QUOTED_NOTE);
    }
    m
}

/// Lines and columns of increasing byte offsets of one text, in one
/// forward pass: `\n` ends a line (so a CRLF line's column does not count
/// the `\r` of the line before), lines are 1-based, columns are 1-based and
/// count Unicode scalar values. An offset before the last one asked for
/// starts the count over.
#[derive(Clone, Debug)]
pub struct Positions<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
    line_start: usize,
}

impl<'a> Positions<'a> {
    /// Positions in `text`.
    pub fn new(text: &'a str) -> Positions<'a> {
        Positions {
            text,
            offset: 0,
            line: 1,
            line_start: 0,
        }
    }

    /// The 1-based line and column of byte `offset`, which must be on a
    /// character boundary of the text.
    pub fn line_column(&mut self, offset: usize) -> (usize, usize) {
        if offset < self.offset {
            *self = Positions::new(self.text);
        }
        let between = &self.text.as_bytes()[self.offset..offset];
        if let Some(last) = memchr::memrchr(b'\n', between) {
            self.line += crate::text::count_line_breaks(between);
            self.line_start = self.offset + last + 1;
        }
        self.offset = offset;
        let column = self.text[self.line_start..offset].chars().count() + 1;
        (self.line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_scalar_values_after_each_line_feed() {
        let text = "ab\r\ncé\u{1F600}x\ny";
        let mut p = Positions::new(text);
        assert_eq!(p.line_column(1), (1, 2));
        let x = text.find('x').unwrap();
        assert_eq!(p.line_column(x), (2, 4));
        let y = text.find('y').unwrap();
        assert_eq!(p.line_column(y), (3, 1));
        // Going back starts over.
        assert_eq!(p.line_column(0), (1, 1));
    }
}

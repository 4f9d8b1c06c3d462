//! Turning findings into output: one [`Printer`] per format of `vblint
//! check` (a file each: `human`, `concise`, `json`, `jsonl`, `sarif`,
//! `csv`, `github`), the counts of `vblint report` (`summary`, `html`), and
//! what they share: where a finding is ([`Source`], [`Located`],
//! [`LineCursor`]), its message, and how names are shown ([`escape`]).
//!
//! Only this module knows display columns and output formats. The JSON
//! fields are a contract (see `DESIGN.md`): `type`, `path`, `record`, `rule`,
//! `category`, `severity`, `line`, `column`, `start`, `end`, `text`,
//! `message`, `alternatives`, `quoted`.

pub mod baseline;
mod concise;
pub mod csv;
pub mod escape;
mod explain;
pub mod github;
pub mod guide;
pub mod html;
mod human;
pub mod insight;
mod json;
mod jsonl;
pub mod pack;
mod printer;
pub mod sarif;
pub mod summary;

use std::borrow::Cow;
use std::ops::Range;

use crate::config::ContextMode;
use crate::lexicon::{Entry, Lexicon};
use crate::scan::Finding;

pub use explain::explain;
pub use json::{JsonFinding, JsonWriter};
pub use printer::{Printer, Problem, Streams, Totals};

/// Output formats of `vblint check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style snippets with the alternatives (default on a terminal).
    Human,
    /// `path:line:col: severity[rule] message`, one line each.
    Concise,
    /// One JSON array of findings.
    Json,
    /// One JSON object per line, streaming, then a summary object.
    Jsonl,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// A CSV table of findings, for spreadsheets.
    Csv,
}

/// A document being reported: where it came from and its text.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// The path as given, or `-` for standard input.
    pub path: &'a str,
    /// The record id, for records of CSV or JSON Lines inputs.
    pub record: Option<&'a str>,
    /// The original text the spans refer to.
    pub text: &'a str,
    /// The line number of the text's first line (1 unless the text is a
    /// record inside a larger file).
    pub first_line: usize,
    /// The column of the text's first character on that line (1 unless
    /// the text is a field of a record inside a larger file).
    pub first_column: usize,
    /// Where the bytes of `text` are in the original (a file after its
    /// byte-order mark, or decoded from UTF-16); `None` when at the same
    /// offsets.
    pub offsets: Option<&'a crate::input::OriginalOffsets>,
}

impl Source<'_> {
    /// The offset in the original bytes of the file (or of the record's
    /// text) of byte `offset` of `text`: what `start` and `end` report.
    pub fn original_offset(&self, offset: usize) -> usize {
        self.offsets
            .map_or(offset, |o| o.original(self.text, offset))
    }
}

/// A finding with everything a reporter needs.
#[derive(Clone, Debug)]
pub struct Located<'a> {
    /// The finding.
    pub finding: &'a Finding,
    /// Its entry.
    pub entry: &'a Entry,
    /// 1-based line.
    pub line: usize,
    /// 1-based column in Unicode scalar values, in the file: on the text's
    /// first line, counted from [`Source::first_column`].
    pub column: usize,
    /// The byte range of the finding's line(s) in the text.
    pub line_span: Range<usize>,
}

/// Computes lines and columns for findings in order of their start, in one
/// forward pass over the text: each position is counted on from the last,
/// so many findings on one long line cost one pass over the line, not one
/// per finding.
#[derive(Clone, Copy)]
pub struct LineCursor<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
    line_start: usize,
    /// The 1-based column of `offset`.
    column: usize,
    /// The end of the line around the last end asked for: `(from, end)`
    /// says that the first line break at or after `from` is at `end` (or
    /// that there is none and `end` is the end of the text).
    line_end: Option<(usize, usize)>,
}

impl<'a> LineCursor<'a> {
    /// A cursor at the start of `text`, whose first line is `first_line`.
    pub fn new(text: &'a str, first_line: usize) -> LineCursor<'a> {
        LineCursor {
            text,
            offset: 0,
            line: first_line,
            line_start: 0,
            column: 1,
            line_end: None,
        }
    }

    /// The 1-based line, 1-based column (in Unicode scalar values) and line
    /// start of `offset`, a character boundary. Offsets should not decrease
    /// between calls (else the cursor starts again from the top).
    pub fn locate(&mut self, offset: usize) -> (usize, usize, usize) {
        if offset < self.offset {
            let first =
                self.line - crate::text::count_line_breaks(&self.text.as_bytes()[..self.offset]);
            *self = LineCursor::new(self.text, first);
        }
        let bytes = &self.text.as_bytes()[self.offset..offset];
        // Counted sixteen bytes at a time, then the last line break found
        // from the end: between findings far apart, neither stops at each.
        if let Some(last) = memchr::memrchr(b'\n', bytes) {
            self.line += crate::text::count_line_breaks(bytes);
            self.line_start = self.offset + last + 1;
            self.column = 1 + chars(&bytes[last + 1..]);
        } else {
            self.column += chars(bytes);
        }
        self.offset = offset;
        (self.line, self.column, self.line_start)
    }

    /// Where the line holding `end` ends: at its line break, before a
    /// carriage return that ends it, or at the end of the text. Ends asked
    /// for in order of findings search each line once.
    pub fn line_end(&mut self, end: usize) -> usize {
        let text = self.text.as_bytes();
        let line_end = match self.line_end {
            Some((from, line_end)) if from <= end && end <= line_end => line_end,
            _ => memchr::memchr(b'\n', &text[end..]).map_or(text.len(), |i| end + i),
        };
        self.line_end = Some((end, line_end));
        // A CRLF line ends before its carriage return.
        if line_end > end && text[line_end - 1] == b'\r' {
            line_end - 1
        } else {
            line_end
        }
    }

    /// Cursors at each of `offsets` (sorted) in `text`, whose first line
    /// is `first_line`: the line breaks and characters between one offset
    /// and the next are counted on all threads.
    pub fn at_each(text: &'a str, first_line: usize, offsets: &[usize]) -> Vec<LineCursor<'a>> {
        use rayon::prelude::*;
        let bytes = text.as_bytes();
        // Per stretch between offsets: its line breaks, where its last one
        // is, and its characters after that (all of them if it has none).
        let stretches: Vec<(usize, Option<usize>, usize)> = (0..offsets.len())
            .into_par_iter()
            .map(|i| {
                let from = if i == 0 { 0 } else { offsets[i - 1] };
                let between = &bytes[from..offsets[i]];
                match memchr::memrchr(b'\n', between) {
                    Some(j) => (
                        crate::text::count_line_breaks(between),
                        Some(from + j),
                        chars(&between[j + 1..]),
                    ),
                    None => (0, None, chars(between)),
                }
            })
            .collect();
        let mut cursor = LineCursor::new(text, first_line);
        offsets
            .iter()
            .zip(stretches)
            .map(|(&offset, (breaks, last, after))| {
                cursor.offset = offset;
                cursor.line += breaks;
                match last {
                    Some(last) => {
                        cursor.line_start = last + 1;
                        cursor.column = 1 + after;
                    }
                    None => cursor.column += after,
                }
                cursor
            })
            .collect()
    }
}

/// The Unicode scalar values in UTF-8 `bytes` (which may start or end
/// inside a character): the bytes that are not continuation bytes.
fn chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

/// Locates findings (sorted by start) in their text.
pub fn locate<'a>(
    lexicon: &'a Lexicon,
    source: &Source<'_>,
    findings: &'a [Finding],
) -> Vec<Located<'a>> {
    locate_from(
        lexicon,
        source,
        findings,
        LineCursor::new(source.text, source.first_line),
    )
}

/// Locates findings (sorted by start) in their text with `cursor`, which
/// is at or before the first of them.
pub fn locate_from<'a>(
    lexicon: &'a Lexicon,
    source: &Source<'_>,
    findings: &'a [Finding],
    mut cursor: LineCursor<'_>,
) -> Vec<Located<'a>> {
    findings
        .iter()
        .map(|f| {
            let (line, mut column, line_start) = cursor.locate(f.span.start);
            if line == source.first_line {
                column += source.first_column - 1;
            }
            let line_end = cursor.line_end(f.span.end);
            Located {
                finding: f,
                entry: lexicon.get(f.entry),
                line,
                column,
                line_span: line_start..line_end,
            }
        })
        .collect()
}

/// The one-line message of a finding.
pub fn message(l: &Located<'_>) -> String {
    let mut m = l.entry.message();
    if l.finding.quoted {
        m.push_str(QUOTED);
    }
    m
}

/// What a finding inside a quotation adds to its message (the core's, which
/// every door shares).
const QUOTED: &str = vblint_core::located::QUOTED_NOTE;

/// The one-line messages of a lexicon's entries, made once per run.
#[derive(Debug)]
pub struct Messages(Vec<Box<str>>);

impl Messages {
    /// The messages of `lexicon`'s entries.
    pub fn new(lexicon: &Lexicon) -> Messages {
        Messages(lexicon.entries.iter().map(|e| e.message().into()).collect())
    }

    /// The message of a finding's entry, without the quotation note.
    pub fn of(&self, l: &Located<'_>) -> &str {
        &self.0[l.finding.entry.0 as usize]
    }

    /// The message of a finding, as [`message`] makes it.
    pub fn full(&self, l: &Located<'_>) -> Cow<'_, str> {
        if l.finding.quoted {
            Cow::Owned(format!("{}{QUOTED}", self.of(l)))
        } else {
            Cow::Borrowed(self.of(l))
        }
    }

    /// Appends the message of a finding, as [`message`] makes it.
    pub fn push(&self, buf: &mut Vec<u8>, l: &Located<'_>) {
        buf.extend_from_slice(self.of(l).as_bytes());
        if l.finding.quoted {
            buf.extend_from_slice(QUOTED.as_bytes());
        }
    }
}

/// How the human format draws.
#[derive(Clone, Copy, Debug)]
pub struct HumanStyle {
    /// Colours.
    pub color: bool,
    /// How much case text to show.
    pub context: ContextMode,
}

impl Format {
    /// The printer of this format, for findings of `lexicon`'s entries.
    pub fn printer(self, lexicon: &Lexicon, style: HumanStyle) -> Box<dyn Printer> {
        match self {
            Format::Human => Box::new(human::Human::new(lexicon, style)),
            Format::Concise => Box::new(concise::Concise::new(lexicon)),
            Format::Json => Box::new(json::Json::new(lexicon)),
            Format::Jsonl => Box::new(jsonl::Jsonl::new(lexicon)),
            Format::Sarif => Box::new(sarif::Sarif::new(lexicon)),
            Format::Github => Box::new(github::Github::new(lexicon)),
            Format::Csv => Box::new(csv::Csv::new(lexicon)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_counts_lines_and_characters() {
        let text = "a\n“é” x\r\nyz";
        let mut c = LineCursor::new(text, 1);
        assert_eq!(c.locate(0), (1, 1, 0));
        let x = text.find('x').unwrap();
        assert_eq!(c.locate(x), (2, 5, 2));
        let z = text.find('z').unwrap();
        assert_eq!(c.locate(z), (3, 2, text.find('y').unwrap()));
        // Going back restarts.
        assert_eq!(c.locate(x), (2, 5, 2));
    }

    /// Line, column and line start of `offset`, and the end of the line
    /// holding `end`, counted from the start of the text.
    fn counted(text: &str, offset: usize, end: usize) -> (usize, usize, usize, usize) {
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[start..].chars().count() + 1;
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        let line_end = if line_end > end && text[..line_end].ends_with('\r') {
            line_end - 1
        } else {
            line_end
        };
        (line, column, start, line_end)
    }

    #[test]
    fn cursor_agrees_with_counting_from_the_start() {
        let line = "Zoë (14) — “at risk” 😀 e\u{301} at risk\tat risk; ";
        let text = format!("{}\r\n\n{}\nend é", line.repeat(30), line.repeat(3));
        let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        for step in [1, 2, 7, 50] {
            let mut c = LineCursor::new(&text, 1);
            for &offset in starts.iter().step_by(step) {
                // An end a few characters on, at most at the end of the text.
                let end = starts
                    .iter()
                    .copied()
                    .find(|&i| i >= offset + 9)
                    .unwrap_or(text.len());
                let (line, column, start) = c.locate(offset);
                let line_end = c.line_end(end);
                assert_eq!(
                    (line, column, start, line_end),
                    counted(&text, offset, end),
                    "offset {offset}, step {step}"
                );
            }
        }
    }

    #[test]
    fn cursors_at_each_offset_locate_as_one_cursor_does() {
        let text = "a\n“é” x\r\n\n\nyz é\nlast line é é";
        let offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).step_by(2).collect();
        for first_line in [1, 40] {
            let mut one = LineCursor::new(text, first_line);
            let expected: Vec<_> = offsets.iter().map(|&o| one.locate(o)).collect();
            for from in 0..offsets.len() {
                let mut cursors = LineCursor::at_each(text, first_line, &offsets[from..]);
                let got: Vec<_> = cursors
                    .iter_mut()
                    .zip(&offsets[from..])
                    .map(|(c, &o)| c.locate(o))
                    .collect();
                assert_eq!(got, expected[from..]);
                // A cursor goes on from where it starts.
                let mut c = LineCursor::at_each(text, first_line, &offsets[from..from + 1])[0];
                let got: Vec<_> = offsets[from..].iter().map(|&o| c.locate(o)).collect();
                assert_eq!(got, expected[from..]);
            }
        }
    }
}

//! Turning findings into output: one rendered chunk per finding, so worker
//! threads can render in parallel and the writer only joins chunks in order.
//!
//! Only this module knows display columns and output formats. The JSON
//! fields are a contract (see `DESIGN.md`): `type`, `path`, `record`, `rule`,
//! `category`, `severity`, `line`, `column`, `start`, `end`, `text`,
//! `message`, `alternatives`, `quoted`.

pub mod baseline;
pub mod csv;
mod explain;
pub mod github;
pub mod html;
pub mod sarif;
pub mod summary;

use std::ops::Range;
use std::sync::OnceLock;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

use crate::config::ContextMode;
use crate::lexicon::{Category, Entry, Lexicon, Severity};
use crate::scan::Finding;

pub use explain::explain;

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
    /// 1-based column in Unicode scalar values.
    pub column: usize,
    /// The byte range of the finding's line(s) in the text.
    pub line_span: Range<usize>,
}

/// Computes lines and columns for findings in order of their start, in one
/// forward pass over the text.
#[derive(Clone, Copy)]
pub struct LineCursor<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
    line_start: usize,
}

impl<'a> LineCursor<'a> {
    /// A cursor at the start of `text`, whose first line is `first_line`.
    pub fn new(text: &'a str, first_line: usize) -> LineCursor<'a> {
        LineCursor {
            text,
            offset: 0,
            line: first_line,
            line_start: 0,
        }
    }

    /// The 1-based line, 1-based column and line start of `offset`.
    /// Offsets must not decrease between calls (else the cursor restarts).
    pub fn locate(&mut self, offset: usize) -> (usize, usize, usize) {
        if offset < self.offset {
            let first = self.line
                - self.text[..self.offset]
                    .bytes()
                    .filter(|&b| b == b'\n')
                    .count();
            *self = LineCursor::new(self.text, first);
        }
        let bytes = &self.text.as_bytes()[self.offset..offset];
        // Counted sixteen bytes at a time, then the last line break found
        // from the end: between findings far apart, neither stops at each.
        if let Some(last) = memchr::memrchr(b'\n', bytes) {
            self.line += crate::text::count_line_breaks(bytes);
            self.line_start = self.offset + last + 1;
        }
        self.offset = offset;
        let column = self.text[self.line_start..offset].chars().count() + 1;
        (self.line, column, self.line_start)
    }
}

impl<'a> LineCursor<'a> {
    /// Cursors at each of `offsets` (sorted) in `text`, whose first line
    /// is `first_line`: the line breaks between one offset and the next
    /// are counted on all threads.
    pub fn at_each(text: &'a str, first_line: usize, offsets: &[usize]) -> Vec<LineCursor<'a>> {
        use rayon::prelude::*;
        let bytes = text.as_bytes();
        let breaks: Vec<(usize, Option<usize>)> = (0..offsets.len())
            .into_par_iter()
            .map(|i| {
                let from = if i == 0 { 0 } else { offsets[i - 1] };
                let between = &bytes[from..offsets[i]];
                let last = memchr::memrchr(b'\n', between).map(|j| from + j);
                (crate::text::count_line_breaks(between), last)
            })
            .collect();
        let mut cursor = LineCursor::new(text, first_line);
        offsets
            .iter()
            .zip(breaks)
            .map(|(&offset, (count, last))| {
                cursor.offset = offset;
                cursor.line += count;
                if let Some(last) = last {
                    cursor.line_start = last + 1;
                }
                cursor
            })
            .collect()
    }
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
            let (line, column, line_start) = cursor.locate(f.span.start);
            let line_end = source.text[f.span.end..]
                .find('\n')
                .map_or(source.text.len(), |i| f.span.end + i);
            // A CRLF line ends before its carriage return.
            let line_end = if source.text[..line_end].ends_with('\r') && line_end > f.span.end {
                line_end - 1
            } else {
                line_end
            };
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

/// The JSON object of one finding (a contract: see the module docs).
#[derive(Serialize)]
pub struct JsonFinding<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    path: &'a str,
    record: Option<&'a str>,
    rule: &'a str,
    category: &'static str,
    severity: Severity,
    line: usize,
    column: usize,
    start: usize,
    end: usize,
    text: &'a str,
    message: String,
    alternatives: &'a [String],
    quoted: bool,
}

impl<'a> JsonFinding<'a> {
    /// The JSON record of a located finding.
    pub fn new(source: &Source<'a>, l: &Located<'a>) -> JsonFinding<'a> {
        JsonFinding {
            kind: "finding",
            path: source.path,
            record: source.record,
            rule: &l.entry.id,
            category: l.entry.category.as_str(),
            severity: l.finding.severity,
            line: l.line,
            column: l.column,
            start: source.original_offset(l.finding.span.start),
            end: source.original_offset(l.finding.span.end),
            text: &source.text[l.finding.span.clone()],
            message: message(l),
            alternatives: &l.entry.alternatives,
            quoted: l.finding.quoted,
        }
    }
}

/// Writes findings' JSON records, byte for byte as serde writes a
/// [`JsonFinding`], with the part that depends only on the entry and on
/// whether the finding is quoted (`"message":…,"alternatives":[…]`, most of
/// a record's escaping) written once per entry and reused.
#[derive(Debug)]
pub struct JsonWriter {
    /// By entry, then unquoted and quoted.
    tails: Vec<[OnceLock<Box<[u8]>>; 2]>,
}

impl JsonWriter {
    /// A writer for findings of `lexicon`'s entries.
    pub fn new(lexicon: &Lexicon) -> JsonWriter {
        JsonWriter {
            tails: (0..lexicon.entries.len())
                .map(|_| Default::default())
                .collect(),
        }
    }

    /// The JSON record of a located finding, with no trailing newline.
    pub fn finding(&self, source: &Source<'_>, l: &Located<'_>) -> String {
        let f = l.finding;
        // A record is a few hundred bytes: room for it up front saves
        // growing the buffer two or three times.
        let mut json = Vec::with_capacity(1024);
        json.extend_from_slice(br#"{"type":"finding","path":"#);
        push_json(&mut json, source.path);
        json.extend_from_slice(br#","record":"#);
        push_json(&mut json, &source.record);
        json.extend_from_slice(br#","rule":"#);
        push_json(&mut json, &l.entry.id);
        json.extend_from_slice(br#","category":"#);
        push_json(&mut json, l.entry.category.as_str());
        json.extend_from_slice(br#","severity":"#);
        push_json(&mut json, &f.severity);
        for (name, n) in [
            (&br#","line":"#[..], l.line),
            (br#","column":"#, l.column),
            (br#","start":"#, source.original_offset(f.span.start)),
            (br#","end":"#, source.original_offset(f.span.end)),
        ] {
            json.extend_from_slice(name);
            json.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
        }
        json.extend_from_slice(br#","text":"#);
        push_json(&mut json, &source.text[f.span.clone()]);
        json.push(b',');
        json.extend_from_slice(self.tail(l));
        json.extend_from_slice(if f.quoted {
            br#","quoted":true}"#
        } else {
            br#","quoted":false}"#
        });
        String::from_utf8(json).expect("JSON is UTF-8")
    }

    fn tail(&self, l: &Located<'_>) -> &[u8] {
        self.tails[l.finding.entry.0 as usize][usize::from(l.finding.quoted)].get_or_init(|| {
            let mut json = br#""message":"#.to_vec();
            push_json(&mut json, &message(l));
            json.extend_from_slice(br#","alternatives":"#);
            push_json(&mut json, &l.entry.alternatives);
            json.into()
        })
    }
}

/// Appends `value` as serde_json writes it.
fn push_json(json: &mut Vec<u8>, value: &(impl Serialize + ?Sized)) {
    serde_json::to_writer(json, value).expect("findings serialise");
}

/// The one-line message of a finding.
pub fn message(l: &Located<'_>) -> String {
    let mut m = l.entry.message();
    if l.finding.quoted {
        m.push_str(" (inside a quotation: someone's own words, keep them verbatim)");
    }
    m
}

/// How the human format draws.
#[derive(Clone, Copy, Debug)]
pub struct HumanStyle {
    /// Colours.
    pub color: bool,
    /// How much case text to show.
    pub context: ContextMode,
}

/// Renders one finding in `format`. JSON formats get no trailing newline;
/// the others end with one.
pub fn render(
    format: Format,
    source: &Source<'_>,
    l: &Located<'_>,
    style: HumanStyle,
    json: &JsonWriter,
) -> String {
    match format {
        Format::Json | Format::Jsonl => json.finding(source, l),
        Format::Concise => {
            let record = source.record.map(|r| format!("[{r}]")).unwrap_or_default();
            format!(
                "{}{record}:{}:{}: {}[{}] {}\n",
                source.path,
                l.line,
                l.column,
                l.finding.severity,
                l.entry.id,
                message(l)
            )
        }
        Format::Human => human(source, l, style),
        Format::Sarif => sarif::result(source, l, None),
        Format::Github => github::line(source, l),
        Format::Csv => csv::row(source, l),
    }
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
        Severity::Hint => Level::NOTE.with_name("hint"),
    }
}

/// Masks every letter and digit outside `keep`, so a report shows the shape
/// of the line and the flagged words but no case details. Returns the masked
/// line and where `keep` is in it.
fn redact(line: &str, keep: Range<usize>) -> (String, Range<usize>) {
    let mut out = String::with_capacity(line.len());
    let mut span = 0..0;
    for (i, c) in line.char_indices() {
        if i == keep.start {
            span.start = out.len();
        }
        if keep.contains(&i) || !c.is_alphanumeric() {
            out.push(c);
        } else {
            out.push('\u{B7}');
        }
        if i + c.len_utf8() == keep.end {
            span.end = out.len();
        }
    }
    (out, span)
}

fn human(source: &Source<'_>, l: &Located<'_>, style: HumanStyle) -> String {
    let f = l.finding;
    let record = source
        .record
        .map(|r| format!(" (record {r})"))
        .unwrap_or_default();
    let path = format!("{}{record}", source.path);
    let title = level(f.severity)
        .primary_title(message(l))
        .id(l.entry.id.as_str());
    let line_text = &source.text[l.line_span.clone()];
    let local = (f.span.start - l.line_span.start)..(f.span.end - l.line_span.start);
    let (shown, local) = match style.context {
        ContextMode::Full => (line_text.to_string(), local),
        ContextMode::Redacted => redact(line_text, local),
        ContextMode::None => (String::new(), local),
    };
    let mut group: Group<'_> = if style.context == ContextMode::None {
        title.element(Level::NOTE.message(format!("at {path}:{}:{}", l.line, l.column)))
    } else {
        title.element(
            Snippet::source(shown.as_str())
                .line_start(l.line)
                .path(path.as_str())
                .fold(false)
                .annotation(AnnotationKind::Primary.span(local)),
        )
    };
    if f.quoted {
        group = group.element(Level::NOTE.message(
            "this is inside quotation marks: if these are someone's own words, keep them verbatim",
        ));
    }
    let alternatives = if l.entry.category == Category::Unfinished {
        "write what the brackets ask for, then remove the brackets".to_string()
    } else if l.entry.alternatives.is_empty() {
        "no mechanical swap is safe here: describe what the adult did (see `vblint explain`)"
            .to_string()
    } else {
        let list: Vec<String> = l
            .entry
            .alternatives
            .iter()
            .map(|a| format!("\"{a}\""))
            .collect();
        format!("instead: {}", list.join(" or "))
    };
    group = group.element(Level::HELP.message(alternatives));
    let renderer = if style.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = renderer.render(&[group]).to_string();
    out.push_str("\n\n");
    out
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

    #[test]
    fn json_writer_writes_what_serde_writes() {
        let lexicon = Lexicon::builtin();
        let writer = JsonWriter::new(&lexicon);
        let text = "Line one\n\"Her boyfriend\" (32)\tsaid: \u{1}\\ é";
        let start = text.find("boyfriend").unwrap();
        let id = lexicon
            .entries
            .iter()
            .position(|e| e.id == "boyfriend")
            .unwrap();
        for quoted in [false, true, false, true] {
            for (path, record) in [("notes/a.txt", None), ("C:\\x \"y\".csv", Some("ré\"1\n"))] {
                let finding = Finding {
                    entry: crate::lexicon::EntryId(id as u32),
                    span: start..start + "boyfriend".len(),
                    severity: if quoted {
                        Severity::Info
                    } else {
                        Severity::Warning
                    },
                    quoted,
                };
                let source = Source {
                    path,
                    record,
                    text,
                    first_line: 7,
                    offsets: None,
                };
                for l in locate(&lexicon, &source, std::slice::from_ref(&finding)) {
                    let serde = serde_json::to_string(&JsonFinding::new(&source, &l)).unwrap();
                    assert_eq!(writer.finding(&source, &l), serde);
                }
            }
        }
    }

    #[test]
    fn redaction_keeps_only_the_match() {
        let (masked, span) = redact("Amy (14) is at risk", 12..19);
        assert_eq!(masked, "··· (··) ·· at risk");
        assert_eq!(&masked[span], "at risk");
    }
}

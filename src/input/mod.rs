//! Inputs: every file vblint reads comes in through here.
//!
//! [`read`] is the one door for input files of every [`Kind`]: it applies
//! the size limit, never blocks on a pipe or device, and does not follow a
//! link where a folder walk found the file ([`file::open`]). Plain text is
//! decoded by [`text::decode`] (UTF-8, or UTF-16 with a byte-order mark).
//! A CSV export or a JSON Lines file is read one record at a time (bounded
//! memory); each record yields one or more text fields to scan, each with the
//! line and column where it starts in the file, so a finding can be found by
//! a person. DOCX and HTML files become plain text with their line structure
//! kept. Configuration and lexicon files are read by
//! [`file::read_small_text`]. Nothing here prints: problems come back as
//! values.

pub mod age;
pub mod csv;
pub mod docx;
pub mod file;
pub mod html;
pub mod jsonl;
pub mod text;

use std::io::{BufRead, BufReader};
use std::path::Path;

pub use file::{Contents, FileRef, Limits, NotRead, read_small_text};
pub use text::{Encoding, OriginalOffsets};

/// Which reader a file needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Plain text (Markdown, .txt, anything unknown that is text).
    Text,
    /// A CSV (or TSV) export.
    Csv,
    /// JSON Lines: one JSON object per line.
    Jsonl,
    /// A Word document.
    Docx,
    /// An HTML export.
    Html,
}

impl Kind {
    /// The kind of a file, from its extension.
    pub fn of(path: &Path) -> Kind {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        let is = |names: &[&str]| names.iter().any(|name| ext.eq_ignore_ascii_case(name));
        if is(&["csv", "tsv"]) {
            Kind::Csv
        } else if is(&["jsonl", "ndjson"]) {
            Kind::Jsonl
        } else if is(&["docx"]) {
            Kind::Docx
        } else if is(&["html", "htm", "xhtml"]) {
            Kind::Html
        } else {
            Kind::Text
        }
    }

    /// Whether the file is read as a stream of records.
    pub fn has_records(self) -> bool {
        matches!(self, Kind::Csv | Kind::Jsonl)
    }
}

/// How to read structured inputs.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// CSV columns holding text to scan (names, or 1-based numbers).
    pub csv_text_columns: Vec<String>,
    /// The CSV column holding the record id.
    pub csv_id_column: Option<String>,
    /// The CSV delimiter (auto-detected among `,` `;` tab when `None`).
    pub csv_delimiter: Option<u8>,
    /// The CSV column naming the author (for `report`).
    pub csv_author_column: Option<String>,
    /// The CSV column naming the team (for `report`).
    pub csv_team_column: Option<String>,
    /// The CSV column holding the date (for `report`, and the day on
    /// which `csv_dob_column` gives the child's age).
    pub csv_date_column: Option<String>,
    /// The CSV column holding the age of the child the record is about.
    pub csv_age_column: Option<String>,
    /// The CSV column holding the child's date of birth (with
    /// `csv_date_column`, gives the child's age on the record's date).
    pub csv_dob_column: Option<String>,
    /// JSON Lines fields holding text to scan.
    pub json_text_fields: Vec<String>,
    /// The JSON Lines field holding the record id.
    pub json_id_field: Option<String>,
    /// The JSON Lines field holding the age of the child the record is about.
    pub json_age_field: Option<String>,
}

/// One text field of a record.
#[derive(Clone, Debug)]
pub struct Field {
    /// The column or field name.
    pub name: String,
    /// The text, decoded.
    pub text: String,
    /// The 1-based line in the file where the text starts.
    pub line: usize,
    /// The 1-based column (Unicode scalar values) in the file where the text starts.
    pub column: usize,
    /// Where the bytes of `text` are in the field as the file encodes it;
    /// `None` when at the same offsets (the export is UTF-8).
    pub offsets: Option<OriginalOffsets>,
}

/// Who wrote a record and when (for `report`).
#[derive(Clone, Debug, Default)]
pub struct Meta {
    /// The author column's value.
    pub author: Option<String>,
    /// The team column's value.
    pub team: Option<String>,
    /// The date column's value, as written.
    pub date: Option<String>,
    /// The age of the child the record is about, from its age column or
    /// date of birth: the scanner's record context.
    pub age: Option<u32>,
}

/// One record of an export.
#[derive(Clone, Debug)]
pub struct Record {
    /// The 1-based number of the data record (the header is not counted).
    pub number: usize,
    /// The id column's value, or the record number.
    pub id: String,
    /// The text fields to scan.
    pub fields: Vec<Field>,
    /// Author, team and date.
    pub meta: Meta,
}

/// A record that could not be read; the file goes on.
#[derive(Clone, Debug)]
pub struct BadRecord {
    /// The 1-based line where the record starts.
    pub line: usize,
    /// The 1-based record number.
    pub number: usize,
    /// What is wrong, in plain words.
    pub reason: String,
    /// Whether reading cannot go on (an I/O error).
    pub fatal: bool,
}

/// A source of records.
pub trait Records: Send {
    /// The next record, a bad record, or `None` at the end.
    fn next_record(&mut self) -> Option<Result<Record, BadRecord>>;
    /// Notes gathered so far (such as an encoding fallback), drained.
    fn take_notes(&mut self) -> Vec<String>;
}

/// An input file, read through [`read`].
pub enum Input {
    /// A plain text file's bytes, as they are in the file: decode them with
    /// [`text::decode`].
    Plain(Contents),
    /// The text of a Word or HTML file (finding offsets are of this text).
    Extracted(String),
    /// An export, opened: [`Export::records`] reads its records.
    Export(Export),
}

/// Reads the input file `file` of kind `kind`, within `limits`: the one
/// door every input file goes through.
///
/// Every kind is opened by [`file::open`]: a regular file only (pipes,
/// sockets and devices are skipped without blocking), not through a link
/// where a walk found it, and no bigger than `limits.max_file_size`. A
/// Word document's text is also unpacked no further than that limit; an
/// export is streamed, and stops at the limit should the file grow.
///
/// # Errors
///
/// [`NotRead::Skipped`] for a file skipped on purpose, [`NotRead::Error`]
/// for one that could not be read.
pub fn read(file: &FileRef<'_>, kind: Kind, limits: Limits) -> Result<Input, NotRead> {
    match kind {
        Kind::Text => file::read_bytes(file, limits).map(Input::Plain),
        Kind::Html => {
            let contents = file::read_bytes(file, limits)?;
            let text = text::decode_lossy(&contents.bytes);
            Ok(Input::Extracted(html::text(&text)))
        }
        Kind::Docx => {
            let (opened, _) = file::open(file, limits)?;
            docx::text(opened, file.shown, limits).map(Input::Extracted)
        }
        Kind::Csv | Kind::Jsonl => {
            let (opened, _) = file::open(file, limits)?;
            Export::new(opened, file.shown, kind, limits).map(Input::Export)
        }
    }
}

/// An export opened for reading: its bytes stream in as UTF-8, after any
/// byte-order mark, and no further than the size limit.
pub struct Export {
    reader: Box<dyn BufRead + Send>,
    shown: String,
    kind: Kind,
    encoding: Encoding,
}

impl Export {
    fn new(
        opened: std::fs::File,
        shown: &str,
        kind: Kind,
        limits: Limits,
    ) -> Result<Export, NotRead> {
        let capped = file::Capped::new(opened, limits.max_file_size, shown);
        let mut raw = BufReader::with_capacity(256 * 1024, capped);
        let head = raw.fill_buf().map_err(|e| file::cannot_read(shown, &e))?;
        let encoding = Encoding::sniff(head);
        raw.consume(encoding.bom_len());
        let reader: Box<dyn BufRead + Send> = if encoding.is_utf16() {
            Box::new(BufReader::with_capacity(
                256 * 1024,
                text::Utf16Reader::new(raw, encoding),
            ))
        } else {
            Box::new(raw)
        };
        Ok(Export {
            reader,
            shown: shown.to_string(),
            kind,
            encoding,
        })
    }

    /// Reads the export's records with `options`. Past
    /// [`MAX_BAD_RECORDS`] records that cannot be read, reading stops with
    /// one last message, so a file that is not an export (or has the wrong
    /// separator) gives a screenful of messages, not millions.
    ///
    /// # Errors
    ///
    /// A plain-English problem: the options do not fit the export (such as
    /// a missing text column), or its start cannot be read.
    pub fn records(self, options: &Options) -> Result<Box<dyn Records>, String> {
        let records: Box<dyn Records> = match self.kind {
            Kind::Csv => Box::new(csv::CsvRecords::new(
                self.reader,
                self.shown,
                self.encoding,
                options,
            )?),
            Kind::Jsonl => Box::new(jsonl::JsonlRecords::new(
                self.reader,
                self.shown,
                self.encoding,
                options,
            )?),
            _ => return Err(format!("`{}` is not a record-based file", self.shown)),
        };
        Ok(Box::new(BadRecordsBounded {
            inner: records,
            bad: 0,
            kind: self.kind,
            done: false,
        }))
    }
}

/// Opens an export through [`read`] and reads its records with `options`.
///
/// # Errors
///
/// As [`read`]; and [`NotRead::Error`] when the options do not fit it.
pub fn open_records(
    file: &FileRef<'_>,
    kind: Kind,
    limits: Limits,
    options: &Options,
) -> Result<Box<dyn Records>, NotRead> {
    match read(file, kind, limits)? {
        Input::Export(export) => export
            .records(options)
            .map_err(|e| NotRead::Error(crate::diagnostic::Diagnostic::error(e))),
        _ => Err(NotRead::Error(crate::diagnostic::Diagnostic::error(
            format!("`{}` is not a record-based file", file.shown),
        ))),
    }
}

/// The most records of one export reported as unreadable; at the next,
/// reading stops.
pub const MAX_BAD_RECORDS: usize = 20;

/// Records, with reading stopped after [`MAX_BAD_RECORDS`] bad ones.
struct BadRecordsBounded {
    inner: Box<dyn Records>,
    bad: usize,
    kind: Kind,
    done: bool,
}

impl Records for BadRecordsBounded {
    fn next_record(&mut self) -> Option<Result<Record, BadRecord>> {
        if self.done {
            return None;
        }
        let next = self.inner.next_record();
        if let Some(Err(bad)) = &next
            && !bad.fatal
        {
            self.bad += 1;
            if self.bad > MAX_BAD_RECORDS {
                self.done = true;
                let check = match self.kind {
                    Kind::Jsonl => "that it is a JSON Lines file (one JSON object per line)",
                    _ => "that it is a CSV export and which separator it uses (--csv-delimiter)",
                };
                return Some(Err(BadRecord {
                    line: bad.line,
                    number: bad.number,
                    reason: format!(
                        "more than {MAX_BAD_RECORDS} records of this file could not be read, \
                         so reading stopped here; check {check}"
                    ),
                    fatal: true,
                }));
            }
        }
        next
    }

    fn take_notes(&mut self) -> Vec<String> {
        self.inner.take_notes()
    }
}

/// Decodes bytes as UTF-8, or else as Windows-1252; the flag tells which.
pub fn decode(bytes: &[u8]) -> (String, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), false),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (text.into_owned(), true)
        }
    }
}

pub use vblint_files::io_reason;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_extensions_in_any_case() {
        for (name, kind) in [
            ("export.csv", Kind::Csv),
            ("EXPORT.TSV", Kind::Csv),
            ("records.Jsonl", Kind::Jsonl),
            ("records.ndjson", Kind::Jsonl),
            ("report.DOCX", Kind::Docx),
            ("page.htm", Kind::Html),
            ("page.XHTML", Kind::Html),
            ("note.txt", Kind::Text),
            ("export.csv.txt", Kind::Text),
            ("csv", Kind::Text),
            ("notes/.csv", Kind::Text),
        ] {
            assert_eq!(Kind::of(Path::new(name)), kind, "{name}");
        }
    }
}

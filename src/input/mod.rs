//! Structured inputs: exports whose text lives in records or markup.
//!
//! A CSV export or a JSON Lines file is read one record at a time (bounded
//! memory); each record yields one or more text fields to scan, each with the
//! line and column where it starts in the file, so a finding can be found by
//! a person. DOCX and HTML files become plain text with their line structure
//! kept. Nothing here prints: problems come back as values.

pub mod csv;
pub mod docx;
pub mod html;
pub mod jsonl;

use std::path::Path;

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
    /// The CSV column holding the date (for `report`).
    pub csv_date_column: Option<String>,
    /// JSON Lines fields holding text to scan.
    pub json_text_fields: Vec<String>,
    /// The JSON Lines field holding the record id.
    pub json_id_field: Option<String>,
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

/// Opens a record-based file.
///
/// # Errors
///
/// A plain-English problem: the file cannot be read, or the options do not
/// fit it (such as a missing text column).
pub fn open_records(
    path: &Path,
    kind: Kind,
    options: &Options,
) -> Result<Box<dyn Records>, String> {
    match kind {
        Kind::Csv => Ok(Box::new(csv::CsvRecords::open(path, options)?)),
        Kind::Jsonl => Ok(Box::new(jsonl::JsonlRecords::open(path, options)?)),
        _ => Err(format!("`{}` is not a record-based file", path.display())),
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

/// A short reason for an I/O error, without the "(os error N)" noise.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            s.split(" (os error").next().unwrap_or(&s).to_string()
        }
    }
}

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

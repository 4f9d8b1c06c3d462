//! CSV exports, read record by record with the `csv` crate.
//!
//! The delimiter is detected from the header line among `,` `;` and tab
//! unless given; a byte-order mark is dropped, and a UTF-16 export is read
//! as UTF-8 ([`super::Export`]), with finding offsets mapped back to the
//! field's UTF-16 bytes; a field that is not UTF-8 is read as Windows-1252
//! (the usual encoding of spreadsheet exports) and a note says so once. A record with the wrong number of
//! fields is reported and skipped.

use std::io::BufRead;

use super::{BadRecord, Encoding, Field, Meta, Options, OriginalOffsets, Record, Records, decode};

/// Reads records from a CSV file.
pub struct CsvRecords {
    reader: csv::Reader<Box<dyn BufRead + Send>>,
    shown: String,
    /// The export's encoding (field offsets are mapped back for UTF-16).
    encoding: Encoding,
    delimiter: u8,
    text: Vec<(usize, String)>,
    id: Option<usize>,
    author: Option<usize>,
    team: Option<usize>,
    date: Option<usize>,
    age: Option<usize>,
    dob: Option<usize>,
    number: usize,
    record: csv::ByteRecord,
    notes: Vec<String>,
    warned_1252: bool,
    done: bool,
    /// Where the next record starts at the earliest (the csv crate's
    /// position lags one line behind after a CRLF terminator).
    next_line: usize,
}

/// Picks the delimiter that occurs most often (outside quotes) on the first line.
pub fn detect_delimiter(head: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

fn delimiter_name(d: u8) -> String {
    match d {
        b',' => "comma".into(),
        b';' => "semicolon".into(),
        b'\t' => "tab".into(),
        _ => format!("`{}`", d as char),
    }
}

/// Whether a cell of the first row looks like a column name rather than
/// case text: short, on one line.
fn looks_like_a_name(cell: &str) -> bool {
    cell.chars().count() <= 64 && !cell.contains(['\n', '\r'])
}

/// Finds a column by name (case and surrounding spaces ignored) or 1-based number.
fn find_column(headers: &[String], wanted: &str) -> Option<usize> {
    let w = wanted.trim();
    if let Ok(n) = w.parse::<usize>()
        && n >= 1
        && n <= headers.len()
    {
        return Some(n - 1);
    }
    headers
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case(w))
}

impl CsvRecords {
    /// Reads the CSV export `shown` from `buf` (UTF-8, after any byte-order
    /// mark; see [`super::Export`]) and resolves the columns named in
    /// `options`.
    ///
    /// # Errors
    ///
    /// The file cannot be read, or a named column does not exist.
    pub fn new(
        mut buf: Box<dyn BufRead + Send>,
        shown: String,
        encoding: Encoding,
        options: &Options,
    ) -> Result<CsvRecords, String> {
        let head = buf
            .fill_buf()
            .map_err(|e| format!("cannot read `{shown}`: {}", crate::input::io_reason(&e)))?;
        let delimiter = options
            .csv_delimiter
            .unwrap_or_else(|| detect_delimiter(head));
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(true)
            .flexible(false)
            .from_reader(buf);
        let (headers, next_line): (Vec<String>, usize) = match reader.byte_headers() {
            Ok(h) => (
                h.iter().map(|f| decode(f).0).collect(),
                2 + h.as_slice().iter().filter(|&&b| b == b'\n').count(),
            ),
            Err(e) => return Err(format!("cannot read the header row of `{shown}`: {e}")),
        };
        // The first row is listed only if it looks like column names: if it
        // does not, it is probably a record, whose text must not be shown.
        let names = headers.iter().all(|h| looks_like_a_name(h));
        let list = if names {
            headers
                .iter()
                .enumerate()
                .map(|(i, h)| format!("{} ({})", h.trim(), i + 1))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            format!(
                "{} column(s), numbered from 1; the first row is not shown: it does not look \
                 like a header row of column names (if the file has none, add one)",
                headers.len()
            )
        };
        if options.csv_text_columns.is_empty() {
            let example = if names {
                headers.last().map_or("notes", |h| h.trim()).to_string()
            } else {
                headers.len().to_string()
            };
            return Err(format!(
                "`{shown}` is a CSV file: say which column holds the text to check, \
                 for example `--csv-text-column {example}`.\n  its columns are: {list}"
            ));
        }
        let resolve = |wanted: &str, flag: &str| -> Result<usize, String> {
            find_column(&headers, wanted).ok_or_else(|| {
                format!(
                    "`{shown}` has no column `{wanted}` (given with {flag}); the file was read \
                     with {} as the separator.\n  its columns are: {list}\n  \
                     give {}its number (1 is the first column)",
                    delimiter_name(delimiter),
                    if names {
                        "a column name from this list, or "
                    } else {
                        ""
                    }
                )
            })
        };
        let mut text = Vec::new();
        for c in &options.csv_text_columns {
            let i = resolve(c, "--csv-text-column")?;
            text.push((i, headers[i].trim().to_string()));
        }
        let opt = |c: &Option<String>, flag: &str| -> Result<Option<usize>, String> {
            c.as_deref().map(|c| resolve(c, flag)).transpose()
        };
        Ok(CsvRecords {
            id: opt(&options.csv_id_column, "--csv-id-column")?,
            author: opt(&options.csv_author_column, "--csv-author-column")?,
            team: opt(&options.csv_team_column, "--csv-team-column")?,
            date: opt(&options.csv_date_column, "--csv-date-column")?,
            age: opt(&options.csv_age_column, "--csv-age-column")?,
            dob: opt(&options.csv_dob_column, "--csv-dob-column")?,
            reader,
            shown,
            encoding,
            delimiter,
            text,
            number: 0,
            record: csv::ByteRecord::new(),
            notes: Vec::new(),
            warned_1252: false,
            done: false,
            next_line,
        })
    }

    /// The line where the record just read starts, and moves past it.
    fn record_line(&mut self, reported: usize) -> usize {
        let line = reported.max(self.next_line);
        self.next_line = line
            + 1
            + self
                .record
                .as_slice()
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
        line
    }

    fn field(&mut self, i: usize) -> String {
        let (text, was_1252) = decode(self.record.get(i).unwrap_or_default());
        if was_1252 && !self.warned_1252 {
            self.warned_1252 = true;
            self.notes.push(format!(
                "`{}` is not UTF-8 (first seen in record {}); it was read as Windows-1252, \
                 the usual encoding of spreadsheet exports. Offsets are those of the text \
                 converted to UTF-8; save the export as UTF-8 to avoid this",
                self.shown, self.number
            ));
        }
        text
    }

    /// Whether a minimal-quoting writer quotes this field.
    fn needs_quotes(&self, bytes: &[u8]) -> bool {
        bytes
            .iter()
            .any(|&b| b == self.delimiter || b == b'"' || b == b'\n' || b == b'\r')
    }

    /// The width in the file of a field as a minimal-quoting writer writes it.
    fn written_width(&self, bytes: &[u8]) -> usize {
        let quotes = bytes.iter().filter(|&&b| b == b'"').count();
        char_count(bytes) + quotes + if self.needs_quotes(bytes) { 2 } else { 0 }
    }

    /// Where field `index` starts: line and column in the file. The line is
    /// exact; the column assumes the writer quoted only fields that needed it.
    fn field_start(&self, record_line: usize, index: usize) -> (usize, usize) {
        let mut line = record_line;
        let mut column = 1;
        for i in 0..index {
            let bytes = self.record.get(i).unwrap_or_default();
            let newlines = bytes.iter().filter(|&&b| b == b'\n').count();
            if newlines > 0 {
                line += newlines;
                let after = &bytes[bytes.iter().rposition(|&b| b == b'\n').unwrap_or(0) + 1..];
                // The closing quote, then the delimiter.
                column = 1 + char_count(after) + after.iter().filter(|&&b| b == b'"').count() + 2;
            } else {
                column += self.written_width(bytes) + 1;
            }
        }
        let own = self.record.get(index).unwrap_or_default();
        if self.needs_quotes(own) {
            column += 1;
        }
        (line, column)
    }
}

/// The number of characters in `bytes` as read (invalid UTF-8 counts as it
/// is shown: one replacement character per bad sequence).
fn char_count(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.chars().count(),
        Err(_) => String::from_utf8_lossy(bytes).chars().count(),
    }
}

impl Records for CsvRecords {
    fn next_record(&mut self) -> Option<Result<Record, BadRecord>> {
        if self.done {
            return None;
        }
        let mut record = std::mem::take(&mut self.record);
        let result = self.reader.read_byte_record(&mut record);
        self.record = record;
        match result {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => {
                self.number += 1;
                let reported = self.record.position().map_or(0, |p| p.line() as usize);
                let line = self.record_line(reported);
                let mut fields = Vec::with_capacity(self.text.len());
                for k in 0..self.text.len() {
                    let (i, name) = self.text[k].clone();
                    let text = self.field(i);
                    let (fl, fc) = self.field_start(line, i);
                    let offsets = self
                        .encoding
                        .is_utf16()
                        .then(|| OriginalOffsets::utf16(&text, 0));
                    fields.push(Field {
                        name,
                        text,
                        line: fl,
                        column: fc,
                        offsets,
                    });
                }
                let id = match self.id {
                    Some(i) => self.field(i).trim().to_string(),
                    None => self.number.to_string(),
                };
                let meta = Meta {
                    author: self.author.map(|i| self.field(i).trim().to_string()),
                    team: self.team.map(|i| self.field(i).trim().to_string()),
                    date: self.date.map(|i| self.field(i).trim().to_string()),
                    age: super::age::record_age(
                        self.age.map(|i| self.field(i)).as_deref(),
                        self.dob.map(|i| self.field(i)).as_deref(),
                        self.date.map(|i| self.field(i)).as_deref(),
                    ),
                };
                Some(Ok(Record {
                    number: self.number,
                    id,
                    fields,
                    meta,
                }))
            }
            Err(e) => {
                self.number += 1;
                let reported = e.position().map_or(0, |p| p.line() as usize);
                let line = self.record_line(reported);
                match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => Some(Err(BadRecord {
                        line,
                        number: self.number,
                        reason: format!(
                            "this record has {len} field(s) but the header has {expected_len}; \
                             it was skipped. A stray separator or an unclosed quotation mark \
                             in the export usually causes this"
                        ),
                        fatal: false,
                    })),
                    csv::ErrorKind::Io(io) => {
                        self.done = true;
                        Some(Err(BadRecord {
                            line,
                            number: self.number,
                            reason: format!("reading stopped: {}", crate::input::io_reason(io)),
                            fatal: true,
                        }))
                    }
                    _ => Some(Err(BadRecord {
                        line,
                        number: self.number,
                        reason: format!("this record cannot be read ({e}); it was skipped"),
                        fatal: false,
                    })),
                }
            }
        }
    }

    fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }
}

//! Findings as CSV: a header row, then one row per finding with the JSON
//! fields; alternatives joined with ` | `.
//!
//! Text cells that a spreadsheet would run as a formula (starting with `=`,
//! `+`, `-` or `@`) get a leading apostrophe. Paths and record ids are shown
//! as [`escape::name`] says; the matched text is kept exactly as written.

use std::io::{self, Write};

use super::printer::{Printer, Streams, Totals};
use super::{JsonFinding, Located, Source, escape};
use crate::lexicon::Lexicon;

/// The `csv` format.
pub(super) struct Csv;

impl Csv {
    pub(super) fn new(_: &Lexicon) -> Csv {
        Csv
    }
}

impl Printer for Csv {
    fn begin(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(HEADER.as_bytes())
    }

    fn finding(&self, buf: &mut Vec<u8>, source: &Source<'_>, l: &Located<'_>, _: Option<&str>) {
        buf.extend_from_slice(row(source, l).as_bytes());
    }

    fn finish(&self, _: &mut Streams<'_>, _: &Totals) -> io::Result<()> {
        Ok(())
    }
}

/// The header row.
pub const HEADER: &str = "type,path,record,rule,category,severity,line,column,start,end,text,message,alternatives,quoted\n";

/// Quotes a cell when needed.
pub fn cell(s: &str) -> String {
    let guarded;
    let s = if s.starts_with(['=', '+', '-', '@']) {
        guarded = format!("'{s}");
        guarded.as_str()
    } else {
        s
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One row, ending with a newline.
fn row(source: &Source<'_>, l: &Located<'_>) -> String {
    let j = JsonFinding::new(source, l);
    let cells = [
        cell(j.kind),
        cell(&escape::name(j.path)),
        cell(&escape::name(j.record.unwrap_or(""))),
        cell(j.rule),
        cell(j.category),
        cell(j.severity.as_str()),
        j.line.to_string(),
        j.column.to_string(),
        j.start.to_string(),
        j.end.to_string(),
        cell(j.text),
        cell(&j.message),
        cell(&j.alternatives.join(" | ")),
        j.quoted.to_string(),
    ];
    let mut out = cells.join(",");
    out.push('\n');
    out
}

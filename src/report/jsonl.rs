//! The `jsonl` format: one JSON object per finding and line (the objects
//! of the `json` format), written as each input is scanned, then one
//! summary object.

use std::io;

use serde::Serialize;

use super::json::JsonWriter;
use super::printer::{Printer, Streams, Totals};
use super::{Located, Source};
use crate::lexicon::Lexicon;

/// The `jsonl` format.
pub(super) struct Jsonl {
    json: JsonWriter,
}

impl Jsonl {
    pub(super) fn new(lexicon: &Lexicon) -> Jsonl {
        Jsonl {
            json: JsonWriter::new(lexicon),
        }
    }
}

impl Printer for Jsonl {
    fn finding(&self, buf: &mut Vec<u8>, source: &Source<'_>, l: &Located<'_>, _: Option<&str>) {
        self.json.push(buf, source, l);
        buf.push(b'\n');
    }

    fn finish(&self, out: &mut Streams<'_>, totals: &Totals) -> io::Result<()> {
        let summary = Summary {
            kind: "summary",
            files: totals.files,
            files_with_findings: totals.files_with_findings,
            records: totals.records,
            records_with_findings: totals.records_with_findings,
            findings: totals.findings(),
            errors: totals.errors,
            by_severity: BySeverity {
                error: totals.by_severity[3],
                warning: totals.by_severity[2],
                info: totals.by_severity[1],
                hint: totals.by_severity[0],
            },
        };
        let summary = serde_json::to_string(&summary).expect("summary serialises");
        writeln!(out.report, "{summary}")
    }
}

/// The last record of `jsonl` output.
#[derive(Serialize)]
struct Summary {
    #[serde(rename = "type")]
    kind: &'static str,
    files: usize,
    files_with_findings: usize,
    #[serde(skip_serializing_if = "is_zero")]
    records: usize,
    #[serde(skip_serializing_if = "is_zero")]
    records_with_findings: usize,
    findings: usize,
    errors: usize,
    by_severity: BySeverity,
}

#[derive(Serialize)]
struct BySeverity {
    error: usize,
    warning: usize,
    info: usize,
    hint: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

//! SARIF 2.1.0 output, streamed: the header, then one result per finding,
//! then the tool and its rules (JSON member order does not matter).
//!
//! Columns are Unicode scalar values, so the run sets
//! `columnKind: "unicodeCodePoints"` (SARIF's default is UTF-16 code units).

use std::io::{self, Write};

use serde_json::{Value, json};

use super::printer::{Printer, Streams, Totals, write_items};
use super::{Located, Source, message};
use crate::lexicon::{Category, Lexicon, Severity};

/// The `sarif` format.
pub(super) struct Sarif {
    /// Everything after the last result.
    trailer: String,
}

impl Sarif {
    pub(super) fn new(lexicon: &Lexicon) -> Sarif {
        Sarif {
            trailer: trailer(lexicon),
        }
    }
}

impl Printer for Sarif {
    fn begin(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(HEADER.as_bytes())
    }

    fn finding(
        &self,
        buf: &mut Vec<u8>,
        source: &Source<'_>,
        l: &Located<'_>,
        fingerprint: Option<&str>,
    ) {
        serde_json::to_writer(buf, &result(source, l, fingerprint)).expect("results serialise");
    }

    fn write(
        &self,
        out: &mut dyn Write,
        rendered: &[u8],
        ends: &[usize],
        first: bool,
    ) -> io::Result<()> {
        write_items(out, rendered, ends, first, b"\n        ", b",\n        ")
    }

    fn finish(&self, out: &mut Streams<'_>, totals: &Totals) -> io::Result<()> {
        if totals.findings() > 0 {
            out.report.write_all(b"\n")?;
        }
        out.report.write_all(self.trailer.as_bytes())
    }

    fn fingerprints(&self) -> bool {
        true
    }
}

/// Everything before the first result.
pub const HEADER: &str = "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n      \"columnKind\": \"unicodeCodePoints\",\n      \"results\": [";

/// The SARIF level of a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

/// Percent-encodes what a relative URI cannot hold.
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '\\' => out.push('/'),
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            _ => out.push(c),
        }
    }
    out
}

/// The end line and column (exclusive, 1-based) of a located finding.
pub fn end_of(source: &Source<'_>, l: &Located<'_>) -> (usize, usize) {
    let matched = &source.text[l.finding.span.clone()];
    match matched.rfind('\n') {
        None => (l.line, l.column + matched.chars().count()),
        Some(i) => (
            l.line + matched.matches('\n').count(),
            matched[i + 1..].chars().count() + 1,
        ),
    }
}

/// One result object.
pub fn result(source: &Source<'_>, l: &Located<'_>, fingerprint: Option<&str>) -> Value {
    let (end_line, end_column) = end_of(source, l);
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(source.path) },
            "region": {
                "startLine": l.line,
                "startColumn": l.column,
                "endLine": end_line,
                "endColumn": end_column,
            }
        }
    });
    if let Some(r) = source.record {
        location["logicalLocations"] = json!([{ "name": r, "kind": "record" }]);
    }
    let mut result = json!({
        "ruleId": l.entry.id,
        "level": level(l.finding.severity),
        "message": { "text": message(l) },
        "locations": [location],
        "properties": {
            "category": l.entry.category.as_str(),
            "record": source.record,
            "quoted": l.finding.quoted,
            "alternatives": l.entry.alternatives,
        }
    });
    if let Some(fp) = fingerprint {
        result["partialFingerprints"] = json!({ "vblint/v1": fp });
    }
    result
}

/// Everything after the last result: the tool, with one rule per entry.
pub fn trailer(lexicon: &Lexicon) -> String {
    let rules: Vec<Value> = lexicon
        .active()
        .map(|(_, e)| {
            let help = if e.category == Category::Unfinished {
                "Write what the brackets ask for, then remove the brackets.".to_string()
            } else if e.alternatives.is_empty() {
                "No mechanical swap is safe: describe what the adult did.".to_string()
            } else {
                format!("Instead: {}", e.alternatives.join("; "))
            };
            json!({
                "id": e.id,
                "name": e.id,
                "shortDescription": { "text": e.message() },
                "fullDescription": { "text": e.why.trim() },
                "help": { "text": help },
                "defaultConfiguration": { "level": level(e.severity) },
                "properties": { "category": e.category.as_str(), "tags": [e.category.as_str()] },
            })
        })
        .collect();
    let tool = json!({
        "driver": {
            "name": "vblint",
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://www.justiceinspectorates.gov.uk/hmicfrs/",
            "rules": rules,
        }
    });
    let tool = serde_json::to_string_pretty(&tool).expect("tool serialises");
    let tool = tool.replace('\n', "\n      ");
    format!("\n      ],\n      \"tool\": {tool}\n    }}\n  ]\n}}\n")
}

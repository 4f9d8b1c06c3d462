//! The `json` format: one array of findings, each an object with the
//! fields of the contract (see the module docs of [`crate::report`]).

use std::io::{self, Write};
use std::sync::OnceLock;

use serde::Serialize;

use super::printer::{Printer, Streams, Totals, write_items};
use super::{Located, Source, message};
use crate::lexicon::{Lexicon, Severity};

/// The `json` format.
pub(super) struct Json {
    json: JsonWriter,
}

impl Json {
    pub(super) fn new(lexicon: &Lexicon) -> Json {
        Json {
            json: JsonWriter::new(lexicon),
        }
    }
}

impl Printer for Json {
    fn finding(&self, buf: &mut Vec<u8>, source: &Source<'_>, l: &Located<'_>, _: Option<&str>) {
        self.json.push(buf, source, l);
    }

    fn write(
        &self,
        out: &mut dyn Write,
        rendered: &[u8],
        ends: &[usize],
        first: bool,
    ) -> io::Result<()> {
        write_items(out, rendered, ends, first, b"[\n  ", b",\n  ")
    }

    fn finish(&self, out: &mut Streams<'_>, totals: &Totals) -> io::Result<()> {
        let end: &[u8] = if totals.findings() == 0 {
            b"[]\n"
        } else {
            b"\n]\n"
        };
        out.report.write_all(end)
    }
}

/// The JSON object of one finding (a contract: see the module docs).
#[derive(Serialize)]
pub struct JsonFinding<'a> {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) path: &'a str,
    pub(super) record: Option<&'a str>,
    pub(super) rule: &'a str,
    pub(super) category: &'static str,
    pub(super) severity: Severity,
    pub(super) line: usize,
    pub(super) column: usize,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) text: &'a str,
    pub(super) message: String,
    pub(super) alternatives: &'a [String],
    pub(super) quoted: bool,
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

    /// Appends the JSON record of a located finding, with no trailing
    /// newline.
    pub fn push(&self, json: &mut Vec<u8>, source: &Source<'_>, l: &Located<'_>) {
        let f = l.finding;
        json.extend_from_slice(br#"{"type":"finding","path":"#);
        push_json(json, source.path);
        json.extend_from_slice(br#","record":"#);
        push_json(json, &source.record);
        json.extend_from_slice(br#","rule":"#);
        push_json(json, &l.entry.id);
        json.extend_from_slice(br#","category":"#);
        push_json(json, l.entry.category.as_str());
        json.extend_from_slice(br#","severity":"#);
        push_json(json, &f.severity);
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
        push_json(json, &source.text[f.span.clone()]);
        json.push(b',');
        json.extend_from_slice(self.tail(l));
        json.extend_from_slice(if f.quoted {
            br#","quoted":true}"#
        } else {
            br#","quoted":false}"#
        });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::locate;
    use crate::scan::Finding;

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
                    first_column: 3,
                    offsets: None,
                };
                for l in locate(&lexicon, &source, std::slice::from_ref(&finding)) {
                    let serde = serde_json::to_string(&JsonFinding::new(&source, &l)).unwrap();
                    let mut json = b"before".to_vec();
                    writer.push(&mut json, &source, &l);
                    assert_eq!(json, [&b"before"[..], serde.as_bytes()].concat());
                }
            }
        }
    }
}

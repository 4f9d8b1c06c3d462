//! The dip-sample pack of `vblint sample`: one self-contained, printable
//! HTML page per sampled record (with or without findings), the findings
//! highlighted, the text shown as `--context` says (full, redacted or none),
//! and a table with tick boxes for the reviewer. A cover page lists every
//! record drawn and says it is a sample.

use std::fmt::Write as _;
use std::ops::Range;

use super::html::escape;
use crate::config::ContextMode;

/// One finding on a record's page.
pub struct PackFinding {
    /// Bytes of the field's text.
    pub span: Range<usize>,
    /// The entry id.
    pub rule: String,
    /// The entry's one-line message.
    pub message: String,
    /// Suggested wordings.
    pub alternatives: Vec<String>,
    /// Inside quotation marks.
    pub quoted: bool,
}

/// One text field of a record.
pub struct PackField {
    /// The column or field name (empty for a plain file).
    pub name: String,
    /// The text.
    pub text: String,
    /// Its findings, in order, not overlapping.
    pub findings: Vec<PackFinding>,
}

/// One sampled record or file.
pub struct PackRecord {
    /// The record id or file name.
    pub id: String,
    /// The file it came from.
    pub file: String,
    /// The team and date, when the export has them.
    pub team: Option<String>,
    /// The date as written.
    pub date: Option<String>,
    /// The text fields.
    pub fields: Vec<PackField>,
}

/// What the cover page says.
pub struct PackInfo<'a> {
    /// The pack's title.
    pub title: &'a str,
    /// Records drawn.
    pub drawn: usize,
    /// What was drawn: `records` or `files`.
    pub word: &'a str,
    /// Records read.
    pub read: usize,
    /// The seed.
    pub seed: u64,
    /// The input files.
    pub inputs: &'a [String],
    /// When it was made.
    pub generated_at: &'a str,
    /// The lexicon version in words.
    pub lexicon: &'a str,
    /// How the text is shown.
    pub context: ContextMode,
}

const CSS: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Arial,sans-serif;color:#1b1b1b;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin:0 0 .3rem}
.muted{color:#555;font-size:.9rem}
.note{border:1px solid #c8d3e3;background:#f4f7fb;padding:.5rem .8rem;border-radius:4px}
table{border-collapse:collapse;width:100%;margin:.6rem 0;font-size:.9rem}th,td{text-align:left;vertical-align:top;padding:.3rem .45rem;border:1px solid #bbb}
td.n{text-align:right}
.box{display:inline-block;width:.95em;height:.95em;border:1.5px solid #333;vertical-align:-.1em}
td.tick{text-align:center;width:4.2rem}
.text{white-space:pre-wrap;border-left:3px solid #1d4f91;padding:.3rem .7rem;margin:.4rem 0;background:#fafafa;overflow-wrap:anywhere}
mark{background:#ffe08a;border-bottom:2px solid #c0392b;padding:0 .1em}
mark sup{font-size:.7em;color:#c0392b;margin-left:.1em}
section.record{break-before:page;page-break-before:always;margin-top:2.5rem}
.sign{margin-top:1rem;display:grid;grid-template-columns:1fr 1fr;gap:1rem}.sign div{border-top:1px solid #333;padding-top:.2rem;font-size:.85rem}
@page{size:A4;margin:14mm 12mm}
@media print{body{margin:0;max-width:none;font-size:10pt}section.record{margin-top:0}tr{break-inside:avoid}}
";

/// Masks every letter and digit outside the findings' spans.
fn redacted(text: &str, keep: &[Range<usize>]) -> String {
    text.char_indices()
        .map(|(i, c)| {
            if c.is_alphanumeric() && !keep.iter().any(|r| r.contains(&i)) {
                '\u{B7}'
            } else {
                c
            }
        })
        .collect()
}

/// The text with its findings marked and numbered from `first`.
fn marked(text: &str, findings: &[PackFinding], first: usize, context: ContextMode) -> String {
    let spans: Vec<Range<usize>> = findings.iter().map(|f| f.span.clone()).collect();
    let shown = match context {
        ContextMode::Redacted => redacted(text, &spans),
        _ => text.to_string(),
    };
    // Redaction keeps byte lengths of masked characters only when they are
    // one byte; map spans through the characters instead.
    let mut out = String::new();
    let mut at = 0;
    let map = |b: usize| -> usize {
        text[..b]
            .chars()
            .zip(shown.chars())
            .map(|(_, s)| s.len_utf8())
            .sum()
    };
    for (n, f) in findings.iter().enumerate() {
        let (s, e) = (map(f.span.start), map(f.span.end));
        if s < at {
            continue;
        }
        out.push_str(&escape(&shown[at..s]));
        let _ = write!(
            out,
            "<mark title=\"{}\">{}<sup>{}</sup></mark>",
            escape(&f.rule),
            escape(&shown[s..e]),
            first + n
        );
        at = e;
    }
    out.push_str(&escape(&shown[at..]));
    out
}

fn context_words(c: ContextMode) -> &'static str {
    match c {
        ContextMode::Full => "full text",
        ContextMode::Redacted => {
            "redacted: only the flagged words are shown; other letters and digits are masked (·)"
        }
        ContextMode::None => "no case text: only the rules found (--context none)",
    }
}

/// The whole pack.
pub fn render(records: &[PackRecord], info: &PackInfo<'_>) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{t}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<section class=\"cover\">\n<h1>{t}</h1>\n<p class=\"note\"><b>This is a sample.</b> {} {w} drawn at random from {} read (seed {}; the same seed draws the same {w}). Every one drawn has a page, with or without findings.</p>\n",
        info.drawn,
        info.read,
        info.seed,
        t = escape(info.title),
        w = info.word,
    );
    let _ = write!(
        out,
        "<p>For each record: read the text, then tick <i>agree</i> when a highlighted finding is victim-blaming language, <i>not VB</i> when it is not (say why in the notes), and note any victim-blaming wording vblint did not find.</p>\n<table class=\"meta\"><tbody><tr><th>input files</th><td>{}</td></tr><tr><th>generated at</th><td>{}</td></tr><tr><th>lexicon version</th><td>{}</td></tr><tr><th>text shown</th><td>{}</td></tr></tbody></table>\n",
        escape(&info.inputs.join(", ")),
        escape(info.generated_at),
        escape(info.lexicon),
        escape(context_words(info.context))
    );
    out.push_str("<h2>Records in this sample</h2>\n<table class=\"list\"><thead><tr><th>#</th><th>record</th><th>file</th><th>date</th><th>team</th><th>findings</th><th>reviewed</th></tr></thead><tbody>");
    for (i, r) in records.iter().enumerate() {
        let n: usize = r.fields.iter().map(|f| f.findings.len()).sum();
        let _ = write!(
            out,
            "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{n}</td><td class=\"tick\"><span class=\"box\"></span></td></tr>",
            i + 1,
            escape(&r.id),
            escape(&r.file),
            escape(r.date.as_deref().unwrap_or("")),
            escape(r.team.as_deref().unwrap_or(""))
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
    for (i, r) in records.iter().enumerate() {
        let _ = write!(
            out,
            "<section class=\"record\">\n<h2>{} of {}: record {}</h2>\n<p class=\"muted\">{}{}{}</p>\n",
            i + 1,
            records.len(),
            escape(&r.id),
            escape(&r.file),
            r.date
                .as_deref()
                .map(|d| format!(" · {}", escape(d)))
                .unwrap_or_default(),
            r.team
                .as_deref()
                .map(|t| format!(" · team {}", escape(t)))
                .unwrap_or_default()
        );
        let mut number = 1;
        for f in &r.fields {
            if info.context != ContextMode::None {
                if !f.name.is_empty() {
                    let _ = write!(out, "<p class=\"muted\">{}</p>", escape(&f.name));
                }
                let _ = writeln!(
                    out,
                    "<div class=\"text\">{}</div>",
                    marked(&f.text, &f.findings, number, info.context)
                );
            }
            number += f.findings.len();
        }
        out.push_str("<table class=\"findings\"><thead><tr><th>#</th><th>words</th><th>rule and why</th><th>child-centred wording</th><th>agree</th><th>not VB</th><th>notes</th></tr></thead><tbody>");
        let mut number = 1;
        for f in &r.fields {
            for x in &f.findings {
                let words = match info.context {
                    ContextMode::None => String::new(),
                    _ => escape(&f.text[x.span.clone()]),
                };
                let _ = write!(
                    out,
                    "<tr><td class=\"n\">{number}</td><td>{words}{}</td><td><b>{}</b><br>{}</td><td>{}</td><td class=\"tick\"><span class=\"box\"></span></td><td class=\"tick\"><span class=\"box\"></span></td><td style=\"width:20%\"></td></tr>",
                    if x.quoted { " <i>(quoted)</i>" } else { "" },
                    escape(&x.rule),
                    escape(&x.message),
                    x.alternatives
                        .iter()
                        .map(|a| escape(a))
                        .collect::<Vec<_>>()
                        .join("<br>")
                );
                number += 1;
            }
        }
        if number == 1 {
            out.push_str("<tr><td></td><td colspan=\"3\">vblint found nothing in this record. Read it for wording the lexicon missed.</td><td class=\"tick\"><span class=\"box\"></span></td><td class=\"tick\"></td><td style=\"width:20%\"></td></tr>");
        }
        out.push_str("<tr><td></td><td colspan=\"3\">Victim-blaming wording vblint did not find (write it in the notes)</td><td class=\"tick\"><span class=\"box\"></span></td><td class=\"tick\"></td><td></td></tr>");
        out.push_str("</tbody></table>\n<div class=\"sign\"><div>Reviewer</div><div>Date</div></div>\n</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_only_the_flagged_words() {
        let f = PackFinding {
            span: 4..9,
            rule: "r".into(),
            message: String::new(),
            alternatives: vec![],
            quoted: false,
        };
        let html = marked("Amy naive café 12", &[f], 1, ContextMode::Redacted);
        assert_eq!(
            html,
            "··· <mark title=\"r\">naive<sup>1</sup></mark> ···· ··"
        );
    }
}

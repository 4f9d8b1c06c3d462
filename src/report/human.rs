//! The `human` format: a rustc-style snippet per finding, with the line
//! (whole, redacted or left out, as `--context` says), the quotation note
//! and the alternatives; then a summary line among the messages.

use std::borrow::Cow;
use std::io;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::printer::{Printer, Streams, Totals, finish_with_line};
use super::{HumanStyle, Located, Messages, Source};
use crate::config::ContextMode;
use crate::lexicon::{Lexicon, Severity};

/// The `human` format.
pub(super) struct Human {
    style: HumanStyle,
    messages: Messages,
    /// The help line of each entry: its alternatives.
    help: Vec<String>,
}

impl Human {
    pub(super) fn new(lexicon: &Lexicon, style: HumanStyle) -> Human {
        let help = lexicon
            .entries
            .iter()
            .map(|e| {
                if e.alternatives.is_empty() {
                    "no mechanical swap is safe here: describe what the adult did (see `vblint explain`)"
                        .to_string()
                } else {
                    let list: Vec<String> =
                        e.alternatives.iter().map(|a| format!("\"{a}\"")).collect();
                    format!("instead: {}", list.join(" or "))
                }
            })
            .collect();
        Human {
            style,
            messages: Messages::new(lexicon),
            help,
        }
    }
}

impl Printer for Human {
    fn finding(&self, buf: &mut Vec<u8>, source: &Source<'_>, l: &Located<'_>, _: Option<&str>) {
        let f = l.finding;
        let style = self.style;
        let path = match source.record {
            Some(r) => Cow::Owned(format!("{} (record {r})", source.path)),
            None => Cow::Borrowed(source.path),
        };
        let title = level(f.severity)
            .primary_title(self.messages.full(l))
            .id(l.entry.id.as_str());
        let line_text = &source.text[l.line_span.clone()];
        let local = (f.span.start - l.line_span.start)..(f.span.end - l.line_span.start);
        let (shown, local) = match style.context {
            ContextMode::Full => (Cow::Borrowed(line_text), local),
            ContextMode::Redacted => {
                let (masked, local) = redact(line_text, local);
                (Cow::Owned(masked), local)
            }
            ContextMode::None => (Cow::Borrowed(""), local),
        };
        let mut group: Group<'_> = if style.context == ContextMode::None {
            title.element(Level::NOTE.message(format!("at {path}:{}:{}", l.line, l.column)))
        } else {
            title.element(
                Snippet::source(shown)
                    .line_start(l.line)
                    .path(path)
                    .fold(false)
                    .annotation(AnnotationKind::Primary.span(local)),
            )
        };
        if f.quoted {
            group = group.element(Level::NOTE.message(
                "this is inside quotation marks: if these are someone's own words, keep them verbatim",
            ));
        }
        group = group.element(Level::HELP.message(self.help[f.entry.0 as usize].as_str()));
        let renderer = if style.color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        buf.extend_from_slice(renderer.render(&[group]).as_bytes());
        buf.extend_from_slice(b"\n\n");
    }

    fn finish(&self, out: &mut Streams<'_>, totals: &Totals) -> io::Result<()> {
        finish_with_line(out, totals)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_only_the_match() {
        let (masked, span) = redact("Amy (14) is at risk", 12..19);
        assert_eq!(masked, "··· (··) ·· at risk");
        assert_eq!(&masked[span], "at risk");
    }
}

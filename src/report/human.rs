//! The `human` format: a rustc-style snippet per finding, with the line
//! (whole, redacted or left out, as `--context` says), the quotation note
//! and the alternatives; then a summary line among the messages.

use std::borrow::Cow;
use std::io;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::printer::{Printer, Streams, Totals, finish_with_line};
use super::{HumanStyle, Located, Messages, Source, escape};
use crate::config::ContextMode;
use crate::lexicon::{Category, Lexicon, Severity};

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
                if e.category == Category::Unfinished {
                    "write what the brackets ask for, then remove the brackets".to_string()
                } else if e.alternatives.is_empty() {
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
        let mut line_span = l.line_span.clone();
        if line_span.len() > LONG_LINE && !source.text[f.span.clone()].contains('\n') {
            line_span = window(source.text, line_span, f.span.clone());
        }
        self.draw(buf, source, l, line_span);
    }

    fn finish(&self, out: &mut Streams<'_>, totals: &Totals) -> io::Result<()> {
        finish_with_line(out, totals)
    }
}

impl Human {
    /// Appends the snippet of a finding, showing `line_span` of the text:
    /// its line(s), or a window of them.
    fn draw(
        &self,
        buf: &mut Vec<u8>,
        source: &Source<'_>,
        l: &Located<'_>,
        line_span: Range<usize>,
    ) {
        let f = l.finding;
        let style = self.style;
        let path = match source.record {
            Some(r) => Cow::Owned(format!(
                "{} (record {})",
                escape::name(source.path),
                escape::name(r)
            )),
            None => escape::name(source.path),
        };
        let title = level(f.severity)
            .primary_title(self.messages.full(l))
            .id(l.entry.id.as_str());
        let line_text = &source.text[line_span.clone()];
        let local = (f.span.start - line_span.start)..(f.span.end - line_span.start);
        let (shown, local) = match style.context {
            ContextMode::Full => (Cow::Borrowed(line_text), local),
            ContextMode::Redacted => {
                let (masked, local) = redact(line_text, local);
                (Cow::Owned(masked), local)
            }
            ContextMode::None => (Cow::Borrowed(""), local),
        };
        // The renderer counts the column it shows from the start of what it
        // is given: for a window, the column of the whole line replaces it.
        let origin = (line_span.start != l.line_span.start && style.context != ContextMode::None)
            .then(|| {
                let line = l.line;
                let shown = source.text[line_span.start..f.span.start].chars().count() + 1;
                let whole = if l.line == source.first_line {
                    l.column + 1 - source.first_column
                } else {
                    l.column
                };
                (
                    format!("{path}:{line}:{shown}"),
                    format!("{path}:{line}:{whole}"),
                )
            });
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
        let drawn = renderer.render(&[group]).to_string();
        match origin {
            Some((shown, whole)) => {
                buf.extend_from_slice(drawn.replacen(&shown, &whole, 1).as_bytes());
            }
            None => buf.extend_from_slice(drawn.as_bytes()),
        }
        buf.extend_from_slice(b"\n\n");
    }
}

/// Lines longer than this (in bytes) are cut to a [`window`] around the
/// finding before they are drawn.
const LONG_LINE: usize = 4096;

/// How many printable ASCII characters other than spaces a window keeps
/// either side of the finding: far more columns than a snippet shows.
const MARGIN: usize = 256;

/// How far (in bytes) a window looks for them before it gives up cutting.
const SEARCH: usize = 64 * 1024;

/// The part of a long line (`line`, a range of `text`) that a snippet of
/// the finding at `span`, on that one line, shows.
///
/// The renderer shows at most a terminal's width around the finding, with
/// `...` where the line goes on, but reads the whole line to find where
/// that is; a line of megabytes with thousands of findings was read once
/// per finding. The window it is given instead starts and ends at least
/// [`MARGIN`] printable ASCII characters from the finding (each a column
/// wide, with or without redaction) and starts on one, not on a space, so
/// that the renderer shows the same columns and the same `...` as for the
/// whole line. A side without that many within [`SEARCH`] bytes is not
/// cut.
fn window(text: &str, line: Range<usize>, span: Range<usize>) -> Range<usize> {
    let bytes = text.as_bytes();
    let printable = |b: u8| b.is_ascii_graphic();
    let mut start = line.start;
    let mut seen = 0;
    for i in (line.start.max(span.start.saturating_sub(SEARCH))..span.start).rev() {
        if printable(bytes[i]) {
            seen += 1;
            if seen == MARGIN {
                start = i;
                break;
            }
        }
    }
    let mut end = line.end;
    seen = 0;
    for (i, &b) in bytes[span.end..line.end.min(span.end + SEARCH)]
        .iter()
        .enumerate()
    {
        if printable(b) {
            seen += 1;
            if seen == MARGIN {
                end = span.end + i + 1;
                break;
            }
        }
    }
    start..end
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
    fn a_window_of_a_long_line_draws_as_the_whole_line() {
        use crate::report::locate;
        let lexicon = Lexicon::builtin();
        // Long lines of words, spaces, tabs, wide and combining characters
        // and emoji, with findings near their ends, far from them, and
        // close together.
        let pieces = [
            "She is putting herself at risk. ",
            "Zoë (14), “streetwise”; ",
            "\t\t",
            "          ",
            "東京 ",
            "e\u{301}\u{301} ",
            "😀 ",
            "words and more words ",
        ];
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        for round in 0..6 {
            let mut line = String::from(if round % 2 == 0 { "" } else { "      " });
            while line.len() < 3 * LONG_LINE {
                line.push_str(pieces[next(pieces.len())]);
            }
            let text = format!("first line\n{line}\r\nlast line\n");
            let findings = crate::scan::Scanner::new(
                std::sync::Arc::new(lexicon.clone()),
                crate::scan::Settings::default(),
            )
            .unwrap()
            .scan(&text);
            assert!(findings.len() > 20, "{}", findings.len());
            let source = Source {
                path: "a.txt",
                record: None,
                text: &text,
                first_line: 1,
                first_column: 1,
                offsets: None,
            };
            for context in [ContextMode::Full, ContextMode::Redacted] {
                let human = Human::new(
                    &lexicon,
                    HumanStyle {
                        color: false,
                        context,
                    },
                );
                let mut windows = 0;
                for l in locate(&lexicon, &source, &findings) {
                    let cut = window(&text, l.line_span.clone(), l.finding.span.clone());
                    windows += usize::from(cut != l.line_span);
                    let (mut whole, mut part) = (Vec::new(), Vec::new());
                    human.draw(&mut whole, &source, &l, l.line_span.clone());
                    human.draw(&mut part, &source, &l, cut);
                    assert_eq!(
                        String::from_utf8(part).unwrap(),
                        String::from_utf8(whole).unwrap(),
                        "round {round}, {context:?}, finding at {}",
                        l.finding.span.start
                    );
                }
                assert!(windows > 10, "{windows} windows");
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

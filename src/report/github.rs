//! GitHub Actions workflow commands: `::warning file=…,line=…::message`.

use std::io;

use super::printer::{Printer, Streams, Totals, finish_with_line};
use super::{Located, Messages, Source};
use crate::lexicon::{Lexicon, Severity};

/// The `github` format.
pub(super) struct Github {
    messages: Messages,
}

impl Github {
    pub(super) fn new(lexicon: &Lexicon) -> Github {
        Github {
            messages: Messages::new(lexicon),
        }
    }
}

impl Printer for Github {
    fn finding(&self, buf: &mut Vec<u8>, source: &Source<'_>, l: &Located<'_>, _: Option<&str>) {
        buf.extend_from_slice(line(source, l, &self.messages).as_bytes());
    }

    fn finish(&self, out: &mut Streams<'_>, totals: &Totals) -> io::Result<()> {
        finish_with_line(out, totals)
    }
}

/// Escapes a command's message (data).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One workflow command line, ending with a newline.
fn line(source: &Source<'_>, l: &Located<'_>, messages: &Messages) -> String {
    let command = match l.finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "notice",
    };
    let (end_line, end_column) = super::sarif::end_of(source, l);
    let mut msg = messages.full(l).into_owned();
    if let Some(r) = source.record {
        msg.push_str(&format!(" (record {r})"));
    }
    if !l.entry.alternatives.is_empty() {
        msg.push_str(&format!(" Instead: {}", l.entry.alternatives.join(" | ")));
    }
    format!(
        "::{command} file={},line={},col={},endLine={end_line},endColumn={end_column},title={}::{}\n",
        escape_property(source.path),
        l.line,
        l.column,
        escape_property(&l.entry.id),
        escape_data(&msg)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(super::escape_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
        assert_eq!(super::escape_data("a,b:c"), "a,b:c");
    }
}

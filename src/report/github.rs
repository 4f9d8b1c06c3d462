//! GitHub Actions workflow commands: `::warning file=…,line=…::message`.

use std::io;

use super::printer::{Printer, Streams, Totals, finish_with_line};
use super::{Located, Messages, Source, escape};
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

/// Escapes a command's message (data): `%`, `\r` and `\n` as the runner
/// decodes them, and the other characters [`escape::is_escaped`] names as
/// visible escapes.
pub fn escape_data(s: &str) -> String {
    escape_command(s, false)
}

/// Escapes a command property value: as [`escape_data`], and `:` and `,`
/// too.
pub fn escape_property(s: &str) -> String {
    escape_command(s, true)
}

fn escape_command(s: &str, property: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c => escape::push_char(&mut out, c),
        }
    }
    out
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
        assert_eq!(
            super::escape_property("x\r\n::error file=a.rs,line=1::X\u{1b}[2J"),
            "x%0D%0A%3A%3Aerror file=a.rs%2Cline=1%3A%3AX\\x1b[2J"
        );
        assert_eq!(super::escape_data("a\u{202e}b\t"), "a\\u{202e}b\\t");
    }
}

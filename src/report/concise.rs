//! The `concise` format: `path[record]:line:column: severity[rule] message`,
//! one line per finding, with the path and record id shown as
//! [`escape::name`] says; then a summary line among the messages.

use std::io;

use super::printer::{Printer, Streams, Totals, finish_with_line};
use super::{Located, Messages, Source, escape};
use crate::lexicon::Lexicon;

/// The `concise` format.
pub(super) struct Concise {
    messages: Messages,
}

impl Concise {
    pub(super) fn new(lexicon: &Lexicon) -> Concise {
        Concise {
            messages: Messages::new(lexicon),
        }
    }
}

impl Printer for Concise {
    fn finding(&self, buf: &mut Vec<u8>, source: &Source<'_>, l: &Located<'_>, _: Option<&str>) {
        escape::push_name(buf, source.path);
        if let Some(r) = source.record {
            buf.push(b'[');
            escape::push_name(buf, r);
            buf.push(b']');
        }
        buf.push(b':');
        buf.extend_from_slice(itoa::Buffer::new().format(l.line).as_bytes());
        buf.push(b':');
        buf.extend_from_slice(itoa::Buffer::new().format(l.column).as_bytes());
        buf.extend_from_slice(b": ");
        buf.extend_from_slice(l.finding.severity.as_str().as_bytes());
        buf.push(b'[');
        buf.extend_from_slice(l.entry.id.as_bytes());
        buf.extend_from_slice(b"] ");
        self.messages.push(buf, l);
        buf.push(b'\n');
    }

    fn finish(&self, out: &mut Streams<'_>, totals: &Totals) -> io::Result<()> {
        finish_with_line(out, totals)
    }
}

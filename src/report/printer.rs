//! The output seam of `vblint check`: one [`Printer`] per format.
//!
//! A run calls, in order: [`Printer::begin`] once (before the first
//! input's output), [`Printer::finding`] for each finding of an input (on
//! any worker thread, in the order of the input), [`Printer::write`] with
//! each input's rendered findings (in the order of the run, on one
//! thread), [`Printer::problem`] for each input that could not be read or
//! was skipped, and [`Printer::finish`] with the totals. The caller keeps
//! order and totals; a printer keeps no state, so one printer serves all
//! threads.
//!
//! A printer writes the report to [`Streams::report`] (standard output) and
//! messages for the person running vblint to [`Streams::messages`]
//! (standard error); the library itself never prints.

use std::io::{self, Write};

use super::{Located, Source, escape};
use crate::diagnostic::Diagnostic;

/// One output format.
pub trait Printer: Sync {
    /// Writes what comes before the first finding (a header, an opening
    /// bracket).
    fn begin(&self, out: &mut dyn Write) -> io::Result<()> {
        let _ = out;
        Ok(())
    }

    /// Appends one finding to `buf`. Findings of one text arrive in order;
    /// `fingerprint` is given when [`Printer::fingerprints`] asks for it.
    fn finding(
        &self,
        buf: &mut Vec<u8>,
        source: &Source<'_>,
        l: &Located<'_>,
        fingerprint: Option<&str>,
    );

    /// Writes the findings of one input: `rendered` holds them one after
    /// another as [`Printer::finding`] appended them, and each ends at the
    /// next offset of `ends`. `first` is whether no finding was written
    /// before in the run.
    fn write(
        &self,
        out: &mut dyn Write,
        rendered: &[u8],
        ends: &[usize],
        first: bool,
    ) -> io::Result<()> {
        let _ = (ends, first);
        out.write_all(rendered)
    }

    /// Reports an input that could not be read, or was skipped.
    fn problem(&self, out: &mut Streams<'_>, problem: &Problem<'_>) -> io::Result<()> {
        out.message(format_args!("vblint: {problem}"))
    }

    /// Writes what comes after the last finding, and the totals.
    fn finish(&self, out: &mut Streams<'_>, totals: &Totals) -> io::Result<()>;

    /// Whether findings need fingerprints.
    fn fingerprints(&self) -> bool {
        false
    }
}

/// Where a printer writes.
pub struct Streams<'a> {
    /// The report (standard output).
    pub report: &'a mut dyn Write,
    /// Messages for the person running vblint (standard error).
    pub messages: &'a mut dyn Write,
}

impl Streams<'_> {
    /// Writes one line of `messages`, after everything written to the
    /// report so far, with its control characters other than line breaks
    /// shown as escapes (names in it must already be escaped with
    /// [`escape::name`]). Fails only when the report cannot be written: a
    /// message that cannot be written has nowhere else to go.
    pub fn message(&mut self, line: std::fmt::Arguments<'_>) -> io::Result<()> {
        self.report.flush()?;
        let line = line.to_string();
        let _ = writeln!(self.messages, "{}", escape::message(&line));
        Ok(())
    }
}

/// An input that gave no findings to report.
#[derive(Clone, Copy, Debug)]
pub enum Problem<'a> {
    /// It could not be read or scanned.
    Error(&'a Diagnostic),
    /// It was left out on purpose (a binary file, a pipe).
    Skipped(&'a str),
    /// Something worth knowing about it (an encoding fallback).
    Note(&'a str),
}

impl std::fmt::Display for Problem<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Error(d) => write!(f, "{d}"),
            Problem::Skipped(s) => f.write_str(s),
            Problem::Note(n) => write!(f, "note: {n}"),
        }
    }
}

/// What a run found, for the end of a report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Files scanned.
    pub files: usize,
    /// Files with at least one finding reported.
    pub files_with_findings: usize,
    /// Records of exports scanned.
    pub records: usize,
    /// Records with at least one finding reported.
    pub records_with_findings: usize,
    /// Findings reported per severity: hint, info, warning, error.
    pub by_severity: [usize; 4],
    /// Inputs that could not be scanned.
    pub errors: usize,
}

impl Totals {
    /// All findings reported.
    pub fn findings(&self) -> usize {
        self.by_severity.iter().sum()
    }

    /// The one-line summary of the human formats, such as `vblint: 6
    /// findings (6 warnings) in 2 of 2 files scanned`.
    pub fn line(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let mut parts = Vec::new();
        for (i, name) in [(3, "error"), (2, "warning"), (1, "info"), (0, "hint")] {
            let n = self.by_severity[i];
            if n > 0 {
                parts.push(if name == "info" {
                    format!("{n} info")
                } else {
                    plural(n, name)
                });
            }
        }
        let detail = if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        };
        let total = self.findings();
        let mut line = if self.records > 0 && self.files == 0 {
            format!(
                "vblint: {}{detail} in {} of {} scanned",
                plural(total, "finding"),
                self.records_with_findings,
                plural(self.records, "record"),
            )
        } else {
            format!(
                "vblint: {}{detail} in {} of {} scanned",
                plural(total, "finding"),
                self.files_with_findings,
                plural(self.files, "file"),
            )
        };
        if self.records > 0 && self.files > 0 {
            line.push_str(&format!(
                " and {} of {}",
                self.records_with_findings,
                plural(self.records, "record")
            ));
        }
        if self.errors > 0 {
            line.push_str(&format!(
                "; {} could not be scanned",
                plural(self.errors, "input")
            ));
        }
        line
    }
}

/// The end of the formats read by people: the summary line, among the
/// messages.
pub(super) fn finish_with_line(out: &mut Streams<'_>, totals: &Totals) -> io::Result<()> {
    out.message(format_args!("{}", totals.line()))
}

/// Writes the findings of one input as items of a list: each item of
/// `rendered` (ending at the next offset of `ends`) after `open` if it is
/// the first of the run, after `between` otherwise.
pub(super) fn write_items(
    out: &mut dyn Write,
    rendered: &[u8],
    ends: &[usize],
    mut first: bool,
    open: &[u8],
    between: &[u8],
) -> io::Result<()> {
    let mut start = 0;
    for &end in ends {
        out.write_all(if first { open } else { between })?;
        out.write_all(&rendered[start..end])?;
        first = false;
        start = end;
    }
    Ok(())
}

//! What the subcommands write, and how a failed write ends a run.
//!
//! Results go to standard output through a buffered writer whose errors
//! are kept: a closed pipe (`vblint lexicon list | head -1`) ends the run
//! quietly with exit code 0, as ripgrep does; any other failure (a full
//! disk) ends it with a message and exit code 2. Messages go to standard
//! error through [`message`] and [`diagnostics`], with names shown as
//! [`crate::report::escape`] says; a message that cannot be written has
//! nowhere else to go and is dropped.

use std::fmt;
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use super::ExitCode;
use crate::diagnostic::{Diagnostic, SourceFile};
use crate::input::io_reason;
use crate::report::escape;

/// Buffered standard output.
pub(super) fn stdout() -> io::BufWriter<io::Stdout> {
    io::BufWriter::new(io::stdout())
}

/// Writes one line to standard error, with control characters other than
/// line breaks shown as escapes.
pub(super) fn message(line: fmt::Arguments<'_>) {
    let line = line.to_string();
    let _ = writeln!(io::stderr().lock(), "{}", escape::message(&line));
}

/// Writes `vblint: {message}` to standard error.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::out::message(format_args!("vblint: {}", format_args!($($arg)*)))
    };
}
pub(super) use say;

/// Standard error that drops what it cannot write, for the messages of a
/// [`crate::report::Printer`].
pub(super) struct Messages;

impl Write for Messages {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let _ = io::stderr().write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let _ = io::stderr().flush();
        Ok(())
    }
}

/// The name of a path as messages and output for people show it.
pub(super) fn shown(path: &Path) -> String {
    escape::name(&path.display().to_string()).into_owned()
}

/// A message made elsewhere that names `raw` (a name as `Path::display`
/// writes it), with the name escaped wherever it appears, and the other
/// control characters but line breaks too.
pub(super) fn name_escaped_in(message: &str, raw: &str) -> String {
    let named = match escape::name(raw) {
        std::borrow::Cow::Owned(escaped) => message.replace(raw, &escaped),
        std::borrow::Cow::Borrowed(_) => message.to_owned(),
    };
    escape::message(&named).into_owned()
}

/// A diagnostic whose names are escaped: `raw` (a name as `Path::display`
/// writes it) wherever it appears, and the control characters of its
/// texts, other than line breaks.
pub(super) fn escaped(mut d: Diagnostic, raw: Option<&str>) -> Diagnostic {
    let fix = |s: &str| -> String {
        match raw {
            Some(raw) => name_escaped_in(s, raw),
            None => escape::message(s).into_owned(),
        }
    };
    d.message = fix(&d.message);
    d.label = d.label.as_deref().map(fix);
    d.help = d.help.as_deref().map(fix);
    d.notes = d.notes.iter().map(|n| fix(n)).collect();
    if let Some(file) = &d.file
        && let std::borrow::Cow::Owned(name) = escape::name(&file.name)
    {
        d.file = Some(Arc::new(SourceFile {
            name,
            text: file.text.clone(),
        }));
    }
    d
}

/// A diagnostic that must fit on one line: every control character of its
/// texts, line breaks too, shown as an escape (for problems met while
/// walking a folder, which name paths the walk found).
pub(super) fn one_line(mut d: Diagnostic) -> Diagnostic {
    let fix = |s: &str| escape::name(s).into_owned();
    d.message = fix(&d.message);
    d.label = d.label.as_deref().map(fix);
    d.help = d.help.as_deref().map(fix);
    d.notes = d.notes.iter().map(|n| fix(n)).collect();
    escaped(d, None)
}

/// Prints diagnostics to standard error, rustc-style.
pub(super) fn diagnostics(diagnostics: &[Diagnostic]) {
    let color = io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    for d in diagnostics {
        let d = escaped(d.clone(), None);
        let _ = writeln!(io::stderr().lock(), "{}", d.render(color));
    }
}

/// Whether a write failed because the reader went away (`| head`).
pub(super) fn is_closed(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// The exit code of a run whose output could not be written: 0, quietly,
/// when the reader went away; else 2, with a message saying why.
pub(super) fn write_failed(e: &io::Error) -> ExitCode {
    if is_closed(e) {
        return ExitCode::Clean;
    }
    let help = match e.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
            "free some disk space, or send the output somewhere else, then run again"
        }
        io::ErrorKind::PermissionDenied => {
            "send the output somewhere you may write, then run again"
        }
        _ => "send the output somewhere else, then run again",
    };
    let reason = io_reason(e);
    let mut chars = reason.chars();
    let reason = chars
        .next()
        .map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect());
    say!(
        "{}",
        Diagnostic::error(format!(
            "cannot write the output: {reason}; what was written is incomplete"
        ))
        .help(help)
    );
    ExitCode::Error
}

/// Writes a whole document (a report, a sample pack, a guide) to `path`,
/// or to standard output without one. `what` names it in the error
/// ("the report"); `written` is said once a file is written. Returns `code`
/// once everything is written, else an error code with a message.
pub(super) fn write_document(
    path: Option<&Path>,
    what: &str,
    text: &str,
    code: ExitCode,
    written: Option<String>,
) -> ExitCode {
    match path {
        Some(p) => match std::fs::write(p, text) {
            Ok(()) => {
                if let Some(note) = written {
                    say!("{note}");
                }
                code
            }
            Err(e) => {
                diagnostics(&[Diagnostic::error(format!(
                    "cannot write {what} to `{}`: {}",
                    shown(p),
                    io_reason(&e)
                ))]);
                ExitCode::Error
            }
        },
        None => {
            let mut stdout = stdout();
            let result = stdout.write_all(text.as_bytes()).map(|()| code);
            finish(&mut stdout, result)
        }
    }
}

/// The exit code of a run that wrote to `out`: `code` once everything
/// written has reached the output, else as [`write_failed`] says.
pub(super) fn finish(out: &mut impl Write, result: io::Result<ExitCode>) -> ExitCode {
    match result.and_then(|code| out.flush().map(|()| code)) {
        Ok(code) => code,
        Err(e) => write_failed(&e),
    }
}

//! `vblint explain RULE`: everything about one entry, for a person.

use std::io::Write;

use super::{ExitCode, LexiconArgs, load_config, out, print_diagnostics};
use crate::diagnostic::{Diagnostic, closest};
use crate::report::{escape, explain};

pub(super) fn run(rule: &str, args: &LexiconArgs) -> ExitCode {
    let config = match load_config(args, std::path::Path::new(".")) {
        Ok(c) => c,
        Err(d) => {
            print_diagnostics(&[d]);
            return ExitCode::Error;
        }
    };
    let lexicon = match config.lexicon() {
        Ok(l) => l,
        Err(errors) => {
            print_diagnostics(&errors);
            return ExitCode::Error;
        }
    };
    let Some(id) = lexicon.find(rule) else {
        let ids = lexicon.entries.iter().map(|e| e.id.as_str());
        let d = Diagnostic::error(format!(
            "there is no lexicon entry `{}`",
            escape::name(rule)
        ));
        let d = match closest(rule, ids) {
            Some(c) => d.help(format!("did you mean `{c}`? (`vblint explain {c}`)")),
            None => d.help("`vblint lexicon list` shows every entry id"),
        };
        print_diagnostics(&[d]);
        return ExitCode::Error;
    };
    let mut stdout = out::stdout();
    let written = stdout.write_all(explain(&lexicon, lexicon.get(id)).as_bytes());
    out::finish(&mut stdout, written.map(|()| ExitCode::Clean))
}

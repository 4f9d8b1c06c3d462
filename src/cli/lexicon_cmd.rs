//! `vblint lexicon check|test|list`.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::sync::Arc;

use super::out::{self, say};
use super::{
    ExitCode, LexiconCommand, LexiconPaths, lexicon_tools, load_lexicon_for, print_diagnostics,
};
use crate::diagnostic::Diagnostic;
use crate::lexicon::{BUILTIN_PREFIX, Lexicon};
use crate::report::escape;
use crate::validate::{ExampleKind, run_examples, validate, validation_scanner};

pub(super) fn run(cmd: LexiconCommand) -> ExitCode {
    match cmd {
        LexiconCommand::Check(paths) => check(&paths),
        LexiconCommand::Test { paths, filter } => test(&paths, filter.as_deref()),
        LexiconCommand::List(paths) => list(&paths),
        LexiconCommand::Fmt(args) => lexicon_tools::fmt(&args),
        LexiconCommand::Stats(args) => lexicon_tools::stats_cmd(&args),
        LexiconCommand::Impact(args) => lexicon_tools::impact(&args),
        LexiconCommand::Export(args) => lexicon_tools::export(&args),
        LexiconCommand::Import(args) => lexicon_tools::import(&args),
        LexiconCommand::Guide(args) => guide(&args),
    }
}

fn load(paths: &LexiconPaths) -> Option<Arc<Lexicon>> {
    match load_lexicon_for(paths) {
        Ok(l) => Some(l),
        Err(errors) => {
            print_diagnostics(&errors);
            let n = errors.iter().filter(|d| d.is_error()).count();
            say!("{n} error(s) in the lexicon");
            None
        }
    }
}

/// The files a command reports on: those named, or all when none are.
fn reported_files(paths: &LexiconPaths, lexicon: &Lexicon) -> BTreeSet<String> {
    lexicon
        .files
        .iter()
        .filter(|f| paths.paths.is_empty() || !f.name.starts_with(BUILTIN_PREFIX))
        .map(|f| f.name.clone())
        .collect()
}

fn check(paths: &LexiconPaths) -> ExitCode {
    let Some(lexicon) = load(paths) else {
        return ExitCode::Error;
    };
    let scanner = match validation_scanner(&lexicon) {
        Ok(s) => s,
        Err(d) => {
            print_diagnostics(&[d]);
            return ExitCode::Error;
        }
    };
    let files = reported_files(paths, &lexicon);
    let mut diagnostics: Vec<_> = validate(&lexicon, &scanner)
        .into_iter()
        .filter(|d| d.file.as_ref().is_none_or(|f| files.contains(&f.name)))
        .collect();
    if !paths.no_builtin {
        diagnostics.extend(replacement_warnings(&lexicon, &Lexicon::builtin()));
    }
    print_diagnostics(&diagnostics);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let entries = lexicon
        .active()
        .filter(|(_, e)| files.contains(&e.origin.file.name))
        .count();
    say!(
        "checked {entries} entries in {} file(s): {errors} error(s), {warnings} warning(s)",
        files.len()
    );
    if errors > 0 {
        ExitCode::Error
    } else {
        ExitCode::Clean
    }
}

/// Entries of a force's folder that replace a built-in entry with the same
/// id, with the built-in entry they replace.
fn replaced_builtins<'a>(
    lexicon: &'a Lexicon,
    builtin: &'a Lexicon,
) -> Vec<(&'a crate::lexicon::Entry, &'a crate::lexicon::Entry)> {
    lexicon
        .entries
        .iter()
        .filter(|e| e.origin.layer > 0 && e.origin.replaces == Some(0))
        .filter_map(|e| {
            let b = builtin.get(builtin.find(&e.id)?);
            // A copy of a built-in file (such as the repository's own
            // `lexicon/` folder) replaces nothing.
            let copy = crate::lexicon::BUILTIN
                .iter()
                .any(|(_, text)| *text == e.origin.file.text);
            (!copy).then_some((e, b))
        })
        .collect()
}

/// A warning for each local entry that replaces or retires a built-in one.
fn replacement_warnings(lexicon: &Lexicon, builtin: &Lexicon) -> Vec<Diagnostic> {
    replaced_builtins(lexicon, builtin)
        .into_iter()
        .map(|(e, _)| {
            let what = if e.retired { "retires" } else { "replaces" };
            Diagnostic::warning(format!(
                "`{}` {what} the built-in entry with the same id",
                e.id
            ))
            .at(&e.origin.file, e.origin.id_span.clone())
            .label(format!("{what} the built-in `{}`", e.id))
            .help(
                "if you meant a new entry, give it another id; if you meant to change the built-in one, `vblint lexicon test` checks its built-in examples against yours",
            )
        })
        .collect()
}

/// Runs the examples of each built-in entry a local entry replaces against
/// the layered lexicon: the local entry must still flag the built-in
/// examples and leave the built-in counterexamples alone.
fn builtin_examples_of_replaced(
    lexicon: &Lexicon,
    builtin: &Lexicon,
    scanner: &crate::scan::Scanner,
    filter: Option<&str>,
) -> Vec<(String, &'static str, usize, Option<Diagnostic>)> {
    let mut out = Vec::new();
    for (e, b) in replaced_builtins(lexicon, builtin) {
        if e.retired || filter.is_some_and(|f| !e.id.contains(f)) {
            continue;
        }
        let (line, _) = e.origin.file.line_col(e.origin.id_span.start);
        let place = format!("{}:{line}", e.origin.file.name);
        for (counter, list) in [(false, &b.examples), (true, &b.counterexamples)] {
            for (i, ex) in list.iter().enumerate() {
                let ours: Vec<_> = scanner
                    .scan(&ex.text)
                    .into_iter()
                    .filter(|f| !f.quoted && lexicon.get(f.entry).id == e.id)
                    .collect();
                let failure = if !counter && ours.is_empty() {
                    Some(
                        Diagnostic::error(format!(
                            "this built-in example is no longer flagged: `{}` in {place} replaces the built-in entry",
                            e.id
                        ))
                        .at(&b.origin.file, ex.span.clone())
                        .label("the built-in lexicon expects a finding here")
                        .help("keep the built-in terms in your entry, give your entry another id, or retire the built-in one on purpose with `retired = true`"),
                    )
                } else if counter && !ours.is_empty() {
                    Some(
                        Diagnostic::error(format!(
                            "this built-in counterexample is now flagged by `{}` in {place}",
                            e.id
                        ))
                        .at(&b.origin.file, ex.span.clone())
                        .label("the built-in lexicon expects no finding here")
                        .help(
                            "add an `except` phrase or a guard to your entry, or narrow its terms",
                        ),
                    )
                } else {
                    None
                };
                let kind = if counter {
                    "built-in-counterexample"
                } else {
                    "built-in-example"
                };
                out.push((e.id.clone(), kind, i, failure));
            }
        }
    }
    out
}

fn test(paths: &LexiconPaths, filter: Option<&str>) -> ExitCode {
    let Some(lexicon) = load(paths) else {
        return ExitCode::Error;
    };
    let scanner = match validation_scanner(&lexicon) {
        Ok(s) => s,
        Err(d) => {
            print_diagnostics(&[d]);
            return ExitCode::Error;
        }
    };
    // A folder is tested layered on the built-in lexicon: the built-in
    // examples run too, so a local entry that breaks one fails.
    let layered = !paths.no_builtin;
    let builtin = layered.then(Lexicon::builtin);
    let files = reported_files(paths, &lexicon);
    let mut results: Vec<(String, &'static str, usize, Option<Diagnostic>)> =
        run_examples(&lexicon, &scanner, filter)
            .into_iter()
            .filter(|r| layered || files.contains(&lexicon.get(r.entry).origin.file.name))
            .map(|r| {
                (
                    lexicon.get(r.entry).id.clone(),
                    r.kind.as_str(),
                    r.index,
                    r.failure,
                )
            })
            .collect();
    let mut warnings = Vec::new();
    if let Some(builtin) = &builtin {
        warnings = replacement_warnings(&lexicon, builtin);
        results.extend(builtin_examples_of_replaced(
            &lexicon, builtin, &scanner, filter,
        ));
    }
    let entries: BTreeSet<&str> = results.iter().map(|r| r.0.as_str()).collect();
    let count = |kinds: &[&str]| results.iter().filter(|r| kinds.contains(&r.1)).count();
    let examples = count(&[
        ExampleKind::Example.as_str(),
        ExampleKind::Counterexample.as_str(),
        "built-in-example",
        "built-in-counterexample",
    ]);
    let pairs = count(&[ExampleKind::Fix.as_str()]);
    let mut stdout = out::stdout();
    let written = (|| -> io::Result<ExitCode> {
        if pairs == 0 {
            writeln!(
                stdout,
                "running {examples} examples from {} entries",
                entries.len()
            )?;
        } else {
            writeln!(
                stdout,
                "running {examples} examples and {pairs} fixes ({} replacements) from {} entries",
                count(&[ExampleKind::Replace.as_str()]),
                entries.len()
            )?;
        }
        if layered && !paths.paths.is_empty() {
            writeln!(
                stdout,
                "(the built-in examples run too, with the folder layered on top)"
            )?;
        }
        stdout.flush()?;
        print_diagnostics(&warnings);
        let failures: Vec<_> = results.iter().filter_map(|r| r.3.clone()).collect();
        print_diagnostics(&failures);
        for r in results.iter().filter(|r| r.3.is_some()) {
            writeln!(stdout, "FAILED {} {} {}", escape::name(&r.0), r.1, r.2 + 1)?;
        }
        let failed = failures.len();
        writeln!(
            stdout,
            "\n{} passed, {failed} failed",
            results.len() - failed
        )?;
        Ok(if failed > 0 {
            ExitCode::Findings
        } else {
            ExitCode::Clean
        })
    })();
    out::finish(&mut stdout, written)
}

fn list(paths: &LexiconPaths) -> ExitCode {
    let Some(lexicon) = load(paths) else {
        return ExitCode::Error;
    };
    let width = lexicon
        .entries
        .iter()
        .map(|e| e.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    let mut stdout = out::stdout();
    let written = (|| -> io::Result<()> {
        writeln!(
            stdout,
            "{:width$}  {:17}  {:8}  {:>5}  {:8}  FILE",
            "ID", "CATEGORY", "SEVERITY", "FORMS", "LAYER"
        )?;
        for e in &lexicon.entries {
            let forms: usize = e.terms.iter().map(|t| t.variants().len()).sum();
            let layer = layer_of(e);
            let place = if layer == "vblint" {
                "(vblint's own rule: the lexicon's placeholders left in a text)".to_string()
            } else {
                let (line, _) = e.origin.file.line_col(e.origin.span.start);
                format!("{}:{line}", escape::name(&e.origin.file.name))
            };
            writeln!(
                stdout,
                "{:width$}  {:17}  {:8}  {forms:>5}  {layer:8}  {place}",
                escape::name(&e.id),
                e.category.as_str(),
                e.severity.as_str(),
            )?;
        }
        stdout.flush()
    })();
    if let Err(e) = written {
        return out::write_failed(&e);
    }
    let count = |layer: &str| {
        lexicon
            .entries
            .iter()
            .filter(|e| layer_of(e) == layer)
            .count()
    };
    let rules = count("vblint");
    let active = lexicon.active().count() - rules;
    say!(
        "{} entries ({active} active): {} built-in, {} local, {} override, {} retired",
        lexicon.entries.len() - rules,
        count("built-in"),
        count("local"),
        count("override"),
        count("retired"),
    );
    ExitCode::Clean
}

/// Where an entry in effect comes from: `built-in`, `local` (a new entry in
/// a force's folder), `override` (replaces an entry of a lower layer with the
/// same id), `retired` (`retired = true`, here or in a lower layer) or
/// `vblint` (vblint's own `placeholder` rule, in no lexicon file).
fn layer_of(e: &crate::lexicon::Entry) -> &'static str {
    if e.category == crate::lexicon::Category::Unfinished {
        return "vblint";
    }
    match (e.origin.layer, e.retired, e.origin.replaces) {
        (_, true, _) => "retired",
        (0, _, _) => "built-in",
        (_, _, Some(_)) => "override",
        _ => "local",
    }
}

fn guide(args: &lexicon_tools::GuideArgs) -> ExitCode {
    let Some(lexicon) = load(&args.paths) else {
        return ExitCode::Error;
    };
    let (hash, entries, reviewed) = crate::report::insight::lexicon_version(&lexicon);
    let version = crate::report::insight::Provenance {
        lexicon_hash: hash,
        lexicon_entries: entries,
        lexicon_reviewed: reviewed,
        ..Default::default()
    }
    .lexicon_words();
    let generated_at = crate::report::insight::generated_at();
    let info = crate::report::guide::GuideInfo {
        title: &args.title,
        version: &version,
        generated_at: &generated_at,
    };
    let html = crate::report::guide::render(&lexicon, &info);
    match &args.output {
        Some(p) => match std::fs::write(p, html) {
            Ok(()) => {
                say!("wrote the guide to {}", out::shown(p));
                ExitCode::Clean
            }
            Err(e) => {
                say!(
                    "cannot write the guide to `{}`: {}",
                    out::shown(p),
                    crate::input::io_reason(&e)
                );
                ExitCode::Error
            }
        },
        None => {
            let mut stdout = out::stdout();
            let written = stdout.write_all(html.as_bytes()).map(|()| ExitCode::Clean);
            out::finish(&mut stdout, written)
        }
    }
}

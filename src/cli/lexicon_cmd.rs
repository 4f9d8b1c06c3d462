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
use crate::validate::{
    ExampleKind, builtin_examples_of_replaced, replacement_warnings, run_examples, validate,
    validation_scanner,
};

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
        results.extend(
            builtin_examples_of_replaced(&lexicon, builtin, &scanner, filter)
                .into_iter()
                .map(|r| (r.rule, r.kind.as_str(), r.index, r.failure)),
        );
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
    let written = args
        .output
        .as_deref()
        .map(|p| format!("wrote the guide to {}", out::shown(p)));
    out::write_document(
        args.output.as_deref(),
        "the guide",
        &html,
        ExitCode::Clean,
        written,
    )
}

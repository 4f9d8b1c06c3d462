//! `vblint lexicon fmt|stats|impact|export|import`: tools for the training
//! teams who keep the lexicon.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};

use super::out::{self, say, shown};
use super::{
    ExitCode, LexiconArgs, LexiconPaths, load_config, load_lexicon_for, print_diagnostics,
};
use crate::config::ContextMode;
use crate::lexicon::canonical::{format_lexicon, short_diff};
use crate::lexicon::stats::{Stats, stats, today};
use crate::lexicon::{BUILTIN, BUILTIN_PREFIX, Lexicon, is_lexicon_file};
use crate::lexicon_io::spreadsheet::{self, EditFile};
use crate::report::{LineCursor, escape};
use crate::scan::{Scanner, Settings};

/// `vblint lexicon fmt`.
#[derive(Debug, Args)]
pub(super) struct FmtArgs {
    /// Lexicon files or folders; without any, the lexicon folders configured in vblint.toml.
    paths: Vec<PathBuf>,
    /// Change nothing; exit 1 and show what would change if a file is not in the canonical form.
    #[arg(long)]
    check: bool,
    /// Use this configuration file instead of searching for vblint.toml.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// Output format of `vblint lexicon stats`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(super) enum StatsFormat {
    /// A plain table.
    #[default]
    Table,
    /// JSON.
    Json,
}

/// `vblint lexicon stats`.
#[derive(Debug, Args)]
pub(super) struct StatsArgs {
    #[command(flatten)]
    paths: LexiconPaths,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: StatsFormat,
    /// Compare review dates with this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE", hide = true)]
    today: Option<String>,
}

/// `vblint lexicon impact`.
#[derive(Debug, Args)]
pub(super) struct ImpactArgs {
    /// The lexicon before the change (file or folder).
    old: PathBuf,
    /// The lexicon after the change (file or folder).
    new: PathBuf,
    /// Sample files or folders to scan (folders recursively, respecting .gitignore).
    #[arg(required = true)]
    corpus: Vec<PathBuf>,
    /// Compare OLD and NEW on their own, without the built-in lexicon beneath them
    /// (use this when OLD and NEW are two versions of the built-in lexicon itself).
    #[arg(long)]
    no_builtin: bool,
    /// How much sample text to show: `redacted` (default) shows the matched words only,
    /// `full` the whole line, `none` no text.
    #[arg(long, value_enum, default_value_t = ContextMode::Redacted)]
    context: ContextMode,
}

/// Spreadsheet formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(super) enum SheetFormat {
    /// Comma-separated values (opens in Excel; lists are one item per line in a cell).
    #[default]
    Csv,
}

/// `vblint lexicon export`.
#[derive(Debug, Args)]
pub(super) struct ExportArgs {
    /// Lexicon files or folders; without any, the lexicon folders configured in vblint.toml.
    paths: Vec<PathBuf>,
    /// Spreadsheet format.
    #[arg(long, value_enum, default_value_t)]
    format: SheetFormat,
    /// Export the built-in lexicon (read-only reference for teams).
    #[arg(long, conflicts_with = "paths")]
    builtin: bool,
    /// Use this configuration file instead of searching for vblint.toml.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// `vblint lexicon guide`.
#[derive(Debug, Args)]
pub(super) struct GuideArgs {
    #[command(flatten)]
    pub(super) paths: super::LexiconPaths,
    /// Write the guide to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(super) output: Option<PathBuf>,
    /// The guide's title.
    #[arg(long, default_value = "Child-centred language: a training guide")]
    pub(super) title: String,
}

/// `vblint lexicon import`.
#[derive(Debug, Args)]
pub(super) struct ImportArgs {
    /// The spreadsheet (CSV) exported with `vblint lexicon export` and edited.
    sheet: PathBuf,
    /// The lexicon folder to update.
    #[arg(long, value_name = "FOLDER")]
    into: PathBuf,
    /// Report what would change without writing anything.
    #[arg(long)]
    dry_run: bool,
}

/// The `.toml` files of the given paths (folders: not recursive, name
/// order), or of the configured lexicon folders.
fn lexicon_files(paths: &[PathBuf], config: Option<&PathBuf>) -> Result<Vec<PathBuf>, String> {
    let paths = if paths.is_empty() {
        let args = LexiconArgs {
            config: config.cloned(),
            ..LexiconArgs::default()
        };
        let config = load_config(&args, Path::new(".")).map_err(|d| d.to_string())?;
        if config.lexicon.is_empty() {
            return Err(
                "no lexicon folders are configured in vblint.toml; name the files or folders, \
                 for example `vblint lexicon fmt lexicon/`"
                    .into(),
            );
        }
        config.lexicon
    } else {
        paths.to_vec()
    };
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&p)
                .map_err(|e| {
                    format!(
                        "cannot list `{}`: {}",
                        shown(&p),
                        crate::input::io_reason(&e)
                    )
                })?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|f| is_lexicon_file(f) && f.is_file())
                .collect();
            files.sort();
            out.extend(files);
        } else if p.exists() {
            out.push(p);
        } else {
            return Err(format!(
                "cannot read `{}`: no such file or folder",
                shown(&p)
            ));
        }
    }
    Ok(out)
}

/// The most bytes of a sample file (`impact`) or a spreadsheet (`import`):
/// the default `--max-file-size` of `check`.
const MAX_SAMPLE_BYTES: crate::input::Limits = crate::input::Limits {
    max_file_size: 256 << 20,
};

/// Reads a lexicon file to format, as the loader reads it (bounded, never
/// blocking on a pipe).
fn read(path: &Path) -> Result<String, String> {
    crate::input::read_small_text(path, crate::lexicon::MAX_FILE_BYTES, "lexicon file")
        .map_err(|d| out::name_escaped_in(&d.message, &path.display().to_string()))
}

pub(super) fn fmt(args: &FmtArgs) -> ExitCode {
    let files = match lexicon_files(&args.paths, args.config.as_ref()) {
        Ok(f) => f,
        Err(e) => {
            say!("{e}");
            return ExitCode::Error;
        }
    };
    let mut failed = false;
    let mut changed = 0;
    let mut stdout = out::stdout();
    // Why standard output failed, if it did.
    let mut unwritten: Option<io::Error> = None;
    for path in &files {
        let result = read(path).and_then(|text| {
            format_lexicon(&text)
                .map(|new| (text, new))
                .map_err(|e| format!("{}: not valid TOML: {e}", shown(path)))
        });
        let (old, new) = match result {
            Ok(x) => x,
            Err(e) => {
                let _ = stdout.flush();
                say!("{e}");
                failed = true;
                continue;
            }
        };
        if old == new {
            continue;
        }
        changed += 1;
        let written = if args.check {
            write!(
                stdout,
                "{} is not formatted:\n{}",
                shown(path),
                short_diff(&old, &new, 20)
            )
        } else if let Err(e) = std::fs::write(path, &new) {
            let _ = stdout.flush();
            say!(
                "cannot write `{}`: {}",
                shown(path),
                crate::input::io_reason(&e)
            );
            failed = true;
            Ok(())
        } else {
            writeln!(stdout, "formatted {}", shown(path))
        };
        // With --check, the rest is not worth showing; without, the files
        // are still formatted, and the failure is reported at the end.
        if let Err(e) = written {
            if args.check {
                return out::write_failed(&e);
            }
            unwritten.get_or_insert(e);
        }
    }
    if let Err(e) = stdout.flush() {
        unwritten.get_or_insert(e);
    }
    if let Some(e) = unwritten {
        let code = out::write_failed(&e);
        if args.check || code == ExitCode::Error {
            return code;
        }
    }
    if args.check && changed > 0 {
        say!(
            "{changed} of {} file(s) would be reformatted; run `vblint lexicon fmt` without --check",
            files.len()
        );
    } else {
        say!(
            "{} file(s) checked, {changed} {}",
            files.len(),
            if args.check {
                "to reformat"
            } else {
                "reformatted"
            }
        );
    }
    if failed {
        ExitCode::Error
    } else if args.check && changed > 0 {
        ExitCode::Findings
    } else {
        ExitCode::Clean
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

pub(super) fn stats_cmd(args: &StatsArgs) -> ExitCode {
    let Some(lexicon) = load(&args.paths) else {
        return ExitCode::Error;
    };
    let only_named = !args.paths.paths.is_empty();
    let entries = lexicon
        .entries
        .iter()
        .filter(|e| !only_named || !e.origin.file.name.starts_with(BUILTIN_PREFIX));
    let today = args.today.clone().unwrap_or_else(today);
    let s = stats(entries, &today);
    let text = match args.format {
        StatsFormat::Json => match serde_json::to_string_pretty(&s) {
            Ok(j) => j + "\n",
            Err(e) => {
                say!("{e}");
                return ExitCode::Error;
            }
        },
        StatsFormat::Table => stats_table(&s),
    };
    let mut stdout = out::stdout();
    let written = stdout.write_all(text.as_bytes());
    out::finish(&mut stdout, written.map(|()| ExitCode::Clean))
}

fn stats_table(s: &Stats) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "entries        {:>5}  ({} active, {} retired)",
        s.entries, s.active, s.retired
    );
    let _ = writeln!(o, "terms          {:>5}  ({} forms)", s.terms, s.forms);
    let _ = writeln!(o, "except phrases {:>5}", s.except);
    let _ = writeln!(
        o,
        "examples       {:>5}  ({} counterexamples)",
        s.examples, s.counterexamples
    );
    let _ = writeln!(o, "fix = safe     {:>5}", s.fix_safe);
    let _ = writeln!(o, "\nCATEGORY           ENTRIES");
    for (c, n) in &s.by_category {
        let _ = writeln!(o, "{c:18} {n:>7}");
    }
    let _ = writeln!(o, "\nSEVERITY           ENTRIES");
    for (c, n) in &s.by_severity {
        let _ = writeln!(o, "{c:18} {n:>7}");
    }
    let _ = writeln!(o, "\nENTRIES  SOURCE");
    for src in &s.sources {
        let _ = writeln!(o, "{:>7}  {}", src.entries, escape::name(&src.source));
    }
    let _ = writeln!(o, "\nOLDEST REVIEWED");
    for r in &s.oldest_reviewed {
        let _ = writeln!(
            o,
            "  {:10}  {}  ({})",
            escape::name(r.reviewed.as_deref().unwrap_or("never")),
            escape::name(&r.id),
            escape::name(&r.location)
        );
    }
    let _ = writeln!(
        o,
        "\nDUE FOR REVIEW (not reviewed since {}): {}",
        s.review_cutoff,
        s.due_for_review.len()
    );
    for r in &s.due_for_review {
        let _ = writeln!(
            o,
            "  {:10}  {}  ({})",
            escape::name(r.reviewed.as_deref().unwrap_or("never")),
            escape::name(&r.id),
            escape::name(&r.location)
        );
    }
    o
}

/// One finding in a sample file, for comparing two lexicons.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Found {
    path: String,
    start: usize,
    end: usize,
    rule: String,
    quoted: bool,
}

fn sample_files(corpus: &[PathBuf]) -> (Vec<PathBuf>, usize) {
    let mut files = Vec::new();
    let mut errors = 0;
    for p in corpus {
        if p.is_file() {
            files.push(p.clone());
            continue;
        }
        for item in ignore::WalkBuilder::new(p).build() {
            match item {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                    files.push(e.into_path());
                }
                Ok(_) => {}
                Err(e) => {
                    say!("{}", escape::name(&e.to_string()));
                    errors += 1;
                }
            }
        }
    }
    files.sort();
    files.dedup();
    (files, errors)
}

fn findings(scanner: &Scanner, path: &str, text: &str) -> Vec<Found> {
    scanner
        .scan(text)
        .into_iter()
        .map(|f| Found {
            path: path.to_string(),
            start: f.span.start,
            end: f.span.end,
            rule: scanner.lexicon().get(f.entry).id.clone(),
            quoted: f.quoted,
        })
        .collect()
}

/// Whether `path` does not exist, or is a folder without `.toml` files.
fn is_missing_or_empty(path: &Path) -> bool {
    match std::fs::read_dir(path) {
        Ok(entries) => !entries
            .flatten()
            .any(|e| e.path().extension().is_some_and(|x| x == "toml")),
        Err(e) => e.kind() == io::ErrorKind::NotFound,
    }
}

pub(super) fn impact(args: &ImpactArgs) -> ExitCode {
    let mut scanners = Vec::new();
    for (label, path) in [("OLD", &args.old), ("NEW", &args.new)] {
        // A force's first lexicon has nothing before it: a missing or empty
        // OLD folder means the built-in lexicon alone (or none).
        let none_before = label == "OLD" && is_missing_or_empty(path);
        if none_before {
            say!(
                "note: the OLD lexicon `{}` is missing or has no .toml files; comparing with {}",
                shown(path),
                if args.no_builtin {
                    "no lexicon at all"
                } else {
                    "the built-in lexicon alone"
                }
            );
        }
        let layers = if none_before {
            &[][..]
        } else {
            std::slice::from_ref(path)
        };
        match crate::lexicon_io::load(!args.no_builtin, layers) {
            Ok(l) => match Scanner::new(Arc::new(l), Settings::default()) {
                Ok(s) => scanners.push(s),
                Err(d) => {
                    print_diagnostics(&[d]);
                    return ExitCode::Error;
                }
            },
            Err(errors) => {
                print_diagnostics(&errors);
                say!("the {label} lexicon `{}` does not load", shown(path));
                return ExitCode::Error;
            }
        }
    }
    let (files, mut errors) = sample_files(&args.corpus);
    let mut old_all = BTreeSet::new();
    let mut new_all = BTreeSet::new();
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    for path in &files {
        let shown = path.display().to_string();
        let file = crate::input::FileRef::named(path, &shown);
        let bytes = match crate::input::file::read_bytes(&file, MAX_SAMPLE_BYTES) {
            Ok(contents) => contents.bytes,
            Err(not_read) => {
                say!("{}", out::escaped(not_read.into_diagnostic(), Some(&shown)));
                errors += 1;
                continue;
            }
        };
        // Binary and non-UTF-8 files are not sample text.
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        let name = path.display().to_string();
        old_all.extend(findings(&scanners[0], &name, &text));
        new_all.extend(findings(&scanners[1], &name, &text));
        texts.insert(name, text);
    }
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for f in &old_all {
        counts.entry(&f.rule).or_default().0 += 1;
    }
    for f in &new_all {
        counts.entry(&f.rule).or_default().1 += 1;
    }
    let width = counts.keys().map(|k| k.len()).max().unwrap_or(4).max(4);
    let mut stdout = out::stdout();
    let written = (|| -> io::Result<()> {
        writeln!(
            stdout,
            "{} sample file(s); {} finding(s) before, {} after",
            texts.len(),
            old_all.len(),
            new_all.len()
        )?;
        writeln!(
            stdout,
            "\n{:width$}  {:>6}  {:>6}  {:>6}",
            "RULE", "OLD", "NEW", "CHANGE"
        )?;
        for (rule, (o, n)) in &counts {
            if o != n {
                let change = *n as i64 - *o as i64;
                let rule = escape::name(rule);
                writeln!(stdout, "{rule:width$}  {o:>6}  {n:>6}  {change:>+6}")?;
            }
        }
        let unchanged = counts.values().filter(|(o, n)| o == n).count();
        if unchanged > 0 {
            writeln!(stdout, "({unchanged} rule(s) unchanged)")?;
        }
        let added: Vec<&Found> = new_all.difference(&old_all).collect();
        let removed: Vec<&Found> = old_all.difference(&new_all).collect();
        for (title, list) in [("ADDED", &added), ("REMOVED", &removed)] {
            writeln!(stdout, "\n{title} ({}):", list.len())?;
            let mut cursor: Option<(&str, LineCursor<'_>)> = None;
            for f in list.iter() {
                let text = texts[&f.path].as_str();
                // Each list is in order of path and offset: one cursor per file.
                let at = match &mut cursor {
                    Some((path, c)) if *path == f.path => c,
                    _ => &mut cursor.insert((f.path.as_str(), LineCursor::new(text, 1))).1,
                };
                writeln!(stdout, "  {}", describe(f, text, at, args.context))?;
            }
        }
        Ok(())
    })();
    let code = if errors > 0 {
        ExitCode::Error
    } else {
        ExitCode::Clean
    };
    out::finish(&mut stdout, written.map(|()| code))
}

/// One finding of `impact`; `cursor` is at or before it in its text.
fn describe(f: &Found, text: &str, cursor: &mut LineCursor<'_>, context: ContextMode) -> String {
    let (line, col, line_start) = cursor.locate(f.start);
    let quoted = if f.quoted { " (quoted)" } else { "" };
    let head = format!(
        "{}:{line}:{col} {}{quoted}",
        escape::name(&f.path),
        escape::name(&f.rule)
    );
    let matched: String = text[f.start..f.end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    match context {
        ContextMode::None => head,
        ContextMode::Redacted => format!("{head} {matched:?}"),
        ContextMode::Full => {
            let line_end = cursor.line_end(f.start);
            format!("{head} {matched:?}: {}", text[line_start..line_end].trim())
        }
    }
}

fn open_files(paths: &[PathBuf]) -> Result<Vec<EditFile>, String> {
    let mut out = Vec::new();
    for p in paths {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push(spreadsheet::open(p, name, &read(p)?)?);
    }
    Ok(out)
}

pub(super) fn export(args: &ExportArgs) -> ExitCode {
    let files = if args.builtin {
        BUILTIN
            .iter()
            .map(|(name, text)| spreadsheet::open(Path::new(name), (*name).to_string(), text))
            .collect::<Result<Vec<_>, _>>()
    } else {
        lexicon_files(&args.paths, args.config.as_ref()).and_then(|p| open_files(&p))
    };
    let files = match files {
        Ok(f) => f,
        Err(e) => {
            say!("{e}");
            return ExitCode::Error;
        }
    };
    let SheetFormat::Csv = args.format;
    let mut stdout = out::stdout();
    let written = match spreadsheet::export(&files, &mut stdout) {
        Ok(()) => Ok(ExitCode::Clean),
        Err(e) if e.is_io_error() => match e.into_kind() {
            csv::ErrorKind::Io(e) => Err(e),
            _ => unreachable!("an I/O error"),
        },
        Err(e) => {
            say!("cannot write the spreadsheet: {e}");
            Ok(ExitCode::Error)
        }
    };
    out::finish(&mut stdout, written)
}

pub(super) fn import(args: &ImportArgs) -> ExitCode {
    if !args.into.is_dir() {
        say!(
            "`{}` is not a folder; --into names the lexicon folder to update",
            shown(&args.into)
        );
        return ExitCode::Error;
    }
    let result = lexicon_files(std::slice::from_ref(&args.into), None)
        .and_then(|p| open_files(&p))
        .and_then(|mut files| {
            let shown = args.sheet.display().to_string();
            let file = crate::input::FileRef::named(&args.sheet, &shown);
            let sheet =
                crate::input::file::read_bytes(&file, MAX_SAMPLE_BYTES).map_err(|not_read| {
                    out::escaped(not_read.into_diagnostic(), Some(&shown)).to_string()
                })?;
            let report = spreadsheet::import(&sheet.bytes[..], &mut files, &args.into)?;
            Ok((files, report))
        });
    let (files, report) = match result {
        Ok(x) => x,
        Err(e) => {
            say!("{e}");
            return ExitCode::Error;
        }
    };
    let mut stdout = out::stdout();
    let written = (|| -> io::Result<()> {
        for (id, keys) in &report.updated {
            let keys = escape::name(&keys.join(", ")).into_owned();
            writeln!(stdout, "updated {}: {keys}", escape::name(id))?;
        }
        for (id, file) in &report.added {
            let (id, file) = (escape::name(id), escape::name(file));
            writeln!(stdout, "added   {id} to {file}")?;
        }
        for id in &report.not_in_sheet {
            let id = escape::name(id);
            writeln!(stdout, "kept    {id} (not in the sheet; left unchanged)")?;
        }
        writeln!(
            stdout,
            "{} updated, {} added, {} unchanged",
            report.updated.len(),
            report.added.len(),
            report.unchanged
        )?;
        stdout.flush()
    })();
    // Without --dry-run the lexicon is still updated when the list of
    // changes cannot be shown; a list that fails for another reason than a
    // closed pipe still makes the exit code 2.
    let mut failed = match written {
        Err(e) if args.dry_run || !out::is_closed(&e) => {
            let code = out::write_failed(&e);
            if args.dry_run {
                return code;
            }
            code == ExitCode::Error
        }
        _ => false,
    };
    if args.dry_run {
        say!("dry run; nothing written");
        return ExitCode::Clean;
    }
    for f in files.iter().filter(|f| f.changed) {
        if let Err(e) = std::fs::write(&f.path, f.doc.to_string()) {
            say!(
                "cannot write `{}`: {}",
                shown(&f.path),
                crate::input::io_reason(&e)
            );
            failed = true;
        }
    }
    // New files point at `./schema.json` (editors check the lexicon with
    // it): make sure it is there.
    let schema = args.into.join("schema.json");
    if !report.created.is_empty() && !schema.exists() {
        match std::fs::write(&schema, crate::lexicon::schema::SCHEMA) {
            Ok(()) => say!(
                "wrote `{}` for the `#:schema` line of the new files",
                shown(&schema)
            ),
            Err(e) => {
                say!(
                    "cannot write `{}`: {}",
                    shown(&schema),
                    crate::input::io_reason(&e)
                );
                failed = true;
            }
        }
    }
    if !report.updated.is_empty() || !report.added.is_empty() {
        say!(
            "now run `vblint lexicon check {0}` and `vblint lexicon test {0}`",
            shown(&args.into)
        );
    }
    if failed {
        ExitCode::Error
    } else {
        ExitCode::Clean
    }
}

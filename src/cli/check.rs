//! `vblint check`: scan files, folders and standard input.
//!
//! Folders are walked in sorted order (.gitignore-aware) while their files
//! are scanned: workers take files from the walk in small chunks, each
//! renders its files' output, and outputs are written in the order of the
//! walk. Output is deterministic, and memory is bounded by the files handed
//! out but not yet written, not by the size of the folder.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::batch::{self, Item};
use super::out;
use super::walk::{self, Listed, WalkProblem, Walked};
use super::{
    CheckArgs, ConfigOf, ExitCode, NestedExcludes, config_file, load_config, load_scanner,
    note_configurations, print_diagnostics,
};
use crate::config::{Config, FailOn};
use crate::diagnostic::Diagnostic;
use crate::dismissed::Dismissed;
use crate::input::io_reason;
use crate::input::{self, Kind, Record};
use crate::report::{
    self, Format, HumanStyle, LineCursor, Printer, Problem, Source, Streams, Totals, insight,
};
use crate::scan::{Finding, RecordFacts, Scanner};
use crate::text::Normalized;

/// How many files a worker takes from the walk at a time.
const CHUNK: usize = 16;

/// How many files the walk may hand out before they are scanned.
const MAX_QUEUED: usize = 1024;

/// The outcome of one input.
#[derive(Default)]
struct FileOutput {
    /// Rendered findings, in order (in parts when a big file's findings
    /// are rendered on all threads).
    rendered: Vec<Rendered>,
    /// Findings per severity: hint, info, warning, error.
    counts: [usize; 4],
    /// Whether a finding reached the failure threshold.
    failed: bool,
    /// A problem reading the file.
    error: Option<Diagnostic>,
    /// A note, such as a skipped binary file.
    note: Option<String>,
    /// Whether this is a record of an export rather than a file.
    record: bool,
    /// Fingerprints of the findings (for --write-baseline).
    fingerprints: Vec<String>,
    /// Findings left out because the baseline lists them.
    baselined: usize,
}

/// Findings rendered one after another.
#[derive(Default)]
struct Rendered {
    bytes: Vec<u8>,
    /// Where each finding ends in `bytes`.
    ends: Vec<usize>,
}

/// The `[[files]]` rules of the configuration: the globs, the entries each
/// disables, and the folder the globs are relative to.
pub(super) type PerFile = (GlobSet, Vec<Vec<String>>, PathBuf);

pub(super) struct Job<'a> {
    pub(super) scanner: &'a Scanner,
    printer: &'a dyn Printer,
    fail_on: FailOn,
    per_file: Option<&'a PerFile>,
    /// How to read exports.
    pub(super) options: &'a input::Options,
    /// Findings to leave out (`--baseline`).
    baseline: Option<&'a HashSet<String>>,
    /// Findings dismissed in an editor (`.vblint-ignore`).
    dismissed: Option<&'a Dismissed>,
    /// Whether findings need fingerprints (SARIF, baselines).
    fingerprints: bool,
    /// Files larger than this are refused rather than read.
    pub(super) max_file_size: u64,
}

/// Everything a run needs, built from the arguments and configuration.
pub(super) struct Prepared {
    pub(super) scanner: Scanner,
    pub(super) exclude: Option<GlobSet>,
    printer: Box<dyn Printer>,
    fail_on: FailOn,
    max_file_size: u64,
    per_file: Option<PerFile>,
    options: input::Options,
    baseline: Option<Arc<HashSet<String>>>,
    dismissed: Option<Dismissed>,
    fingerprints: bool,
}

impl Prepared {
    /// The job for worker threads.
    pub(super) fn job(&self) -> Job<'_> {
        Job {
            scanner: &self.scanner,
            printer: self.printer.as_ref(),
            fail_on: self.fail_on,
            per_file: self.per_file.as_ref(),
            options: &self.options,
            baseline: self.baseline.as_deref(),
            dismissed: self.dismissed.as_ref(),
            fingerprints: self.fingerprints,
            max_file_size: self.max_file_size,
        }
    }
}

/// Loads configuration (the one for `start`), lexicon and options; prints
/// problems and returns `None` on error. `baseline` is the run's
/// `--baseline`, read once for every setup.
fn prepare_for(
    args: &CheckArgs,
    start: &Path,
    baseline: Option<Arc<HashSet<String>>>,
) -> Option<Prepared> {
    let fail = |d: Diagnostic| {
        print_diagnostics(&[d]);
    };
    let mut config = match load_config(&args.lexicon, start) {
        Ok(c) => c,
        Err(d) => {
            fail(d);
            return None;
        }
    };
    if let Some(q) = args.quotes {
        config.quotes = Some(q.into());
    }
    let scanner = load_scanner(&config)?;
    if let Some(n) = args.threads {
        // Only fails if a pool already exists, which it cannot here.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    let stdout_is_terminal = std::io::IsTerminal::is_terminal(&io::stdout());
    let format = args.format.unwrap_or(if stdout_is_terminal {
        Format::Human
    } else {
        Format::Concise
    });
    let per_file = per_file_rules(&config).map_err(fail).ok()?;
    let exclude = exclude_set(&config).map_err(fail).ok()?;
    let options = args
        .batch
        .options()
        .map_err(|e| fail(Diagnostic::error(e)))
        .ok()?;
    let style = HumanStyle {
        color: args.color.stdout(),
        context: args.context.or(config.context).unwrap_or_default(),
    };
    let printer = format.printer(scanner.lexicon(), style);
    let dismissed = if args.lexicon.no_config {
        None
    } else {
        load_dismissed(start).map_err(fail).ok()?
    };
    Some(Prepared {
        exclude,
        fail_on: args.fail_on.or(config.fail_on).unwrap_or_default(),
        max_file_size: args.walk.max_file_size,
        per_file,
        options,
        baseline,
        dismissed,
        fingerprints: printer.fingerprints()
            || args.batch.baseline.is_some()
            || args.batch.write_baseline.is_some(),
        printer,
        scanner,
    })
}

/// The setup each file is checked with: the configuration file of its own
/// folder, found by walking up from it (from the folder of `--stdin-name`
/// for standard input), unless `--config` or `--no-config` says otherwise.
/// Files under the same configuration share one setup; a folder's own
/// `vblint.toml` met while walking a path gets its setup when first needed.
/// `check`, `report` and `sample` each keep one.
pub(super) struct Setups {
    /// One per configuration file in use, in the order first needed.
    pub(super) prepared: Vec<Rc<Prepared>>,
    /// The configuration file of each setup.
    pub(super) files: Vec<Option<PathBuf>>,
    /// For each path given, its setup in `prepared`.
    pub(super) of_path: Vec<usize>,
    /// What is done with the files, for the notes ("checked", "reported").
    verb: &'static str,
    /// The fingerprints of `--baseline`, read once for every setup.
    baseline: Option<Arc<HashSet<String>>>,
}

impl Setups {
    /// Prepares every configuration the paths given need; prints problems
    /// and returns `None` on the first error, before anything is checked.
    /// When the paths need more than one, a note says which path is
    /// `verb` with which.
    pub(super) fn new(args: &CheckArgs, paths: &[PathBuf], verb: &'static str) -> Option<Setups> {
        let baseline = match args.batch.load_baseline() {
            Ok(baseline) => baseline.map(Arc::new),
            Err(e) => {
                print_diagnostics(&[Diagnostic::error(e)]);
                return None;
            }
        };
        let mut setups = Setups {
            prepared: Vec::new(),
            files: Vec::new(),
            of_path: Vec::new(),
            verb,
            baseline,
        };
        for path in paths {
            let start = match path.as_os_str() == "-" {
                true if args.stdin_name != "-" => PathBuf::from(&args.stdin_name),
                true => PathBuf::from("."),
                false => path.clone(),
            };
            let file = config_file(&args.lexicon, &start);
            let at = setups.setup_for(args, file, &start)?;
            setups.of_path.push(at);
        }
        note_configurations(verb, paths, &setups.files, &setups.of_path);
        Some(setups)
    }

    /// The setup of the configuration `file` (found from `start`),
    /// prepared if it is new; `None` (problems printed) if it cannot be.
    fn setup_for(
        &mut self,
        args: &CheckArgs,
        file: Option<PathBuf>,
        start: &Path,
    ) -> Option<usize> {
        if let Some(at) = self.files.iter().position(|f| *f == file) {
            return Some(at);
        }
        let prepared = prepare_for(args, start, self.baseline.clone())?;
        self.prepared.push(Rc::new(prepared));
        self.files.push(file);
        Some(self.files.len() - 1)
    }

    /// The version of the first path's lexicon (with the entries its
    /// configuration switches off left out, as
    /// [`insight::scanner_lexicon_version`] gives it), and each other
    /// version in use with the configuration that chose it (once each, in
    /// the order first needed), for a report's or a sample pack's
    /// provenance.
    pub(super) fn lexicon_versions(
        &self,
    ) -> ((String, usize, Option<String>), Vec<insight::OtherLexicon>) {
        let first = insight::scanner_lexicon_version(&self.prepared[0].scanner);
        let here = std::env::current_dir().unwrap_or_default();
        let mut others: Vec<insight::OtherLexicon> = Vec::new();
        for (prepared, file) in self.prepared.iter().zip(&self.files).skip(1) {
            let (hash, entries, reviewed) = insight::scanner_lexicon_version(&prepared.scanner);
            if hash != first.0 && others.iter().all(|o| o.hash != hash) {
                others.push(insight::OtherLexicon {
                    configuration: file
                        .as_deref()
                        .map(|f| out::shown(f.strip_prefix(&here).unwrap_or(f))),
                    hash,
                    entries,
                    reviewed,
                });
            }
        }
        (first, others)
    }

    /// Of the files listed under `path` (a path given, with the setup
    /// `at`), those that their own folder's configuration does not
    /// exclude, each with the setup of that configuration (prepared when
    /// first needed); `None` (problems printed) if one cannot be prepared.
    pub(super) fn of_files(
        &mut self,
        args: &CheckArgs,
        (path, at): (&Path, usize),
        files: Vec<Listed>,
        configs: &mut ConfigOf,
        nested: &mut NestedExcludes,
    ) -> Option<Vec<(Listed, usize)>> {
        let mut out = Vec::with_capacity(files.len());
        for file in files {
            let config = configs.of(path, &file.path);
            if nested.excludes(config.as_deref(), self.files[at].as_deref(), &file.path) {
                continue;
            }
            let setup = self.nested(args, config)?;
            out.push((file, setup));
        }
        Some(out)
    }

    /// The setup of a folder's own configuration `file` met while walking
    /// (a note says so the first time).
    pub(super) fn nested(&mut self, args: &CheckArgs, file: Option<PathBuf>) -> Option<usize> {
        let known = self.files.contains(&file);
        let start = match &file {
            Some(f) => f.parent().unwrap_or(Path::new(".")).to_path_buf(),
            None => PathBuf::from("."),
        };
        let at = self.setup_for(args, file.clone(), &start)?;
        if !known && let Some(file) = &file {
            super::note_nested_configuration(self.verb, file);
        }
        Some(at)
    }
}

/// A walk's item with the configuration file it is checked under.
type Configured = (Walked, Option<PathBuf>);

/// The items of a walk up to the first file under another configuration
/// than `config`, which is kept in `next` for the following run.
struct Run<'w, I> {
    first: Option<Walked>,
    items: &'w mut I,
    next: &'w mut Option<Configured>,
    config: &'w Option<PathBuf>,
}

impl<I: Iterator<Item = Configured>> Iterator for Run<'_, I> {
    type Item = Walked;

    fn next(&mut self) -> Option<Walked> {
        if let Some(first) = self.first.take() {
            return Some(first);
        }
        let (item, config) = self.items.next()?;
        if matches!(item, Walked::File(_)) && config != *self.config {
            *self.next = Some((item, config));
            return None;
        }
        Some(item)
    }
}

pub(super) fn run(args: CheckArgs) -> ExitCode {
    let mut paths = args.paths.clone();
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let Some(mut setups) = Setups::new(&args, &paths, "checked") else {
        return ExitCode::Error;
    };
    let mut configs = ConfigOf::new(&args.lexicon);
    let mut nested = NestedExcludes::default();
    // The run's output (its start, order and end) is that of the first
    // setup's printer; each setup's findings are rendered by its own.
    let first = Rc::clone(&setups.prepared[0]);
    let mut writer = Writer::new(first.printer.as_ref());
    writer.keep_fingerprints = args.batch.write_baseline.is_some();
    'paths: for (index, path) in paths.iter().enumerate() {
        let setup = setups.of_path[index];
        let prepared = Rc::clone(&setups.prepared[setup]);
        if path.as_os_str() == "-" {
            let output = scan_stdin(&prepared.job(), &args.stdin_name);
            if writer.write(output).is_err() {
                break;
            }
            continue;
        }
        let files = match walk::walk(path, args.walk, prepared.exclude.as_ref()) {
            Ok(files) => files,
            Err(d) => {
                writer.error(out::one_line(d));
                continue;
            }
        };
        let path_config = setups.files[setup].clone();
        // Each file with its folder's configuration, unless that excludes it.
        let files = files.filter_map(|item| match item {
            Walked::File(f) => {
                let config = configs.of(path, &f.path);
                let excluded = nested.excludes(config.as_deref(), path_config.as_deref(), &f.path);
                (!excluded).then_some((Walked::File(f), config))
            }
            problem => Some((problem, path_config.clone())),
        });
        // Exports are read record by record, after the plain files.
        let mut records = Vec::new();
        let sample = args.batch.sample.map(|n| (n, args.batch.seed));
        let mut items: Box<dyn Iterator<Item = Configured> + Send + '_> = match sample {
            Some((n, seed)) => {
                // A sample is drawn from the whole list.
                let mut plain = Vec::new();
                for (item, config) in files {
                    match item {
                        Walked::File(f) if Kind::of(&f.path).has_records() => {
                            records.push((f, config));
                        }
                        Walked::File(f) => plain.push((Walked::File(f), config)),
                        Walked::Problem(p) => writer.problem(p),
                    }
                }
                if records.is_empty() {
                    plain = batch::sample_files(plain, n, seed);
                }
                Box::new(plain.into_iter())
            }
            None => Box::new(files.filter_map(|(item, config)| match item {
                Walked::File(f) if Kind::of(&f.path).has_records() => {
                    records.push((f, config));
                    None
                }
                item => Some((item, config)),
            })),
        };
        // Consecutive files under one configuration are scanned together
        // (a folder's files come together in a walk).
        let mut pending = None;
        while let Some((item, config)) = pending.take().or_else(|| items.next()) {
            let Some(at) = setups.nested(&args, config.clone()) else {
                return ExitCode::Error;
            };
            let prepared = Rc::clone(&setups.prepared[at]);
            let run = Run {
                first: Some(item),
                items: &mut items,
                next: &mut pending,
                config: &config,
            };
            if scan_in_order(&prepared.job(), run, &mut writer).is_err() {
                break 'paths;
            }
        }
        drop(items);
        for (file, config) in records {
            let Some(at) = setups.nested(&args, config) else {
                return ExitCode::Error;
            };
            let prepared = Rc::clone(&setups.prepared[at]);
            if scan_records(&prepared.job(), &file, sample, &mut writer).is_err() {
                break 'paths;
            }
        }
    }
    // A baseline that leaves out nothing is probably of other files, or
    // older than the fingerprints of this version.
    if let Some(base) = &first.baseline
        && !base.is_empty()
        && writer.baselined == 0
        && writer.broken.is_none()
    {
        out::say!(
            "warning: the baseline `{}` matches none of these findings ({} fingerprints); is it of another export, or made by an older vblint? Make a new one with --write-baseline",
            args.batch
                .baseline
                .as_deref()
                .map(out::shown)
                .unwrap_or_default(),
            base.len()
        );
    }
    // A run whose output failed was cut short: its baseline would be too.
    if let Some(path) = &args.batch.write_baseline
        && writer.broken.is_none()
        && let Err(e) = writer.write_baseline(path)
    {
        writer.error(Diagnostic::error(format!(
            "cannot write the baseline `{}`: {}",
            out::shown(path),
            io_reason(&e)
        )));
    }
    let code = writer.finish(args.exit_zero);
    // The scanners are used until the process exits, which frees them at
    // once; dropping them would free each of their allocations first.
    std::mem::forget(setups);
    code
}

/// Scans the records of a CSV or JSON Lines export, in parallel batches.
fn scan_records(
    job: &Job<'_>,
    file: &Listed,
    sample: Option<(usize, u64)>,
    writer: &mut Writer<'_>,
) -> Result<(), Stopped> {
    let path = file.path.as_path();
    let shown = path.display().to_string();
    let named = out::shown(path);
    let limits = input::Limits {
        max_file_size: job.max_file_size,
    };
    let opened = input::open_records(&file.file_ref(&named), Kind::of(path), limits, job.options);
    let mut records = match opened {
        Ok(r) => r,
        Err(not_read) => return writer.write(not_read_output(not_read)),
    };
    let mut result = Ok(());
    batch::for_each_record(
        records.as_mut(),
        sample,
        |record| scan_record(job, &shown, path, record),
        |item| match item {
            Item::Done(out) => {
                result = writer.write(out);
                result.is_ok()
            }
            Item::Bad(bad) => {
                writer.error(Diagnostic::error(format!(
                    "{named}:{}: record {}: {}",
                    bad.line, bad.number, bad.reason
                )));
                result = writer.check();
                result.is_ok()
            }
            Item::Note(note) => {
                writer.note(&out::name_escaped_in(&note, &shown));
                result = writer.check();
                result.is_ok()
            }
        },
    );
    result
}

fn scan_record(job: &Job<'_>, shown: &str, path: &Path, record: &Record) -> FileOutput {
    let mut out = FileOutput {
        record: true,
        ..FileOutput::default()
    };
    let mut norm = Normalized::default();
    let mut findings = Vec::new();
    let facts = RecordFacts {
        age: record.meta.age,
    };
    for field in &record.fields {
        findings.clear();
        job.scanner
            .scan_record_into(&field.text, &facts, &mut norm, &mut findings);
        apply_per_file(job, Some(path), &mut findings);
        apply_dismissed(job, &field.text, &mut findings);
        let source = Source {
            path: shown,
            record: Some(&record.id),
            text: &field.text,
            first_line: field.line,
            first_column: field.column,
            offsets: field.offsets.as_ref(),
        };
        render_into(job, &source, &findings, &mut out);
    }
    out
}

fn apply_per_file(job: &Job<'_>, path: Option<&Path>, findings: &mut Vec<Finding>) {
    if let (Some((set, disables, base)), Some(path)) = (job.per_file, path) {
        let relative = path.strip_prefix(base).unwrap_or(path);
        for i in set.matches(relative) {
            let ids = &disables[i];
            let lexicon = job.scanner.lexicon();
            findings.retain(|f| {
                !ids.iter()
                    .any(|id| id == "*" || *id == lexicon.get(f.entry).id)
            });
        }
    }
}

/// Drops the findings dismissed in an editor ("Ignore here").
fn apply_dismissed(job: &Job<'_>, text: &str, findings: &mut Vec<Finding>) {
    if let Some(dismissed) = job.dismissed {
        dismissed.retain(job.scanner.lexicon(), text, findings);
    }
}

/// The `.vblint-ignore` found walking up from `start`, if any.
fn load_dismissed(start: &Path) -> Result<Option<Dismissed>, Diagnostic> {
    let Some(path) = Dismissed::discover(start) else {
        return Ok(None);
    };
    match Dismissed::load(&path) {
        Ok(Some((dismissed, bad))) => {
            if bad > 0 {
                out::message(format_args!(
                    "vblint: note: skipped {bad} line(s) of `{}` that are not fingerprints",
                    out::shown(&path)
                ));
            }
            Ok(Some(dismissed))
        }
        Ok(None) => Ok(None),
        Err(e) => Err(Diagnostic::error(format!(
            "cannot read the dismissed findings in `{}`: {}",
            path.display(),
            io_reason(&e)
        ))
        .help("make the file readable, or delete it to see those findings again")),
    }
}

/// Compiles the `[[files]]` globs of the configuration.
pub(super) fn per_file_rules(config: &Config) -> Result<Option<PerFile>, Diagnostic> {
    if config.files.is_empty() {
        return Ok(None);
    }
    let base = config
        .path
        .as_ref()
        .and_then(|p| p.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut builder = GlobSetBuilder::new();
    let mut disables = Vec::new();
    for rule in &config.files {
        builder.add(Glob::new(&rule.glob).map_err(|e| {
            Diagnostic::error(format!(
                "the glob `{}` in [[files]] is not valid: {e}",
                rule.glob
            ))
            .help("write globs such as `training/**` or `*.md`")
        })?);
        disables.push(rule.disable.clone());
    }
    let set = builder
        .build()
        .map_err(|e| Diagnostic::error(format!("the [[files]] globs are not valid: {e}")))?;
    Ok(Some((set, disables, base)))
}

pub(super) fn exclude_set(config: &Config) -> Result<Option<GlobSet>, Diagnostic> {
    if config.exclude.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for g in &config.exclude {
        builder.add(Glob::new(g).map_err(|e| {
            Diagnostic::error(format!("the exclude glob `{g}` is not valid: {e}"))
                .help("write globs such as `archive/**`")
        })?);
    }
    builder
        .build()
        .map(Some)
        .map_err(|e| Diagnostic::error(format!("the exclude globs are not valid: {e}")))
}

/// Scans the files of a walk on every worker thread, and writes each file's
/// output, and each problem the walk met, in the order of the walk.
///
/// The walk goes on while files are scanned: workers take the next file
/// from it as they become free, and an output is written as soon as all
/// before it are, by the worker that completes the run. Fails only when the
/// output fails; then the walk stops.
fn scan_in_order<I>(job: &Job<'_>, items: I, writer: &mut Writer<'_>) -> Result<(), Stopped>
where
    I: Iterator<Item = Walked> + Send,
{
    let scan = |item| match item {
        Walked::File(file) => Ok(scan_file(job, &file)),
        Walked::Problem(p) => Err(p),
    };
    if rayon::current_num_threads() <= 1 {
        for item in items {
            writer.write_or_problem(scan(item))?;
        }
        return Ok(());
    }
    let order = Mutex::new(InOrder {
        writer,
        early: BTreeMap::new(),
        next: 0,
        stopped: false,
    });
    let stopped = || {
        let order = order.lock().unwrap_or_else(PoisonError::into_inner);
        order.stopped
    };
    // Files handed to workers and not yet scanned: the walk waits (and
    // helps) when it is this far ahead, so memory stays bounded.
    let queued = AtomicUsize::new(0);
    rayon::scope_fifo(|scope| {
        let mut items = items.fuse();
        let mut first = 0;
        loop {
            let files: Vec<Walked> = items.by_ref().take(CHUNK).collect();
            if files.is_empty() {
                break;
            }
            let (order, queued) = (&order, &queued);
            let n = files.len();
            queued.fetch_add(n, Ordering::Relaxed);
            scope.spawn_fifo(move |_| {
                for (i, item) in (first..).zip(files) {
                    let output = scan(item);
                    let mut order = order.lock().unwrap_or_else(PoisonError::into_inner);
                    // Once the output fails, nothing more is scanned.
                    if !order.put(i, output) {
                        break;
                    }
                }
                queued.fetch_sub(n, Ordering::Relaxed);
            });
            first += n;
            if stopped() {
                break;
            }
            while queued.load(Ordering::Relaxed) > MAX_QUEUED {
                if rayon::yield_local() != Some(rayon::Yield::Executed) {
                    std::thread::yield_now();
                }
            }
        }
    });
    let order = order.into_inner().unwrap_or_else(PoisonError::into_inner);
    if order.stopped { Err(Stopped) } else { Ok(()) }
}

/// Outputs of files scanned in parallel, written in the order of the walk
/// by whichever worker finishes the next one due.
struct InOrder<'w, 'p> {
    writer: &'w mut Writer<'p>,
    /// Outputs that arrived before their turn.
    early: BTreeMap<usize, Result<FileOutput, WalkProblem>>,
    /// The position of the next output to write.
    next: usize,
    /// Whether writing failed.
    stopped: bool,
}

impl InOrder<'_, '_> {
    /// Takes the output at position `i`, and writes every output now due.
    /// False once writing has failed: then nothing more is written.
    fn put(&mut self, i: usize, output: Result<FileOutput, WalkProblem>) -> bool {
        if self.stopped {
            return false;
        }
        self.early.insert(i, output);
        while let Some(output) = self.early.remove(&self.next) {
            self.next += 1;
            if self.writer.write_or_problem(output).is_err() {
                self.early.clear();
                self.stopped = true;
                return false;
            }
        }
        true
    }
}

fn scan_stdin(job: &Job<'_>, name: &str) -> FileOutput {
    match super::read::read_stdin(job.max_file_size) {
        Ok(bytes) => scan_bytes(job, name, &report::escape::name(name), None, bytes),
        Err(not_read) => not_read_output(not_read),
    }
}

fn not_read_output(not_read: super::read::NotRead) -> FileOutput {
    match not_read {
        super::read::NotRead::Skipped(note) => FileOutput {
            note: Some(note),
            ..FileOutput::default()
        },
        super::read::NotRead::Error(d) => FileOutput {
            error: Some(d),
            ..FileOutput::default()
        },
    }
}

fn scan_file(job: &Job<'_>, file: &Listed) -> FileOutput {
    // A path that is UTF-8 (almost all) is shown as it is, without the
    // byte-by-byte decoding of `Path::display`.
    let shown = file
        .path
        .to_str()
        .map_or_else(|| file.path.display().to_string(), str::to_owned);
    let named = report::escape::name(&shown);
    match file_input(job, &named, file) {
        Ok(FileText::Plain(bytes)) => scan_bytes(job, &shown, &named, Some(&file.path), bytes),
        Ok(FileText::Extracted(text)) => scan_text(job, &shown, Some(&file.path), &text, None),
        Err(out) => out,
    }
}

/// What a file holds to scan.
enum FileText {
    /// A plain text file's bytes.
    Plain(Vec<u8>),
    /// The text of a DOCX or HTML file.
    Extracted(String),
}

/// The contents of a file (the text of a DOCX or HTML file), read through
/// the input door, or the output that says why there are none: a note for
/// a file skipped on purpose (a pipe or a device), an error otherwise.
/// `named` is the file's name as messages show it.
fn file_input(job: &Job<'_>, named: &str, file: &Listed) -> Result<FileText, FileOutput> {
    let limits = input::Limits {
        max_file_size: job.max_file_size,
    };
    match input::read(&file.file_ref(named), Kind::of(&file.path), limits) {
        Ok(input::Input::Plain(contents)) => Ok(FileText::Plain(contents.bytes)),
        Ok(input::Input::Extracted(text)) => Ok(FileText::Extracted(text)),
        Ok(input::Input::Export(_)) => Err(FileOutput {
            error: Some(Diagnostic::error(format!(
                "`{named}` is an export, read record by record"
            ))),
            ..FileOutput::default()
        }),
        Err(not_read) => Err(not_read_output(not_read)),
    }
}

/// The findings in a file for `report`, read and checked as `check` reads
/// it: `Ok(None)` for a file skipped on purpose (binary, a pipe or a device).
/// `named` is the file's name as messages show it.
pub(super) fn file_findings(
    job: &Job<'_>,
    named: &str,
    file: &Listed,
) -> Result<Option<Vec<Finding>>, Diagnostic> {
    let found = file_input(job, named, file).and_then(|input| match input {
        FileText::Plain(bytes) => {
            text_of(named, &bytes).map(|text| findings_in(job, Some(&file.path), &text.text))
        }
        FileText::Extracted(text) => Ok(findings_in(job, Some(&file.path), &text)),
    });
    match found {
        Ok(findings) => Ok(Some(findings)),
        Err(out) => out.error.map_or(Ok(None), Err),
    }
}

/// The text of a plain file or document and its findings (for the sample
/// pack); `Ok(None)` when the file is not text.
pub(super) fn file_text_findings(
    job: &Job<'_>,
    named: &str,
    file: &Listed,
) -> Result<Option<(String, Vec<Finding>)>, Diagnostic> {
    let found = file_input(job, named, file).and_then(|input| match input {
        FileText::Plain(bytes) => text_of(named, &bytes).map(|text| {
            let findings = findings_in(job, Some(&file.path), &text.text);
            (text.text.into_owned(), findings)
        }),
        FileText::Extracted(text) => {
            let findings = findings_in(job, Some(&file.path), &text);
            Ok((text, findings))
        }
    });
    match found {
        Ok(found) => Ok(Some(found)),
        Err(out) => out.error.map_or(Ok(None), Err),
    }
}

/// The findings of a text, after per-file configuration.
/// The findings of one field of a record whose other fields give `facts`.
pub(super) fn findings_in_record(
    job: &Job<'_>,
    path: Option<&Path>,
    text: &str,
    facts: &RecordFacts,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    job.scanner
        .scan_record_into(text, facts, &mut Normalized::default(), &mut findings);
    apply_per_file(job, path, &mut findings);
    apply_dismissed(job, text, &mut findings);
    findings
}

pub(super) fn findings_in(job: &Job<'_>, path: Option<&Path>, text: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    crate::parallel::scan(job.scanner, text, &mut findings);
    apply_per_file(job, path, &mut findings);
    apply_dismissed(job, text, &mut findings);
    findings
}

/// Scans the bytes of an input whose name is `shown` (as given) and
/// `named` (as messages show it).
fn scan_bytes(
    job: &Job<'_>,
    shown: &str,
    named: &str,
    path: Option<&Path>,
    bytes: Vec<u8>,
) -> FileOutput {
    match text_of(named, &bytes) {
        Ok(text) => scan_text(job, shown, path, &text.text, text.offsets.as_ref()),
        Err(out) => out,
    }
}

/// Scans a file's text; `offsets` say where its bytes are in the file
/// (after a byte-order mark, or decoded from UTF-16).
fn scan_text(
    job: &Job<'_>,
    shown: &str,
    path: Option<&Path>,
    text: &str,
    offsets: Option<&input::OriginalOffsets>,
) -> FileOutput {
    let findings = findings_in(job, path, text);
    let mut out = FileOutput::default();
    let source = Source {
        path: shown,
        record: None,
        text,
        first_line: 1,
        first_column: 1,
        offsets,
    };
    render_into(job, &source, &findings, &mut out);
    out
}

/// The text of a plain file's bytes ([`input::text::decode`]), or the
/// output that says why they are not text; `named` is their name as
/// messages show it.
fn text_of<'b>(named: &str, bytes: &'b [u8]) -> Result<input::text::Text<'b>, FileOutput> {
    input::text::decode(bytes).map_err(|e| not_read_output(e.not_read(named, "not scanned")))
}

/// Renders findings into `out`.
fn render_into(job: &Job<'_>, source: &Source<'_>, findings: &[Finding], out: &mut FileOutput) {
    use rayon::prelude::*;
    let lexicon = job.scanner.lexicon();
    if findings.is_empty() {
        return;
    }
    if job.fingerprints || findings.len() <= RENDER_GROUP {
        let located = report::locate(lexicon, source, findings);
        render_located(job, source, located, out);
        return;
    }
    // A big file's findings, in groups rendered on all threads. Each group's
    // cursor starts at its first finding. (Fingerprints are made in order
    // of the findings, so a run that needs them renders in one go.)
    let groups: Vec<&[Finding]> = findings.chunks(RENDER_GROUP).collect();
    let starts: Vec<usize> = groups.iter().map(|g| g[0].span.start).collect();
    let cursors = LineCursor::at_each(source.text, source.first_line, &starts);
    let parts: Vec<FileOutput> = groups
        .into_par_iter()
        .zip(cursors)
        .map(|(group, cursor)| {
            let mut part = FileOutput::default();
            let located = report::locate_from(lexicon, source, group, cursor);
            render_located(job, source, located, &mut part);
            part
        })
        .collect();
    for part in parts {
        out.rendered.extend(part.rendered);
        for (total, n) in out.counts.iter_mut().zip(part.counts) {
            *total += n;
        }
        out.failed |= part.failed;
        out.baselined += part.baselined;
    }
}

/// Files with more findings than this have them rendered in groups of this
/// many, on all threads.
const RENDER_GROUP: usize = 1024;

fn render_located(
    job: &Job<'_>,
    source: &Source<'_>,
    located: Vec<report::Located<'_>>,
    out: &mut FileOutput,
) {
    let mut fingerprinter = report::baseline::Fingerprinter::default();
    // The fields of a record add to one part.
    if out.rendered.is_empty() {
        out.rendered.push(Rendered::default());
    }
    let rendered = out.rendered.last_mut().expect("a part");
    for l in located {
        let fingerprint = job
            .fingerprints
            .then(|| fingerprinter.fingerprint(source, &l.entry.id, l.finding));
        if let (Some(base), Some(fp)) = (job.baseline, &fingerprint)
            && base.contains(fp)
        {
            out.baselined += 1;
            continue;
        }
        out.counts[l.finding.severity.index()] += 1;
        out.failed |= job.fail_on.fails(l.finding.severity);
        job.printer
            .finding(&mut rendered.bytes, source, &l, fingerprint.as_deref());
        rendered.ends.push(rendered.bytes.len());
        if let Some(fp) = fingerprint {
            out.fingerprints.push(fp);
        }
    }
}

/// Writing stopped: the output failed (the writer keeps the error).
struct Stopped;

/// Writes outputs in order and keeps the totals.
struct Writer<'p> {
    printer: &'p dyn Printer,
    out: io::BufWriter<io::Stdout>,
    /// Why the output failed, if it did: then nothing more is written.
    broken: Option<io::Error>,
    totals: Totals,
    /// Whether a finding reached the failure threshold.
    failed: bool,
    /// Whether the printer has begun.
    started: bool,
    keep_fingerprints: bool,
    fingerprints: Vec<String>,
    /// Findings the baseline left out.
    baselined: usize,
}

impl<'p> Writer<'p> {
    fn new(printer: &'p dyn Printer) -> Writer<'p> {
        Writer {
            printer,
            out: out::stdout(),
            broken: None,
            totals: Totals::default(),
            failed: false,
            started: false,
            keep_fingerprints: false,
            fingerprints: Vec::new(),
            baselined: 0,
        }
    }

    /// Whether the output still works.
    fn check(&self) -> Result<(), Stopped> {
        match self.broken {
            Some(_) => Err(Stopped),
            None => Ok(()),
        }
    }

    /// Keeps the error of a failed write.
    fn keep(&mut self, result: io::Result<()>) -> Result<(), Stopped> {
        if let Err(e) = result {
            self.broken.get_or_insert(e);
        }
        self.check()
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            self.printer.begin(&mut self.out)?;
        }
        Ok(())
    }

    fn write_baseline(&mut self, path: &Path) -> io::Result<()> {
        let mut text = String::from(
            "# vblint baseline: one fingerprint per finding; findings listed here are not reported with --baseline\n",
        );
        self.fingerprints.sort();
        for fp in &self.fingerprints {
            text.push_str(fp);
            text.push('\n');
        }
        std::fs::write(path, text)
    }

    /// Hands a problem to the printer.
    fn report(&mut self, problem: &Problem<'_>) {
        if self.broken.is_some() {
            return;
        }
        let mut streams = Streams {
            report: &mut self.out,
            messages: &mut out::Messages,
        };
        let result = self.printer.problem(&mut streams, problem);
        let _ = self.keep(result);
    }

    fn note(&mut self, note: &str) {
        self.report(&Problem::Note(note));
    }

    fn error(&mut self, d: Diagnostic) {
        self.totals.errors += 1;
        self.report(&Problem::Error(&d));
    }

    /// Reports a problem met while walking a folder. Its message names a
    /// path the walk found, and is shown on one line.
    fn problem(&mut self, p: WalkProblem) {
        match p {
            WalkProblem::Note(n) => self.note(&report::escape::name(&n)),
            WalkProblem::Error(d) => self.error(out::one_line(d)),
        }
    }

    fn write_or_problem(&mut self, item: Result<FileOutput, WalkProblem>) -> Result<(), Stopped> {
        match item {
            Ok(output) => self.write(output),
            Err(p) => {
                self.problem(p);
                self.check()
            }
        }
    }

    fn write(&mut self, output: FileOutput) -> Result<(), Stopped> {
        self.check()?;
        if let Some(d) = output.error {
            self.error(d);
            return self.check();
        }
        if let Some(note) = output.note {
            self.report(&Problem::Skipped(&note));
            return self.check();
        }
        let started = self.start();
        self.keep(started)?;
        let found = output.rendered.iter().any(|r| !r.ends.is_empty());
        if output.record {
            self.totals.records += 1;
            self.totals.records_with_findings += usize::from(found);
        } else {
            self.totals.files += 1;
            self.totals.files_with_findings += usize::from(found);
        }
        if self.keep_fingerprints {
            self.fingerprints.extend(output.fingerprints);
        }
        self.baselined += output.baselined;
        let mut first = self.totals.findings() == 0;
        for (total, n) in self.totals.by_severity.iter_mut().zip(output.counts) {
            *total += n;
        }
        self.failed |= output.failed;
        for part in &output.rendered {
            let written = self
                .printer
                .write(&mut self.out, &part.bytes, &part.ends, first);
            self.keep(written)?;
            first &= part.ends.is_empty();
        }
        Ok(())
    }

    /// Ends the report and returns the exit code: 0 after a closed pipe,
    /// 2 after an error, 1 after findings that fail the run, else 0.
    fn finish(mut self, exit_zero: bool) -> ExitCode {
        if self.broken.is_none() {
            let result = (|| -> io::Result<()> {
                self.start()?;
                let mut streams = Streams {
                    report: &mut self.out,
                    messages: &mut out::Messages,
                };
                self.printer.finish(&mut streams, &self.totals)?;
                self.out.flush()
            })();
            let _ = self.keep(result);
        }
        if let Some(e) = &self.broken {
            return out::write_failed(e);
        }
        if self.totals.errors > 0 {
            ExitCode::Error
        } else if self.failed && !exit_zero {
            ExitCode::Findings
        } else {
            ExitCode::Clean
        }
    }
}

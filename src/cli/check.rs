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
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::batch::{self, Item};
use super::walk::{self, Listed, WalkOptions, WalkProblem, Walked};
use super::{CheckArgs, ExitCode, load_config, load_scanner, print_diagnostics};
use crate::config::{Config, FailOn};
use crate::diagnostic::Diagnostic;
use crate::dismissed::Dismissed;
use crate::input::{self, Kind, Record};
use crate::lexicon::{Severity, io_reason};
use crate::report::{self, Format, HumanStyle, JsonWriter, LineCursor, Source};
use crate::scan::{Finding, Scanner};
use crate::text::Normalized;

/// How many files a worker takes from the walk at a time.
const CHUNK: usize = 16;

/// How many files the walk may hand out before they are scanned.
const MAX_QUEUED: usize = 1024;

/// How much of a file is looked at to decide that it is binary.
const BINARY_PROBE: usize = 8 * 1024;

/// The outcome of one input.
#[derive(Default)]
struct FileOutput {
    /// Rendered findings, in order.
    chunks: Vec<String>,
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
}

/// The `[[files]]` rules of the configuration: the globs, the entries each
/// disables, and the folder the globs are relative to.
pub(super) type PerFile = (GlobSet, Vec<Vec<String>>, PathBuf);

pub(super) struct Job<'a> {
    pub(super) scanner: &'a Scanner,
    format: Format,
    style: HumanStyle,
    json: &'a JsonWriter,
    fail_on: FailOn,
    per_file: Option<PerFile>,
    /// How to read exports.
    pub(super) options: input::Options,
    /// Findings to leave out (`--baseline`).
    baseline: Option<HashSet<String>>,
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
    format: Format,
    style: HumanStyle,
    json: JsonWriter,
    fail_on: FailOn,
    max_file_size: u64,
    per_file: Option<PerFile>,
    options: input::Options,
    baseline: Option<HashSet<String>>,
    dismissed: Option<Dismissed>,
    fingerprints: bool,
}

impl Prepared {
    /// The job for worker threads.
    pub(super) fn job(&self) -> Job<'_> {
        Job {
            scanner: &self.scanner,
            format: self.format,
            style: self.style,
            json: &self.json,
            fail_on: self.fail_on,
            per_file: self.per_file.clone(),
            options: self.options.clone(),
            baseline: self.baseline.clone(),
            dismissed: self.dismissed.as_ref(),
            fingerprints: self.fingerprints,
            max_file_size: self.max_file_size,
        }
    }
}

/// Loads configuration, lexicon and options; prints problems and returns
/// `None` on error.
pub(super) fn prepare(args: &CheckArgs) -> Option<Prepared> {
    let start = args
        .paths
        .iter()
        .find(|p| p.as_os_str() != "-")
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let fail = |d: Diagnostic| {
        print_diagnostics(&[d]);
    };
    let mut config = match load_config(&args.lexicon, &start) {
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
    let baseline = args
        .batch
        .load_baseline()
        .map_err(|e| fail(Diagnostic::error(e)))
        .ok()?;
    let dismissed = if args.lexicon.no_config {
        None
    } else {
        load_dismissed(&start).map_err(fail).ok()?
    };
    Some(Prepared {
        exclude,
        format,
        style: HumanStyle {
            color: args.color.stdout(),
            context: args.context.or(config.context).unwrap_or_default(),
        },
        fail_on: args.fail_on.or(config.fail_on).unwrap_or_default(),
        max_file_size: args.max_file_size,
        per_file,
        options,
        baseline,
        dismissed,
        fingerprints: format == Format::Sarif
            || args.batch.baseline.is_some()
            || args.batch.write_baseline.is_some(),
        json: JsonWriter::new(scanner.lexicon()),
        scanner,
    })
}

pub(super) fn run(args: CheckArgs) -> ExitCode {
    let Some(prepared) = prepare(&args) else {
        return ExitCode::Error;
    };
    let job = prepared.job();
    let format = prepared.format;
    let scanner = &prepared.scanner;
    let exclude = &prepared.exclude;
    let mut writer = Writer::new(format);
    writer.keep_fingerprints = args.batch.write_baseline.is_some();
    let mut paths = args.paths.clone();
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    for path in &paths {
        if path.as_os_str() == "-" {
            let out = scan_stdin(&job, &args.stdin_name);
            if writer.write(out).is_err() {
                return ExitCode::Clean;
            }
            continue;
        }
        let walk_options = WalkOptions {
            hidden: args.hidden,
            no_ignore: args.no_ignore,
        };
        let files = match walk::walk(path, walk_options, exclude.as_ref()) {
            Ok(files) => files,
            Err(d) => {
                writer.error(d);
                continue;
            }
        };
        // Exports are read record by record, after the plain files.
        let mut records = Vec::new();
        let sample = args.batch.sample.map(|n| (n, args.batch.seed));
        let written = match sample {
            Some((n, seed)) => {
                // A sample is drawn from the whole list.
                let mut plain = Vec::new();
                for item in files {
                    match item {
                        Walked::File(f) if Kind::of(&f.path).has_records() => records.push(f),
                        Walked::File(f) => plain.push(f),
                        Walked::Problem(p) => writer.problem(p),
                    }
                }
                if records.is_empty() {
                    plain = batch::sample_files(plain, n, seed);
                }
                scan_in_order(&job, plain.into_iter().map(Walked::File), &mut writer)
            }
            None => {
                let plain = files.filter_map(|item| match item {
                    Walked::File(f) if Kind::of(&f.path).has_records() => {
                        records.push(f);
                        None
                    }
                    item => Some(item),
                });
                scan_in_order(&job, plain, &mut writer)
            }
        };
        if written.is_err() {
            // A closed pipe (`| head`) is not an error.
            return ExitCode::Clean;
        }
        for file in &records {
            if scan_records(&job, &file.path, sample, &mut writer).is_err() {
                return ExitCode::Clean;
            }
        }
    }
    if let Some(path) = &args.batch.write_baseline
        && let Err(e) = writer.write_baseline(path)
    {
        {
            writer.error(Diagnostic::error(format!(
                "cannot write the baseline `{}`: {}",
                path.display(),
                io_reason(&e)
            )));
        }
    }
    let trailer = (format == Format::Sarif).then(|| report::sarif::trailer(scanner.lexicon()));
    writer.finish(args.exit_zero, trailer.as_deref())
}

/// Scans the records of a CSV or JSON Lines export, in parallel batches.
fn scan_records(
    job: &Job<'_>,
    path: &Path,
    sample: Option<(usize, u64)>,
    writer: &mut Writer,
) -> io::Result<()> {
    let shown = path.display().to_string();
    let mut records = match input::open_records(path, Kind::of(path), &job.options) {
        Ok(r) => r,
        Err(e) => {
            writer.error(Diagnostic::error(e));
            return Ok(());
        }
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
                    "{shown}:{}: record {}: {}",
                    bad.line, bad.number, bad.reason
                )));
                true
            }
            Item::Note(note) => {
                writer.note(&note);
                true
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
    for field in &record.fields {
        findings.clear();
        job.scanner.scan_into(&field.text, &mut norm, &mut findings);
        apply_per_file(job, Some(path), &mut findings);
        apply_dismissed(job, &field.text, &mut findings);
        let source = Source {
            path: shown,
            record: Some(&record.id),
            text: &field.text,
            first_line: field.line,
        };
        render_into(job, &source, field.column, &findings, &mut out);
    }
    out
}

fn apply_per_file(job: &Job<'_>, path: Option<&Path>, findings: &mut Vec<Finding>) {
    if let (Some((set, disables, base)), Some(path)) = (&job.per_file, path) {
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
                eprintln!(
                    "vblint: note: skipped {bad} line(s) of `{}` that are not fingerprints",
                    path.display()
                );
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
/// output is closed; then the walk stops.
fn scan_in_order<I>(job: &Job<'_>, items: I, writer: &mut Writer) -> io::Result<()>
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
        failed: None,
    });
    let stopped = || {
        let order = order.lock().unwrap_or_else(PoisonError::into_inner);
        order.failed.is_some()
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
                    // Once the output is closed, nothing more is scanned.
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
    order.failed.map_or(Ok(()), Err)
}

/// Outputs of files scanned in parallel, written in the order of the walk
/// by whichever worker finishes the next one due.
struct InOrder<'w> {
    writer: &'w mut Writer,
    /// Outputs that arrived before their turn.
    early: BTreeMap<usize, Result<FileOutput, WalkProblem>>,
    /// The position of the next output to write.
    next: usize,
    /// Why writing stopped.
    failed: Option<io::Error>,
}

impl InOrder<'_> {
    /// Takes the output at position `i`, and writes every output now due.
    /// False once writing has failed: then nothing more is written.
    fn put(&mut self, i: usize, output: Result<FileOutput, WalkProblem>) -> bool {
        if self.failed.is_some() {
            return false;
        }
        self.early.insert(i, output);
        while let Some(output) = self.early.remove(&self.next) {
            self.next += 1;
            if let Err(e) = self.writer.write_or_problem(output) {
                self.early.clear();
                self.failed = Some(e);
                return false;
            }
        }
        true
    }
}

fn scan_stdin(job: &Job<'_>, name: &str) -> FileOutput {
    match super::read::read_stdin(job.max_file_size) {
        Ok(bytes) => scan_bytes(job, name, None, bytes),
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
    match file_bytes(job, &shown, file) {
        Ok(bytes) => scan_bytes(job, &shown, Some(&file.path), bytes),
        Err(out) => out,
    }
}

/// The bytes of a file (the text of a DOCX or HTML file), or the output
/// that says why there are none: a note for a file skipped on purpose (a
/// pipe or a device), an error otherwise.
fn file_bytes(job: &Job<'_>, shown: &str, file: &Listed) -> Result<Vec<u8>, FileOutput> {
    let path = file.path.as_path();
    match batch::extract_text(path, Kind::of(path)) {
        Some(Ok(text)) => Ok(text.into_bytes()),
        Some(Err(e)) => Err(FileOutput {
            error: Some(Diagnostic::error(e)),
            ..FileOutput::default()
        }),
        None => super::read::read_file(
            path,
            shown,
            job.max_file_size,
            file.walked,
            file.folder.as_deref(),
        )
        .map(|c| c.bytes)
        .map_err(not_read_output),
    }
}

/// The findings in a file for `report`, read and checked as `check` reads
/// it: `Ok(None)` for a file skipped on purpose (binary, a pipe or a device).
pub(super) fn file_findings(
    job: &Job<'_>,
    shown: &str,
    file: &Listed,
) -> Result<Option<Vec<Finding>>, Diagnostic> {
    let found = file_bytes(job, shown, file).and_then(|bytes| {
        text_of(shown, &bytes).map(|text| findings_in(job, Some(&file.path), text))
    });
    match found {
        Ok(findings) => Ok(Some(findings)),
        Err(out) => out.error.map_or(Ok(None), Err),
    }
}

/// The findings of a text, after per-file configuration.
pub(super) fn findings_in(job: &Job<'_>, path: Option<&Path>, text: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    job.scanner.scan_parallel(text, &mut findings);
    apply_per_file(job, path, &mut findings);
    apply_dismissed(job, text, &mut findings);
    findings
}

fn scan_bytes(job: &Job<'_>, shown: &str, path: Option<&Path>, bytes: Vec<u8>) -> FileOutput {
    let text = match text_of(shown, &bytes) {
        Ok(t) => t,
        Err(out) => return out,
    };
    // A byte-order mark stays in the text, so offsets are those of the file;
    // normalisation drops it before matching.
    let findings = findings_in(job, path, text);
    let mut out = FileOutput::default();
    let source = Source {
        path: shown,
        record: None,
        text,
        first_line: 1,
    };
    render_into(job, &source, 1, &findings, &mut out);
    out
}

/// Checks that bytes are text and UTF-8.
///
/// The check runs with SIMD (`simdutf8`, several GB/s), in pieces on all
/// threads for a big file ([`utf8_in_pieces`]); only a file that fails it
/// is looked at again, by the standard library, for the offset of the
/// first bad byte.
fn text_of<'b>(shown: &str, bytes: &'b [u8]) -> Result<&'b str, FileOutput> {
    if memchr::memchr(0, &bytes[..bytes.len().min(BINARY_PROBE)]).is_some() {
        return Err(FileOutput {
            note: Some(format!(
                "skipped `{shown}`: it looks like a binary file, not text"
            )),
            ..FileOutput::default()
        });
    }
    if let Some(text) = utf8_in_pieces(bytes) {
        return Ok(text);
    }
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        return Ok(text);
    }
    let at = std::str::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), str::len);
    Err(FileOutput {
        error: Some(
            Diagnostic::error(format!(
                "`{shown}` is not UTF-8 text (first bad byte at offset {at}); it was not scanned"
            ))
            .help("save or export the file as UTF-8"),
        ),
        ..FileOutput::default()
    })
}

/// Texts at least this big are checked for UTF-8 in pieces on all threads.
const UTF8_IN_PIECES_FROM: usize = 8 << 20;

/// The size of each piece [`utf8_in_pieces`] checks (about; a piece ends
/// where a character may start).
const UTF8_PIECE: usize = 1 << 20;

/// `bytes` as text if they are valid UTF-8, checked in pieces on all
/// threads; `None` when they are not, or are too few to be worth it, or
/// there is one thread.
///
/// A big file is checked whole before its pieces are scanned in parallel:
/// on one thread, this was a twentieth of a 100 MB file's scan, and the
/// part that the other threads waited for.
fn utf8_in_pieces(bytes: &[u8]) -> Option<&str> {
    use rayon::prelude::*;
    if bytes.len() < UTF8_IN_PIECES_FROM || rayon::current_num_threads() < 2 {
        return None;
    }
    // Each piece ends before a byte that is not a continuation byte
    // (`10xxxxxx`), so that valid text is never cut inside a character:
    // every byte after the first of a character's encoding is one.
    let mut cuts = vec![0];
    let mut at = UTF8_PIECE;
    while at < bytes.len() {
        let cut = (at..bytes.len())
            .find(|&i| bytes[i] & 0xC0 != 0x80)
            .unwrap_or(bytes.len());
        cuts.push(cut);
        at = cut + UTF8_PIECE;
    }
    cuts.push(bytes.len());
    cuts.dedup();
    let valid = cuts
        .par_windows(2)
        .all(|cut| simdutf8::basic::from_utf8(&bytes[cut[0]..cut[1]]).is_ok());
    // SAFETY: the pieces follow one another from the first byte to the
    // last, and each is valid UTF-8; valid UTF-8 followed by valid UTF-8
    // is valid UTF-8.
    valid.then(|| unsafe { std::str::from_utf8_unchecked(bytes) })
}

/// Renders findings into `out`; `first_column` is the column in the file of
/// the text's first character (for fields of an export).
fn render_into(
    job: &Job<'_>,
    source: &Source<'_>,
    first_column: usize,
    findings: &[Finding],
    out: &mut FileOutput,
) {
    use rayon::prelude::*;
    let lexicon = job.scanner.lexicon();
    if job.fingerprints || findings.len() <= RENDER_GROUP {
        let located = report::locate(lexicon, source, findings);
        render_located(job, source, first_column, located, out);
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
            render_located(job, source, first_column, located, &mut part);
            part
        })
        .collect();
    for part in parts {
        out.chunks.extend(part.chunks);
        for (total, n) in out.counts.iter_mut().zip(part.counts) {
            *total += n;
        }
        out.failed |= part.failed;
    }
}

/// Files with more findings than this have them rendered in groups of this
/// many, on all threads.
const RENDER_GROUP: usize = 1024;

fn render_located(
    job: &Job<'_>,
    source: &Source<'_>,
    first_column: usize,
    located: Vec<report::Located<'_>>,
    out: &mut FileOutput,
) {
    let mut fingerprinter = report::baseline::Fingerprinter::default();
    for mut l in located {
        if l.line == source.first_line {
            l.column += first_column - 1;
        }
        let fingerprint = job
            .fingerprints
            .then(|| fingerprinter.fingerprint(source, &l.entry.id, l.finding));
        if let (Some(base), Some(fp)) = (&job.baseline, &fingerprint)
            && base.contains(fp)
        {
            continue;
        }
        out.counts[severity_index(l.finding.severity)] += 1;
        out.failed |= job.fail_on.fails(l.finding.severity);
        out.chunks.push(match job.format {
            Format::Sarif => report::sarif::result(source, &l, fingerprint.as_deref()),
            format => report::render(format, source, &l, job.style, job.json),
        });
        if let Some(fp) = fingerprint {
            out.fingerprints.push(fp);
        }
    }
}

fn severity_index(s: Severity) -> usize {
    match s {
        Severity::Hint => 0,
        Severity::Info => 1,
        Severity::Warning => 2,
        Severity::Error => 3,
    }
}

/// Writes outputs in order and keeps the totals.
struct Writer {
    format: Format,
    out: io::BufWriter<io::Stdout>,
    first_json: bool,
    files: usize,
    files_with_findings: usize,
    counts: [usize; 4],
    failed: bool,
    errors: usize,
    records: usize,
    records_with_findings: usize,
    started: bool,
    keep_fingerprints: bool,
    fingerprints: Vec<String>,
}

impl Writer {
    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            match self.format {
                Format::Sarif => self.out.write_all(report::sarif::HEADER.as_bytes())?,
                Format::Csv => self.out.write_all(report::csv::HEADER.as_bytes())?,
                _ => {}
            }
        }
        Ok(())
    }

    fn note(&mut self, note: &str) {
        let _ = self.out.flush();
        eprintln!("vblint: note: {note}");
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

    fn new(format: Format) -> Writer {
        Writer {
            format,
            out: io::BufWriter::new(io::stdout()),
            first_json: true,
            files: 0,
            files_with_findings: 0,
            counts: [0; 4],
            failed: false,
            errors: 0,
            records: 0,
            records_with_findings: 0,
            started: false,
            keep_fingerprints: false,
            fingerprints: Vec::new(),
        }
    }

    fn error(&mut self, d: Diagnostic) {
        self.errors += 1;
        let _ = self.out.flush();
        eprintln!("vblint: {d}");
    }

    /// Reports a problem met while walking a folder.
    fn problem(&mut self, p: WalkProblem) {
        match p {
            WalkProblem::Note(n) => self.note(&n),
            WalkProblem::Error(d) => self.error(d),
        }
    }

    fn write_or_problem(&mut self, item: Result<FileOutput, WalkProblem>) -> io::Result<()> {
        match item {
            Ok(output) => self.write(output),
            Err(p) => {
                self.problem(p);
                Ok(())
            }
        }
    }

    fn write(&mut self, output: FileOutput) -> io::Result<()> {
        if let Some(d) = output.error {
            self.error(d);
            return Ok(());
        }
        if let Some(note) = output.note {
            let _ = self.out.flush();
            eprintln!("vblint: {note}");
            return Ok(());
        }
        self.start()?;
        if output.record {
            self.records += 1;
            if !output.chunks.is_empty() {
                self.records_with_findings += 1;
            }
        } else {
            self.files += 1;
            if !output.chunks.is_empty() {
                self.files_with_findings += 1;
            }
        }
        if self.keep_fingerprints {
            self.fingerprints.extend(output.fingerprints);
        }
        for (total, n) in self.counts.iter_mut().zip(output.counts) {
            *total += n;
        }
        self.failed |= output.failed;
        for chunk in output.chunks {
            match self.format {
                Format::Sarif => {
                    let sep = if self.first_json {
                        "\n        "
                    } else {
                        ",\n        "
                    };
                    self.first_json = false;
                    self.out.write_all(sep.as_bytes())?;
                    self.out.write_all(chunk.as_bytes())?;
                }
                Format::Json => {
                    let sep = if self.first_json { "[\n  " } else { ",\n  " };
                    self.first_json = false;
                    self.out.write_all(sep.as_bytes())?;
                    self.out.write_all(chunk.as_bytes())?;
                }
                Format::Jsonl => {
                    self.out.write_all(chunk.as_bytes())?;
                    self.out.write_all(b"\n")?;
                }
                Format::Human | Format::Concise | Format::Github | Format::Csv => {
                    self.out.write_all(chunk.as_bytes())?;
                }
            }
        }
        Ok(())
    }

    fn finish(mut self, exit_zero: bool, trailer: Option<&str>) -> ExitCode {
        let total: usize = self.counts.iter().sum();
        let result = (|| -> io::Result<()> {
            self.start()?;
            match self.format {
                Format::Sarif => {
                    let end = if self.first_json { "" } else { "\n" };
                    self.out.write_all(end.as_bytes())?;
                    self.out.write_all(trailer.unwrap_or_default().as_bytes())?;
                }
                Format::Json => {
                    let end = if self.first_json { "[]\n" } else { "\n]\n" };
                    self.out.write_all(end.as_bytes())?;
                }
                Format::Jsonl => {
                    let summary = Summary {
                        kind: "summary",
                        files: self.files,
                        files_with_findings: self.files_with_findings,
                        records: self.records,
                        records_with_findings: self.records_with_findings,
                        findings: total,
                        errors: self.errors,
                        by_severity: BySeverity {
                            error: self.counts[3],
                            warning: self.counts[2],
                            info: self.counts[1],
                            hint: self.counts[0],
                        },
                    };
                    let summary = serde_json::to_string(&summary).expect("summary serialises");
                    writeln!(self.out, "{summary}")?;
                }
                Format::Human | Format::Concise | Format::Github | Format::Csv => {}
            }
            self.out.flush()
        })();
        if result.is_err() {
            return ExitCode::Clean;
        }
        if matches!(
            self.format,
            Format::Human | Format::Concise | Format::Github
        ) {
            eprintln!("{}", self.summary_line(total));
        }
        if self.errors > 0 {
            ExitCode::Error
        } else if self.failed && !exit_zero {
            ExitCode::Findings
        } else {
            ExitCode::Clean
        }
    }

    fn summary_line(&self, total: usize) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let mut parts = Vec::new();
        for (i, name) in [(3, "error"), (2, "warning"), (1, "info"), (0, "hint")] {
            if self.counts[i] > 0 {
                parts.push(if name == "info" {
                    format!("{} info", self.counts[i])
                } else {
                    plural(self.counts[i], name)
                });
            }
        }
        let detail = if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        };
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

/// The last record of `jsonl` output.
#[derive(serde::Serialize)]
struct Summary {
    #[serde(rename = "type")]
    kind: &'static str,
    files: usize,
    files_with_findings: usize,
    #[serde(skip_serializing_if = "is_zero")]
    records: usize,
    #[serde(skip_serializing_if = "is_zero")]
    records_with_findings: usize,
    findings: usize,
    errors: usize,
    by_severity: BySeverity,
}

#[derive(serde::Serialize)]
struct BySeverity {
    error: usize,
    warning: usize,
    info: usize,
    hint: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_texts_are_checked_for_utf8_in_pieces_as_whole() {
        if rayon::current_num_threads() < 2 {
            eprintln!("skipped: one thread");
            return;
        }
        // Characters of one to four bytes, so that pieces end inside them.
        let text = "a é – 😀 ".repeat(UTF8_IN_PIECES_FROM / 8 + 1000);
        let bytes = text.as_bytes();
        assert_eq!(utf8_in_pieces(bytes), Some(text.as_str()));
        // Too small: left to the check of the whole.
        assert_eq!(utf8_in_pieces(&bytes[..UTF8_IN_PIECES_FROM - 1]), None);
        // A bad byte anywhere, including just before and after a piece's
        // end, and a character cut short at the end.
        let cut = (UTF8_PIECE..)
            .find(|&i| bytes[i] & 0xC0 != 0x80)
            .expect("a cut");
        for at in [0, cut - 1, cut, cut + 1, bytes.len() / 2, bytes.len() - 1] {
            let mut bad = bytes.to_vec();
            bad[at] = 0xFF;
            assert_eq!(utf8_in_pieces(&bad), None, "a bad byte at {at}");
        }
        let short = bytes.len() - " ".len() - "😀".len() + 2;
        assert!(std::str::from_utf8(&bytes[..short]).is_err());
        assert_eq!(utf8_in_pieces(&bytes[..short]), None);
    }
}

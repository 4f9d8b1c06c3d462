//! `vblint check`: scan files, folders and standard input.
//!
//! Files are listed first (sorted, .gitignore-aware), then scanned in
//! parallel in batches; each worker renders its file's output, and the main
//! thread writes batches in order, so output is deterministic and memory is
//! bounded by one batch of files.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use super::{CheckArgs, ExitCode, load_config, load_scanner, print_diagnostics};
use crate::config::{Config, FailOn};
use crate::diagnostic::Diagnostic;
use crate::lexicon::{Severity, io_reason};
use crate::report::{self, Format, HumanStyle, Source};
use crate::scan::{Finding, Scanner};
use crate::text::Normalized;

/// How many files are scanned between two writes.
const BATCH: usize = 256;

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
}

struct Job<'a> {
    scanner: &'a Scanner,
    format: Format,
    style: HumanStyle,
    fail_on: FailOn,
    max_file_size: u64,
    per_file: Option<(GlobSet, Vec<Vec<String>>, PathBuf)>,
}

pub(super) fn run(args: CheckArgs) -> ExitCode {
    let start = args
        .paths
        .iter()
        .find(|p| p.as_os_str() != "-")
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let mut config = match load_config(&args.lexicon, &start) {
        Ok(c) => c,
        Err(d) => {
            print_diagnostics(&[d]);
            return ExitCode::Error;
        }
    };
    if let Some(q) = args.quotes {
        config.quotes = Some(q.into());
    }
    let Some(scanner) = load_scanner(&config) else {
        return ExitCode::Error;
    };
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
    let per_file = match per_file_rules(&config) {
        Ok(p) => p,
        Err(d) => {
            print_diagnostics(&[d]);
            return ExitCode::Error;
        }
    };
    let job = Job {
        scanner: &scanner,
        format,
        style: HumanStyle {
            color: args.color.stdout(),
            context: args.context.or(config.context).unwrap_or_default(),
        },
        fail_on: args.fail_on.or(config.fail_on).unwrap_or_default(),
        max_file_size: args.max_file_size,
        per_file,
    };

    let mut writer = Writer::new(format);
    let mut paths = args.paths.clone();
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let exclude = match exclude_set(&config) {
        Ok(e) => e,
        Err(d) => {
            print_diagnostics(&[d]);
            return ExitCode::Error;
        }
    };
    for path in &paths {
        if path.as_os_str() == "-" {
            let out = scan_stdin(&job, &args.stdin_name);
            if writer.write(out).is_err() {
                return ExitCode::Clean;
            }
            continue;
        }
        let files = match list_files(path, &args, exclude.as_ref(), &mut writer) {
            Ok(files) => files,
            Err(d) => {
                writer.error(d);
                continue;
            }
        };
        for batch in files.chunks(BATCH) {
            let outputs: Vec<FileOutput> = batch.par_iter().map(|f| scan_file(&job, f)).collect();
            for out in outputs {
                if writer.write(out).is_err() {
                    // A closed pipe (`| head`) is not an error.
                    return ExitCode::Clean;
                }
            }
        }
    }
    writer.finish(args.exit_zero)
}

/// Compiles the `[[files]]` globs of the configuration.
/// The `[[files]]` globs, the rules each disables, and the folder they are relative to.
pub(super) type PerFile = (GlobSet, Vec<Vec<String>>, PathBuf);

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

/// Every file under `path`, sorted; a file given by name is always included.
fn list_files(
    path: &Path,
    args: &CheckArgs,
    exclude: Option<&GlobSet>,
    writer: &mut Writer,
) -> Result<Vec<PathBuf>, Diagnostic> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Diagnostic::error(format!(
            "cannot read `{}`: {}",
            path.display(),
            io_reason(&e)
        ))
    })?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    let walker = ignore::WalkBuilder::new(path)
        .hidden(!args.hidden)
        .git_ignore(!args.no_ignore)
        .git_global(!args.no_ignore)
        .git_exclude(!args.no_ignore)
        .ignore(!args.no_ignore)
        .parents(!args.no_ignore)
        .require_git(false)
        .follow_links(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for item in walker {
        match item {
            Ok(entry) => {
                let Some(kind) = entry.file_type() else {
                    continue;
                };
                if !kind.is_file() {
                    // Folders are walked and links are not followed; pipes,
                    // sockets and devices are never opened.
                    if !kind.is_dir() && !kind.is_symlink() {
                        writer.note(format!(
                            "skipped `{}`: it is a pipe, socket or device, not a file",
                            entry.path().display()
                        ));
                    }
                    continue;
                }
                let p = entry.into_path();
                let relative = p.strip_prefix(path).unwrap_or(&p);
                if exclude.is_some_and(|set| set.is_match(relative) || set.is_match(&p)) {
                    continue;
                }
                files.push(p);
            }
            Err(e) => writer.error(walk_error(&e)),
        }
    }
    Ok(files)
}

/// A problem met while walking a folder, in plain words.
fn walk_error(e: &ignore::Error) -> Diagnostic {
    let io = e.io_error();
    let reason = io.map_or_else(|| e.to_string(), io_reason);
    let d = Diagnostic::error(format!("could not scan part of a folder: {reason}"));
    let d = match io.map(io::Error::kind) {
        Some(io::ErrorKind::PermissionDenied) => {
            d.help("ask for read access to that folder, or exclude it in vblint.toml")
        }
        _ => d.help("check the folder, or exclude it in vblint.toml"),
    };
    // The message of the walker names the path.
    d.note(e.to_string())
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

fn scan_file(job: &Job<'_>, path: &Path) -> FileOutput {
    let shown = path.display().to_string();
    match super::read::read_file(path, &shown, job.max_file_size) {
        Ok(c) => scan_bytes(job, &shown, Some(path), c.bytes),
        Err(not_read) => not_read_output(not_read),
    }
}

fn scan_bytes(job: &Job<'_>, shown: &str, path: Option<&Path>, bytes: Vec<u8>) -> FileOutput {
    if memchr::memchr(0, &bytes[..bytes.len().min(BINARY_PROBE)]).is_some() {
        return FileOutput {
            note: Some(format!(
                "skipped `{shown}`: it looks like a binary file, not text"
            )),
            ..FileOutput::default()
        };
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            return FileOutput {
                error: Some(
                    Diagnostic::error(format!(
                        "`{shown}` is not UTF-8 text (first bad byte at offset {at}); it was not scanned"
                    ))
                    .help("save or export the file as UTF-8"),
                ),
                ..FileOutput::default()
            };
        }
    };
    // A byte-order mark stays in the text, so offsets are those of the file;
    // normalisation drops it before matching.
    let mut findings = Vec::new();
    job.scanner
        .scan_into(&text, &mut Normalized::default(), &mut findings);
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
    render_findings(job, shown, &text, &findings)
}

fn render_findings(job: &Job<'_>, shown: &str, text: &str, findings: &[Finding]) -> FileOutput {
    let mut out = FileOutput::default();
    let source = Source {
        path: shown,
        record: None,
        text,
        first_line: 1,
    };
    let lexicon = job.scanner.lexicon();
    for l in report::locate(lexicon, &source, findings) {
        out.counts[severity_index(l.finding.severity)] += 1;
        out.failed |= job.fail_on.fails(l.finding.severity);
        out.chunks
            .push(report::render(job.format, &source, &l, job.style));
    }
    out
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
}

impl Writer {
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
        }
    }

    fn note(&mut self, note: String) {
        let _ = self.out.flush();
        eprintln!("vblint: {note}");
    }

    fn error(&mut self, d: Diagnostic) {
        self.errors += 1;
        let _ = self.out.flush();
        eprintln!("vblint: {d}");
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
        self.files += 1;
        if !output.chunks.is_empty() {
            self.files_with_findings += 1;
        }
        for (total, n) in self.counts.iter_mut().zip(output.counts) {
            *total += n;
        }
        self.failed |= output.failed;
        for chunk in output.chunks {
            match self.format {
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
                Format::Human | Format::Concise => self.out.write_all(chunk.as_bytes())?,
            }
        }
        Ok(())
    }

    fn finish(mut self, exit_zero: bool) -> ExitCode {
        let total: usize = self.counts.iter().sum();
        let result = (|| -> io::Result<()> {
            match self.format {
                Format::Json => {
                    let end = if self.first_json { "[]\n" } else { "\n]\n" };
                    self.out.write_all(end.as_bytes())?;
                }
                Format::Jsonl => {
                    let summary = Summary {
                        kind: "summary",
                        files: self.files,
                        files_with_findings: self.files_with_findings,
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
                Format::Human | Format::Concise => {}
            }
            self.out.flush()
        })();
        if result.is_err() {
            return ExitCode::Clean;
        }
        if matches!(self.format, Format::Human | Format::Concise) {
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
        let mut line = format!(
            "vblint: {}{detail} in {} of {} scanned",
            plural(total, "finding"),
            self.files_with_findings,
            plural(self.files, "file"),
        );
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

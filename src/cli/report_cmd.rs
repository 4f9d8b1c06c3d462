//! `vblint report`: counts instead of findings, for managers and auditors.
//!
//! Reads the same inputs as `check` (files, folders, CSV and JSON Lines
//! exports, DOCX, HTML) with the same options, and prints counts per rule,
//! category, file or record, author, team and month. Summaries never contain
//! case text; small counts are shown as `<N`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use rayon::prelude::*;

use super::batch::{self, BatchArgs, Item};
use super::check::{self, Job, Setups};
use super::out::{self, say};
use super::walk::{self, Listed, WalkArgs};
use super::{
    CheckArgs, ColorChoice, ConfigOf, ExitCode, LexiconArgs, NestedExcludes, QuotePolicyArg,
};
use crate::diagnostic::Diagnostic;
use crate::input::{self, Kind};
use crate::report::insight::{self, Provenance};
use crate::report::summary::{self, Summary, Suppress, Unit};
use crate::report::{self, Format, escape};

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(super) enum ReportFormat {
    /// A plain-text table.
    Table,
    /// CSV: section,key,records,findings,rate_per_1000.
    Csv,
    /// One JSON object.
    Json,
    /// One self-contained HTML page with charts (printable).
    Html,
}

/// The groups a report may show figures for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(super) enum ByArg {
    /// Per team (the default).
    Team,
    /// Per author: only when asked, with small counts hidden.
    Author,
}

#[derive(Debug, Args)]
pub(super) struct ReportArgs {
    /// Files or folders to count. Default: the current folder.
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
    /// Counts below this are shown as `<N`, so individuals are not exposed.
    #[arg(long, value_name = "N", default_value_t = 5)]
    min_count: usize,
    /// The report's title (HTML).
    #[arg(long, default_value = "Victim-blaming language report")]
    title: String,
    /// Figures per team (the default) or also per author (`--by author`;
    /// small counts are still hidden). Repeatable.
    #[arg(long, value_enum, value_name = "GROUP")]
    by: Vec<ByArg>,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// What to do with terms inside quotation marks.
    #[arg(long, value_enum)]
    quotes: Option<QuotePolicyArg>,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j')]
    threads: Option<usize>,
    #[command(flatten)]
    walk: WalkArgs,
    #[command(flatten)]
    lexicon: LexiconArgs,
    #[command(flatten)]
    batch: BatchArgs,
}

pub(super) fn run(args: ReportArgs) -> ExitCode {
    let check_args = CheckArgs {
        paths: args.paths.clone(),
        format: Some(Format::Jsonl),
        fail_on: None,
        exit_zero: true,
        quotes: args.quotes,
        context: None,
        color: ColorChoice::Never,
        threads: args.threads,
        walk: args.walk,
        stdin_name: "-".into(),
        lexicon: args.lexicon.clone(),
        batch: args.batch.clone(),
    };
    let mut paths = args.paths.clone();
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    // Each file is counted under its own folder's configuration.
    let Some(mut setups) = Setups::new(&check_args, &paths, "reported") else {
        return ExitCode::Error;
    };
    let mut configs = ConfigOf::new(&args.lexicon);
    let mut nested = NestedExcludes::default();
    let mut summary = Summary::default();
    let mut inputs: Vec<String> = Vec::new();
    let mut read_total = 0usize;
    let mut errors = 0usize;
    let mut error = |d: Diagnostic| {
        errors += 1;
        say!("{d}");
    };
    let sample = args.batch.sample.map(|n| (n, args.batch.seed));
    let mut listed_paths = Vec::new();
    for (index, path) in paths.iter().enumerate() {
        let at = setups.of_path[index];
        let mut on_problem = |p: walk::WalkProblem| match p {
            walk::WalkProblem::Note(n) => say!("note: {}", escape::name(&n)),
            walk::WalkProblem::Error(d) => error(out::one_line(d)),
        };
        let exclude = setups.prepared[at].exclude.as_ref();
        match walk::list_files(path, args.walk, exclude, &mut on_problem) {
            Ok(files) => {
                let of = (path.as_path(), at);
                let Some(files) =
                    setups.of_files(&check_args, of, files, &mut configs, &mut nested)
                else {
                    return ExitCode::Error;
                };
                listed_paths.push(files);
            }
            Err(d) => error(out::one_line(d)),
        }
    }
    for files in listed_paths {
        inputs.extend(files.iter().map(|(f, _)| f.path.display().to_string()));
        let (records, plain): (Vec<FileSetup>, Vec<FileSetup>) = files
            .into_iter()
            .partition(|(f, _)| Kind::of(&f.path).has_records());
        if records.is_empty() {
            read_total += plain.len();
        }
        let plain = match sample {
            Some((n, seed)) if records.is_empty() => batch::sample_files(plain, n, seed),
            _ => plain,
        };
        let jobs: Vec<Job<'_>> = setups.prepared.iter().map(|p| p.job()).collect();
        for chunk in plain.chunks(256) {
            let units: Vec<Result<Option<Unit>, Diagnostic>> = chunk
                .par_iter()
                .map(|(f, at)| {
                    let job = &jobs[*at];
                    let shown = f.path.display().to_string();
                    let named = escape::name(&shown);
                    let findings = match check::file_findings(job, &named, f) {
                        Ok(Some(findings)) => findings,
                        Ok(None) => return Ok(None),
                        Err(d) => return Err(d),
                    };
                    Ok(Some(unit(
                        job,
                        shown,
                        false,
                        &findings,
                        input::Meta::default(),
                    )))
                })
                .collect();
            for u in units {
                match u {
                    Ok(Some(u)) => {
                        summary.add(&u);
                        if sample.is_some() {
                            summary.sampled.push((u.name.clone(), u.findings.len()));
                        }
                    }
                    Ok(None) => summary.skip("files not scanned (not text)"),
                    Err(d) => {
                        summary.skip("files that could not be read");
                        error(d);
                    }
                }
            }
        }
        for (listed, at) in &records {
            let job = &jobs[*at];
            let file = &listed.path;
            let shown = file.display().to_string();
            let named = escape::name(&shown);
            let limits = input::Limits {
                max_file_size: job.max_file_size,
            };
            let opened = input::open_records(
                &listed.file_ref(&named),
                Kind::of(file),
                limits,
                job.options,
            );
            let mut reader = match opened {
                Ok(r) => r,
                Err(input::NotRead::Skipped(note)) => {
                    summary.skip("files not scanned (not text)");
                    say!("{}", out::name_escaped_in(&note, &shown));
                    continue;
                }
                Err(input::NotRead::Error(d)) => {
                    summary.skip("files that could not be read");
                    error(out::escaped(d, Some(&shown)));
                    continue;
                }
            };
            read_total += batch::for_each_record(
                reader.as_mut(),
                sample,
                |record| {
                    let mut all = Vec::new();
                    let facts = crate::scan::RecordFacts {
                        age: record.meta.age,
                    };
                    for field in &record.fields {
                        all.extend(check::findings_in_record(
                            job,
                            Some(file),
                            &field.text,
                            &facts,
                        ));
                    }
                    unit(
                        job,
                        format!("{shown}#{}", record.id),
                        true,
                        &all,
                        record.meta.clone(),
                    )
                },
                |item| {
                    match item {
                        Item::Done(u) => {
                            summary.add(&u);
                            if sample.is_some() {
                                summary.sampled.push((u.name.clone(), u.findings.len()));
                            }
                        }
                        Item::Bad(bad) => {
                            summary.skip("export rows that could not be read (see the messages)");
                            error(Diagnostic::error(format!(
                                "{named}:{}: record {}: {}",
                                bad.line, bad.number, bad.reason
                            )))
                        }
                        Item::Note(n) => say!("note: {}", out::name_escaped_in(&n, &shown)),
                    }
                    true
                },
            );
        }
    }
    let sup = Suppress {
        min: args.min_count.max(1),
    };
    let by_author = args.by.contains(&ByArg::Author);
    if !by_author {
        summary.by_author.clear();
    }
    let provenance = provenance(
        &args,
        &setups,
        inputs,
        sample.map(|(n, _)| (n, summary.units(), read_total)),
    );
    let text = match args.format {
        ReportFormat::Table => summary::table(&summary, sup, &provenance),
        ReportFormat::Csv => summary::csv(&summary, sup, &provenance),
        ReportFormat::Json => summary::json(&summary, sup, &provenance),
        ReportFormat::Html => report::html::render(&summary, sup, &args.title, &provenance),
    };
    let code = if errors > 0 {
        ExitCode::Error
    } else {
        ExitCode::Clean
    };
    out::write_document(args.output.as_deref(), "the report", &text, code, None)
}

/// Where the report's figures come from.
fn provenance(
    args: &ReportArgs,
    setups: &Setups,
    mut inputs: Vec<String>,
    sample: Option<(usize, usize, usize)>,
) -> Provenance {
    let ((lexicon_hash, lexicon_entries, lexicon_reviewed), other_lexicons) =
        setups.lexicon_versions();
    if inputs.len() > 20 {
        let n = inputs.len();
        inputs = args.paths.iter().map(|p| p.display().to_string()).collect();
        if inputs.is_empty() {
            inputs.push(".".into());
        }
        inputs.push(format!("({n} files)"));
    }
    let mut options: Vec<(String, String)> = Vec::new();
    let mut opt = |k: &str, v: String| options.push((k.to_string(), v));
    opt("--min-count", args.min_count.max(1).to_string());
    if let Some(q) = args.quotes {
        opt(
            "--quotes",
            q.to_possible_value()
                .map(|v| v.get_name().to_string())
                .unwrap_or_default(),
        );
    }
    for b in &args.by {
        opt(
            "--by",
            b.to_possible_value()
                .map(|v| v.get_name().to_string())
                .unwrap_or_default(),
        );
    }
    let batch = &args.batch;
    for c in &batch.csv_text_column {
        opt("--csv-text-column", c.clone());
    }
    for (k, v) in [
        ("--csv-id-column", &batch.csv_id_column),
        ("--csv-author-column", &batch.csv_author_column),
        ("--csv-team-column", &batch.csv_team_column),
        ("--csv-date-column", &batch.csv_date_column),
        ("--json-id-field", &batch.json_id_field),
    ] {
        if let Some(v) = v {
            opt(k, v.clone());
        }
    }
    for f in &batch.json_text_field {
        opt("--json-text-field", f.clone());
    }
    if let Some(n) = batch.sample {
        opt("--sample", n.to_string());
        opt("--seed", batch.seed.to_string());
    }
    for l in &args.lexicon.lexicon {
        opt("--lexicon", l.display().to_string());
    }
    for d in &args.lexicon.disable {
        opt("--disable", d.clone());
    }
    if args.lexicon.no_builtin {
        opt("--no-builtin", String::new());
    }
    if args.lexicon.no_config {
        opt("--no-config", String::new());
    }
    Provenance {
        generated_at: insight::generated_at(),
        inputs,
        lexicon_hash,
        lexicon_entries,
        lexicon_reviewed,
        other_lexicons,
        options,
        sample,
        by_author: args.by.contains(&ByArg::Author),
    }
}

/// A file listed, and the index of its setup.
type FileSetup = (Listed, usize);

fn unit(
    job: &Job<'_>,
    name: String,
    record: bool,
    findings: &[crate::scan::Finding],
    meta: input::Meta,
) -> Unit {
    let lexicon = job.scanner.lexicon();
    Unit {
        name,
        record,
        author: meta.author,
        team: meta.team,
        date: meta.date,
        findings: findings
            .iter()
            .map(|f| {
                let e = lexicon.get(f.entry);
                (e.id.clone(), e.category.as_str())
            })
            .collect(),
    }
}

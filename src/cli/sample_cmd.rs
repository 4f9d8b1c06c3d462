//! `vblint sample`: a printable dip-sample pack (HTML) for a reviewer: N
//! records (or files) drawn at random, one page each, findings highlighted,
//! the text shown as `--context` says, and tick boxes.

use std::path::PathBuf;

use clap::Args;

use super::batch::{self, BatchArgs, Item};
use super::check::{self, Job, Setups};
use super::out::{self, say};
use super::walk::{self, WalkArgs};
use super::{
    CheckArgs, ColorChoice, ConfigOf, ExitCode, LexiconArgs, NestedExcludes, QuotePolicyArg,
};
use crate::config::ContextMode;
use crate::diagnostic::Diagnostic;
use crate::input::{self, Kind};
use crate::report::pack::{self, PackField, PackFinding, PackInfo, PackRecord};
use crate::report::{Format, escape, insight};
use crate::scan::Finding;

/// Records drawn when `--sample` is not given.
const DEFAULT_SAMPLE: usize = 20;

#[derive(Debug, Args)]
pub(super) struct SampleArgs {
    /// Files or folders to draw from. Default: the current folder.
    paths: Vec<PathBuf>,
    /// How much case text the pack shows: the full text, redacted (only the
    /// flagged words) or none (only the rules found).
    #[arg(long, value_enum, default_value_t = ContextMode::Full)]
    context: ContextMode,
    /// The pack's title.
    #[arg(long, default_value = "Dip sample: victim-blaming language")]
    title: String,
    /// Write the pack to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// What to do with terms inside quotation marks.
    #[arg(long, value_enum)]
    quotes: Option<QuotePolicyArg>,
    #[command(flatten)]
    walk: WalkArgs,
    #[command(flatten)]
    lexicon: LexiconArgs,
    #[command(flatten)]
    batch: BatchArgs,
}

fn pack_findings(job: &check::Job<'_>, findings: &[Finding]) -> Vec<PackFinding> {
    let lexicon = job.scanner.lexicon();
    findings
        .iter()
        .map(|f| {
            let e = lexicon.get(f.entry);
            PackFinding {
                span: f.span.clone(),
                rule: e.id.clone(),
                message: e.message(),
                alternatives: e.alternatives.clone(),
                quoted: f.quoted,
            }
        })
        .collect()
}

pub(super) fn run(args: SampleArgs) -> ExitCode {
    let n = args.batch.sample.unwrap_or(DEFAULT_SAMPLE);
    let seed = args.batch.seed;
    let check_args = CheckArgs {
        paths: args.paths.clone(),
        format: Some(Format::Jsonl),
        fail_on: None,
        exit_zero: true,
        quotes: args.quotes,
        context: None,
        color: ColorChoice::Never,
        threads: None,
        walk: args.walk,
        stdin_name: "-".into(),
        lexicon: args.lexicon.clone(),
        batch: args.batch.clone(),
    };
    let mut paths = args.paths.clone();
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    // Each record is read under its own folder's configuration.
    let Some(mut setups) = Setups::new(&check_args, &paths, "sampled") else {
        return ExitCode::Error;
    };
    let mut configs = ConfigOf::new(&args.lexicon);
    let mut nested = NestedExcludes::default();
    let mut errors = 0usize;
    let mut error = |d: Diagnostic| {
        errors += 1;
        say!("{d}");
    };
    let mut records: Vec<PackRecord> = Vec::new();
    let mut inputs = Vec::new();
    let mut read = 0usize;
    let mut any_export = false;
    for (index, path) in paths.iter().enumerate() {
        let at = setups.of_path[index];
        let mut on_problem = |p: walk::WalkProblem| match p {
            walk::WalkProblem::Note(n) => say!("note: {}", escape::name(&n)),
            walk::WalkProblem::Error(d) => error(out::one_line(d)),
        };
        let exclude = setups.prepared[at].exclude.as_ref();
        let files = match walk::list_files(path, args.walk, exclude, &mut on_problem) {
            Ok(f) => f,
            Err(d) => {
                error(out::one_line(d));
                continue;
            }
        };
        let of = (path.as_path(), at);
        let Some(files) = setups.of_files(&check_args, of, files, &mut configs, &mut nested) else {
            return ExitCode::Error;
        };
        inputs.extend(files.iter().map(|(f, _)| f.path.display().to_string()));
        let jobs: Vec<Job<'_>> = setups.prepared.iter().map(|p| p.job()).collect();
        let (exports, plain): (Vec<_>, Vec<_>) = files
            .into_iter()
            .partition(|(f, _)| Kind::of(&f.path).has_records());
        any_export |= !exports.is_empty();
        if exports.is_empty() {
            read += plain.len();
            for (f, at) in batch::sample_files(plain, n, seed) {
                let job = &jobs[at];
                let shown = f.path.display().to_string();
                let named = escape::name(&shown);
                match check::file_text_findings(job, &named, &f) {
                    Ok(Some((text, findings))) => records.push(PackRecord {
                        id: shown.clone(),
                        file: shown,
                        team: None,
                        date: None,
                        fields: vec![PackField {
                            name: String::new(),
                            findings: pack_findings(job, &findings),
                            text,
                        }],
                    }),
                    Ok(None) => {}
                    Err(d) => error(d),
                }
            }
        }
        for (listed, at) in &exports {
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
                    say!("{}", out::name_escaped_in(&note, &shown));
                    continue;
                }
                Err(input::NotRead::Error(d)) => {
                    error(out::escaped(d, Some(&shown)));
                    continue;
                }
            };
            read += batch::for_each_record(
                reader.as_mut(),
                Some((n, seed)),
                |record| PackRecord {
                    id: record.id.clone(),
                    file: shown.clone(),
                    team: record.meta.team.clone(),
                    date: record.meta.date.clone(),
                    fields: record
                        .fields
                        .iter()
                        .map(|field| PackField {
                            name: field.name.clone(),
                            findings: pack_findings(
                                job,
                                &check::findings_in(job, Some(file), &field.text),
                            ),
                            text: field.text.clone(),
                        })
                        .collect(),
                },
                |item| {
                    match item {
                        Item::Done(r) => records.push(r),
                        Item::Bad(bad) => error(Diagnostic::error(format!(
                            "{named}:{}: record {}: {}",
                            bad.line, bad.number, bad.reason
                        ))),
                        Item::Note(n) => say!("note: {}", out::name_escaped_in(&n, &shown)),
                    }
                    true
                },
            );
        }
    }
    let ((hash, entries, reviewed), others) = setups.lexicon_versions();
    let lexicon = insight::Provenance {
        lexicon_hash: hash,
        lexicon_entries: entries,
        lexicon_reviewed: reviewed,
        other_lexicons: others,
        ..insight::Provenance::default()
    }
    .lexicon_words();
    let generated_at = insight::generated_at();
    let info = PackInfo {
        title: &args.title,
        drawn: records.len(),
        word: if any_export || records.is_empty() {
            "records"
        } else {
            "files"
        },
        read,
        seed,
        inputs: &inputs,
        generated_at: &generated_at,
        lexicon: &lexicon,
        context: args.context,
    };
    let text = pack::render(&records, &info);
    let code = if errors > 0 {
        ExitCode::Error
    } else {
        ExitCode::Clean
    };
    let written = args.output.as_deref().map(|p| {
        format!(
            "wrote a sample of {} of {read} {} to {}",
            records.len(),
            info.word,
            out::shown(p)
        )
    });
    out::write_document(
        args.output.as_deref(),
        "the sample pack",
        &text,
        code,
        written,
    )
}

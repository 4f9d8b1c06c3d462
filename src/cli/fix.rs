//! `vblint fix`: show (`--diff`, the default) or make (`--write`) the safe,
//! mechanical replacements of [`crate::fix`].
//!
//! Writes are atomic ([`crate::atomic`]): the new text goes to a temporary
//! file in the same folder, is flushed to disk, gets the original's
//! permissions, and replaces the original by a rename, only if the original
//! has not changed since it was read (same length, modification time and
//! bytes), checked again on the old file just after the replacement where
//! the system can exchange two files. Any failure leaves the original as it
//! was. Temporary files a crash left in a folder are removed before the
//! first write there ([`crate::atomic::remove_stale`]).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::out::{self, say};
use super::read::{Contents, NotRead};
use super::walk::Listed;
use super::{
    ConfigOf, ExitCode, FixArgs, NestedExcludes, config_file, load_config, load_scanner,
    note_configurations, print_diagnostics,
};
use crate::config::ContextMode;
use crate::diagnostic::Diagnostic;
use crate::input::io_reason;
use crate::lexicon::EntryId;
use crate::report::{LineCursor, escape};
use crate::scan::Scanner;

/// The outcome for one file.
enum Outcome {
    Unchanged,
    Changed(usize),
    Skipped(String),
    Error(Diagnostic),
    /// Standard output failed.
    Unwritten(io::Error),
}

/// What fixing the files under one configuration needs.
struct Setup {
    scanner: Scanner,
    context: ContextMode,
    exclude: Option<globset::GlobSet>,
    per_file: Option<super::check::PerFile>,
}

impl Setup {
    /// The setup for the configuration of `start`; prints problems and
    /// returns `None` on error.
    fn load(args: &FixArgs, start: &Path) -> Option<Setup> {
        let fail = |d: Diagnostic| print_diagnostics(&[d]);
        let config = load_config(&args.lexicon, start).map_err(fail).ok()?;
        let scanner = load_scanner(&config)?;
        Some(Setup {
            context: args.context.or(config.context).unwrap_or_default(),
            exclude: super::check::exclude_set(&config).map_err(fail).ok()?,
            per_file: super::check::per_file_rules(&config).map_err(fail).ok()?,
            scanner,
        })
    }
}

pub(super) fn run(args: FixArgs) -> ExitCode {
    let mut paths = args.paths.clone();
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    // Each file is fixed under its own folder's configuration (found by
    // walking up from it): one setup per configuration file in use.
    let mut files_in_use: Vec<Option<PathBuf>> = Vec::new();
    let mut setups = Vec::new();
    let mut of_path = Vec::new();
    for path in &paths {
        let file = config_file(&args.lexicon, path);
        let at = match files_in_use.iter().position(|f| *f == file) {
            Some(at) => at,
            None => {
                let Some(setup) = Setup::load(&args, path) else {
                    return ExitCode::Error;
                };
                setups.push(setup);
                files_in_use.push(file);
                files_in_use.len() - 1
            }
        };
        of_path.push(at);
    }
    note_configurations("fixed", &paths, &files_in_use, &of_path);
    let mut stdout = out::stdout();
    // Why standard output failed: then --diff stops, and --write goes on
    // fixing files without listing them.
    let mut unwritten: Option<io::Error> = None;
    let (mut errors, mut files_changed, mut changes) = (0usize, 0usize, 0usize);
    let mut configs = ConfigOf::new(&args.lexicon);
    let mut nested = NestedExcludes::default();
    'paths: for (path, &at) in paths.iter().zip(&of_path) {
        let mut on_problem = |p: super::walk::WalkProblem| match p {
            super::walk::WalkProblem::Note(n) => say!("note: {}", escape::name(&n)),
            super::walk::WalkProblem::Error(d) => {
                errors += 1;
                say!("{}", out::one_line(d));
            }
        };
        let exclude = setups[at].exclude.as_ref();
        let listed = super::walk::list_files(path, args.walk, exclude, &mut on_problem);
        let top_config = files_in_use[at].clone();
        let files = match listed {
            Ok(mut f) => {
                f.retain(|f| {
                    let config = configs.of(path, &f.path);
                    !nested.excludes(config.as_deref(), top_config.as_deref(), &f.path)
                });
                f
            }
            Err(d) => {
                errors += 1;
                say!("{}", out::one_line(d));
                continue;
            }
        };
        for file in files {
            // A folder's own configuration, met while walking, applies to
            // the files under it.
            let config = configs.of(path, &file.path);
            let at = match files_in_use.iter().position(|f| *f == config) {
                Some(at) => at,
                None => {
                    let start = file.path.parent().unwrap_or(path);
                    let Some(setup) = Setup::load(&args, start) else {
                        return ExitCode::Error;
                    };
                    if let Some(config) = &config {
                        super::note_nested_configuration("fixed", config);
                    }
                    setups.push(setup);
                    files_in_use.push(config);
                    files_in_use.len() - 1
                }
            };
            let Setup {
                scanner,
                context,
                per_file,
                ..
            } = &setups[at];
            let disabled: Vec<String> = match &per_file {
                Some((set, disables, base)) => {
                    let relative = file.path.strip_prefix(base).unwrap_or(&file.path);
                    set.matches(relative)
                        .into_iter()
                        .flat_map(|i| disables[i].iter().cloned())
                        .collect()
                }
                None => Vec::new(),
            };
            let listing: &mut dyn Write = if unwritten.is_some() {
                &mut io::sink()
            } else {
                &mut stdout
            };
            let mut outcome = fix_file(scanner, &file, &args, *context, &disabled, listing);
            if unwritten.is_none()
                && let Err(e) = stdout.flush()
            {
                outcome = Outcome::Unwritten(e);
            }
            match outcome {
                Outcome::Unchanged => {}
                Outcome::Changed(n) => {
                    files_changed += 1;
                    changes += n;
                }
                Outcome::Skipped(note) => say!("{note}"),
                Outcome::Error(d) => {
                    errors += 1;
                    say!("{d}");
                }
                Outcome::Unwritten(e) => {
                    unwritten = Some(e);
                    if !args.write {
                        break 'paths;
                    }
                }
            }
        }
    }
    if let Some(e) = unwritten {
        // A closed pipe ends --diff quietly; other failures say why.
        let code = out::write_failed(&e);
        if !args.write || code == ExitCode::Error {
            return code;
        }
    }
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let mut line = if args.write && changes > 0 {
        format!(
            "vblint: fixed {} in {}",
            plural(changes, "term"),
            plural(files_changed, "file")
        )
    } else if changes > 0 {
        format!(
            "vblint: {} can be fixed safely in {}; run `vblint fix --write` to make the changes",
            plural(changes, "term"),
            plural(files_changed, "file")
        )
    } else {
        "vblint: nothing to fix safely".to_string()
    };
    if errors > 0 {
        line.push_str(&format!("; {} could not be fixed", plural(errors, "input")));
    }
    out::message(format_args!("{line}"));
    if errors > 0 {
        ExitCode::Error
    } else if changes > 0 && !args.write {
        ExitCode::Findings
    } else {
        ExitCode::Clean
    }
}

fn fix_file(
    scanner: &Scanner,
    file: &Listed,
    args: &FixArgs,
    context: ContextMode,
    disabled: &[String],
    out: &mut dyn Write,
) -> Outcome {
    let path = file.path.as_path();
    let shown = path.display().to_string();
    let named = escape::name(&shown);
    let limits = crate::input::Limits {
        max_file_size: args.walk.max_file_size,
    };
    let contents = match crate::input::file::read_bytes(&file.file_ref(&shown), limits) {
        Ok(c) => c,
        Err(NotRead::Skipped(note)) => {
            return Outcome::Skipped(out::name_escaped_in(&note, &shown));
        }
        Err(NotRead::Error(d)) => return Outcome::Error(out::escaped(d, Some(&shown))),
    };
    // The text without its byte-order mark, decoded from UTF-16 if need
    // be; written back below in the same encoding, with the same mark.
    let decoded = match crate::input::text::decode(&contents.bytes) {
        Ok(t) => t,
        Err(e) => {
            return match e.not_read(&shown, "not changed") {
                NotRead::Skipped(note) => Outcome::Skipped(out::name_escaped_in(&note, &shown)),
                NotRead::Error(d) => Outcome::Error(out::escaped(d, Some(&shown))),
            };
        }
    };
    let text: &str = &decoded.text;
    let lexicon = scanner.lexicon();
    let allow = |id: EntryId| {
        let entry_id = &lexicon.get(id).id;
        !disabled.iter().any(|d| d == "*" || d == entry_id)
    };
    let fixed = match crate::fix::fix_text_filtered(scanner, text, &allow) {
        Ok(f) => f,
        Err(e) => {
            let ids: Vec<&str> = e
                .entries
                .iter()
                .map(|id| lexicon.get(*id).id.as_str())
                .collect();
            return Outcome::Error(
                Diagnostic::error(format!(
                    "the safe fixes for {} keep producing new fixes in `{named}`; it was not changed",
                    ids.join(", ")
                ))
                .help("an alternative contains another safe entry's term: mark one of these entries `fix = \"review\"`"),
            );
        }
    };
    if fixed.edits.is_empty() {
        return Outcome::Unchanged;
    }
    let n = fixed.edits.len();
    if args.write {
        let bytes = decoded.encoding.encode(&fixed.text);
        match write_atomically(path, &named, &contents, &bytes) {
            Ok(()) => {
                // The file is fixed whether or not this line can be written.
                let listed = writeln!(
                    out,
                    "fixed {named} ({n} change{})",
                    if n == 1 { "" } else { "s" }
                );
                match listed {
                    Ok(()) => Outcome::Changed(n),
                    Err(e) => Outcome::Unwritten(e),
                }
            }
            Err(d) => Outcome::Error(d),
        }
    } else {
        let result = if context == ContextMode::Full {
            print_diff(out, &named, text, &fixed.text)
        } else {
            print_list(out, scanner, &named, text, &allow)
        };
        match result {
            Ok(()) => Outcome::Changed(n),
            Err(e) => Outcome::Unwritten(e),
        }
    }
}

/// A unified diff of the whole file (`--context full`); `shown` is the
/// file's name as output shows it.
fn print_diff(out: &mut dyn Write, shown: &str, old: &str, new: &str) -> io::Result<()> {
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{shown}"), &format!("b/{shown}"))
        .to_string();
    out.write_all(text.as_bytes())
}

/// Where each change would be, and what it would write, without case text
/// (`--context redacted` or `none`); `shown` is the file's name as output
/// shows it.
fn print_list(
    out: &mut dyn Write,
    scanner: &Scanner,
    shown: &str,
    text: &str,
    allow: &dyn Fn(EntryId) -> bool,
) -> io::Result<()> {
    let lexicon = scanner.lexicon();
    let mut cursor = LineCursor::new(text, 1);
    for e in crate::fix::plan_filtered(scanner, text, allow) {
        let (line, col, _) = cursor.locate(e.span.start);
        let id = escape::name(&lexicon.get(e.entry).id);
        if e.replacement.is_empty() {
            writeln!(out, "{shown}:{line}:{col}: [{id}] would be removed")?;
        } else {
            writeln!(
                out,
                "{shown}:{line}:{col}: [{id}] would be replaced by \"{}\"",
                e.replacement
            )?;
        }
    }
    Ok(())
}

/// Why a write failed, and what to do.
fn write_error(shown: &str, e: &io::Error) -> Diagnostic {
    let help = match e.kind() {
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
            "check that you may change this file and its folder, then run again"
        }
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
            "free some disk space, then run again"
        }
        _ => "run again; if it keeps failing, fix the file by hand",
    };
    Diagnostic::error(format!(
        "could not write `{shown}`: {}; the file was left as it was",
        io_reason(e)
    ))
    .help(help)
}

/// Replaces `path` with `new`, atomically, if it still holds what was read.
fn write_atomically(
    path: &Path,
    shown: &str,
    original: &Contents,
    new: &[u8],
) -> Result<(), Diagnostic> {
    if original.meta.permissions().readonly() {
        return Err(
            Diagnostic::error(format!("`{shown}` is read-only; it was left as it was"))
                .help("make the file writable if it should be fixed, then run again"),
        );
    }
    // Through a symbolic link given by name, fix the file it points to.
    let target = std::fs::canonicalize(path).map_err(|e| write_error(shown, &e))?;
    if let Some(dir) = target.parent() {
        remove_stale_once(dir);
    }
    let check = |file: &Path| {
        if changed_since_read(file, original) {
            Err(Diagnostic::error(format!(
                "`{shown}` changed while vblint was fixing it; it was left as it was"
            ))
            .help("save your work in the other program, then run `vblint fix` again"))
        } else {
            Ok(())
        }
    };
    crate::atomic::write_checked(&target, new, Some(original.meta.permissions()), check).map_err(
        |e| match e {
            crate::atomic::Error::Io(e) => write_error(shown, &e),
            crate::atomic::Error::Refused(d) => d,
            crate::atomic::Error::Kept(d, kept) => d.help(format!(
                "another program wrote to the file while vblint was replacing it: the file \
                 holds what it wrote, and vblint's fixed version, also written to, is kept as \
                 `{}`; compare the two and keep what you need",
                escape::name(&kept.display().to_string())
            )),
        },
    )
}

/// Removes the temporary files a crashed `vblint fix` left in `dir`
/// ([`crate::atomic::remove_stale`]), once per folder per run.
fn remove_stale_once(dir: &Path) {
    static CLEANED: std::sync::Mutex<Option<std::collections::HashSet<PathBuf>>> =
        std::sync::Mutex::new(None);
    let mut cleaned = CLEANED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if cleaned.get_or_insert_default().insert(dir.to_path_buf()) {
        crate::atomic::remove_stale(dir);
    }
}

/// Whether the file differs from what was read: length, modification time
/// or bytes.
fn changed_since_read(path: &Path, original: &Contents) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return true;
    };
    if meta.len() != original.meta.len() || meta.modified().ok() != original.meta.modified().ok() {
        return true;
    }
    // Read as any input is (never waiting on a pipe swapped in), and no
    // further than the original's length.
    let shown = path.display().to_string();
    let limits = crate::input::Limits {
        max_file_size: original.meta.len(),
    };
    match crate::input::file::read_bytes(&crate::input::FileRef::named(path, &shown), limits) {
        Ok(now) => now.bytes != original.bytes,
        Err(_) => true,
    }
}

//! Walking the paths given on the command line: folders are listed lazily,
//! in sorted order and .gitignore-aware, so that scanning can start with the
//! first file rather than after the last one has been found.
//!
//! Shared by `vblint check`, `vblint report` and `vblint fix`.

use std::fs::FileType;
use std::io;
use std::path::{Path, PathBuf};

use clap::Args;
use globset::GlobSet;

use crate::diagnostic::Diagnostic;
use crate::input::FileRef;
use crate::input::io_reason;

/// Which files a folder walk takes, and the largest file read: the same
/// options, with the same help, for `check`, `fix`, `report` and `sample`.
#[derive(Args, Clone, Copy, Debug)]
pub(super) struct WalkArgs {
    /// Also take hidden files and folders.
    #[arg(long)]
    pub(super) hidden: bool,
    /// Do not skip files listed in .gitignore and .ignore files.
    #[arg(long)]
    pub(super) no_ignore: bool,
    /// Files larger than this are not read, and count as errors (K, M or G: 256M, 1G).
    #[arg(long, value_name = "SIZE", default_value = super::read::DEFAULT_MAX_FILE_SIZE, value_parser = super::read::parse_size)]
    pub(super) max_file_size: u64,
}

/// Something met while listing a folder that the user should hear about.
pub(super) enum WalkProblem {
    /// A file that was skipped on purpose.
    Note(String),
    /// A part of the folder that could not be read.
    Error(Diagnostic),
}

/// A file to scan.
#[derive(Clone, Debug)]
pub(super) struct Listed {
    pub(super) path: PathBuf,
    /// Found in a folder, where the walk saw a regular file (not a link);
    /// otherwise named on the command line.
    pub(super) walked: bool,
}

impl Listed {
    /// The file as the input door reads it ([`crate::input::read`]),
    /// shown as `shown`: not through a link when the walk found it.
    pub(super) fn file_ref<'a>(&'a self, shown: &'a str) -> FileRef<'a> {
        FileRef {
            path: &self.path,
            shown,
            walked: self.walked,
        }
    }
}

/// One step of a walk, in sorted order.
pub(super) enum Walked {
    File(Listed),
    Problem(WalkProblem),
}

/// The files under `path`, in sorted order; a file given by name is the
/// only item. Fails only if `path` itself cannot be read.
///
/// Folders are walked by `ignore`, the walker of ripgrep, which also
/// decides which files ignore files leave out.
pub(super) fn walk<'a>(
    path: &Path,
    args: WalkArgs,
    exclude: Option<&'a GlobSet>,
) -> Result<Walk<'a>, Diagnostic> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Diagnostic::error(format!(
            "cannot read `{}`: {}",
            path.display(),
            io_reason(&e)
        ))
    })?;
    let inner = if meta.is_dir() {
        Inner::Ignore(Box::new(ignore_walk(path, args)))
    } else {
        Inner::Named(Some(path.to_path_buf()))
    };
    Ok(Walk {
        root: path.to_path_buf(),
        exclude,
        inner,
    })
}

/// `ignore`'s walk of the folder `path`, in sorted order.
fn ignore_walk(path: &Path, args: WalkArgs) -> ignore::Walk {
    ignore::WalkBuilder::new(path)
        .hidden(!args.hidden)
        .git_ignore(!args.no_ignore)
        .git_global(!args.no_ignore)
        .git_exclude(!args.no_ignore)
        .ignore(!args.no_ignore)
        .parents(!args.no_ignore)
        .require_git(false)
        .follow_links(false)
        // Entries of one folder share its path up to their names, so
        // comparing whole paths as bytes orders them by name, without
        // finding each name again at every comparison.
        .sort_by_file_path(|a, b| a.as_os_str().cmp(b.as_os_str()))
        .build()
}

/// Every file under `path`, sorted; a file given by name is always included.
/// Problems met on the way go to `on_problem`.
pub(super) fn list_files(
    path: &Path,
    args: WalkArgs,
    exclude: Option<&GlobSet>,
    on_problem: &mut dyn FnMut(WalkProblem),
) -> Result<Vec<Listed>, Diagnostic> {
    let mut files = Vec::new();
    for item in walk(path, args, exclude)? {
        match item {
            Walked::File(f) => files.push(f),
            Walked::Problem(p) => on_problem(p),
        }
    }
    Ok(files)
}

/// The iterator returned by [`walk`].
pub(super) struct Walk<'a> {
    root: PathBuf,
    exclude: Option<&'a GlobSet>,
    inner: Inner,
}

enum Inner {
    /// A file given by name.
    Named(Option<PathBuf>),
    /// `ignore`'s walk of a folder.
    Ignore(Box<ignore::Walk>),
}

/// A file or folder found by a walk, with its type (links not followed;
/// `None` for standard input, which a folder's walk never meets), or a part
/// of the folder that could not be read.
type Found = Result<Option<(PathBuf, FileType)>, ignore::Error>;

impl Iterator for Walk<'_> {
    type Item = Walked;

    fn next(&mut self) -> Option<Walked> {
        loop {
            let found = match &mut self.inner {
                Inner::Named(path) => {
                    return path.take().map(|path| {
                        Walked::File(Listed {
                            path,
                            walked: false,
                        })
                    });
                }
                Inner::Ignore(walker) => from_ignore(walker.next()?),
            };
            let (path, kind) = match found {
                Ok(Some(found)) => found,
                Ok(None) => continue,
                Err(e) => return Some(Walked::Problem(WalkProblem::Error(walk_error(&e)))),
            };
            if !kind.is_file() {
                // Folders are walked and links are not followed; pipes,
                // sockets and devices are never opened.
                if kind.is_dir() || kind.is_symlink() {
                    continue;
                }
                let shown = path.display().to_string();
                return Some(Walked::Problem(WalkProblem::Note(
                    crate::input::file::special_file_note(&shown),
                )));
            }
            if is_vblint_file(&path)
                || self.exclude.is_some_and(|set| {
                    let relative = path.strip_prefix(&self.root).unwrap_or(&path);
                    set.is_match(relative) || set.is_match(&path)
                })
            {
                continue;
            }
            return Some(Walked::File(Listed { path, walked: true }));
        }
    }
}

/// Whether `path` is one of vblint's own files (a configuration file or a
/// list of dismissed findings), which a folder's walk reads as settings
/// rather than as writing: the rule ids a `disable` list names would
/// otherwise be flagged as the words they are named after.
fn is_vblint_file(path: &Path) -> bool {
    path.file_name().is_some_and(|name| {
        crate::config::FILE_NAMES.iter().any(|n| name == *n) || name == crate::dismissed::FILE_NAME
    })
}

/// An entry of `ignore`'s walk as [`Found`].
fn from_ignore(entry: Result<ignore::DirEntry, ignore::Error>) -> Found {
    let entry = entry?;
    Ok(entry.file_type().map(|kind| (entry.into_path(), kind)))
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

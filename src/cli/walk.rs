//! Walking the paths given on the command line: folders are listed lazily,
//! in sorted order and .gitignore-aware, so that scanning can start with the
//! first file rather than after the last one has been found.
//!
//! Shared by `vblint check`, `vblint report` and `vblint fix`.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use globset::GlobSet;

use super::read::Folder;
use crate::diagnostic::Diagnostic;
use crate::lexicon::io_reason;

/// Which files a folder walk includes.
#[derive(Clone, Copy, Debug)]
pub(super) struct WalkOptions {
    /// Include hidden files and folders.
    pub(super) hidden: bool,
    /// Include files listed in .gitignore and .ignore files.
    pub(super) no_ignore: bool,
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
    /// The folder the walk found it in, held open to open it by name
    /// ([`Folder`]); `None` when named on the command line, or when that
    /// folder is not held open.
    pub(super) folder: Option<Arc<Folder>>,
}

/// One step of a walk, in sorted order.
pub(super) enum Walked {
    File(Listed),
    Problem(WalkProblem),
}

/// The files under `path`, in sorted order; a file given by name is the
/// only item. Fails only if `path` itself cannot be read.
pub(super) fn walk<'a>(
    path: &Path,
    args: WalkOptions,
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
        let walker = ignore::WalkBuilder::new(path)
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
            .build();
        Inner::Folder(Box::new(walker))
    } else {
        Inner::Named(Some(path.to_path_buf()))
    };
    Ok(Walk {
        root: path.to_path_buf(),
        exclude,
        inner,
        folder: None,
        open_folders: Arc::default(),
    })
}

/// Every file under `path`, sorted; a file given by name is always included.
/// Problems met on the way go to `on_problem`.
pub(super) fn list_files(
    path: &Path,
    args: WalkOptions,
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
    /// The folder of the last file found, if held open.
    folder: Option<Arc<Folder>>,
    /// How many of the walk's folders are held open.
    open_folders: Arc<AtomicUsize>,
}

enum Inner {
    Named(Option<PathBuf>),
    Folder(Box<ignore::Walk>),
}

impl Iterator for Walk<'_> {
    type Item = Walked;

    fn next(&mut self) -> Option<Walked> {
        let walker = match &mut self.inner {
            Inner::Named(path) => {
                return path.take().map(|path| {
                    Walked::File(Listed {
                        path,
                        walked: false,
                        folder: None,
                    })
                });
            }
            Inner::Folder(walker) => walker,
        };
        loop {
            let entry = match walker.next()? {
                Ok(entry) => entry,
                Err(e) => return Some(Walked::Problem(WalkProblem::Error(walk_error(&e)))),
            };
            let Some(kind) = entry.file_type() else {
                continue;
            };
            if !kind.is_file() {
                // Folders are walked and links are not followed; pipes,
                // sockets and devices are never opened.
                if kind.is_dir() || kind.is_symlink() {
                    continue;
                }
                let shown = entry.path().display().to_string();
                return Some(Walked::Problem(WalkProblem::Note(
                    super::read::special_file_note(&shown),
                )));
            }
            let path = entry.into_path();
            if self.exclude.is_some_and(|set| {
                let relative = path.strip_prefix(&self.root).unwrap_or(&path);
                set.is_match(relative) || set.is_match(&path)
            }) {
                continue;
            }
            // Files come folder by folder: a folder is opened once for
            // the files that follow it in the walk.
            let parent = path.parent().unwrap_or(Path::new(""));
            let same = |f: &Arc<Folder>| f.path().as_os_str() == parent.as_os_str();
            if !self.folder.as_ref().is_some_and(same) {
                self.folder = Folder::open(parent, &self.open_folders).map(Arc::new);
            }
            return Some(Walked::File(Listed {
                path,
                walked: true,
                folder: self.folder.clone(),
            }));
        }
    }
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

//! `vblint.toml`: a workspace's or a force's configuration.
//!
//! Found by walking up from the scanned path (or the workspace root) to the
//! first folder holding `vblint.toml` or `.vblint.toml`. Paths inside it are
//! relative to the file. Unknown keys are errors that name the key; flags on
//! the command line win over the file.
//!
//! ```toml
//! lexicon = ["force-lexicon/"]     # extra lexicon folders or files, layered over the built-in one
//! builtin-lexicon = true           # false: use only the folders above
//! disable = ["boyfriend"]          # entry ids that never match
//! quotes = "info"                  # skip | info | flag
//! fail-on = "warning"              # error | warning | info | hint | never
//! context = "full"                 # full | redacted | none
//! exclude = ["archive/**"]         # globs of files not to scan
//!
//! [severity]                       # per-entry severity overrides
//! sexually-active = "error"
//!
//! [[files]]                        # per-file settings
//! glob = "training/**"
//! disable = ["*"]                  # "*" switches every entry off for these files
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diagnostic::{Diagnostic, SourceFile, closest};
use crate::lexicon::Severity;
use crate::scan::QuotePolicy;

/// The file names searched for, in order.
pub const FILE_NAMES: [&str; 2] = ["vblint.toml", ".vblint.toml"];

/// The most bytes a configuration file may have.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The lowest severity that makes `vblint check` exit with code 1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Only errors.
    Error,
    /// Warnings and errors (default).
    #[default]
    Warning,
    /// Information and above.
    Info,
    /// Every finding.
    Hint,
    /// Never: findings are advisory.
    Never,
}

impl FailOn {
    /// Whether a finding of this severity fails the run.
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::Error => severity >= Severity::Error,
            FailOn::Warning => severity >= Severity::Warning,
            FailOn::Info => severity >= Severity::Info,
            FailOn::Hint => true,
            FailOn::Never => false,
        }
    }
}

/// How much of the case text reports may show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ContextMode {
    /// The whole line around the finding.
    #[default]
    Full,
    /// The matched words only; the rest of the line is masked.
    Redacted,
    /// No case text at all, only where and which rule.
    None,
}

/// Settings for a group of files.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileRule {
    /// The files, as a glob relative to the configuration file.
    pub glob: String,
    /// Entry ids switched off for them (`*` for all).
    #[serde(default)]
    pub disable: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    lexicon: Option<Vec<Spanned<String>>>,
    builtin_lexicon: Option<bool>,
    disable: Option<Vec<Spanned<String>>>,
    quotes: Option<QuotePolicy>,
    fail_on: Option<FailOn>,
    context: Option<ContextMode>,
    exclude: Option<Vec<String>>,
    severity: Option<BTreeMap<String, Spanned<Severity>>>,
    files: Option<Vec<FileRule>>,
}

const KEYS: &[&str] = &[
    "lexicon",
    "builtin-lexicon",
    "disable",
    "quotes",
    "fail-on",
    "context",
    "exclude",
    "severity",
    "files",
];

/// The effective configuration. `None` means "not set here"; see
/// [`Config::merge`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// The file this came from, if any.
    pub path: Option<PathBuf>,
    /// Extra lexicon folders or files, resolved to absolute paths.
    pub lexicon: Vec<PathBuf>,
    /// Whether to load the built-in lexicon.
    pub builtin_lexicon: Option<bool>,
    /// Disabled entry ids.
    pub disable: Vec<String>,
    /// Quotation policy.
    pub quotes: Option<QuotePolicy>,
    /// Failure threshold.
    pub fail_on: Option<FailOn>,
    /// How much case text reports show.
    pub context: Option<ContextMode>,
    /// Globs of files not to scan.
    pub exclude: Vec<String>,
    /// Severity overrides.
    pub severity: BTreeMap<String, Severity>,
    /// Per-file settings.
    pub files: Vec<FileRule>,
}

impl Config {
    /// Finds the configuration file for `start` (a file or folder), walking
    /// up through its ancestors.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let start = std::path::absolute(start).ok()?;
        let mut dir = if start.is_dir() {
            Some(start.as_path())
        } else {
            start.parent()
        };
        while let Some(d) = dir {
            for name in FILE_NAMES {
                let candidate = d.join(name);
                if candidate.is_file() {
                    return Some(candidate);
                }
            }
            dir = d.parent();
        }
        None
    }

    /// Reads and checks a configuration file.
    ///
    /// # Errors
    ///
    /// A located diagnostic for unreadable files, bad TOML and unknown keys.
    pub fn load(path: &Path) -> Result<Config, Diagnostic> {
        let text = crate::input::read_small_text(path, MAX_CONFIG_BYTES, "configuration")?;
        Config::parse(
            SourceFile::new(path.display().to_string(), text),
            path.parent(),
        )
    }

    /// Parses configuration text; relative paths are resolved against `base`.
    ///
    /// # Errors
    ///
    /// A located diagnostic for bad TOML and unknown keys.
    pub fn parse(file: Arc<SourceFile>, base: Option<&Path>) -> Result<Config, Diagnostic> {
        let raw: RawConfig = toml::from_str(&file.text).map_err(|e| {
            let message = e.message().trim().to_string();
            let span = e.span().unwrap_or(0..0);
            if let Some(rest) = message.strip_prefix("unknown field `") {
                let key = rest.split('`').next().unwrap_or_default();
                let d = Diagnostic::error(format!("unknown key `{key}` in the configuration"))
                    .at(&file, span);
                match closest(key, KEYS.iter().copied()) {
                    Some(k) => d.help(format!("did you mean `{k}`?")),
                    None => d.help(format!("the keys allowed are: {}", KEYS.join(", "))),
                }
            } else {
                let first = message.lines().next().unwrap_or(&message).to_string();
                Diagnostic::error(format!("this is not a valid vblint.toml: {first}"))
                    .at(&file, span)
                    .help("see the Configuration section of the README for every key")
            }
        })?;
        let resolve = |p: &str| match base {
            Some(b) => b.join(p),
            None => PathBuf::from(p),
        };
        let mut lexicon = Vec::new();
        for p in raw.lexicon.unwrap_or_default() {
            let path = resolve(p.get_ref());
            if let Some(base) = base
                && let Some(why) = escape(base, &path)
            {
                // A workspace's configuration may not reach outside it: a
                // file opened in an editor must not make us read /etc.
                let d = Diagnostic::error(format!(
                    "the lexicon path `{}` is outside the folder of this configuration",
                    p.get_ref()
                ))
                .at(&file, p.span())
                .help(
                    "keep local lexicon folders inside the workspace, or pass them with --lexicon",
                );
                return Err(match why {
                    Escape::ByName => d,
                    Escape::ByLink(link) => d.note(format!(
                        "`{}` is a symbolic link to a place outside it",
                        link.display()
                    )),
                });
            }
            lexicon.push(path);
        }
        Ok(Config {
            path: None,
            lexicon,
            builtin_lexicon: raw.builtin_lexicon,
            disable: raw
                .disable
                .unwrap_or_default()
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            quotes: raw.quotes,
            fail_on: raw.fail_on,
            context: raw.context,
            exclude: raw.exclude.unwrap_or_default(),
            severity: raw
                .severity
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.into_inner()))
                .collect(),
            files: raw.files.unwrap_or_default(),
        })
    }

    /// Layers `over` on top of `self`: set values in `over` win, lists add up.
    pub fn merge(mut self, over: Config) -> Config {
        self.path = over.path.or(self.path);
        self.lexicon.extend(over.lexicon);
        self.builtin_lexicon = over.builtin_lexicon.or(self.builtin_lexicon);
        self.disable.extend(over.disable);
        self.quotes = over.quotes.or(self.quotes);
        self.fail_on = over.fail_on.or(self.fail_on);
        self.context = over.context.or(self.context);
        self.exclude.extend(over.exclude);
        self.severity.extend(over.severity);
        self.files.extend(over.files);
        self
    }

    /// Scanner settings from this configuration.
    pub fn settings(&self) -> crate::scan::Settings {
        crate::scan::Settings {
            quotes: self.quotes.unwrap_or_default(),
            disabled: self.disable.iter().cloned().collect(),
            severity: self.severity.clone(),
        }
    }

    /// Loads the lexicon this configuration asks for.
    ///
    /// # Errors
    ///
    /// Every lexicon problem found.
    pub fn lexicon(&self) -> Result<crate::lexicon::Lexicon, Vec<Diagnostic>> {
        crate::lexicon_io::load(self.builtin_lexicon.unwrap_or(true), &self.lexicon)
    }
}

/// How a configured lexicon path leads outside its configuration's folder.
#[derive(Debug, PartialEq, Eq)]
enum Escape {
    /// By its name (`..`, or an absolute path elsewhere).
    ByName,
    /// Through a symbolic link: the path, or a lexicon file in the folder
    /// it names.
    ByLink(PathBuf),
}

/// Whether the lexicon path `path` leads outside the folder `base`: by
/// name, or, once links are followed, as the path itself or as any lexicon
/// file of the folder it names (the files the loader would read). A path
/// that does not exist leads nowhere (loading it fails).
fn escape(base: &Path, path: &Path) -> Option<Escape> {
    let (Ok(abs), Ok(abs_base)) = (std::path::absolute(path), std::path::absolute(base)) else {
        return None;
    };
    if !normalize_path(&abs).starts_with(normalize_path(&abs_base)) {
        return Some(Escape::ByName);
    }
    let real_base = base.canonicalize().ok()?;
    let outside = |p: &Path| {
        p.canonicalize()
            .is_ok_and(|real| !real.starts_with(&real_base))
    };
    if outside(path) {
        return Some(Escape::ByLink(path.to_path_buf()));
    }
    if path.is_dir() {
        let entries = std::fs::read_dir(path).ok()?;
        for entry in entries.flatten() {
            let file = entry.path();
            if crate::lexicon::is_lexicon_file(&file) && outside(&file) {
                return Some(Escape::ByLink(file));
            }
        }
    }
    None
}

/// Removes `.` and `..` components without touching the file system.
fn normalize_path(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Diagnostic> {
        Config::parse(SourceFile::new("vblint.toml", text), Some(Path::new("/ws")))
    }

    #[test]
    fn parses_every_key() {
        let c = parse(
            "lexicon = [\"local\"]\ndisable = [\"boyfriend\"]\nquotes = \"skip\"\nfail-on = \"error\"\n\
             context = \"redacted\"\n[severity]\nconsent = \"error\"\n[[files]]\nglob = \"training/**\"\ndisable = [\"*\"]\n",
        )
        .unwrap();
        assert_eq!(c.lexicon, [PathBuf::from("/ws/local")]);
        assert_eq!(c.quotes, Some(QuotePolicy::Skip));
        assert_eq!(c.fail_on, Some(FailOn::Error));
        assert_eq!(c.severity["consent"], Severity::Error);
        assert_eq!(c.files[0].disable, ["*"]);
    }

    #[test]
    fn unknown_keys_name_the_key() {
        let e = parse("qoutes = \"skip\"\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "vblint.toml:1:1: unknown key `qoutes` in the configuration (help: did you mean `quotes`?)"
        );
    }

    #[test]
    fn lexicon_paths_stay_inside_the_workspace() {
        let e = parse("lexicon = [\"../../etc\"]\n").unwrap_err();
        assert!(e.message.contains("outside the folder"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn lexicon_paths_stay_inside_the_workspace_through_links() {
        let top = tempfile::tempdir().unwrap();
        let ws = top.path().join("ws");
        std::fs::create_dir_all(ws.join("local")).unwrap();
        std::fs::create_dir(top.path().join("outside")).unwrap();
        std::fs::write(top.path().join("outside/x.toml"), "").unwrap();
        std::os::unix::fs::symlink(top.path().join("outside"), ws.join("out")).unwrap();
        std::os::unix::fs::symlink(top.path().join("outside/x.toml"), ws.join("local/x.toml"))
            .unwrap();
        std::fs::write(ws.join("local/own.toml"), "").unwrap();
        assert_eq!(
            escape(&ws, &ws.join("out/x.toml")),
            Some(Escape::ByLink(ws.join("out/x.toml")))
        );
        assert_eq!(
            escape(&ws, &ws.join("out")),
            Some(Escape::ByLink(ws.join("out")))
        );
        assert_eq!(
            escape(&ws, &ws.join("local")),
            Some(Escape::ByLink(ws.join("local/x.toml")))
        );
        std::fs::remove_file(ws.join("local/x.toml")).unwrap();
        assert_eq!(escape(&ws, &ws.join("local")), None);
        assert_eq!(escape(&ws, &ws.join("missing")), None);
        assert_eq!(escape(&ws, &ws.join("../outside")), Some(Escape::ByName));
    }
}

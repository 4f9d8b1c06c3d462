//! The command line: argument definitions and one module per subcommand.
//!
//! Exit codes (a contract): 0 no finding at or above `--fail-on`, 1 findings,
//! 2 an error (unreadable file, bad lexicon, bad configuration). A bad file
//! does not stop a batch; it is reported and the exit code becomes 2.

mod batch;
mod check;
mod explain;
mod fix;
mod lexicon_cmd;
mod lexicon_tools;
mod out;
mod read;
mod report_cmd;
mod sample_cmd;
mod walk;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::{Config, ContextMode, FailOn};
use crate::diagnostic::Diagnostic;
use crate::lexicon::Lexicon;
use crate::report::Format;
use crate::scan::{QuotePolicy, Scanner};
use walk::WalkArgs;

/// Finds victim-blaming language in writing about children, and suggests
/// child-centred wording.
#[derive(Debug, Parser)]
#[command(name = "vblint", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan files, folders (recursively, respecting .gitignore) or - (standard input).
    Check(CheckArgs),
    /// Explain an entry: why it harms, alternatives, sources and examples.
    Explain {
        /// The entry id, such as `put-self-at-risk`.
        rule: String,
        #[command(flatten)]
        lexicon: LexiconArgs,
    },
    /// Tools for the people who keep the lexicon.
    #[command(subcommand)]
    Lexicon(LexiconCommand),
    /// Show (default) or make the safe, mechanical replacements.
    ///
    /// Only entries marked `fix = "safe"` in the lexicon are replaced, with
    /// the first of their replacements that fits the words around the term
    /// (the same ones an editor offers as quick fixes); never inside
    /// quotation marks or in a sentence that reports or corrects someone
    /// else's wording ("called", "described as", "the term", "said"…), never
    /// with a `[placeholder]`, and never across a line break. Replacements
    /// keep the capitalisation of the words they replace. `--write` changes files
    /// atomically (a temporary file in the same folder, then a rename),
    /// keeps line endings, byte-order mark and permissions, and refuses a
    /// file that changed since it was read.
    ///
    /// Exit codes: 0 nothing to fix, or everything fixed with --write;
    /// 1 with --diff, when there are changes to make (like a --check);
    /// 2 an error (a file that could not be read or written, a bad lexicon
    /// or configuration); other files are still fixed.
    Fix(FixArgs),
    /// Run the language server over standard input and output (for editors).
    Lsp(LspArgs),
    /// Count findings per rule, category, record, author, team and month (no case text).
    Report(report_cmd::ReportArgs),
    /// A printable dip-sample pack (HTML): N records drawn at random, one page each, findings highlighted, tick boxes for the reviewer.
    Sample(sample_cmd::SampleArgs),
}

/// The flags editors' language clients add when they start a server.
///
/// Standard input and output is the only transport; `--stdio` says so and
/// changes nothing. The other transports (`--node-ipc`, `--socket`,
/// `--pipe`) are refused with a message saying what to change.
#[derive(Debug, Args)]
struct LspArgs {
    /// Talk to the editor over standard input and output (the default, and the only choice).
    #[arg(long)]
    stdio: bool,
    /// Stop when the editor's process with this id has gone.
    #[arg(long = "clientProcessId", value_name = "PID")]
    client_process_id: Option<u32>,
    /// Not supported: Node.js IPC.
    #[arg(long = "node-ipc", hide = true)]
    node_ipc: bool,
    /// Not supported: a TCP socket.
    #[arg(long, value_name = "PORT", hide = true)]
    socket: Option<String>,
    /// Not supported: a named pipe or Unix socket.
    #[arg(long, value_name = "NAME", hide = true)]
    pipe: Option<String>,
}

impl LspArgs {
    /// The transport flag asked for that vblint does not support, as given.
    fn unsupported_transport(&self) -> Option<String> {
        if self.node_ipc {
            Some("--node-ipc".into())
        } else if let Some(port) = &self.socket {
            Some(format!("--socket={port}"))
        } else {
            self.pipe.as_ref().map(|name| format!("--pipe={name}"))
        }
    }
}

#[derive(Debug, Args)]
struct FixArgs {
    /// Files or folders to fix. Default: the current folder.
    paths: Vec<PathBuf>,
    /// Print a unified diff of the changes and change nothing (the default).
    #[arg(long, conflicts_with = "write")]
    diff: bool,
    /// Change the files.
    #[arg(long)]
    write: bool,
    /// How much case text --diff may show: `full` prints a diff; `redacted`
    /// and `none` list where each change is and what it writes, without the
    /// file's text.
    #[arg(long, value_enum)]
    context: Option<ContextMode>,
    #[command(flatten)]
    walk: WalkArgs,
    #[command(flatten)]
    lexicon: LexiconArgs,
}

#[derive(Debug, Subcommand)]
enum LexiconCommand {
    /// Validate lexicon files: keys, ids, terms, guards, alternatives and examples.
    Check(LexiconPaths),
    /// Run every entry's examples and counterexamples and report all failures.
    Test {
        #[command(flatten)]
        paths: LexiconPaths,
        /// Only entries whose id contains this text.
        #[arg(long)]
        filter: Option<String>,
    },
    /// List the entries in effect, with where each comes from.
    List(LexiconPaths),
    /// Rewrite lexicon files in the canonical form, keeping comments (--check: only report).
    Fmt(lexicon_tools::FmtArgs),
    /// Counts per category and severity, terms, sources, and entries due for review.
    Stats(lexicon_tools::StatsArgs),
    /// Show which findings a lexicon change adds and removes on sample files.
    Impact(lexicon_tools::ImpactArgs),
    /// Write the entries as a spreadsheet (CSV, one row per entry) to standard output.
    Export(lexicon_tools::ExportArgs),
    /// Update a lexicon folder from an edited spreadsheet (comments and layout kept).
    Import(lexicon_tools::ImportArgs),
    /// A printable training guide (HTML) from the lexicon: per category, each term with why, alternatives, an example and a better version, sources.
    Guide(lexicon_tools::GuideArgs),
}

/// Which lexicon to work on.
#[derive(Debug, Args)]
struct LexiconPaths {
    /// Lexicon files or folders; without any, the lexicon in effect (built-in plus configured).
    paths: Vec<PathBuf>,
    /// Check the given files on their own, without the built-in lexicon beneath them.
    #[arg(long)]
    no_builtin: bool,
    /// Use this configuration file instead of searching for vblint.toml.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// Options that choose the lexicon and configuration.
#[derive(Debug, Args, Clone, Default)]
struct LexiconArgs {
    /// An extra lexicon file or folder, layered over the built-in one (repeatable).
    #[arg(long, value_name = "PATH")]
    lexicon: Vec<PathBuf>,
    /// Do not load the built-in lexicon.
    #[arg(long)]
    no_builtin: bool,
    /// Use this configuration file instead of searching for vblint.toml.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Ignore any vblint.toml, and any .vblint-ignore of dismissed findings.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
    /// Switch an entry off (repeatable).
    #[arg(long, value_name = "RULE")]
    disable: Vec<String>,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Files or folders to scan; `-` reads standard input. Default: the current folder.
    paths: Vec<PathBuf>,
    /// Output format (default: human on a terminal, concise otherwise).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// The lowest severity that makes the exit code 1.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Always exit 0 when there are findings (errors still exit 2).
    #[arg(long)]
    exit_zero: bool,
    /// What to do with terms inside quotation marks.
    #[arg(long, value_enum)]
    quotes: Option<QuotePolicyArg>,
    /// How much case text the report may show.
    #[arg(long, value_enum)]
    context: Option<ContextMode>,
    /// Colours in human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j')]
    threads: Option<usize>,
    #[command(flatten)]
    walk: WalkArgs,
    /// The name to show for standard input.
    #[arg(long, value_name = "NAME", default_value = "-")]
    stdin_name: String,
    #[command(flatten)]
    lexicon: LexiconArgs,
    #[command(flatten)]
    batch: batch::BatchArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum QuotePolicyArg {
    Skip,
    Info,
    Flag,
}

impl From<QuotePolicyArg> for QuotePolicy {
    fn from(q: QuotePolicyArg) -> QuotePolicy {
        match q {
            QuotePolicyArg::Skip => QuotePolicy::Skip,
            QuotePolicyArg::Info => QuotePolicy::Info,
            QuotePolicyArg::Flag => QuotePolicy::Flag,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    fn stdout(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        }
    }
}

/// The process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitCode {
    /// Nothing at or above the threshold.
    Clean = 0,
    /// Findings.
    Findings = 1,
    /// An error.
    Error = 2,
}

/// Runs the command line and returns the exit code.
impl Cli {
    /// Whether this runs the language server (which the binary sets its
    /// allocator up for).
    pub fn is_language_server(&self) -> bool {
        matches!(self.command, Command::Lsp(_))
    }
}

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Report(args) => report_cmd::run(args),
        Command::Sample(args) => sample_cmd::run(args),
        Command::Explain { rule, lexicon } => explain::run(&rule, &lexicon),
        Command::Lexicon(cmd) => lexicon_cmd::run(cmd),
        Command::Fix(args) => fix::run(args),
        Command::Lsp(args) => lsp(&args),
    }
}

fn lsp(args: &LspArgs) -> ExitCode {
    if let Some(flag) = args.unsupported_transport() {
        out::message(format_args!(
            "vblint lsp: {flag} is not supported: vblint talks to editors only over standard \
             input and output (stdio). Set the editor to start `vblint lsp` with the stdio \
             transport."
        ));
        return ExitCode::Error;
    }
    match crate::lsp::run(args.client_process_id) {
        Ok(()) => ExitCode::Clean,
        Err(e) => {
            out::message(format_args!("vblint lsp: {e:#}"));
            ExitCode::Error
        }
    }
}

/// Prints diagnostics to standard error.
fn print_diagnostics(diagnostics: &[Diagnostic]) {
    out::diagnostics(diagnostics);
}

/// The configuration file for `start`: `--config`, or the one found by
/// walking up from `start`; none with `--no-config`.
fn config_file(args: &LexiconArgs, start: &Path) -> Option<PathBuf> {
    if args.no_config {
        return None;
    }
    match &args.config {
        Some(p) => Some(p.clone()),
        None => Config::discover(start),
    }
}

/// The configuration file of each file met in a folder's walk: the
/// `vblint.toml` of its own folder, or of the nearest folder above it
/// (`--config` for every file, none with `--no-config`), looked for once
/// per folder.
struct ConfigOf {
    /// `--config` or `--no-config`: the same for every file.
    fixed: Option<Option<PathBuf>>,
    folders: std::collections::HashMap<PathBuf, Option<PathBuf>>,
    /// The last folder asked about and its file: a walk gives a folder's
    /// files one after the other.
    last: Option<(PathBuf, Option<PathBuf>)>,
}

impl ConfigOf {
    fn new(args: &LexiconArgs) -> ConfigOf {
        let fixed = match (&args.config, args.no_config) {
            (_, true) => Some(None),
            (Some(file), false) => Some(Some(file.clone())),
            (None, false) => None,
        };
        ConfigOf {
            fixed,
            folders: std::collections::HashMap::new(),
            last: None,
        }
    }

    /// The configuration file for `file`, found under `top` (the path
    /// given, where the walk started).
    fn of(&mut self, top: &Path, file: &Path) -> Option<PathBuf> {
        if let Some(fixed) = &self.fixed {
            return fixed.clone();
        }
        let Some(dir) = file.parent() else {
            return Config::discover(file);
        };
        if let Some((last, found)) = &self.last
            && last.as_os_str() == dir.as_os_str()
        {
            return found.clone();
        }
        if file != top && dir.starts_with(top) {
            let found = self.folder(top, dir);
            self.last = Some((dir.to_path_buf(), found.clone()));
            found
        } else {
            Config::discover(file)
        }
    }

    fn folder(&mut self, top: &Path, dir: &Path) -> Option<PathBuf> {
        if let Some(found) = self.folders.get(dir) {
            return found.clone();
        }
        let own = crate::config::FILE_NAMES
            .iter()
            .map(|name| dir.join(name))
            .find(|candidate| candidate.is_file());
        let found = match own {
            // Absolute, as `Config::discover` gives them.
            Some(own) => std::path::absolute(&own).ok(),
            None => match dir.parent() {
                Some(up) if dir != top && up.starts_with(top) => self.folder(top, up),
                _ => Config::discover(dir),
            },
        };
        self.folders.insert(dir.to_path_buf(), found.clone());
        found
    }
}

/// The `exclude` globs of the configuration files inside a walked folder.
/// The walk itself applies those of the path given (matched against paths
/// relative to it); a `vblint.toml` met below it excludes files too, its
/// globs matched against paths relative to its own folder, as its
/// `[[files]]` globs are.
#[derive(Default)]
struct NestedExcludes {
    /// Each configuration file's globs, read once; `None` where it has
    /// none, or cannot be read (the run's setup for it says why).
    sets: std::collections::HashMap<PathBuf, Option<globset::GlobSet>>,
}

impl NestedExcludes {
    /// Whether `config`, the configuration of the folder of `file` (as
    /// [`ConfigOf`] finds it), excludes the file, when it is not
    /// `top_config`, that of the path given, whose globs the walk applied.
    fn excludes(&mut self, config: Option<&Path>, top_config: Option<&Path>, file: &Path) -> bool {
        let Some(config) = config else {
            return false;
        };
        if top_config == Some(config) {
            return false;
        }
        let set = self.sets.entry(config.to_path_buf()).or_insert_with(|| {
            let loaded = Config::load(config).ok()?;
            check::exclude_set(&loaded).ok().flatten()
        });
        let (Some(set), Some(base)) = (set.as_ref(), config.parent()) else {
            return false;
        };
        let file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
        file.strip_prefix(base)
            .is_ok_and(|relative| set.is_match(relative))
    }
}

/// Says that the files under a folder inside a path given are `verb` with
/// that folder's own configuration `file` (found while walking).
fn note_nested_configuration(verb: &str, file: &Path) {
    let here = std::env::current_dir().unwrap_or_default();
    let file = file.strip_prefix(&here).unwrap_or(file);
    let folder = file.parent().unwrap_or(Path::new("."));
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    out::say!(
        "note: the files in `{}` are {verb} with its own configuration `{}`",
        out::shown(folder),
        out::shown(file)
    );
}

/// When the paths given are checked (or fixed) under more than one
/// configuration, says which path goes with which: `files` are the
/// configuration files in use (`None`: none found), `of_path` the one of
/// each path; `verb` says what is done ("checked", "fixed").
fn note_configurations(
    verb: &str,
    paths: &[PathBuf],
    files: &[Option<PathBuf>],
    of_path: &[usize],
) {
    if files.len() < 2 {
        return;
    }
    let here = std::env::current_dir().unwrap_or_default();
    for (path, &at) in paths.iter().zip(of_path) {
        let shown = if path.as_os_str() == "-" {
            "standard input".to_string()
        } else {
            format!("`{}`", out::shown(path))
        };
        let with = match &files[at] {
            Some(file) => format!(
                "the configuration `{}`",
                out::shown(file.strip_prefix(&here).unwrap_or(file))
            ),
            None => "no configuration file (none in its folder or above)".to_string(),
        };
        out::say!("note: {shown} is {verb} with {with}");
    }
}

/// Loads the configuration for `start` (unless switched off) merged with the
/// command-line options.
fn load_config(args: &LexiconArgs, start: &Path) -> Result<Config, Diagnostic> {
    let mut config = Config::default();
    if let Some(path) = config_file(args, start) {
        let mut file = Config::load(&path)?;
        file.path = Some(path);
        config = config.merge(file);
    }
    let cli = Config {
        lexicon: args.lexicon.clone(),
        builtin_lexicon: args.no_builtin.then_some(false),
        disable: args.disable.clone(),
        ..Config::default()
    };
    Ok(config.merge(cli))
}

/// Loads the lexicon and scanner for a configuration, printing problems.
fn load_scanner(config: &Config) -> Option<Scanner> {
    let lexicon = match config.lexicon() {
        Ok(l) => l,
        Err(errors) => {
            print_diagnostics(&errors);
            out::say!(
                "the lexicon has {} problem(s); fix them and run again",
                errors.len()
            );
            return None;
        }
    };
    if let Some(mut d) = lexicon.unknown_rule(
        config.disable.iter().chain(config.severity.keys()),
        "`vblint lexicon list` shows every entry id",
    ) {
        if let Some(path) = &config.path {
            d = d.note(format!("configured in {}", out::shown(path)));
        }
        print_diagnostics(&[d]);
        return None;
    }
    match Scanner::new(Arc::new(lexicon), config.settings()) {
        Ok(s) => Some(s),
        Err(d) => {
            print_diagnostics(&[d]);
            None
        }
    }
}

/// Loads a lexicon for the `lexicon` and `explain` commands.
fn load_lexicon_for(paths: &LexiconPaths) -> Result<Arc<Lexicon>, Vec<Diagnostic>> {
    if paths.paths.is_empty() {
        let args = LexiconArgs {
            config: paths.config.clone(),
            no_builtin: paths.no_builtin,
            ..LexiconArgs::default()
        };
        let config = load_config(&args, Path::new(".")).map_err(|d| vec![d])?;
        config.lexicon().map(Arc::new)
    } else {
        crate::lexicon_io::load(!paths.no_builtin, &paths.paths).map(Arc::new)
    }
}
